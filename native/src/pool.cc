// Max and average pooling with the reference backend's exact rules (src/backend/cpu/max-pool.ts,
// avg-pool.ts, pool-index.ts), parallel over the (n, c) planes. oneDNN's pooling is not used: its max
// pooling workspace is not PyTorch's flat index, it does not let NaN win, and both would round differently
// from the reference; these loops are memory-bound, so threads are what matters.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "common.h"
#include "native.h"

namespace tt {
namespace {

/** A 5-d strided view `[N, C, D, H, W]` as the params array describes it (shape, strides, offset). */
struct View5 {
  int64_t shape[5];
  int64_t strides[5];
  int64_t offset;
};

View5 view5(const double* p) {
  View5 v;
  for (int i = 0; i < 5; i++) {
    v.shape[i] = static_cast<int64_t>(p[i]);
    v.strides[i] = static_cast<int64_t>(p[5 + i]);
  }
  v.offset = static_cast<int64_t>(p[10]);
  return v;
}
constexpr int kView = 11;

/** The window: kernel, stride, padding, dilation per spatial dim (D, H, W). */
struct Window {
  int64_t k[3], s[3], p[3], d[3];
};

Window window(const double* p) {
  Window w;
  for (int i = 0; i < 3; i++) {
    w.k[i] = static_cast<int64_t>(p[i]);
    w.s[i] = static_cast<int64_t>(p[3 + i]);
    w.p[i] = static_cast<int64_t>(p[6 + i]);
    w.d[i] = static_cast<int64_t>(p[9 + i]);
  }
  return w;
}
constexpr int kWindow = 12;

const double* params(const Napi::CallbackInfo& info, size_t i, size_t n) {
  size_t len;
  const double* p = typed<double>(info, i, "params", &len);
  if (len < n) throw UsageError("params must hold " + std::to_string(n) + " numbers");
  return p;
}

template <typename T>
T* checked(const Napi::CallbackInfo& info, size_t i, const char* name, const View5& v) {
  size_t len;
  T* data = typed<T>(info, i, name, &len);
  check_span(len, v.offset, strided_extent(5, v.shape, v.strides), name);
  return data + v.offset;
}

/** `cpu_max_pool` bounds: start advanced by the dilation while negative, end clipped to the input. */
void max_bounds(int64_t L, int64_t out, int64_t k, int64_t s, int64_t p, int64_t d, std::vector<int64_t>& a,
                std::vector<int64_t>& b) {
  a.resize(out);
  b.resize(out);
  for (int64_t o = 0; o < out; o++) {
    int64_t start = o * s - p;
    const int64_t end = std::min(start + (k - 1) * d + 1, L);
    while (start < 0) start += d;
    a[o] = start;
    b[o] = end;
  }
}

/** `cpu_avg_pool` bounds: clipped to the padded extent (`padded` = that length), then to the input. */
void avg_bounds(int64_t L, int64_t out, int64_t k, int64_t s, int64_t p, std::vector<int64_t>& a, std::vector<int64_t>& b,
                std::vector<int64_t>& padded) {
  a.resize(out);
  b.resize(out);
  padded.resize(out);
  for (int64_t o = 0; o < out; o++) {
    const int64_t start = o * s - p;
    const int64_t end = std::min(start + k, L + p);
    padded[o] = end - start;
    a[o] = std::max<int64_t>(start, 0);
    b[o] = std::min(end, L);
  }
}

/**
 * One output row of max pooling for the outputs `[lo, hi)` whose windows lie inside the input along W, in
 * the reference's tap order (d, h, then w). With unit W stride and dilation the taps are visited for all
 * those outputs at once, a loop the compiler vectorizes (running maxima and int32 indices in `best`/`bi`);
 * otherwise (or for a plane of 2^31 elements or more) one output at a time. `rows`/`rowIndex` list the
 * window's (d, h) rows.
 */
template <typename T>
void max_row_interior(const T* const* rows, const int64_t* rowIndex, int64_t nrows, int64_t sW, int64_t first, int64_t k,
                      int64_t s, int64_t p, int64_t dW, int64_t lo, int64_t hi, bool small_plane, T* best,
                      int32_t* bi32, int64_t* bi) {
  if (sW == 1 && dW == 1 && small_plane) {
    const int32_t s32 = static_cast<int32_t>(s);
    for (int64_t ow = lo; ow < hi; ow++) {
      best[ow] = -std::numeric_limits<T>::infinity();
      bi32[ow] = static_cast<int32_t>(first + ow * s - p);
    }
    for (int64_t r = 0; r < nrows; r++) {
      for (int64_t kw = 0; kw < k; kw++) {
        const T* x = rows[r] + kw - p;
        const int32_t base = static_cast<int32_t>(rowIndex[r] + kw - p);
#pragma omp simd
        for (int64_t ow = lo; ow < hi; ow++) {
          const T v = x[ow * s];
          const bool take = v > best[ow] || v != v;
          best[ow] = take ? v : best[ow];
          bi32[ow] = take ? base + static_cast<int32_t>(ow) * s32 : bi32[ow];
        }
      }
    }
    for (int64_t ow = lo; ow < hi; ow++) bi[ow] = bi32[ow];
    return;
  }
  for (int64_t ow = lo; ow < hi; ow++) {
    const int64_t w0 = ow * s - p;
    T b = -std::numeric_limits<T>::infinity();
    int64_t i = first + w0;
    for (int64_t r = 0; r < nrows; r++) {
      const T* row = rows[r] + w0 * sW;
      const int64_t ri = rowIndex[r] + w0;
      for (int64_t kw = 0; kw < k; kw++) {
        const T v = row[kw * dW * sW];
        if (v > b || v != v) {
          b = v;
          i = ri + kw * dW;
        }
      }
    }
    best[ow] = b;
    bi[ow] = i;
  }
}

template <typename T>
void max_pool(const T* x, const View5& xv, T* out, double* idx, const View5& ov, const Window& w) {
  const int64_t N = xv.shape[0], C = xv.shape[1], H = xv.shape[3], W = xv.shape[4];
  const int64_t oD = ov.shape[2], oH = ov.shape[3], oW = ov.shape[4];
  std::vector<int64_t> ds, de, hs, he, ws, we;
  max_bounds(xv.shape[2], oD, w.k[0], w.s[0], w.p[0], w.d[0], ds, de);
  max_bounds(H, oH, w.k[1], w.s[1], w.p[1], w.d[1], hs, he);
  max_bounds(W, oW, w.k[2], w.s[2], w.p[2], w.d[2], ws, we);
  const int64_t sN = xv.strides[0], sC = xv.strides[1], sD = xv.strides[2], sH = xv.strides[3], sW = xv.strides[4];
  const int64_t dD = w.d[0], dH = w.d[1], dW = w.d[2];
  const int64_t kW = w.k[2], stW = w.s[2], pW = w.p[2];
  // Outputs whose W window is not clipped: start ow·s − p ≥ 0 and end ow·s − p + (k−1)·d + 1 ≤ W.
  const int64_t lo = std::min<int64_t>(oW, (pW + stW - 1) / stW);
  const int64_t last = W - 1 - (kW - 1) * dW + pW;
  const int64_t hi = std::max<int64_t>(lo, std::min<int64_t>(oW, last < 0 ? 0 : last / stW + 1));
  const int64_t plane = oD * oH * oW;
  const int64_t maxRows = w.k[0] * w.k[1];
  const bool small_plane = xv.shape[2] * H * W < (int64_t{1} << 31);
#pragma omp parallel num_threads(threads_for(N * C * xv.shape[2] * H * W))
  {
    std::vector<T> best(oW);
    std::vector<int64_t> bidx(oW);
    std::vector<int32_t> bidx32(oW);
    std::vector<const T*> rows(maxRows);
    std::vector<int64_t> rowIndex(maxRows);
#pragma omp for schedule(static)
    for (int64_t nc = 0; nc < N * C; nc++) {
      const T* base = x + (nc / C) * sN + (nc % C) * sC;
      T* o = out + nc * plane;
      double* oi = idx + nc * plane;
      for (int64_t od = 0; od < oD; od++) {
        for (int64_t oh = 0; oh < oH; oh++) {
          const int64_t d0 = ds[od], d1 = de[od], h0 = hs[oh], h1 = he[oh];
          int64_t nrows = 0;
          for (int64_t d = d0; d < d1; d += dD) {
            for (int64_t h = h0; h < h1; h += dH, nrows++) {
              rows[nrows] = base + d * sD + h * sH;
              rowIndex[nrows] = (d * H + h) * W;
            }
          }
          max_row_interior(rows.data(), rowIndex.data(), nrows, sW, (d0 * H + h0) * W, kW, stW, pW, dW, lo, hi, small_plane,
                           best.data(), bidx32.data(), bidx.data());
          for (int64_t ow = 0; ow < oW; ow++) {
            if (ow >= lo && ow < hi) continue;
            const int64_t w0 = ws[ow], w1 = we[ow];
            T b = -std::numeric_limits<T>::infinity();
            int64_t bi = (d0 * H + h0) * W + w0;
            for (int64_t d = d0; d < d1; d += dD) {
              for (int64_t h = h0; h < h1; h += dH) {
                const T* row = base + d * sD + h * sH;
                const int64_t rowIndex = (d * H + h) * W;
                for (int64_t ww = w0; ww < w1; ww += dW) {
                  const T v = row[ww * sW];
                  // The first maximum wins on ties; every NaN replaces the running value (cpu_max_pool).
                  if (v > b || std::isnan(v)) {
                    b = v;
                    bi = rowIndex + ww;
                  }
                }
              }
            }
            best[ow] = b;
            bidx[ow] = bi;
          }
          for (int64_t ow = 0; ow < oW; ow++) {
            *o++ = best[ow];
            *oi++ = static_cast<double>(bidx[ow]);
          }
        }
      }
    }
  }
}

struct AvgMode {
  bool include_pad;
  double divisor_override;  // NaN when absent
};

template <typename T>
void avg_pool(const T* x, const View5& xv, T* out, const View5& ov, const Window& w, AvgMode m) {
  const int64_t N = xv.shape[0], C = xv.shape[1];
  const int64_t oD = ov.shape[2], oH = ov.shape[3], oW = ov.shape[4];
  std::vector<int64_t> ds, de, dp, hs, he, hp, ws, we, wp;
  avg_bounds(xv.shape[2], oD, w.k[0], w.s[0], w.p[0], ds, de, dp);
  avg_bounds(xv.shape[3], oH, w.k[1], w.s[1], w.p[1], hs, he, hp);
  avg_bounds(xv.shape[4], oW, w.k[2], w.s[2], w.p[2], ws, we, wp);
  const int64_t sN = xv.strides[0], sC = xv.strides[1], sD = xv.strides[2], sH = xv.strides[3], sW = xv.strides[4];
  const int64_t plane = oD * oH * oW;
  const bool override_div = !std::isnan(m.divisor_override);
#pragma omp parallel for schedule(static) num_threads(threads_for(N * C * xv.shape[2] * xv.shape[3] * xv.shape[4]))
  for (int64_t nc = 0; nc < N * C; nc++) {
    const T* base = x + (nc / C) * sN + (nc % C) * sC;
    T* o = out + nc * plane;
    for (int64_t od = 0; od < oD; od++) {
      for (int64_t oh = 0; oh < oH; oh++) {
        for (int64_t ow = 0; ow < oW; ow++) {
          const int64_t d0 = ds[od], d1 = de[od], h0 = hs[oh], h1 = he[oh], w0 = ws[ow], w1 = we[ow];
          if (d0 >= d1 || h0 >= h1 || w0 >= w1) {
            *o++ = 0;
            continue;
          }
          // Summed in double as the reference kernel does, so results match it bit for bit.
          double sum = 0;
          for (int64_t d = d0; d < d1; d++) {
            for (int64_t h = h0; h < h1; h++) {
              const T* row = base + d * sD + h * sH;
              for (int64_t ww = w0; ww < w1; ww++) sum += static_cast<double>(row[ww * sW]);
            }
          }
          const double div = override_div  ? m.divisor_override
                             : m.include_pad ? static_cast<double>(dp[od] * hp[oh] * wp[ow])
                                             : static_cast<double>((d1 - d0) * (h1 - h0) * (w1 - w0));
          *o++ = static_cast<T>(sum / div);
        }
      }
    }
  }
}

template <typename T>
void avg_pool_backward(const T* g, const View5& gv, T* gi, const View5& iv, const Window& w, AvgMode m) {
  const int64_t N = iv.shape[0], C = iv.shape[1], D = iv.shape[2], H = iv.shape[3], W = iv.shape[4];
  const int64_t oD = gv.shape[2], oH = gv.shape[3], oW = gv.shape[4];
  std::vector<int64_t> ds, de, dp, hs, he, hp, ws, we, wp;
  avg_bounds(D, oD, w.k[0], w.s[0], w.p[0], ds, de, dp);
  avg_bounds(H, oH, w.k[1], w.s[1], w.p[1], hs, he, hp);
  avg_bounds(W, oW, w.k[2], w.s[2], w.p[2], ws, we, wp);
  const int64_t gN = gv.strides[0], gC = gv.strides[1], gD = gv.strides[2], gH = gv.strides[3], gW = gv.strides[4];
  const int64_t plane = D * H * W;
  const bool override_div = !std::isnan(m.divisor_override);
#pragma omp parallel for schedule(static) num_threads(threads_for(N * C * plane))
  for (int64_t nc = 0; nc < N * C; nc++) {
    const T* gbase = g + (nc / C) * gN + (nc % C) * gC;
    T* ibase = gi + nc * plane;
    for (int64_t od = 0; od < oD; od++) {
      for (int64_t oh = 0; oh < oH; oh++) {
        for (int64_t ow = 0; ow < oW; ow++) {
          const int64_t d0 = ds[od], d1 = de[od], h0 = hs[oh], h1 = he[oh], w0 = ws[ow], w1 = we[ow];
          if (d0 >= d1 || h0 >= h1 || w0 >= w1) continue;
          const double div = override_div  ? m.divisor_override
                             : m.include_pad ? static_cast<double>(dp[od] * hp[oh] * wp[ow])
                                             : static_cast<double>((d1 - d0) * (h1 - h0) * (w1 - w0));
          const double v = static_cast<double>(gbase[od * gD + oh * gH + ow * gW]) / div;
          for (int64_t d = d0; d < d1; d++) {
            for (int64_t h = h0; h < h1; h++) {
              T* row = ibase + (d * H + h) * W;
              // Added in double and rounded once, as the reference kernel's `ib[i] += g` on a typed array.
              for (int64_t ww = w0; ww < w1; ww++) row[ww] = static_cast<T>(static_cast<double>(row[ww]) + v);
            }
          }
        }
      }
    }
  }
}

/** `plane[n, c, idx] += src[n, c, ...]`; returns the first index outside [0, L) in row-major order, or -1. */
template <typename T>
double scatter_add(const T* src, const View5& sv, const double* idx, const View5& iv, T* plane, int64_t L, int64_t pN,
                   int64_t pC) {
  const int64_t N = sv.shape[0], C = sv.shape[1], A = sv.shape[2], B = sv.shape[3], E = sv.shape[4];
  std::vector<double> first_bad(N * C, 0);
  std::vector<char> has_bad(N * C, 0);
#pragma omp parallel for schedule(static) num_threads(threads_for(N * C * A * B * E))
  for (int64_t nc = 0; nc < N * C; nc++) {
    const int64_t n = nc / C, c = nc % C;
    const T* s = src + n * sv.strides[0] + c * sv.strides[1];
    const double* ix = idx + n * iv.strides[0] + c * iv.strides[1];
    T* p = plane + n * pN + c * pC;
    for (int64_t a = 0; a < A; a++) {
      for (int64_t b = 0; b < B; b++) {
        const T* sr = s + a * sv.strides[2] + b * sv.strides[3];
        const double* ir = ix + a * iv.strides[2] + b * iv.strides[3];
        for (int64_t e = 0; e < E; e++) {
          const double i = ir[e * iv.strides[4]];
          if (!(i >= 0 && i < static_cast<double>(L))) {
            if (!has_bad[nc]) {
              has_bad[nc] = 1;
              first_bad[nc] = i;
            }
            continue;
          }
          p[static_cast<int64_t>(i)] += sr[e * sv.strides[4]];
        }
      }
    }
  }
  for (int64_t nc = 0; nc < N * C; nc++) {
    if (has_bad[nc]) return first_bad[nc];
  }
  return std::nan("");
}

}  // namespace

// maxPool(x, out, indices, params: [x view (11), out view (11), window (12)])
Napi::Value MaxPool(const Napi::CallbackInfo& info) {
  return guard(info, "maxPool", [&]() -> Napi::Value {
    const double* p = params(info, 3, 2 * kView + kWindow);
    const View5 xv = view5(p), ov = view5(p + kView);
    const Window w = window(p + 2 * kView);
    double* idx = checked<double>(info, 2, "indices", ov);
    if (is_f64(info, 0, "x")) {
      max_pool(checked<double>(info, 0, "x", xv), xv, checked<double>(info, 1, "out", ov), idx, ov, w);
    } else {
      max_pool(checked<float>(info, 0, "x", xv), xv, checked<float>(info, 1, "out", ov), idx, ov, w);
    }
    return info.Env().Undefined();
  });
}

// avgPool(x, out, params: [x view, out view, window, countIncludePad, divisorOverride | NaN])
Napi::Value AvgPool(const Napi::CallbackInfo& info) {
  return guard(info, "avgPool", [&]() -> Napi::Value {
    const double* p = params(info, 2, 2 * kView + kWindow + 2);
    const View5 xv = view5(p), ov = view5(p + kView);
    const Window w = window(p + 2 * kView);
    const AvgMode m{p[2 * kView + kWindow] != 0, p[2 * kView + kWindow + 1]};
    if (is_f64(info, 0, "x")) {
      avg_pool(checked<double>(info, 0, "x", xv), xv, checked<double>(info, 1, "out", ov), ov, w, m);
    } else {
      avg_pool(checked<float>(info, 0, "x", xv), xv, checked<float>(info, 1, "out", ov), ov, w, m);
    }
    return info.Env().Undefined();
  });
}

// avgPoolBackward(grad, gradInput, params: [grad view, gradInput view, window, countIncludePad, divisorOverride | NaN])
Napi::Value AvgPoolBackward(const Napi::CallbackInfo& info) {
  return guard(info, "avgPoolBackward", [&]() -> Napi::Value {
    const double* p = params(info, 2, 2 * kView + kWindow + 2);
    const View5 gv = view5(p), iv = view5(p + kView);
    const Window w = window(p + 2 * kView);
    const AvgMode m{p[2 * kView + kWindow] != 0, p[2 * kView + kWindow + 1]};
    if (is_f64(info, 0, "grad")) {
      avg_pool_backward(checked<double>(info, 0, "grad", gv), gv, checked<double>(info, 1, "gradInput", iv), iv, w, m);
    } else {
      avg_pool_backward(checked<float>(info, 0, "grad", gv), gv, checked<float>(info, 1, "gradInput", iv), iv, w, m);
    }
    return info.Env().Undefined();
  });
}

// poolScatterAdd(src, indices, plane, params: [src view, indices view, plane N, C, L, strides N, C, offset]) → bad | NaN
Napi::Value PoolScatterAdd(const Napi::CallbackInfo& info) {
  return guard(info, "poolScatter", [&]() -> Napi::Value {
    const double* p = params(info, 3, 2 * kView + 6);
    const View5 sv = view5(p), iv = view5(p + kView);
    const double* q = p + 2 * kView;
    const View5 pv{{static_cast<int64_t>(q[0]), static_cast<int64_t>(q[1]), 1, 1, static_cast<int64_t>(q[2])},
                   {static_cast<int64_t>(q[3]), static_cast<int64_t>(q[4]), 0, 0, 1},
                   static_cast<int64_t>(q[5])};
    const double* idx = checked<double>(info, 1, "indices", iv);
    double bad;
    if (is_f64(info, 0, "src")) {
      double* plane = checked<double>(info, 2, "plane", pv);
      bad = scatter_add(checked<double>(info, 0, "src", sv), sv, idx, iv, plane, pv.shape[4], pv.strides[0], pv.strides[1]);
    } else {
      float* plane = checked<float>(info, 2, "plane", pv);
      bad = scatter_add(checked<float>(info, 0, "src", sv), sv, idx, iv, plane, pv.shape[4], pv.strides[0], pv.strides[1]);
    }
    return Napi::Number::New(info.Env(), bad);
  });
}

}  // namespace tt
