// Batched float32 GEMM over strided views on oneDNN's matmul primitive (its brgemm kernels).
//
// Not `dnnl_sgemm`: in oneDNN 2.6 (Debian's libdnnl 2.6.3) its JIT kernels, and the `gemm:jit` convolutions
// built on them, corrupt the heap when a signal arrives mid-call (reproduced in plain C with an empty
// SIGPROF handler: "corrupted size vs. prev_size", for every shape but matrix-vector ones); Node delivers
// signals to the main thread (the CPU profiler's SIGPROF, SIGCHLD, SIGINT). The brgemm, direct convolution,
// eltwise and reorder kernels pass the same test. brgemm is also faster (1024² on one core: 150 vs 130
// GFLOP/s); its float32 error on long sums is somewhat larger (mean 1.3e-5 vs 8e-6 for K = 1030 against a
// float64 product; OpenBLAS, PyTorch's BLAS here, 8.3e-6), well within float32's dot-product bound.
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "common.h"
#include "native.h"

namespace tt {
namespace {

using dnnl::memory;
using dt = memory::data_type;

/** How a [batch, rows, cols] operand reaches the primitive: as is (row-major or transposed), or packed. */
struct Layout {
  bool direct = false;
  bool transposed = false;
  bool broadcast = false;  // one matrix for every batch index (batch stride 0)
};

Layout layout_of(int64_t batch, int64_t rows, int64_t cols, int64_t sb, int64_t rs, int64_t cs) {
  Layout l;
  const int64_t size = rows * cols;
  l.broadcast = batch > 1 && sb == 0;
  const bool batch_ok = batch == 1 || l.broadcast || sb == size;
  if (!batch_ok) return l;
  if ((cs == 1 || cols == 1) && (rs == cols || rows == 1)) {
    l.direct = true;
  } else if ((rs == 1 || rows == 1) && (cs == rows || cols == 1)) {
    l.direct = true;
    l.transposed = true;
  }
  return l;
}

/** A contiguous row-major copy of `n` strided [rows, cols] matrices into `dst`. */
void pack(const float* src, int64_t n, int64_t rows, int64_t cols, int64_t sb, int64_t rs, int64_t cs, float* dst) {
  for (int64_t t = 0; t < n; t++) {
    for (int64_t i = 0; i < rows; i++) {
      const float* r = src + t * sb + i * rs;
      float* d = dst + (t * rows + i) * cols;
      for (int64_t j = 0; j < cols; j++) d[j] = r[j * cs];
    }
  }
}

memory::desc md(int64_t batch, int64_t rows, int64_t cols, bool transposed) {
  const memory::dims strides = transposed ? memory::dims{rows * cols, 1, rows} : memory::dims{rows * cols, cols, 1};
  return memory::desc({batch, rows, cols}, dt::f32, strides);
}

struct Entry {
  dnnl::matmul prim;
  memory::desc a, b, c;
  size_t scratch = 0;
};

LruCache<Entry>& cache() {
  thread_local LruCache<Entry> c(128);
  return c;
}

/** `C = alpha·A·B + beta·C` over dense batched operands (alpha as an output scale, beta as a sum post-op). */
void run(int64_t B, int64_t Ba, int64_t Bb, int64_t M, int64_t N, int64_t K, bool ta, bool tb, float alpha, float beta,
         const float* A, const float* Bm, float* C) {
  int32_t abits, bbits;
  std::memcpy(&abits, &alpha, 4);
  std::memcpy(&bbits, &beta, 4);
  const std::string key = key_of({B, Ba, Bb, M, N, K, ta, tb, abits, bbits, max_threads()}, {});
  Entry* e = cache().find(key);
  if (e == nullptr) {
    Entry n;
    n.a = md(Ba, M, K, ta);
    n.b = md(Bb, K, N, tb);
    n.c = md(B, M, N, false);
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    if (alpha != 1.0f) attr.set_output_scales(0, {alpha});
    if (beta != 0.0f) {
      dnnl::post_ops ops;
      ops.append_sum(beta);
      attr.set_post_ops(ops);
    }
    dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(n.a, n.b, n.c), attr, engine());
    n.prim = dnnl::matmul(pd);
    n.scratch = pd.scratchpad_desc().get_size();
    e = cache().insert(key, std::move(n));
  }
  dnnl::engine& eng = engine();
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, memory(e->a, eng, const_cast<float*>(A))},
                                       {DNNL_ARG_WEIGHTS, memory(e->b, eng, const_cast<float*>(Bm))},
                                       {DNNL_ARG_DST, memory(e->c, eng, C)}};
  if (e->scratch > 0) {
    args.emplace(DNNL_ARG_SCRATCHPAD, memory(memory::desc({static_cast<int64_t>(e->scratch)}, dt::u8, memory::format_tag::x),
                                             eng, scratchpad(e->scratch)));
  }
  e->prim.execute(stream(), args);
  stream().wait();
}

