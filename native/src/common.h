// Shared plumbing of the torch-ts native addon: typed-array access with bounds checks, the per-thread
// oneDNN engine/stream/scratchpad, a bounded primitive cache, and the error guard every entry point uses.
#pragma once

#include <napi.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <list>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <dnnl.hpp>

namespace tt {

/** An error whose message is passed to JavaScript as is (argument checks, bounds). */
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/**
 * Runs `body`, turning oneDNN and C++ exceptions into a JavaScript Error that names `op`: nothing thrown
 * in the addon may unwind into Node (which would abort the process).
 */
Napi::Value guard(const Napi::CallbackInfo& info, const char* op, const std::function<Napi::Value()>& body);

/** The typed array argument `i` as T* (element 0 of the array, not of the view), checked for type. */
template <typename T>
T* typed(const Napi::CallbackInfo& info, size_t i, const char* name, size_t* length = nullptr);

/** Whether argument `i` is a Float32Array (false) or Float64Array (true); anything else throws. */
bool is_f64(const Napi::CallbackInfo& info, size_t i, const char* name);

/** Throws unless elements [offset, offset + extent) lie inside an array of `length`. */
void check_span(size_t length, int64_t offset, int64_t extent, const char* name);

/** Largest element offset a strided box reaches (0 for an empty box, then `extent` is 0 too). */
int64_t strided_extent(int n, const int64_t* shape, const int64_t* strides);

/** The per-thread oneDNN engine and stream (Node's main thread and each worker have their own). */
dnnl::engine& engine();
dnnl::stream& stream();

/** A growable buffer shared by every primitive of this thread (they run one at a time). */
void* scratchpad(size_t bytes);

/** `omp_get_max_threads()`: part of every cache key, because implementations are chosen per thread count. */
int max_threads();

/**
 * Work (elements touched) below which a loop runs on the calling thread only: PyTorch's GRAIN_SIZE. Waking
 * a second thread costs 5–50 µs on an idle machine and up to a scheduler tick (4 ms) on a busy one.
 */
constexpr int64_t kGrain = 32768;

/** Threads for a loop over `work` elements. */
inline int threads_for(int64_t work) { return work > kGrain ? max_threads() : 1; }

/**
 * Runs oneDNN single-threaded while alive (when `one`): oneDNN opens a parallel region with every thread
 * whatever the problem size, so small problems set the count to 1 around creating and running them.
 */
class SingleThread {
 public:
  explicit SingleThread(bool one);
  ~SingleThread();
  SingleThread(const SingleThread&) = delete;
  SingleThread& operator=(const SingleThread&) = delete;

 private:
  int saved_ = 0;
};

/** Seconds from a monotonic clock. */
double now();

/**
 * A least-recently-used map with a fixed capacity: primitives (and the buffers of their blocked layouts)
 * stay bounded however many shapes a program uses.
 */
template <typename V>
class LruCache {
 public:
  explicit LruCache(size_t capacity) : capacity_(capacity) {}

  V* find(const std::string& key) {
    auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return &it->second->second;
  }

  V* insert(const std::string& key, V&& value) {
    order_.emplace_front(key, std::move(value));
    map_[key] = order_.begin();
    while (order_.size() > capacity_) {
      map_.erase(order_.back().first);
      order_.pop_back();
    }
    return &order_.front().second;
  }

  size_t size() const { return order_.size(); }
  void clear() {
    map_.clear();
    order_.clear();
  }
  template <typename F>
  void for_each(F f) const {
    for (const auto& kv : order_) f(kv.first, kv.second);
  }

 private:
  size_t capacity_;
  std::list<std::pair<std::string, V>> order_;
  std::unordered_map<std::string, typename std::list<std::pair<std::string, V>>::iterator> map_;
};

/** A cache key from integers (their bytes). */
std::string key_of(std::initializer_list<int64_t> head, const std::vector<int64_t>& tail);

/** oneDNN's name of a status code (`unimplemented`, `invalid_arguments`, ...). */
const char* status_name(dnnl_status_t s);

}  // namespace tt
