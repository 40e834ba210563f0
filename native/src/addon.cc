// The torch-ts native addon: oneDNN kernels behind the backend interface (src/backend/native/ is its
// TypeScript side). Every entry point is synchronous and works on the caller's typed arrays in place.
#include <omp.h>

#include <cstdlib>  // defines __GLIBC__ on glibc
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "common.h"
#include "native.h"

namespace tt {

namespace {

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  return guard(info, "setNumThreads", [&]() -> Napi::Value {
    const int64_t n = info[0].As<Napi::Number>().Int64Value();
    if (n < 1 || n > 4096) throw UsageError("expected a positive number of threads, got " + std::to_string(n));
    omp_set_num_threads(static_cast<int>(n));
    return info.Env().Undefined();
  });
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), omp_get_max_threads());
}

Napi::Value ClearCaches(const Napi::CallbackInfo& info) {
  ClearConvPlans();
  return info.Env().Undefined();
}

/**
 * Keeps freed tensor memory in the malloc heap for reuse (src/backend/native/process-tuning.ts says why):
 * blocks up to 32 MiB come from the heap instead of fresh mmap'd pages, and up to 256 MiB of free memory
 * at its top stays mapped. Returns whether the allocator took the settings (false off glibc).
 */
Napi::Value KeepFreedMemory(const Napi::CallbackInfo& info) {
#if defined(__GLIBC__)
  const bool ok = mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1 && mallopt(M_TRIM_THRESHOLD, 256 << 20) == 1;
  return Napi::Boolean::New(info.Env(), ok);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  return guard(info, "info", [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    const dnnl_version_t* v = dnnl_version();
    Napi::Object o = Napi::Object::New(env);
    o.Set("onednn", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
    o.Set("onednnHash", v->hash);
    o.Set("threads", omp_get_max_threads());
    // Creating the engine here makes a broken oneDNN installation fail at load time, not on first use.
    o.Set("engines", static_cast<double>(dnnl::engine::get_count(dnnl::engine::kind::cpu)));
    (void)engine();
    return o;
  });
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("convForward", Napi::Function::New(env, ConvForward, "convForward"));
  exports.Set("convBackwardData", Napi::Function::New(env, ConvBackwardData, "convBackwardData"));
  exports.Set("convBackwardWeights", Napi::Function::New(env, ConvBackwardWeights, "convBackwardWeights"));
  exports.Set("convPlans", Napi::Function::New(env, ConvPlans, "convPlans"));
  exports.Set("gemm", Napi::Function::New(env, Gemm, "gemm"));
  exports.Set("maxPool", Napi::Function::New(env, MaxPool, "maxPool"));
  exports.Set("avgPool", Napi::Function::New(env, AvgPool, "avgPool"));
  exports.Set("avgPoolBackward", Napi::Function::New(env, AvgPoolBackward, "avgPoolBackward"));
  exports.Set("poolScatterAdd", Napi::Function::New(env, PoolScatterAdd, "poolScatterAdd"));
  exports.Set("map", Napi::Function::New(env, Map, "map"));
  exports.Set("reduceSum", Napi::Function::New(env, ReduceSum, "reduceSum"));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads, "setNumThreads"));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads, "getNumThreads"));
  exports.Set("clearCaches", Napi::Function::New(env, ClearCaches, "clearCaches"));
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  exports.Set("keepFreedMemory", Napi::Function::New(env, KeepFreedMemory, "keepFreedMemory"));
  return exports;
}

}  // namespace
}  // namespace tt

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return tt::Init(env, exports); }

NODE_API_MODULE(torch_ts_native, InitAddon)