/** C ← beta·C over a strided batch; beta = 0 writes zeros, so NaN already in C does not survive (BLAS). */
void scale(float* C, int64_t batch, int64_t M, int64_t N, int64_t scb, int64_t scm, int64_t scn, float beta) {
  if (beta == 1.0f) return;
  for (int64_t t = 0; t < batch; t++) {
    for (int64_t i = 0; i < M; i++) {
      float* r = C + t * scb + i * scm;
      for (int64_t j = 0; j < N; j++) r[j * scn] = beta == 0.0f ? 0.0f : beta * r[j * scn];
    }
  }
}

struct Scratch {
  std::vector<float> a, b, c;
};

}  // namespace

// gemm(a, b, c, p: Float64Array [batch, M, N, K, oa, sab, sam, sak, ob, sbb, sbk, sbn, oc, scb, scm, scn, alpha, beta])
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  return guard(info, "gemm", [&]() -> Napi::Value {
    size_t la, lb, lc;
    float* A = typed<float>(info, 0, "a", &la);
    float* B = typed<float>(info, 1, "b", &lb);
    float* C = typed<float>(info, 2, "out", &lc);
    size_t lp;
    const double* p = typed<double>(info, 3, "params", &lp);
    if (lp < 18) throw UsageError("params must hold 18 numbers");
    const int64_t batch = static_cast<int64_t>(p[0]), M = static_cast<int64_t>(p[1]), N = static_cast<int64_t>(p[2]),
                  K = static_cast<int64_t>(p[3]);
    const int64_t oa = p[4], sab = p[5], sam = p[6], sak = p[7];
    const int64_t ob = p[8], sbb = p[9], sbk = p[10], sbn = p[11];
    const int64_t oc = p[12], scb = p[13], scm = p[14], scn = p[15];
    const float alpha = static_cast<float>(p[16]), beta = static_cast<float>(p[17]);
    const int64_t ashape[3] = {batch, M, K}, astr[3] = {sab, sam, sak};
    const int64_t bshape[3] = {batch, K, N}, bstr[3] = {sbb, sbk, sbn};
    const int64_t cshape[3] = {batch, M, N}, cstr[3] = {scb, scm, scn};
    check_span(la, oa, strided_extent(3, ashape, astr), "a");
    check_span(lb, ob, strided_extent(3, bshape, bstr), "b");
    check_span(lc, oc, strided_extent(3, cshape, cstr), "out");
    A += oa;
    B += ob;
    C += oc;
    if (batch == 0 || M == 0 || N == 0) return info.Env().Undefined();
    if (K == 0 || alpha == 0.0f) {
      scale(C, batch, M, N, scb, scm, scn, beta);
      return info.Env().Undefined();
    }
    // Small products run on one thread (see conv.cc `small`).
    SingleThread one(batch * M * N * K < (int64_t{1} << 23));
    thread_local Scratch s;
    Layout al = layout_of(batch, M, K, sab, sam, sak);
    const Layout bl = layout_of(batch, K, N, sbb, sbk, sbn);
    // oneDNN broadcasts one operand's batch, not both (the output's batch must come from one): repeat A's.
    if (al.broadcast && bl.broadcast) al = Layout{};
    const Layout cl = layout_of(batch, M, N, scb, scm, scn);
    const int64_t Ba = al.broadcast ? 1 : batch, Bb = bl.broadcast ? 1 : batch;
    const float* a = A;
    if (!al.direct) {
      s.a.resize(Ba * M * K);
      pack(A, Ba, M, K, sab, sam, sak, s.a.data());
      a = s.a.data();
    }
    const float* b = B;
    if (!bl.direct) {
      s.b.resize(Bb * K * N);
      pack(B, Bb, K, N, sbb, sbk, sbn, s.b.data());
      b = s.b.data();
    }
    const bool c_direct = cl.direct && !cl.transposed && !cl.broadcast;
    float* c = C;
    if (!c_direct) {
      // C is not a dense row-major batch: compute into one (holding C's values when beta reads them), then copy back.
      s.c.resize(batch * M * N);
      if (beta != 0.0f) pack(C, batch, M, N, scb, scm, scn, s.c.data());
      c = s.c.data();
    }
    run(batch, Ba, Bb, M, N, K, al.direct && al.transposed, bl.direct && bl.transposed, alpha, beta, a, b, c);
    if (!c_direct) {
      for (int64_t t = 0; t < batch; t++) {
        for (int64_t i = 0; i < M; i++) {
          for (int64_t j = 0; j < N; j++) C[t * scb + i * scm + j * scn] = c[(t * M + i) * N + j];
        }
      }
    }
    return info.Env().Undefined();
  });
}

}  // namespace tt
