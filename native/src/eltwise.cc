// Elementwise maps and sum/mean reductions over strided float32/float64 views, in parallel on OpenMP.
//
// Maps compute what the js backend's compiled expression computes (src/ops/elementwise.ts): arithmetic in
// the element type (for + − × ÷ of float32 that equals the js result, a double rounded once, bit for bit),
// transcendental functions in double, rounded once on the store. Sums accumulate in double, as the js
// backend does.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "common.h"
#include "native.h"

namespace tt {
namespace {

constexpr int kMaxDims = 16;

/** Operations by the code the TypeScript side assigns (src/backend/native/eltwise.ts `OPS`). */
enum Op : int {
  kNeg = 0,
  kAbs,
  kExp,
  kLog,
  kSqrt,
  kTanh,
  kSigmoid,
  kRelu,
  kSquare,
  kReciprocal,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kCopy,
  // Fused gradients (g, y) of sigmoid and tanh, as PyTorch's sigmoid_backward / tanh_backward.
  kSigmoidBackward,
  kTanhBackward,
  kOpCount
};

// One functor per operation, so each loop is compiled for its operation (a switch per element costs more
// than the arithmetic, and keeps the compiler from vectorizing).
struct Neg { template <typename T> T operator()(T a) const { return -a; } };
struct Abs { template <typename T> T operator()(T a) const { return std::fabs(a); } };
struct Exp { template <typename T> T operator()(T a) const { return static_cast<T>(std::exp(static_cast<double>(a))); } };
struct Log { template <typename T> T operator()(T a) const { return static_cast<T>(std::log(static_cast<double>(a))); } };
struct Sqrt { template <typename T> T operator()(T a) const { return static_cast<T>(std::sqrt(static_cast<double>(a))); } };
struct Tanh { template <typename T> T operator()(T a) const { return static_cast<T>(std::tanh(static_cast<double>(a))); } };
struct Sigmoid {
  // The js expression's stable form: exp never sees a large positive argument.
  template <typename T>
  T operator()(T a) const {
    const double x = static_cast<double>(a);
    const double e = std::exp(-std::fabs(x));
    // 1 / (1 + e) or e / (1 + e): one divide, and a select instead of a branch on the sign.
    return static_cast<T>((x >= 0 ? 1.0 : e) / (1 + e));
  }
};
struct Relu { template <typename T> T operator()(T a) const { return a > 0 ? a : (a != a ? a : T(0)); } };
struct Square { template <typename T> T operator()(T a) const { return a * a; } };
struct Reciprocal { template <typename T> T operator()(T a) const { return T(1) / a; } };
struct Identity { template <typename T> T operator()(T a) const { return a; } };

/** A strided walk over `shape`: `n` operands (output first), all with their own strides. */
struct Walk {
  int nd = 0;
  int64_t shape[kMaxDims];
  int64_t strides[3][kMaxDims];
  int64_t total = 1;
};

/** Calls `f(p0, p1, p2, len, s0, s1, s2)` for each innermost run of linear elements [lo, hi). */
template <typename F>
void runs(const Walk& w, int nops, int64_t lo, int64_t hi, F f) {
  if (lo >= hi) return;
  const int nd = w.nd;
  int64_t idx[kMaxDims];
  int64_t pos[3] = {0, 0, 0};
  int64_t rem = lo;
  for (int d = nd - 1; d >= 0; d--) {
    idx[d] = rem % w.shape[d];
    rem /= w.shape[d];
    for (int k = 0; k < nops; k++) pos[k] += idx[d] * w.strides[k][d];
  }
  const int64_t inner = w.shape[nd - 1];
  int64_t i = lo;
  while (i < hi) {
    const int64_t len = std::min(inner - idx[nd - 1], hi - i);
    f(pos[0], pos[1], pos[2], len, w.strides[0][nd - 1], w.strides[1][nd - 1], w.strides[2][nd - 1]);
    i += len;
    for (int k = 0; k < nops; k++) pos[k] += len * w.strides[k][nd - 1];
    idx[nd - 1] += len;
    for (int d = nd - 1; d > 0 && idx[d] == w.shape[d]; d--) {
      for (int k = 0; k < nops; k++) pos[k] += w.strides[k][d - 1] - w.shape[d] * w.strides[k][d];
      idx[d] = 0;
      idx[d - 1]++;
    }
  }
}

/** Work split: one chunk per thread once there is enough to share (small maps stay on the caller). */
template <typename F>
void parallel_chunks(int64_t total, F f) {
  const int threads = threads_for(total);
  if (threads <= 1) {
    f(0, total);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num();
    const int nt = omp_get_num_threads();
    const int64_t lo = total * t / nt, hi = total * (t + 1) / nt;
    f(lo, hi);
  }
}

template <typename T, typename F>
void unary_loop(T* out, const T* a, const Walk& w, F f) {
  parallel_chunks(w.total, [&](int64_t lo, int64_t hi) {
    runs(w, 2, lo, hi, [&](int64_t po, int64_t pa, int64_t, int64_t len, int64_t so, int64_t sa, int64_t) {
      T* o = out + po;
      const T* x = a + pa;
      if (so == 1 && sa == 1) {
        for (int64_t i = 0; i < len; i++) o[i] = f(x[i]);
      } else {
        for (int64_t i = 0; i < len; i++) o[i * so] = f(x[i * sa]);
      }
    });
  });
}

/**
 * Dense float32 exp, sigmoid and tanh on oneDNN's vectorized eltwise kernels (a libm call per element is
 * 10-20× slower). Measured over 2^20 random inputs against the js backend's double-precision results:
 * exp within 4 float32 ulp, sigmoid 3, tanh 1 (PyTorch's own vectorized kernels are also a few ulp off).
 * Below about −87 oneDNN's exp flushes to 0 what is still a (normal or subnormal) float, and exp(NaN)
 * comes out +inf: those inputs are recomputed in double by `fixup`. Returns false when the op has no
 * oneDNN form.
 */
bool onednn_unary(int op, float* out, const float* a, int64_t n) {
  dnnl::algorithm alg;
  switch (op) {
    case kExp: alg = dnnl::algorithm::eltwise_exp; break;
    case kSigmoid: alg = dnnl::algorithm::eltwise_logistic; break;
    case kTanh: alg = dnnl::algorithm::eltwise_tanh; break;
    default: return false;
  }
  struct Entry {
    dnnl::eltwise_forward prim;
    dnnl::memory::desc md;
  };
  thread_local LruCache<Entry> cache(64);
  SingleThread one(n <= kGrain);
  const std::string key = key_of({op, n, max_threads()}, {});
  Entry* e = cache.find(key);
  if (e == nullptr) {
    const dnnl::memory::desc md({n}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::a);
    dnnl::eltwise_forward::desc d(dnnl::prop_kind::forward_inference, alg, md, 0.f, 0.f);
    dnnl::eltwise_forward::primitive_desc pd(d, engine());
    e = cache.insert(key, Entry{dnnl::eltwise_forward(pd), md});
  }
  dnnl::memory src(e->md, engine(), const_cast<float*>(a));
  dnnl::memory dst(e->md, engine(), out);
  e->prim.execute(stream(), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
  stream().wait();
  return true;
}

/** Recomputes `out[i] = f(a[i])` where `a[i]` is NaN or below −85 (see `onednn_unary`). */
template <typename F>
void fixup(float* out, const float* a, int64_t n, F f) {
  // A branch-free scan first (vectorized): such inputs are rare.
  int any = 0;
#pragma omp simd reduction(| : any)
  for (int64_t i = 0; i < n; i++) any |= !(a[i] >= -85.0f);
  if (!any) return;
  for (int64_t i = 0; i < n; i++) {
    if (!(a[i] >= -85.0f)) out[i] = f(a[i]);
  }
}

template <typename T>
void map_unary(int op, T* out, const T* a, const Walk& w) {
  if constexpr (std::is_same<T, float>::value) {
    if (w.nd == 1 && w.strides[0][0] == 1 && w.strides[1][0] == 1 && onednn_unary(op, out, a, w.total)) {
      if (op == kExp) fixup(out, a, w.total, Exp());
      else if (op == kSigmoid) fixup(out, a, w.total, Sigmoid());
      else fixup(out, a, w.total, Tanh());
      return;
    }
  }
  switch (op) {
    case kNeg: return unary_loop(out, a, w, Neg());
    case kAbs: return unary_loop(out, a, w, Abs());
    case kExp: return unary_loop(out, a, w, Exp());
    case kLog: return unary_loop(out, a, w, Log());
    case kSqrt: return unary_loop(out, a, w, Sqrt());
    case kTanh: return unary_loop(out, a, w, Tanh());
    case kSigmoid: return unary_loop(out, a, w, Sigmoid());
    case kRelu: return unary_loop(out, a, w, Relu());
    case kSquare: return unary_loop(out, a, w, Square());
    case kReciprocal: return unary_loop(out, a, w, Reciprocal());
    default: return unary_loop(out, a, w, Identity());
  }
}

template <typename T, typename F>
void binary_loop(T* out, const T* a, const T* b, const Walk& w, F f) {
  parallel_chunks(w.total, [&](int64_t lo, int64_t hi) {
    runs(w, 3, lo, hi, [&](int64_t po, int64_t pa, int64_t pb, int64_t len, int64_t so, int64_t sa, int64_t sb) {
      T* o = out + po;
      const T* x = a + pa;
      const T* y = b + pb;
      if (so == 1 && sa == 1 && sb == 1) {
        for (int64_t i = 0; i < len; i++) o[i] = f(x[i], y[i]);
      } else if (so == 1 && sa == 1 && sb == 0) {
        const T v = *y;
        for (int64_t i = 0; i < len; i++) o[i] = f(x[i], v);
      } else if (so == 1 && sa == 0 && sb == 1) {
        const T v = *x;
        for (int64_t i = 0; i < len; i++) o[i] = f(v, y[i]);
      } else {
        for (int64_t i = 0; i < len; i++) o[i * so] = f(x[i * sa], y[i * sb]);
      }
    });
  });
}

template <typename T>
void map_binary(int op, T* out, const T* a, const T* b, const Walk& w) {
  switch (op) {
    case kAdd: return binary_loop(out, a, b, w, [](T x, T y) { return x + y; });
    case kSub: return binary_loop(out, a, b, w, [](T x, T y) { return x - y; });
    case kMul: return binary_loop(out, a, b, w, [](T x, T y) { return x * y; });
    // In double, rounded once, in the js expression's order: bit for bit with the js backend.
    case kSigmoidBackward:
      return binary_loop(out, a, b, w, [](T g, T y) { return static_cast<T>(static_cast<double>(g) * (1.0 - y) * y); });
    case kTanhBackward:
      return binary_loop(out, a, b, w, [](T g, T y) { return static_cast<T>(static_cast<double>(g) * (1.0 - static_cast<double>(y) * y)); });
    default: return binary_loop(out, a, b, w, [](T x, T y) { return x / y; });
  }
}

/** The extent (last element + 1) a walk's operand k reaches. */
int64_t reach(const Walk& w, int k) { return w.total == 0 ? 0 : strided_extent(w.nd, w.shape, w.strides[k]); }

template <typename T>
void map_typed(const Napi::CallbackInfo& info, int op, int arity, const Walk& w, const int64_t* offs) {
  size_t lo, la, lb = 0;
  T* out = typed<T>(info, 1, "out", &lo);
  const T* a = typed<T>(info, 2, "a", &la);
  check_span(lo, offs[0], reach(w, 0), "out");
  check_span(la, offs[1], reach(w, 1), "a");
  if (arity == 1) {
    map_unary<T>(op, out + offs[0], a + offs[1], w);
    return;
  }
  const T* b = typed<T>(info, 3, "b", &lb);
  check_span(lb, offs[2], reach(w, 2), "b");
  map_binary<T>(op, out + offs[0], a + offs[1], b + offs[2], w);
}

/** Reads `[nd, shape × nd, then per operand: offset, strides × nd]` from a Float64Array. */
Walk read_walk(const Napi::CallbackInfo& info, size_t i, int nops, int64_t* offs) {
  size_t len;
  const double* p = typed<double>(info, i, "geometry", &len);
  if (len < 1) throw UsageError("geometry is empty");
  Walk w;
  w.nd = static_cast<int>(p[0]);
  if (w.nd < 1 || w.nd > kMaxDims) throw UsageError("1 to 16 dims expected");
  if (len < static_cast<size_t>(1 + w.nd + nops * (1 + w.nd))) throw UsageError("geometry is too short");
  for (int d = 0; d < w.nd; d++) {
    w.shape[d] = static_cast<int64_t>(p[1 + d]);
    if (w.shape[d] < 0) throw UsageError("negative extent");
    w.total *= w.shape[d];
  }
  for (int k = 0; k < 3; k++) {
    for (int d = 0; d < w.nd; d++) w.strides[k][d] = 0;
  }
  for (int k = 0; k < nops; k++) {
    const double* q = p + 1 + w.nd + k * (1 + w.nd);
    offs[k] = static_cast<int64_t>(q[0]);
    for (int d = 0; d < w.nd; d++) w.strides[k][d] = static_cast<int64_t>(q[1 + d]);
  }
  return w;
}

}  // namespace

// map(op, out, a, b | null, geometry: [nd, shape, out offset/strides, a offset/strides, (b offset/strides)])
Napi::Value Map(const Napi::CallbackInfo& info) {
  return guard(info, "map", [&]() -> Napi::Value {
    const int op = info[0].As<Napi::Number>().Int32Value();
    if (op < 0 || op >= kOpCount) throw UsageError("unknown operation " + std::to_string(op));
    const int arity = (op >= kAdd && op <= kDiv) || op == kSigmoidBackward || op == kTanhBackward ? 2 : 1;
    int64_t offs[3] = {0, 0, 0};
    const Walk w = read_walk(info, 4, arity + 1, offs);
    if (w.total == 0) return info.Env().Undefined();
    if (is_f64(info, 1, "out")) map_typed<double>(info, op, arity, w, offs);
    else map_typed<float>(info, op, arity, w, offs);
    return info.Env().Undefined();
  });
}

namespace {

/**
 * `out[o] = Σ x` over the reduced box of each output (divided by its size when `mean`), in double. `w`
 * walks the kept dims (operand 0 = out, 1 = x), `r` the reduced dims of x (operand 1).
 */
template <typename T>
void sum_typed(const T* x, T* out, const Walk& kept, const Walk& red, bool mean) {
  const int64_t outputs = kept.total;
  const int64_t inner = red.total;
  const double count = static_cast<double>(inner);
  auto box_sum = [&](int64_t base, int64_t lo, int64_t hi) {
    double acc = 0;
    runs(red, 2, lo, hi, [&](int64_t, int64_t px, int64_t, int64_t len, int64_t, int64_t sx, int64_t) {
      const T* p = x + base + px;
      double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      int64_t i = 0;
      if (sx == 1) {
        for (; i + 3 < len; i += 4) {
          a0 += p[i];
          a1 += p[i + 1];
          a2 += p[i + 2];
          a3 += p[i + 3];
        }
        for (; i < len; i++) a0 += p[i];
      } else {
        for (; i < len; i++) a0 += p[i * sx];
      }
      acc += a0 + a1 + (a2 + a3);
    });
    return acc;
  };
  // The offset of output o and that of its box in x, from the kept-dims walk.
  auto offsets_of = [&](int64_t o, int64_t& po, int64_t& px) {
    int64_t rem = o;
    po = 0;
    px = 0;
    for (int d = kept.nd - 1; d >= 0; d--) {
      const int64_t i = rem % kept.shape[d];
      rem /= kept.shape[d];
      po += i * kept.strides[0][d];
      px += i * kept.strides[1][d];
    }
  };
  auto store = [&](int64_t o, double s) { out[o] = static_cast<T>(mean ? (inner == 0 ? NAN : s / count) : s); };
  const int threads = threads_for(outputs * inner);
  if (outputs >= 2 * threads || threads == 1) {
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int64_t o = 0; o < outputs; o++) {
      int64_t po, px;
      offsets_of(o, po, px);
      store(po, box_sum(px, 0, inner));
    }
    return;
  }
  // Few outputs: each is split across the threads, partial sums added in thread order.
  std::vector<double> part(threads);
  for (int64_t o = 0; o < outputs; o++) {
    int64_t po, px;
    offsets_of(o, po, px);
#pragma omp parallel num_threads(threads)
    {
      const int t = omp_get_thread_num();
      const int nt = omp_get_num_threads();
      part[t] = box_sum(px, inner * t / nt, inner * (t + 1) / nt);
    }
    double s = 0;
    for (int t = 0; t < threads; t++) s += part[t];
    store(po, s);
  }
}

}  // namespace

// reduceSum(x, out, mean, kept: [nd, shape, out off/strides, x off/strides], reduced: [nd, shape, 0/zeros, 0/x strides])
Napi::Value ReduceSum(const Napi::CallbackInfo& info) {
  return guard(info, "reduce", [&]() -> Napi::Value {
    const bool mean = info[2].As<Napi::Boolean>().Value();
    int64_t koffs[3] = {0, 0, 0}, roffs[3] = {0, 0, 0};
    const Walk kept = read_walk(info, 3, 2, koffs);
    const Walk red = read_walk(info, 4, 2, roffs);
    size_t lx, lo;
    if (is_f64(info, 0, "x")) {
      const double* x = typed<double>(info, 0, "x", &lx);
      double* out = typed<double>(info, 1, "out", &lo);
      check_span(lo, koffs[0], reach(kept, 0), "out");
      if (kept.total > 0 && red.total > 0) check_span(lx, koffs[1], reach(kept, 1) + reach(red, 1) - 1, "x");
      sum_typed<double>(x + koffs[1], out + koffs[0], kept, red, mean);
    } else {
      const float* x = typed<float>(info, 0, "x", &lx);
      float* out = typed<float>(info, 1, "out", &lo);
      check_span(lo, koffs[0], reach(kept, 0), "out");
      if (kept.total > 0 && red.total > 0) check_span(lx, koffs[1], reach(kept, 1) + reach(red, 1) - 1, "x");
      sum_typed<float>(x + koffs[1], out + koffs[0], kept, red, mean);
    }
    return info.Env().Undefined();
  });
}

}  // namespace tt
