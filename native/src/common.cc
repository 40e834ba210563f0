#include "common.h"

#include <omp.h>

#include <chrono>
#include <cstdlib>

namespace tt {

Napi::Value guard(const Napi::CallbackInfo& info, const char* op, const std::function<Napi::Value()>& body) {
  Napi::Env env = info.Env();
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const dnnl::error& e) {
    throw Napi::Error::New(env, std::string(op) + ": oneDNN " + status_name(e.status) + ": " + e.what());
  } catch (const UsageError& e) {
    throw Napi::Error::New(env, std::string(op) + ": " + e.what());
  } catch (const std::bad_alloc&) {
    throw Napi::Error::New(env, std::string(op) + ": out of memory");
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, std::string(op) + ": " + e.what());
  }
}

template <typename T>
T* typed(const Napi::CallbackInfo& info, size_t i, const char* name, size_t* length) {
  Napi::Value v = info[i];
  if (!v.IsTypedArray()) throw UsageError(std::string(name) + " must be a typed array");
  Napi::TypedArray ta = v.As<Napi::TypedArray>();
  napi_typedarray_type want = sizeof(T) == 4 ? napi_float32_array : napi_float64_array;
  if (ta.TypedArrayType() != want) {
    throw UsageError(std::string(name) + " must be a " + (sizeof(T) == 4 ? "Float32Array" : "Float64Array"));
  }
  if (length) *length = ta.ElementLength();
  auto* base = static_cast<uint8_t*>(ta.ArrayBuffer().Data());
  return reinterpret_cast<T*>(base + ta.ByteOffset());
}
template float* typed<float>(const Napi::CallbackInfo&, size_t, const char*, size_t*);
template double* typed<double>(const Napi::CallbackInfo&, size_t, const char*, size_t*);

bool is_f64(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Value v = info[i];
  if (v.IsTypedArray()) {
    napi_typedarray_type t = v.As<Napi::TypedArray>().TypedArrayType();
    if (t == napi_float32_array) return false;
    if (t == napi_float64_array) return true;
  }
  throw UsageError(std::string(name) + " must be a Float32Array or Float64Array");
}

void check_span(size_t length, int64_t offset, int64_t extent, const char* name) {
  if (extent == 0) return;  // an empty view reads nothing, wherever its offset points
  if (offset < 0 || extent < 0 || static_cast<uint64_t>(offset) + static_cast<uint64_t>(extent) > length) {
    throw UsageError(std::string(name) + ": view [" + std::to_string(offset) + ", " + std::to_string(offset + extent) +
                     ") exceeds its storage of " + std::to_string(length) + " elements");
  }
}

int64_t strided_extent(int n, const int64_t* shape, const int64_t* strides) {
  int64_t last = 0;
  for (int d = 0; d < n; d++) {
    if (shape[d] == 0) return 0;
    if (strides[d] < 0) throw UsageError("negative strides are not supported");
    last += (shape[d] - 1) * strides[d];
  }
  return last + 1;
}

namespace {
struct ThreadState {
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  dnnl::stream strm{eng};
  void* pad = nullptr;
  size_t pad_bytes = 0;
  ~ThreadState() { std::free(pad); }
};
ThreadState& state() {
  thread_local ThreadState s;
  return s;
}
}  // namespace

dnnl::engine& engine() { return state().eng; }
dnnl::stream& stream() { return state().strm; }

void* scratchpad(size_t bytes) {
  ThreadState& s = state();
  if (bytes > s.pad_bytes) {
    std::free(s.pad);
    s.pad = nullptr;
    s.pad_bytes = 0;
    size_t rounded = (bytes + 4095) & ~static_cast<size_t>(4095);
    s.pad = std::aligned_alloc(64, rounded);
    if (!s.pad) throw std::bad_alloc();
    s.pad_bytes = rounded;
  }
  return s.pad;
}

int max_threads() { return omp_get_max_threads(); }

SingleThread::SingleThread(bool one) {
  if (one && omp_get_max_threads() > 1) {
    saved_ = omp_get_max_threads();
    omp_set_num_threads(1);
  }
}

SingleThread::~SingleThread() {
  if (saved_ > 0) omp_set_num_threads(saved_);
}

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string key_of(std::initializer_list<int64_t> head, const std::vector<int64_t>& tail) {
  std::string k;
  k.resize((head.size() + tail.size()) * sizeof(int64_t));
  char* p = &k[0];
  for (int64_t v : head) {
    std::memcpy(p, &v, sizeof v);
    p += sizeof v;
  }
  for (int64_t v : tail) {
    std::memcpy(p, &v, sizeof v);
    p += sizeof v;
  }
  return k;
}

const char* status_name(dnnl_status_t s) {
  switch (s) {
    case dnnl_success: return "success";
    case dnnl_out_of_memory: return "out_of_memory";
    case dnnl_invalid_arguments: return "invalid_arguments";
    case dnnl_unimplemented: return "unimplemented";
    case dnnl_iterator_ends: return "iterator_ends";
    case dnnl_runtime_error: return "runtime_error";
    case dnnl_not_required: return "not_required";
    default: return "error";
  }
}

}  // namespace tt
