/*
 * torch-ts's WebAssembly SIMD (128-bit) kernels: float32 GEMM and the convolutions built on it.
 *
 * Why C (clang + lld, wasm32, -msimd128) rather than AssemblyScript: measured here (Node 20, one thread),
 * the 4x8 micro-kernel sweep over packed panels runs at the same speed in both (C 61, AssemblyScript
 * 0.28 -O3 62 GFLOP/s, min of 20), so the kernel does not decide. The rest does: LLVM auto-vectorizes the
 * scalar loops around the kernel (packing, im2col copies, col2im adds), binaryen does not; C needs no
 * runtime and no npm dependency (AssemblyScript brings ~100 MB of compiler and binaryen into
 * devDependencies). The cost is a system toolchain: Debian's clang and lld, which CI installs; without
 * them `npm run build` skips the kernels and torch-ts falls back to the js backend with a notice.
 *
 * Layout: the JS side copies operands into this module's linear memory (above __heap_base) and passes
 * byte pointers and element strides; the kernels read strided operands, so a transposed or sliced view is
 * copied as the storage span it covers, never gathered element by element. Packing buffers are locals.
 * Everything accumulates in float32 (the js backend accumulates in double; the tests bound the
 * difference by gamma_K * sum|a||b|).
 *
 * GEMM structure (GotoBLAS/BLIS): B packed into KC x NC panels of NR-wide strips, A into MC x KC blocks of
 * MR-tall strips, an MR x NR micro-kernel over the packed strips. 4x8 (8 f32x4 accumulators) measured
 * fastest on a 1024^3 product: ~55 GFLOP/s against ~30 for 6x8 and ~27 for 5x8 and 8x8, whose
 * accumulators V8's register allocator spills (wasm has no register hints; x86-64 has 16 xmm registers).
 * KC 128-512 and MC 36-144 measured within noise.
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

#define MR 4
#define NR 8
#ifndef KC
#define KC 256
#endif
#ifndef MC
#define MC 64
#endif
#ifndef NC
#define NC 1024
#endif

/*
 * Packing buffers live on the shadow stack, not in static memory: every thread's instance shares one
 * linear memory (kernels-mt.wasm) but has its own __stack_pointer, so locals are per thread. The build
 * gives each stack 2 MiB (packA + packB + a tile are ~1.1 MiB). The functions that hold such buffers are
 * never inlined (noinline), so that no frame holds two sets: an overflow would write below the stack.
 */
#define ALIGNED __attribute__((aligned(16)))

static inline int min_i(int a, int b) { return a < b ? a : b; }

/* Eight vectors of 4 consecutive k (one per column of a strip) stored k-major: 4 rows of NR floats at dst. */
static inline __attribute__((always_inline)) void store_transposed(const v128_t *v, float *dst) {
  for (int h = 0; h < 2; h++) {
    v128_t a = v[4 * h], b = v[4 * h + 1], c = v[4 * h + 2], d = v[4 * h + 3];
    v128_t ab0 = wasm_i32x4_shuffle(a, b, 0, 4, 1, 5), ab1 = wasm_i32x4_shuffle(a, b, 2, 6, 3, 7);
    v128_t cd0 = wasm_i32x4_shuffle(c, d, 0, 4, 1, 5), cd1 = wasm_i32x4_shuffle(c, d, 2, 6, 3, 7);
    wasm_v128_store(dst + 4 * h, wasm_i64x2_shuffle(ab0, cd0, 0, 2));
    wasm_v128_store(dst + NR + 4 * h, wasm_i64x2_shuffle(ab0, cd0, 1, 3));
    wasm_v128_store(dst + 2 * NR + 4 * h, wasm_i64x2_shuffle(ab1, cd1, 0, 2));
    wasm_v128_store(dst + 3 * NR + 4 * h, wasm_i64x2_shuffle(ab1, cd1, 1, 3));
  }
}

/* B[0:kc, 0:nc] into NR-wide strips, each k-major; columns past nc are zero. */
static void pack_b(int kc, int nc, const float *B, int sbk, int sbn, float *dst) {
  for (int j = 0; j < nc; j += NR) {
    int cols = min_i(NR, nc - j);
    const float *col = B + (long)j * sbn;
    if (cols == NR && sbn == 1) {
      for (int p = 0; p < kc; p++, col += sbk, dst += NR) {
        wasm_v128_store(dst, wasm_v128_load(col));
        wasm_v128_store(dst + 4, wasm_v128_load(col + 4));
      }
    } else if (cols == NR && sbk == 1) {
      /* A transposed B (x @ W^T, im2col^T): 8 contiguous rows, transposed four k at a time in registers. */
      int p = 0;
      for (; p + 4 <= kc; p += 4, dst += 4 * NR) {
        v128_t v[NR];
        for (int jj = 0; jj < NR; jj++) v[jj] = wasm_v128_load(col + (long)jj * sbn + p);
        store_transposed(v, dst);
      }
      for (; p < kc; p++, dst += NR) {
        for (int jj = 0; jj < NR; jj++) dst[jj] = col[(long)jj * sbn + p];
      }
    } else if (cols == NR) {
      for (int p = 0; p < kc; p++, col += sbk, dst += NR) {
        for (int jj = 0; jj < NR; jj++) dst[jj] = col[jj * sbn];
      }
    } else {
      for (int p = 0; p < kc; p++, col += sbk, dst += NR) {
        int jj = 0;
        for (; jj < cols; jj++) dst[jj] = col[jj * sbn];
        for (; jj < NR; jj++) dst[jj] = 0.0f;
      }
    }
  }
}

/* A[0:mc, 0:kc] into MR-tall strips, each k-major (MR values per k); rows past mc are zero. */
static void pack_a(int mc, int kc, const float *A, int sam, int sak, float *dst) {
  for (int i = 0; i < mc; i += MR) {
    int rows = min_i(MR, mc - i);
    const float *row = A + (long)i * sam;
    if (rows == MR) {
      for (int p = 0; p < kc; p++, dst += MR) {
        const float *a = row + (long)p * sak;
        for (int ii = 0; ii < MR; ii++) dst[ii] = a[ii * sam];
      }
    } else {
      for (int p = 0; p < kc; p++, dst += MR) {
        const float *a = row + (long)p * sak;
        int ii = 0;
        for (; ii < rows; ii++) dst[ii] = a[ii * sam];
        for (; ii < MR; ii++) dst[ii] = 0.0f;
      }
    }
  }
}

#define FMA(acc, a, b) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(a, b))
#define ADD_BIAS_ROW(i, v0, v1)                                                    \
  do {                                                                             \
    v128_t bv = wasm_f32x4_splat(bias[i]);                                         \
    v0 = wasm_f32x4_add(bv, v0);                                                   \
    v1 = wasm_f32x4_add(bv, v1);                                                   \
  } while (0)

/*
 * The MR x NR product of a packed A strip and a B strip over kc, scaled by alpha, stored into C (row stride
 * ldc, unit column stride) when `direct`, else into `tile` (MR x NR); `add` adds to C instead of
 * overwriting it (direct only); `bias` (MR values, or null; with add 0) is added to each row as it is
 * stored. B's row k is the NR floats at b + k*NR (a packed strip) or, given `off`, at b + off[k] (an
 * indirect one: see conv_forward_indirect).
 */
static inline __attribute__((always_inline)) void micro_kernel_body(int kc, const float *a, const float *b, const int *off,
                                                                     float *c, int ldc, float alpha, int add, int direct,
                                                                     float *tile, const float *bias) {
  v128_t c00 = wasm_f32x4_splat(0.0f), c01 = c00, c10 = c00, c11 = c00;
  v128_t c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (int p = 0; p < kc; p++, a += MR) {
    const float *bp = off ? b + off[p] : b + p * NR;
    v128_t b0 = wasm_v128_load(bp);
    v128_t b1 = wasm_v128_load(bp + 4);
    v128_t a0 = wasm_v128_load32_splat(a);
    FMA(c00, a0, b0);
    FMA(c01, a0, b1);
    v128_t a1 = wasm_v128_load32_splat(a + 1);
    FMA(c10, a1, b0);
    FMA(c11, a1, b1);
    v128_t a2 = wasm_v128_load32_splat(a + 2);
    FMA(c20, a2, b0);
    FMA(c21, a2, b1);
    v128_t a3 = wasm_v128_load32_splat(a + 3);
    FMA(c30, a3, b0);
    FMA(c31, a3, b1);
  }
  if (alpha != 1.0f) {
    v128_t al = wasm_f32x4_splat(alpha);
    c00 = wasm_f32x4_mul(c00, al);
    c01 = wasm_f32x4_mul(c01, al);
    c10 = wasm_f32x4_mul(c10, al);
    c11 = wasm_f32x4_mul(c11, al);
    c20 = wasm_f32x4_mul(c20, al);
    c21 = wasm_f32x4_mul(c21, al);
    c30 = wasm_f32x4_mul(c30, al);
    c31 = wasm_f32x4_mul(c31, al);
  }
  if (!direct) {
    c = tile;
    ldc = NR;
    add = 0;
  } else if (bias && !add) {
    /* bias + sum, as adding the sum to a C first set to the bias (the tile path's copy adds it the same way). */
    ADD_BIAS_ROW(0, c00, c01);
    ADD_BIAS_ROW(1, c10, c11);
    ADD_BIAS_ROW(2, c20, c21);
    ADD_BIAS_ROW(3, c30, c31);
  }
#define STORE_ROW(i, v0, v1)                                                       \
  do {                                                                             \
    float *r = c + (long)(i) * ldc;                                                \
    if (add) {                                                                     \
      wasm_v128_store(r, wasm_f32x4_add(wasm_v128_load(r), v0));                   \
      wasm_v128_store(r + 4, wasm_f32x4_add(wasm_v128_load(r + 4), v1));           \
    } else {                                                                       \
      wasm_v128_store(r, v0);                                                      \
      wasm_v128_store(r + 4, v1);                                                  \
    }                                                                              \
  } while (0)
  STORE_ROW(0, c00, c01);
  STORE_ROW(1, c10, c11);
  STORE_ROW(2, c20, c21);
  STORE_ROW(3, c30, c31);
#undef STORE_ROW
}

static void micro_kernel(int kc, const float *a, const float *b, float *c, int ldc, float alpha, int add, int direct, float *tile,
                         const float *bias) {
  micro_kernel_body(kc, a, b, 0, c, ldc, alpha, add, direct, tile, bias);
}

static void micro_kernel_indirect(int kc, const float *a, const float *b, const int *off, float *c, int ldc, int add, int direct,
                                  float *tile, const float *bias) {
  micro_kernel_body(kc, a, b, off, c, ldc, 1.0f, add, direct, tile, bias);
}

/* The mr x nr corner of a micro-kernel's tile into C (row stride ldc, unit columns): added, or bias + tile. */
static void store_tile(const float *tile, float *c, int ldc, int mr, int nr, int add, const float *bias) {
  for (int i = 0; i < mr; i++, c += ldc, tile += NR) {
    if (add) {
      for (int j = 0; j < nr; j++) c[j] += tile[j];
    } else if (bias) {
      for (int j = 0; j < nr; j++) c[j] = bias[i] + tile[j];
    } else {
      for (int j = 0; j < nr; j++) c[j] = tile[j];
    }
  }
}

/* C <- beta * C over M x N; beta = 0 writes zeros (NaN/Inf in C do not survive, as BLAS). */
static void scale_c(int M, int N, float beta, float *C, int scm, int scn) {
  if (beta == 1.0f) return;
  for (int i = 0; i < M; i++) {
    float *r = C + (long)i * scm;
    if (beta == 0.0f) {
      for (int j = 0; j < N; j++) r[(long)j * scn] = 0.0f;
    } else {
      for (int j = 0; j < N; j++) r[(long)j * scn] *= beta;
    }
  }
}

/* Skinny products (fewer than 4 rows or columns): unpacked dot products / row sums, C += alpha * A B. */
static void direct(int M, int N, int K, float alpha, const float *A, int sam, int sak, const float *B, int sbk, int sbn,
                   float *C, int scm, int scn) {
  if (sbn == 1 && N >= 4) {
    /* C's row as a sum of B's rows (one-row linear layers: x @ W^T with W stored transposed). */
    for (int i = 0; i < M; i++) {
      float *c = C + (long)i * scm;
      const float *a = A + (long)i * sam;
      int j = 0;
      if (scn == 1) {
        for (; j + 8 <= N; j += 8) {
          v128_t s0 = wasm_f32x4_splat(0.0f), s1 = s0;
          const float *b = B + j;
          for (int p = 0; p < K; p++, b += sbk) {
            v128_t av = wasm_f32x4_splat(a[(long)p * sak]);
            FMA(s0, av, wasm_v128_load(b));
            FMA(s1, av, wasm_v128_load(b + 4));
          }
          v128_t al = wasm_f32x4_splat(alpha);
          wasm_v128_store(c + j, wasm_f32x4_add(wasm_v128_load(c + j), wasm_f32x4_mul(al, s0)));
          wasm_v128_store(c + j + 4, wasm_f32x4_add(wasm_v128_load(c + j + 4), wasm_f32x4_mul(al, s1)));
        }
      }
      for (; j < N; j++) {
        float s = 0.0f;
        const float *b = B + j;
        for (int p = 0; p < K; p++, b += sbk) s += a[(long)p * sak] * *b;
        c[(long)j * scn] += alpha * s;
      }
    }
    return;
  }
  for (int i = 0; i < M; i++) {
    for (int j = 0; j < N; j++) {
      const float *a = A + (long)i * sam;
      const float *b = B + (long)j * sbn;
      float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
      int p = 0;
      if (sak == 1 && sbk == 1) {
        /* Four independent sums: one chain waits on each add (one-row linear layers: 1024 -> 64 took 6.5 µs). */
        v128_t v = wasm_f32x4_splat(0.0f), v1 = v, v2 = v, v3 = v;
        for (; p + 16 <= K; p += 16) {
          FMA(v, wasm_v128_load(a + p), wasm_v128_load(b + p));
          FMA(v1, wasm_v128_load(a + p + 4), wasm_v128_load(b + p + 4));
          FMA(v2, wasm_v128_load(a + p + 8), wasm_v128_load(b + p + 8));
          FMA(v3, wasm_v128_load(a + p + 12), wasm_v128_load(b + p + 12));
        }
        v = wasm_f32x4_add(wasm_f32x4_add(v, v1), wasm_f32x4_add(v2, v3));
        for (; p + 4 <= K; p += 4) FMA(v, wasm_v128_load(a + p), wasm_v128_load(b + p));
        s0 = wasm_f32x4_extract_lane(v, 0);
        s1 = wasm_f32x4_extract_lane(v, 1);
        s2 = wasm_f32x4_extract_lane(v, 2);
        s3 = wasm_f32x4_extract_lane(v, 3);
      }
      for (; p < K; p++) s0 += a[(long)p * sak] * b[(long)p * sbk];
      C[(long)i * scm + (long)j * scn] += alpha * ((s0 + s1) + (s2 + s3));
    }
  }
}

/*
 * C = alpha * A B + beta * C for A: M x K at A[i*sam + k*sak], B: K x N at B[k*sbk + j*sbn], C: M x N at
 * C[i*scm + j*scn] (strides in elements, non-negative). beta = 0 overwrites C without reading it and
 * alpha = 0 leaves A and B unread, as BLAS.
 */
EXPORT(sgemm)
__attribute__((noinline)) void sgemm(int M, int N, int K, float alpha, const float *A, int sam, int sak, const float *B, int sbk, int sbn, float beta,
           float *C, int scm, int scn) {
  if (M <= 0 || N <= 0) return;
  if (K == 0 || alpha == 0.0f || M < 4 || N < 4 || (beta != 0.0f && beta != 1.0f)) {
    scale_c(M, N, beta, C, scm, scn);
    if (K == 0 || alpha == 0.0f) return;
    beta = 1.0f;
    if (M < 4 || N < 4) {
      direct(M, N, K, alpha, A, sam, sak, B, sbk, sbn, C, scm, scn);
      return;
    }
  }
  float packA[MC * KC] ALIGNED, packB[KC * NC] ALIGNED, tileBuf[MR * NR] ALIGNED;
  for (int jc = 0; jc < N; jc += NC) {
    int nc = min_i(NC, N - jc);
    for (int pc = 0; pc < K; pc += KC) {
      int kc = min_i(KC, K - pc);
      pack_b(kc, nc, B + (long)pc * sbk + (long)jc * sbn, sbk, sbn, packB);
      int add = pc > 0 || beta != 0.0f;
      for (int ic = 0; ic < M; ic += MC) {
        int mc = min_i(MC, M - ic);
        pack_a(mc, kc, A + (long)ic * sam + (long)pc * sak, sam, sak, packA);
        for (int jr = 0; jr < nc; jr += NR) {
          int nr = min_i(NR, nc - jr);
          for (int ir = 0; ir < mc; ir += MR) {
            int mr = min_i(MR, mc - ir);
            float *c = C + (long)(ic + ir) * scm + (long)(jc + jr) * scn;
            int full = mr == MR && nr == NR && scn == 1;
            micro_kernel(kc, packA + ir * kc, packB + jr * kc, c, scm, alpha, add, full, tileBuf, 0);
            if (!full) {
              for (int i = 0; i < mr; i++) {
                float *r = c + (long)i * scm;
                const float *t = tileBuf + i * NR;
                if (add) {
                  for (int j = 0; j < nr; j++) r[(long)j * scn] += t[j];
                } else {
                  for (int j = 0; j < nr; j++) r[(long)j * scn] = t[j];
                }
              }
            }
          }
        }
      }
    }
  }
}

/* ---------------------------------------------------------------------------------------------------- */
/* Convolution as GEMM over an explicit im2col buffer, a band of output rows at a time (see conv.ts), or, */
/* for unit-stride forwards, over the input itself (conv_forward_indirect).                                */

/*
 * Geometry, lifted to three spatial dims (1-d and 2-d problems have leading extents 1), as the int32
 * block the JS side writes: see GEOMETRY in src/backend/wasm/conv.ts for the order.
 */
typedef struct {
  int N, G, cg, og;
  int D, H, W, KD, KH, KW, OD, OH, OW;
  int sd, sh, sw, pd, ph, pw, dd, dh, dw;
  /* Input strides (N, C, D, H, W) of x (forward, weight gradient). */
  int xsN, xsC, xsD, xsH, xsW;
  /* Output-gradient strides (N, C, spatial flattened) of gy (backward passes). */
  int gsN, gsC, gsL;
  /* Output rows (of the flattened (od, oh) grid) per band. */
  int band;
  /* The output rows [rb, re) conv_forward computes: all, or a thread's share when samples are too few to split. */
  int rb, re;
} Conv;

/* First o with o*s + start >= 0, clamped to [0, O]. */
static int first_valid(int start, int s, int O) {
  int lo = start >= 0 ? 0 : (s - 1 - start) / s;
  return lo > O ? O : lo;
}

/* One past the last o with o*s + start < size, clamped to [lo, O]. */
static int end_valid(int start, int s, int size, int O, int lo) {
  int last = size - 1 - start;
  int hi = last >= 0 ? last / s + 1 : 0;
  if (hi > O) hi = O;
  return hi < lo ? lo : hi;
}

/* im2col one (tap, output row) at a time: any W stride. */
static void im2col_rows(const Conv *p, const float *x, int C, int r0, int r1, float *col) {
  int lc = (r1 - r0) * p->OW;
  for (int c = 0; c < C; c++) {
    const float *xc = x + (long)c * p->xsC;
    for (int a = 0; a < p->KD; a++) {
      int zd = a * p->dd - p->pd;
      for (int b = 0; b < p->KH; b++) {
        int zh = b * p->dh - p->ph;
        for (int e = 0; e < p->KW; e++, col += lc) {
          int zw = e * p->dw - p->pw;
          int lo = first_valid(zw, p->sw, p->OW);
          int hi = end_valid(zw, p->sw, p->W, p->OW, lo);
          int od = r0 / p->OH;
          int oh = r0 - od * p->OH;
          float *dst = col;
          for (int r = r0; r < r1; r++, dst += p->OW) {
            int id = od * p->sd + zd;
            int ih = oh * p->sh + zh;
            if (id < 0 || id >= p->D || ih < 0 || ih >= p->H) {
              for (int ow = 0; ow < p->OW; ow++) dst[ow] = 0.0f;
            } else {
              const float *src = xc + (long)id * p->xsD + (long)ih * p->xsH;
              int ow = 0;
              for (; ow < lo; ow++) dst[ow] = 0.0f;
              int step = p->sw * p->xsW;
              const float *s = src + (long)(ow * p->sw + zw) * p->xsW;
              for (; ow < hi; ow++, s += step) dst[ow] = *s;
              for (; ow < p->OW; ow++) dst[ow] = 0.0f;
            }
            if (++oh == p->OH) {
              oh = 0;
              od++;
            }
          }
        }
      }
    }
  }
}

/* OW >= 4 floats at dst set to zero, or copied from src: whole vectors, the last one overlapping. */
static inline void zero_row(float *dst, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(dst + i, wasm_f32x4_splat(0.0f));
  if (i < n) wasm_v128_store(dst + n - 4, wasm_f32x4_splat(0.0f));
}

static inline void copy_row(float *dst, const float *src, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(dst + i, wasm_v128_load(src + i));
  if (i < n) wasm_v128_store(dst + n - 4, wasm_v128_load(src + n - 4));
}

/*
 * col[k, (r - r0)*OW + ow] = x[c, od*sd + a*dd - pd, oh*sh + b*dh - ph, ow*sw + e*dw - pw] (zero outside)
 * for k = ((c*KD + a)*KH + b)*KW + e and rows r0 <= r < r1 of the (od, oh) grid; x is one sample's group.
 *
 * Rows are short (OW of 8 to 32) and many (~300 k per LeNet step), so per-row work is what costs: with unit
 * W strides the KW taps of one input row are written together (its bounds and address computed once), in
 * whole vectors (the last overlapping the one before: the same values written twice, no scalar loop).
 */
static void im2col(const Conv *p, const float *x, int C, int r0, int r1, float *col) {
  if (p->sw != 1 || p->xsW != 1 || p->KW > 32 || p->OW < 4) {
    im2col_rows(p, x, C, r0, r1, col);
    return;
  }
  int lc = (r1 - r0) * p->OW, OW = p->OW, KW = p->KW;
  int zw[32], lo[32], hi[32];
  for (int e = 0; e < KW; e++) {
    zw[e] = e * p->dw - p->pw;
    lo[e] = first_valid(zw[e], 1, OW);
    hi[e] = end_valid(zw[e], 1, p->W, OW, lo[e]);
  }
  for (int c = 0; c < C; c++) {
    const float *xc = x + (long)c * p->xsC;
    for (int a = 0; a < p->KD; a++) {
      int zd = a * p->dd - p->pd;
      for (int b = 0; b < p->KH; b++, col += (long)KW * lc) {
        int zh = b * p->dh - p->ph;
        int od = r0 / p->OH;
        int oh = r0 - od * p->OH;
        float *row = col;
        for (int r = r0; r < r1; r++, row += OW) {
          int id = od * p->sd + zd;
          int ih = oh * p->sh + zh;
          if (id < 0 || id >= p->D || ih < 0 || ih >= p->H) {
            for (int e = 0; e < KW; e++) zero_row(row + (long)e * lc, OW);
          } else {
            const float *src = xc + (long)id * p->xsD + (long)ih * p->xsH;
            for (int e = 0; e < KW; e++) {
              float *dst = row + (long)e * lc;
              int l = lo[e], h = hi[e];
              if (h - l >= 4) {
                if (l > 0 || h < OW) zero_row(dst, OW);
                copy_row(dst + l, src + zw[e] + l, h - l);
              } else {
                int ow = 0;
                for (; ow < l; ow++) dst[ow] = 0.0f;
                for (; ow < h; ow++) dst[ow] = src[zw[e] + ow];
                for (; ow < OW; ow++) dst[ow] = 0.0f;
              }
            }
          }
          if (++oh == p->OH) {
            oh = 0;
            od++;
          }
        }
      }
    }
  }
}

/* The adjoint of im2col: adds every col entry into the (contiguous, C x D x H x W) x position it reads. */
static void col2im(const Conv *p, const float *col, int C, int r0, int r1, float *x) {
  int lc = (r1 - r0) * p->OW;
  long S = (long)p->D * p->H * p->W;
  for (int c = 0; c < C; c++) {
    float *xc = x + c * S;
    for (int a = 0; a < p->KD; a++) {
      int zd = a * p->dd - p->pd;
      for (int b = 0; b < p->KH; b++) {
        int zh = b * p->dh - p->ph;
        for (int e = 0; e < p->KW; e++, col += lc) {
          int zw = e * p->dw - p->pw;
          int lo = first_valid(zw, p->sw, p->OW);
          int hi = end_valid(zw, p->sw, p->W, p->OW, lo);
          int od = r0 / p->OH;
          int oh = r0 - od * p->OH;
          const float *src = col;
          for (int r = r0; r < r1; r++, src += p->OW) {
            int id = od * p->sd + zd;
            int ih = oh * p->sh + zh;
            if (id >= 0 && id < p->D && ih >= 0 && ih < p->H) {
              float *dst = xc + ((long)id * p->H + ih) * p->W + zw;
              if (p->sw == 1) {
                /* Explicit vectors, as im2col's copy: each element's one add, so the same sums. */
                int ow = lo;
                for (; ow + 4 <= hi; ow += 4) wasm_v128_store(dst + ow, wasm_f32x4_add(wasm_v128_load(dst + ow), wasm_v128_load(src + ow)));
                for (; ow < hi; ow++) dst[ow] += src[ow];
              } else {
                for (int ow = lo; ow < hi; ow++) dst[ow * p->sw] += src[ow];
              }
            }
            if (++oh == p->OH) {
              oh = 0;
              od++;
            }
          }
        }
      }
    }
  }
}

/*
 * An input extent with its padding written out: the padding on both sides, or more on the far side where
 * the windows reach past it (the output of an asymmetric 'same' padding is larger than the padding gives).
 */
static int padded_extent(int in, int pad, int out, int s, int d, int k) {
  int reach = (out - 1) * s + (k - 1) * d + 1;
  return reach > in + 2 * pad ? reach : in + 2 * pad;
}

/*
 * x's channels [0, C) (unit W stride) copied into xp, dense, with q's zero padding written out, and q
 * turned into the geometry of that copy: no padding, so every window tap lies inside it.
 */
static void pad_input(Conv *q, const float *x, int C, float *xp) {
  int Dp = padded_extent(q->D, q->pd, q->OD, q->sd, q->dd, q->KD);
  int Hp = padded_extent(q->H, q->ph, q->OH, q->sh, q->dh, q->KH);
  int Wp = padded_extent(q->W, q->pw, q->OW, q->sw, q->dw, q->KW);
  long plane = (long)Dp * Hp * Wp;
  for (long i = 0; i < C * plane; i++) xp[i] = 0.0f;
  for (int c = 0; c < C; c++) {
    for (int d = 0; d < q->D; d++) {
      for (int h = 0; h < q->H; h++) {
        const float *src = x + (long)c * q->xsC + (long)d * q->xsD + (long)h * q->xsH;
        float *dst = xp + c * plane + ((long)(d + q->pd) * Hp + h + q->ph) * Wp + q->pw;
        for (int w = 0; w < q->W; w++) dst[w] = src[w];
      }
    }
  }
  q->D = Dp;
  q->H = Hp;
  q->W = Wp;
  q->pd = q->ph = q->pw = 0;
  q->xsC = (int)plane;
  q->xsD = Hp * Wp;
  q->xsH = Wp;
}

/*
 * Whether the in-place products read a copy of the input (pad_input): when padded or windows reach past the
 * input, and when output rows end in a partial strip, whose 8-float loads run up to 7 floats past a row
 * (the copy keeps NR floats after it).
 */
static int copies_input(const Conv *p) {
  return p->pd != 0 || p->ph != 0 || p->pw != 0 || p->OW % NR != 0 || padded_extent(p->D, 0, p->OD, p->sd, p->dd, p->KD) > p->D ||
         padded_extent(p->H, 0, p->OH, p->sh, p->dh, p->KH) > p->H || padded_extent(p->W, 0, p->OW, p->sw, p->dw, p->KW) > p->W;
}

/*
 * Prepares reading one sample's group x of channels in place of its column matrix: when copies_input, the
 * padded copy after the tap offsets at scratch; q becomes the geometry of what is read. With `first`
 * (the call's first sample and group) also the offsets off[k] (k = (c, a, b, e) -> c*xsC + a*dd*xsD +
 * b*dh*xsH + e*dw), the same for every later one. Returns the address of what is read.
 */
static const float *read_taps(const Conv *p, const float *xg, float *scratch, Conv *q, int first) {
  int kd = p->cg * p->KD * p->KH * p->KW;
  int *off = (int *)scratch;
  const float *xq = xg;
  *q = *p;
  if (copies_input(p)) {
    float *xp = scratch + ((kd + 3) & ~3);
    pad_input(q, xg, p->cg, xp);
    xq = xp;
  }
  if (!first) return xq;
  int k = 0;
  for (int c = 0; c < q->cg; c++)
    for (int a = 0; a < q->KD; a++)
      for (int b = 0; b < q->KH; b++)
        for (int e = 0; e < q->KW; e++) off[k++] = c * q->xsC + a * q->dd * q->xsD + b * q->dh * q->xsH + e * q->dw;
  return xq;
}

/*
 * Output rows [r0, r1) of one sample's group, for sw = 1 and unit W stride, without an im2col buffer: the
 * B operand of sgemm's loop nest is read from the input itself. Each output row is cut into strips of 8
 * output columns (the last may be partial: its extra columns are computed and dropped), so a strip's
 * column matrix row k is 8 adjacent input floats at a strip base plus off[k] (k = (c, a, b, e) ->
 * c*xsC + a*dd*xsD + b*dh*xsH + e*dw, the same for every strip). Padding is written out once into a copy
 * (pad_input; also made for partial strips, whose loads run past a row), so no tap needs a bounds check.
 * The same K blocks, packed A, micro-kernel and order as sgemm over im2col's columns: the same values,
 * without writing and rereading kd*8 floats per strip (a fifth of a 32->32 5x5 convolution's time at 16x16).
 * `bias` (og values or null) is added as the first K block is stored, as C first set to it then added to.
 * scratch: kd ints for off (rounded up to 4), then the copy (padded extents) + NR floats.
 */
__attribute__((noinline)) static void conv_forward_indirect(const Conv *p, const float *xg, const float *w, const float *bias,
                                                            float *y, int r0, int r1, float *scratch, int first) {
  int kd = p->cg * p->KD * p->KH * p->KW;
  int L = p->OD * p->OH * p->OW;
  Conv q;
  const int *off = (const int *)scratch;
  const float *xq = read_taps(p, xg, scratch, &q, first);
  float packA[MC * KC] ALIGNED, tileBuf[MR * NR] ALIGNED;
  int M = p->og, perRow = (p->OW + NR - 1) / NR, strips = (r1 - r0) * perRow;
  for (int pc = 0; pc < kd; pc += KC) {
    int kc = min_i(KC, kd - pc);
    int add = pc > 0;
    for (int ic = 0; ic < M; ic += MC) {
      int mc = min_i(MC, M - ic);
      pack_a(mc, kc, w + (long)ic * kd + pc, kd, 1, packA);
      for (int j = 0; j < strips; j++) {
        int r = r0 + j / perRow, ow0 = j % perRow * NR, nr = min_i(NR, p->OW - ow0);
        int od = r / p->OH, oh = r % p->OH;
        const float *base = xq + (long)od * q.sd * q.xsD + (long)oh * q.sh * q.xsH + ow0;
        for (int ir = 0; ir < mc; ir += MR) {
          int mr = min_i(MR, mc - ir);
          float *c = y + (long)(ic + ir) * L + (long)r * p->OW + ow0;
          const float *rowBias = bias && !add ? bias + ic + ir : 0;
          int full = mr == MR && nr == NR;
          micro_kernel_indirect(kc, packA + ir * kc, base, off + pc, c, L, add, full, tileBuf, rowBias);
          if (!full) store_tile(tileBuf, c, L, mr, nr, add, rowBias);
        }
      }
    }
  }
}

/*
 * pack_b's transposed case over the columns of an input read in place: B[l][kidx] = xq[off[kidx] + pos(l)]
 * for l in [l0, l0 + kc), kidx in [j0, j0 + nc), pos(l) the input offset of output position l's window
 * (sw = 1: adjacent positions of an output row read adjacent floats). Four positions of one output row
 * at a time are loaded from 8 rows of taps and transposed in registers; the same values as im2col's
 * column matrix through pack_b, in the same layout.
 */
static void pack_b_taps(int kc, int nc, const Conv *q, const float *xq, const int *off, int j0, int l0, float *dst) {
  for (int j = 0; j < nc; j += NR) {
    int cols = min_i(NR, nc - j);
    const int *o = off + j0 + j;
    for (int p = 0; p < kc;) {
      int l = l0 + p, r = l / q->OW, ow = l % q->OW;
      const float *at = xq + (long)(r / q->OH) * q->sd * q->xsD + (long)(r % q->OH) * q->sh * q->xsH + ow;
      if (cols == NR && ow + 4 <= q->OW && p + 4 <= kc) {
        v128_t v[NR];
        for (int jj = 0; jj < NR; jj++) v[jj] = wasm_v128_load(at + o[jj]);
        store_transposed(v, dst);
        p += 4;
        dst += 4 * NR;
        continue;
      }
      int jj = 0;
      for (; jj < cols; jj++) dst[jj] = at[o[jj]];
      for (; jj < NR; jj++) dst[jj] = 0.0f;
      p++;
      dst += NR;
    }
  }
}

/*
 * conv_backward_weight's product for one sample's group without an im2col buffer: gw (og x kd, row
 * stride kd) = gy (og x L) times the column matrix's transpose, whose B panels pack_b_taps packs from the
 * (padded) input through the tap offsets. sgemm's loop nest, blocks and micro-kernel over the same
 * operands, so the same float32 sums as sgemm over im2col's columns (one band); `add` 0 overwrites gw.
 * Needs og >= 4, kd >= 4 (no skinny path), sw = 1 and a unit W stride. Not inlined: its packing
 * buffers (~1.1 MiB) must not share a frame with sgemm's in the 2 MiB stack.
 */
__attribute__((noinline)) static void conv_weight_taps(const Conv *q, const float *xq, const int *off, const float *gy, float *gw, int add0) {
  int kd = q->cg * q->KD * q->KH * q->KW, L = q->OD * q->OH * q->OW, M = q->og;
  float packA[MC * KC] ALIGNED, packB[KC * NC] ALIGNED, tileBuf[MR * NR] ALIGNED;
  for (int jc = 0; jc < kd; jc += NC) {
    int nc = min_i(NC, kd - jc);
    for (int pc = 0; pc < L; pc += KC) {
      int kc = min_i(KC, L - pc);
      pack_b_taps(kc, nc, q, xq, off, jc, pc, packB);
      int add = pc > 0 || add0;
      for (int ic = 0; ic < M; ic += MC) {
        int mc = min_i(MC, M - ic);
        pack_a(mc, kc, gy + (long)ic * q->gsC + (long)pc * q->gsL, q->gsC, q->gsL, packA);
        for (int jr = 0; jr < nc; jr += NR) {
          int nr = min_i(NR, nc - jr);
          for (int ir = 0; ir < mc; ir += MR) {
            int mr = min_i(MR, mc - ir);
            float *c = gw + (long)(ic + ir) * kd + jc + jr;
            int full = mr == MR && nr == NR;
            micro_kernel(kc, packA + ir * kc, packB + jr * kc, c, kd, 1.0f, add, full, tileBuf, 0);
            if (!full) store_tile(tileBuf, c, kd, mr, nr, add, 0);
          }
        }
      }
    }
  }
}

/* A 1x1, stride-1, unpadded convolution over a spatially flat input reads x as the column matrix itself. */
static int pointwise(const Conv *p) {
  if (p->KD != 1 || p->KH != 1 || p->KW != 1) return 0;
  if (p->sd != 1 || p->sh != 1 || p->sw != 1 || p->pd != 0 || p->ph != 0 || p->pw != 0) return 0;
  if (p->H != 1 && p->xsH != p->xsW * p->W) return 0;
  if (p->D != 1 && p->xsD != p->xsW * p->W * p->H) return 0;
  return 1;
}

/* Each channel's values [l0, l1) of a dense [N, C, L] buffer set to bias[c], or zero when bias is null. */
static void init_channels(float *y, const float *bias, int N, int C, long L, long l0, long l1) {
  for (int n = 0; n < N; n++) {
    for (int c = 0; c < C; c++, y += L) {
      float v = bias ? bias[c] : 0.0f;
      for (long i = l0; i < l1; i++) y[i] = v;
    }
  }
}

/*
 * y[n, g*og + o, l] = bias[g*og + o] + sum_k w[g*og + o, k] * col(x[n, g])[k, l]: w dense [G*og, kd],
 * y dense [N, G*og, L], bias [G*og] or null; only the positions l of output rows [rb, re) are written.
 * col: the larger of the column band (kd x band*OW floats) and conv_forward_indirect's scratch
 * (see there): src/backend/wasm/conv.ts's tapsScratchFloats.
 */
EXPORT(conv_forward)
void conv_forward(const Conv *p, const float *x, const float *w, const float *bias, float *y, float *col) {
  int kd = p->cg * p->KD * p->KH * p->KW;
  int L = p->OD * p->OH * p->OW;
  int pw = pointwise(p);
  /*
   * Unit W stride, a product sgemm would not send to its skinny path, and output rows of at least 5
   * columns: rows are cut into 8-column strips, the last one partial (W1's 30 and LeNet's 28 compute 32
   * per row, 25 % faster than im2col; LeNet's 10, 62 % full, 9 % faster; at width 4, half the strip is
   * wasted and im2col, which packs rows together, measured faster).
   */
  int indirect = p->sw == 1 && p->xsW == 1 && p->og >= 4 && kd > 0 && !pw && p->OW >= 5;
  /* The indirect product adds the bias as it stores; the others add into outputs first set to it. */
  float beta = bias && !indirect ? 1.0f : 0.0f;
  long l0 = (long)p->rb * p->OW, l1 = (long)p->re * p->OW;
  if (bias && !indirect) init_channels(y, bias, p->N, p->G * p->og, L, l0, l1);
  for (int n = 0; n < p->N; n++) {
    for (int g = 0; g < p->G; g++) {
      const float *xg = x + (long)n * p->xsN + (long)g * p->cg * p->xsC;
      float *yg = y + ((long)n * p->G + g) * p->og * L;
      const float *wg = w + (long)g * p->og * kd;
      if (pw) {
        sgemm(p->og, (int)(l1 - l0), kd, 1.0f, wg, kd, 1, xg + l0 * p->xsW, p->xsC, p->xsW, beta, yg + l0, L, 1);
        continue;
      }
      if (indirect) {
        conv_forward_indirect(p, xg, wg, bias ? bias + (long)g * p->og : 0, yg, p->rb, p->re, col, n == 0 && g == 0);
        continue;
      }
      for (int r0 = p->rb; r0 < p->re; r0 += p->band) {
        int r1 = min_i(p->re, r0 + p->band);
        int lc = (r1 - r0) * p->OW;
        im2col(p, xg, p->cg, r0, r1, col);
        sgemm(p->og, lc, kd, 1.0f, wg, kd, 1, col, lc, 1, beta, yg + r0 * p->OW, L, 1);
      }
    }
  }
}

/*
 * gw[g*og + o, k] = sum_{n, l} gy[n, g*og + o, l] * col(x[n, g])[k, l]; gw dense [G*og, kd], overwritten.
 * col: as conv_forward's (the column band, or read_taps' scratch).
 */
EXPORT(conv_backward_weight)
void conv_backward_weight(const Conv *p, const float *x, const float *gy, float *gw, float *col) {
  int kd = p->cg * p->KD * p->KH * p->KW;
  int rows = p->OD * p->OH;
  int pw = pointwise(p);
  long L = (long)rows * p->OW;
  /*
   * The column matrix read in place (conv_weight_taps; col holds the offsets and the input's copy) where
   * sgemm would take its packed path: unit W stride, og and kd of 4+, and one band (the same K blocks).
   */
  int taps = p->sw == 1 && p->xsW == 1 && p->og >= 4 && kd >= 4 && !pw && p->band >= rows;
  for (int g = 0; g < p->G; g++) {
    float *gwg = gw + (long)g * p->og * kd;
    float beta = 0.0f;
    for (int n = 0; n < p->N; n++) {
      const float *xg = x + (long)n * p->xsN + (long)g * p->cg * p->xsC;
      const float *gyg = gy + (long)n * p->gsN + (long)g * p->og * p->gsC;
      if (pw) {
        sgemm(p->og, kd, (int)L, 1.0f, gyg, p->gsC, p->gsL, xg, p->xsW, p->xsC, beta, gwg, kd, 1);
        beta = 1.0f;
        continue;
      }
      if (taps) {
        Conv q;
        const float *xq = read_taps(p, xg, col, &q, n == 0 && g == 0);
        conv_weight_taps(&q, xq, (const int *)col, gyg, gwg, beta != 0.0f);
        beta = 1.0f;
        continue;
      }
      for (int r0 = 0; r0 < rows; r0 += p->band) {
        int r1 = min_i(rows, r0 + p->band);
        int lc = (r1 - r0) * p->OW;
        im2col(p, xg, p->cg, r0, r1, col);
        sgemm(p->og, kd, lc, 1.0f, gyg + (long)r0 * p->OW * p->gsL, p->gsC, p->gsL, col, 1, lc, beta, gwg, kd, 1);
        beta = 1.0f;
      }
    }
  }
}

/*
 * gx[n, g*cg + c] = bias[g*cg + c] + col2im(w[g]^T gy[n, g]): w dense [G*og, kd], gx dense
 * [N, G*cg, D, H, W], bias [G*cg] or null.
 */
EXPORT(conv_backward_input)
void conv_backward_input(const Conv *p, const float *gy, const float *w, const float *bias, float *gx, float *col) {
  int kd = p->cg * p->KD * p->KH * p->KW;
  int rows = p->OD * p->OH;
  long S = (long)p->D * p->H * p->W;
  init_channels(gx, bias, p->N, p->G * p->cg, S, 0, S);
  for (int n = 0; n < p->N; n++) {
    for (int g = 0; g < p->G; g++) {
      const float *gyg = gy + (long)n * p->gsN + (long)g * p->og * p->gsC;
      const float *wg = w + (long)g * p->og * kd;
      float *gxg = gx + ((long)n * p->G + g) * p->cg * S;
      for (int r0 = 0; r0 < rows; r0 += p->band) {
        int r1 = min_i(rows, r0 + p->band);
        int lc = (r1 - r0) * p->OW;
        sgemm(kd, lc, p->og, 1.0f, wg, 1, kd, gyg + (long)r0 * p->OW * p->gsL, p->gsC, p->gsL, 0.0f, col, lc, 1);
        col2im(p, col, p->cg, r0, r1, gxg);
      }
    }
  }
}

/* ---------------------------------------------------------------------------------------------------- */
/* Max pooling with PyTorch's CPU rules (src/backend/interface/pool.ts): exact, no arithmetic.             */

/*
 * Four lanes of x at ptr, ptr + step, ptr + 2 step, ptr + 3 step. Steps 2 and 3 load whole vectors and
 * shuffle, reading up to 1 float past the last lane: the caller keeps that much memory after x.
 */
static inline __attribute__((always_inline)) v128_t load_step(const float *ptr, int step) {
  if (step == 1) return wasm_v128_load(ptr);
  if (step == 2) return wasm_i32x4_shuffle(wasm_v128_load(ptr), wasm_v128_load(ptr + 4), 0, 2, 4, 6);
  if (step == 3) {
    v128_t v = wasm_i32x4_shuffle(wasm_v128_load(ptr), wasm_v128_load(ptr + 4), 0, 3, 6, 7);
    return wasm_f32x4_replace_lane(v, 3, ptr[9]);
  }
  return wasm_f32x4_make(ptr[0], ptr[step], ptr[2 * step], ptr[3 * step]);
}

/*
 * One output row's windows ow in [a, b) (b - a a multiple of 4), four at a time: lane j is window a + j
 * of the same shape, starting `st` further along W. The scan order and the rule per lane are max_pool's.
 */
static inline __attribute__((always_inline)) void max_pool_lanes(const float *base, int H, int W, int sD, int sH, int sW, int dD,
                                                                  int dH, int dW, int d0, int d1, int h0, int h1, const int *ws,
                                                                  int span, int st, int step, int a, int b, float *out, int *idx) {
  const v128_t lane = wasm_i32x4_make(0, st, 2 * st, 3 * st);
  const v128_t lane4 = wasm_i32x4_add(lane, wasm_i32x4_splat(4 * st));
  int ow = a;
  /* Eight windows at a time: two independent dependency chains (each tap's compare-select waits on the last). */
  for (; ow + 8 <= b; ow += 8) {
    int w0 = ws[ow];
    v128_t best0 = wasm_f32x4_splat(-__builtin_inff()), best1 = best0;
    v128_t start = wasm_i32x4_splat((d0 * H + h0) * W + w0);
    v128_t bi0 = wasm_i32x4_add(start, lane), bi1 = wasm_i32x4_add(start, lane4);
    for (int d = d0; d < d1; d += dD) {
      for (int h = h0; h < h1; h += dH) {
        const float *row = base + (long)d * sD + (long)h * sH;
        int ri = (d * H + h) * W + w0;
        for (int t = 0; t < span; t += dW) {
          const float *at = row + (long)(w0 + t) * sW;
          v128_t v0 = load_step(at, step);
          v128_t v1 = load_step(at + 4 * step, step);
          v128_t t0 = wasm_v128_or(wasm_f32x4_gt(v0, best0), wasm_f32x4_ne(v0, v0));
          v128_t t1 = wasm_v128_or(wasm_f32x4_gt(v1, best1), wasm_f32x4_ne(v1, v1));
          v128_t at0 = wasm_i32x4_splat(ri + t);
          best0 = wasm_v128_bitselect(v0, best0, t0);
          best1 = wasm_v128_bitselect(v1, best1, t1);
          bi0 = wasm_v128_bitselect(wasm_i32x4_add(at0, lane), bi0, t0);
          bi1 = wasm_v128_bitselect(wasm_i32x4_add(at0, lane4), bi1, t1);
        }
      }
    }
    wasm_v128_store(out + (ow - a), best0);
    wasm_v128_store(out + (ow - a) + 4, best1);
    wasm_v128_store(idx + (ow - a), bi0);
    wasm_v128_store(idx + (ow - a) + 4, bi1);
  }
  for (; ow < b; ow += 4) {
    int w0 = ws[ow];
    v128_t best = wasm_f32x4_splat(-__builtin_inff());
    v128_t bi = wasm_i32x4_add(wasm_i32x4_splat((d0 * H + h0) * W + w0), lane);
    for (int d = d0; d < d1; d += dD) {
      for (int h = h0; h < h1; h += dH) {
        const float *row = base + (long)d * sD + (long)h * sH;
        int ri = (d * H + h) * W + w0;
        for (int t = 0; t < span; t += dW) {
          v128_t v = load_step(row + (long)(w0 + t) * sW, step);
          v128_t take = wasm_v128_or(wasm_f32x4_gt(v, best), wasm_f32x4_ne(v, v));
          best = wasm_v128_bitselect(v, best, take);
          bi = wasm_v128_bitselect(wasm_i32x4_add(wasm_i32x4_splat(ri + t), lane), bi, take);
        }
      }
    }
    wasm_v128_store(out + (ow - a), best);
    wasm_v128_store(idx + (ow - a), bi);
  }
}

/*
 * p: N, C, D, H, W, oD, oH, oW, x strides (N, C, D, H, W), dilation (D, H, W), the window stride along W;
 * bounds: per output position the window's start and exclusive end along D (oD each), then H, then W
 * (start already advanced past the padding). out [N, C, oD, oH, oW] dense; idx the same shape, flat plane
 * indices (d*H + h)*W + w. `v > best || v != v`: the first maximum wins ties, every NaN replaces the
 * running value. The run of W windows that are whole and evenly spaced goes four windows to a SIMD vector
 * (the same comparisons per window, so bit for bit the scalar result; a remainder of the run is computed as
 * its last four windows, some of them twice); the rest is scalar. The caller keeps
 * a float of memory after x (see load_step).
 */
EXPORT(max_pool)
void max_pool(const int *p, const float *x, const int *bounds, float *out, int *idx) {
  int N = p[0], C = p[1], H = p[3], W = p[4], oD = p[5], oH = p[6], oW = p[7];
  int sN = p[8], sC = p[9], sD = p[10], sH = p[11], sW = p[12], dD = p[13], dH = p[14], dW = p[15], st = p[16];
  const int *ds = bounds, *de = ds + oD, *hs = de + oD, *he = hs + oH, *ws = he + oH, *we = ws + oW;
  /* The regular run [ra, rb): the first window of the widest span and those after it spaced st apart. */
  int span = 0;
  for (int ow = 0; ow < oW; ow++) span = we[ow] - ws[ow] > span ? we[ow] - ws[ow] : span;
  int ra = 0;
  while (ra < oW && we[ra] - ws[ra] != span) ra++;
  int rb = ra;
  while (rb < oW && we[rb] - ws[rb] == span && ws[rb] == ws[ra] + (rb - ra) * st) rb++;
  /* [ra, rb) in whole vectors; a remainder [rb, re) is redone as the last four windows of the run. */
  int re = rb;
  rb = ra + ((rb - ra) & ~3);
  int tail = re > rb && re - ra >= 4 ? re - 4 : -1;
  if (tail < 0) re = rb;
  int step = st * sW;
  for (int n = 0; n < N; n++) {
    for (int c = 0; c < C; c++) {
      const float *base = x + (long)n * sN + (long)c * sC;
      for (int od = 0; od < oD; od++) {
        for (int oh = 0; oh < oH; oh++) {
          int d0 = ds[od], d1 = de[od], h0 = hs[oh], h1 = he[oh];
          for (int ow = 0; ow < oW; ow++) {
            if (ow == ra && rb > ra) {
#define LANES(k, a, b, o, i) max_pool_lanes(base, H, W, sD, sH, sW, dD, dH, dW, d0, d1, h0, h1, ws, span, st, k, a, b, o, i)
#define RUN(k)                                                                \
  do {                                                                        \
    LANES(k, ra, rb, out, idx);                                               \
    if (tail >= 0) LANES(k, tail, re, out + (tail - ra), idx + (tail - ra)); \
  } while (0)
              if (step == 1) {
                RUN(1);
              } else if (step == 2) {
                RUN(2);
              } else if (step == 3) {
                RUN(3);
              } else {
                RUN(step);
              }
#undef RUN
#undef LANES
              out += re - ra;
              idx += re - ra;
              ow = re - 1;
              continue;
            }
            float best = -__builtin_inff();
            int bi = (d0 * H + h0) * W + ws[ow];
            for (int d = d0; d < d1; d += dD) {
              for (int h = h0; h < h1; h += dH) {
                const float *row = base + (long)d * sD + (long)h * sH;
                int ri = (d * H + h) * W;
                for (int w = ws[ow]; w < we[ow]; w += dW) {
                  float v = row[(long)w * sW];
                  int take = (v > best) | (v != v);
                  best = take ? v : best;
                  bi = take ? ri + w : bi;
                }
              }
            }
            *out++ = best;
            *idx++ = bi;
          }
        }
      }
    }
  }
}

/*
 * max_pool's four (eight) windows per vector without the indices. pmax(best, v) is `best < v ? v : best`,
 * max_pool's rule but for NaN, which never enters best: `sum` adds up the taps instead, and a group whose
 * sum is NaN (a NaN tap, or both infinities) is redone by the scalar loop, which keeps the last NaN.
 * Returns 0 when some window of [a, b) must be redone.
 */
static inline __attribute__((always_inline)) int max_pool_values_lanes(const float *base, int sD, int sH, int sW, int dD, int dH,
                                                                       int dW, int d0, int d1, int h0, int h1, const int *ws,
                                                                       int span, int step, int a, int b, float *out) {
  int ow = a;
  v128_t bad = wasm_i32x4_splat(0);
  for (; ow + 8 <= b; ow += 8) {
    int w0 = ws[ow];
    v128_t best0 = wasm_f32x4_splat(-__builtin_inff()), best1 = best0;
    v128_t sum0 = wasm_f32x4_splat(0.0f), sum1 = sum0;
    for (int d = d0; d < d1; d += dD) {
      for (int h = h0; h < h1; h += dH) {
        const float *row = base + (long)d * sD + (long)h * sH + (long)w0 * sW;
        for (int t = 0; t < span; t += dW) {
          const float *at = row + (long)t * sW;
          v128_t v0 = load_step(at, step);
          v128_t v1 = load_step(at + 4 * step, step);
          best0 = wasm_f32x4_pmax(best0, v0);
          best1 = wasm_f32x4_pmax(best1, v1);
          sum0 = wasm_f32x4_add(sum0, v0);
          sum1 = wasm_f32x4_add(sum1, v1);
        }
      }
    }
    bad = wasm_v128_or(bad, wasm_v128_or(wasm_f32x4_ne(sum0, sum0), wasm_f32x4_ne(sum1, sum1)));
    wasm_v128_store(out + (ow - a), best0);
    wasm_v128_store(out + (ow - a) + 4, best1);
  }
  for (; ow < b; ow += 4) {
    int w0 = ws[ow];
    v128_t best = wasm_f32x4_splat(-__builtin_inff());
    v128_t sum = wasm_f32x4_splat(0.0f);
    for (int d = d0; d < d1; d += dD) {
      for (int h = h0; h < h1; h += dH) {
        const float *row = base + (long)d * sD + (long)h * sH + (long)w0 * sW;
        for (int t = 0; t < span; t += dW) {
          v128_t v = load_step(row + (long)t * sW, step);
          best = wasm_f32x4_pmax(best, v);
          sum = wasm_f32x4_add(sum, v);
        }
      }
    }
    bad = wasm_v128_or(bad, wasm_f32x4_ne(sum, sum));
    wasm_v128_store(out + (ow - a), best);
  }
  return !wasm_v128_any_true(bad);
}

/* Taps 0, 1, 2 of four windows three floats apart: the twelve floats at p, deinterleaved. */
static inline __attribute__((always_inline)) void taps3(const float *p, v128_t *t0, v128_t *t1, v128_t *t2) {
  v128_t a = wasm_v128_load(p), b = wasm_v128_load(p + 4), c = wasm_v128_load(p + 8);
  *t0 = wasm_i32x4_shuffle(wasm_i32x4_shuffle(a, b, 0, 3, 6, 7), c, 0, 1, 2, 5);
  *t1 = wasm_i32x4_shuffle(wasm_i32x4_shuffle(a, b, 1, 4, 7, 7), c, 0, 1, 2, 6);
  *t2 = wasm_i32x4_shuffle(wasm_i32x4_shuffle(a, b, 2, 5, 5, 5), c, 0, 1, 4, 7);
}

/* max_pool_values_lanes for kernel 3, stride 3, unit stride and no dilation along W. */
static int max_pool_values_3x3(const float *base, int sD, int sH, int dD, int dH, int d0, int d1, int h0, int h1, const int *ws,
                               int a, int b, float *out) {
  v128_t bad = wasm_i32x4_splat(0);
  for (int ow = a; ow < b; ow += 4) {
    v128_t best = wasm_f32x4_splat(-__builtin_inff());
    v128_t sum = wasm_f32x4_splat(0.0f);
    for (int d = d0; d < d1; d += dD) {
      for (int h = h0; h < h1; h += dH) {
        v128_t t0, t1, t2;
        taps3(base + (long)d * sD + (long)h * sH + ws[ow], &t0, &t1, &t2);
        best = wasm_f32x4_pmax(wasm_f32x4_pmax(wasm_f32x4_pmax(best, t0), t1), t2);
        sum = wasm_f32x4_add(sum, wasm_f32x4_add(wasm_f32x4_add(t0, t1), t2));
      }
    }
    bad = wasm_v128_or(bad, wasm_f32x4_ne(sum, sum));
    wasm_v128_store(out + (ow - a), best);
  }
  return !wasm_v128_any_true(bad);
}

/* One window of max_pool's scalar loop, values only. */
static inline float max_pool_value(const float *base, int sD, int sH, int sW, int dD, int dH, int dW, int d0, int d1, int h0,
                                   int h1, int w0, int w1) {
  float best = -__builtin_inff();
  for (int d = d0; d < d1; d += dD) {
    for (int h = h0; h < h1; h += dH) {
      const float *row = base + (long)d * sD + (long)h * sH;
      for (int w = w0; w < w1; w += dW) {
        float v = row[(long)w * sW];
        best = ((v > best) | (v != v)) ? v : best;
      }
    }
  }
  return best;
}

/*
 * max_pool without the indices (the forward of a max pooling that needs no gradient): the same p, bounds
 * and scan order, so the same values bit for bit. The caller keeps a float of memory after x (load_step).
 */
EXPORT(max_pool_values)
void max_pool_values(const int *p, const float *x, const int *bounds, float *out) {
  int N = p[0], C = p[1], oD = p[5], oH = p[6], oW = p[7];
  int sN = p[8], sC = p[9], sD = p[10], sH = p[11], sW = p[12], dD = p[13], dH = p[14], dW = p[15], st = p[16];
  const int *ds = bounds, *de = ds + oD, *hs = de + oD, *he = hs + oH, *ws = he + oH, *we = ws + oW;
  int span = 0;
  for (int ow = 0; ow < oW; ow++) span = we[ow] - ws[ow] > span ? we[ow] - ws[ow] : span;
  int ra = 0;
  while (ra < oW && we[ra] - ws[ra] != span) ra++;
  int rb = ra;
  while (rb < oW && we[rb] - ws[rb] == span && ws[rb] == ws[ra] + (rb - ra) * st) rb++;
  int re = rb;
  rb = ra + ((rb - ra) & ~3);
  int tail = re > rb && re - ra >= 4 ? re - 4 : -1;
  if (tail < 0) re = rb;
  int step = st * sW;
  for (int n = 0; n < N; n++) {
    for (int c = 0; c < C; c++) {
      const float *base = x + (long)n * sN + (long)c * sC;
      for (int od = 0; od < oD; od++) {
        for (int oh = 0; oh < oH; oh++) {
          int d0 = ds[od], d1 = de[od], h0 = hs[oh], h1 = he[oh];
          for (int ow = 0; ow < oW; ow++) {
            if (ow == ra && rb > ra) {
#define LANES(k, a, b, o) max_pool_values_lanes(base, sD, sH, sW, dD, dH, dW, d0, d1, h0, h1, ws, span, k, a, b, o)
#define RUN(k) ok = LANES(k, ra, rb, out) & (tail < 0 || LANES(k, tail, re, out + (tail - ra)))
              int ok;
              if (st == 3 && sW == 1 && span == 3 && dW == 1) {
                ok = max_pool_values_3x3(base, sD, sH, dD, dH, d0, d1, h0, h1, ws, ra, rb, out) &
                     (tail < 0 || max_pool_values_3x3(base, sD, sH, dD, dH, d0, d1, h0, h1, ws, tail, re, out + (tail - ra)));
              } else if (step == 1) {
                RUN(1);
              } else if (step == 2) {
                RUN(2);
              } else if (step == 3) {
                RUN(3);
              } else {
                RUN(step);
              }
#undef RUN
#undef LANES
              if (!ok) {
                for (int i = ra; i < re; i++) out[i - ra] = max_pool_value(base, sD, sH, sW, dD, dH, dW, d0, d1, h0, h1, ws[i], we[i]);
              }
              out += re - ra;
              ow = re - 1;
              continue;
            }
            *out++ = max_pool_value(base, sD, sH, sW, dD, dH, dW, d0, d1, h0, h1, ws[ow], we[ow]);
          }
        }
      }
    }
  }
}

/*
 * Max pooling's backward: planes [0, planes) of gx (L floats each) set to zero, then g's m values per plane
 * added at the plane positions idx holds (the forward's int64 indices, as doubles), in order. An index
 * outside [0, L) (a window wholly in the padding) is skipped. float32 adds in the js backend's order, so
 * its result bit for bit, duplicates (overlapping windows) included.
 */
EXPORT(max_pool_scatter_add)
void max_pool_scatter_add(const float *g, const double *idx, int planes, int m, int L, float *gx) {
  __builtin_memset(gx, 0, (unsigned long)planes * (unsigned long)L * sizeof(float));
  for (int pl = 0; pl < planes; pl++, g += m, idx += m, gx += L) {
    for (int i = 0; i < m; i++) {
      double v = idx[i];
      if (v >= 0.0 && v < (double)L) gx[(int)v] += g[i];
    }
  }
}

/* ---------------------------------------------------------------------------------------------------- */
/* Average pooling with the js backend's arithmetic (src/backend/cpu/avg-pool.ts): sums in double from 0, */
/* in window order, one double division, rounded to float32 once; so bit for bit the js backend's result. */

/*
 * p: N, C, D, H, W, oD, oH, oW, strides (N, C, D, H, W) of x (forward) or of grad (backward, with D, H, W
 * the output's), countIncludePad; bounds: start, end, padded extent per output position along D (oD each),
 * then H, then W (avgPoolBounds). `override` is the divisor override, or 0 for none.
 */
static double avg_divisor(int cip, double override, int padded, int real) {
  if (override != 0.0) return override;
  return cip ? (double)padded : (double)real;
}

/* 1 / d where d is a power of two with a normal reciprocal (then s * (1 / d) is s / d, exactly), else 0. */
static double exact_recip(double d) {
  unsigned long long u = __builtin_bit_cast(unsigned long long, d);
  unsigned e = (unsigned)(u >> 52) & 0x7ff;
  return (u & 0xfffffffffffffull) == 0 && e >= 1 && e <= 2045 ? 1.0 / d : 0.0;
}

/*
 * The first run of 2-wide W windows two apart (AvgPool2d(2)'s): returns its start and sets *end to the end
 * of its whole groups of four windows (the SIMD paths' unit).
 */
static int pair_run(const int *ws, const int *we, int oW, int *end) {
  int a = 0;
  while (a < oW && we[a] - ws[a] != 2) a++;
  int b = a;
  while (b < oW && we[b] - ws[b] == 2 && ws[b] == ws[a] + 2 * (b - a)) b++;
  *end = a + ((b - a) & ~3);
  return a;
}

EXPORT(avg_pool)
void avg_pool(const int *p, const float *x, const int *bounds, double override, float *out) {
  int N = p[0], C = p[1], oD = p[5], oH = p[6], oW = p[7];
  int sN = p[8], sC = p[9], sD = p[10], sH = p[11], sW = p[12], cip = p[13];
  const int *ds = bounds, *de = ds + oD, *dp = de + oD;
  const int *hs = dp + oD, *he = hs + oH, *hp = he + oH;
  const int *ws = hp + oH, *we = ws + oW, *wp = we + oW;
  /* The run [ga, gb) of 2-wide W windows two apart, in whole groups of four; wp2: all of them 2 wide padded. */
  int gb, ga = pair_run(ws, we, oW, &gb);
  int wp2 = 1;
  for (int ow = ga; ow < gb; ow++) wp2 &= wp[ow] == 2;
  for (int n = 0; n < N; n++) {
    for (int c = 0; c < C; c++) {
      const float *base = x + (long)n * sN + (long)c * sC;
      for (int od = 0; od < oD; od++) {
        int d0 = ds[od], d1 = de[od];
        for (int oh = 0; oh < oH; oh++) {
          int h0 = hs[oh], h1 = he[oh];
          if (d1 - d0 == 1 && h1 - h0 == 2 && sW == 1) {
            /* Two rows of two (AvgPool2d(2)): the general loop's sum order, unrolled. */
            const float *r0 = base + (long)d0 * sD + (long)h0 * sH, *r1 = r0 + sH;
            int pdh = dp[od] * hp[oh];
            /* The run's divisor where it is one power of two: multiplying by its reciprocal is the division. */
            double rc = wp2 ? exact_recip(avg_divisor(cip, override, pdh * 2, 4)) : 0.0;
            for (int ow = 0; ow < oW; ow++) {
              if (ow == ga && gb > ga) {
                for (; ow < gb; ow += 4) {
                  /* Four adjacent 2x2 windows: the same double sums and divisions, two lanes per f64x2. */
                  int w0 = ws[ow];
                  v128_t a0 = wasm_v128_load(r0 + w0), a1 = wasm_v128_load(r0 + w0 + 4);
                  v128_t b0 = wasm_v128_load(r1 + w0), b1 = wasm_v128_load(r1 + w0 + 4);
                  v128_t ea = wasm_i32x4_shuffle(a0, a1, 0, 2, 4, 6), oa = wasm_i32x4_shuffle(a0, a1, 1, 3, 5, 7);
                  v128_t eb = wasm_i32x4_shuffle(b0, b1, 0, 2, 4, 6), ob = wasm_i32x4_shuffle(b0, b1, 1, 3, 5, 7);
                  v128_t z = wasm_f64x2_splat(0.0);
                  v128_t slo = wasm_f64x2_add(z, wasm_f64x2_promote_low_f32x4(ea));
                  slo = wasm_f64x2_add(slo, wasm_f64x2_promote_low_f32x4(oa));
                  slo = wasm_f64x2_add(slo, wasm_f64x2_promote_low_f32x4(eb));
                  slo = wasm_f64x2_add(slo, wasm_f64x2_promote_low_f32x4(ob));
                  v128_t shi = wasm_f64x2_add(z, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(ea, ea, 2, 3, 2, 3)));
                  shi = wasm_f64x2_add(shi, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(oa, oa, 2, 3, 2, 3)));
                  shi = wasm_f64x2_add(shi, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(eb, eb, 2, 3, 2, 3)));
                  shi = wasm_f64x2_add(shi, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(ob, ob, 2, 3, 2, 3)));
                  v128_t qlo, qhi;
                  if (rc != 0.0) {
                    qlo = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_mul(slo, wasm_f64x2_splat(rc)));
                    qhi = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_mul(shi, wasm_f64x2_splat(rc)));
                  } else {
                    v128_t dlo = wasm_f64x2_make(avg_divisor(cip, override, pdh * wp[ow], 4), avg_divisor(cip, override, pdh * wp[ow + 1], 4));
                    v128_t dhi = wasm_f64x2_make(avg_divisor(cip, override, pdh * wp[ow + 2], 4), avg_divisor(cip, override, pdh * wp[ow + 3], 4));
                    qlo = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_div(slo, dlo));
                    qhi = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_div(shi, dhi));
                  }
                  wasm_v128_store(out, wasm_i32x4_shuffle(qlo, qhi, 0, 1, 4, 5));
                  out += 4;
                }
                ow = gb - 1;
                continue;
              }
              int w0 = ws[ow], w1 = we[ow];
              double sum = 0.0;
              if (w1 - w0 == 2) {
                sum = (((sum + r0[w0]) + r0[w0 + 1]) + r1[w0]) + r1[w0 + 1];
              } else {
                for (int w = w0; w < w1; w++) sum += r0[w];
                for (int w = w0; w < w1; w++) sum += r1[w];
              }
              double div = avg_divisor(cip, override, dp[od] * hp[oh] * wp[ow], 2 * (w1 - w0));
              *out++ = w0 < w1 ? (float)(sum / div) : 0.0f;
            }
            continue;
          }
          for (int ow = 0; ow < oW; ow++) {
            int w0 = ws[ow], w1 = we[ow];
            if (d0 >= d1 || h0 >= h1 || w0 >= w1) {
              *out++ = 0.0f;
              continue;
            }
            double sum = 0.0;
            for (int d = d0; d < d1; d++) {
              for (int h = h0; h < h1; h++) {
                const float *row = base + (long)d * sD + (long)h * sH;
                for (int w = w0; w < w1; w++) sum += row[(long)w * sW];
              }
            }
            double div = avg_divisor(cip, override, dp[od] * hp[oh] * wp[ow], (d1 - d0) * (h1 - h0) * (w1 - w0));
            *out++ = (float)(sum / div);
          }
        }
      }
    }
  }
}

/* gx (dense [N, C, D, H, W], overwritten) = the sum over windows of grad / divisor, each add rounded to float32. */
EXPORT(avg_pool_backward)
void avg_pool_backward(const int *p, const float *g, const int *bounds, double override, float *gx) {
  int N = p[0], C = p[1], D = p[2], H = p[3], W = p[4], oD = p[5], oH = p[6], oW = p[7];
  int gN = p[8], gC = p[9], gD = p[10], gH = p[11], gW = p[12], cip = p[13];
  const int *ds = bounds, *de = ds + oD, *dp = de + oD;
  const int *hs = dp + oD, *he = hs + oH, *hp = he + oH;
  const int *ws = hp + oH, *we = ws + oW, *wp = we + oW;
  long plane = (long)D * H * W;
  __builtin_memset(gx, 0, (unsigned long)(N * C * plane) * sizeof(float));
  /*
   * Windows that never overlap (AvgPool2d(2) and any stride >= kernel) give each gx element at most one
   * share, (float)(0.0 + v): a run [ra, rb) of 2-wide windows two apart in rows of two (the forward's run)
   * is written four windows at a time, with the same double division and addition.
   */
  int apart = 1;
  for (int i = 0; i + 1 < oD; i++) apart &= ds[i + 1] >= de[i];
  for (int i = 0; i + 1 < oH; i++) apart &= hs[i + 1] >= he[i];
  for (int i = 0; i + 1 < oW; i++) apart &= ws[i + 1] >= we[i];
  int rb, ra = pair_run(ws, we, oW, &rb);
  if (!apart) rb = ra;
  for (int n = 0; n < N; n++) {
    for (int c = 0; c < C; c++) {
      const float *gb = g + (long)n * gN + (long)c * gC;
      float *ib = gx + ((long)n * C + c) * plane;
      for (int od = 0; od < oD; od++) {
        int d0 = ds[od], d1 = de[od];
        for (int oh = 0; oh < oH; oh++) {
          int h0 = hs[oh], h1 = he[oh];
          const float *grow = gb + (long)od * gD + (long)oh * gH;
          for (int ow = 0; ow < oW; ow++) {
            if (ow == ra && rb > ra && d1 - d0 == 1 && h1 - h0 == 2) {
              int pdh = dp[od] * hp[oh];
              v128_t z = wasm_f64x2_splat(0.0);
              for (; ow < rb; ow += 4) {
                const float *gp = grow + (long)ow * gW;
                v128_t gv = gW == 1 ? wasm_v128_load(gp) : wasm_f32x4_make(gp[0], gp[gW], gp[2 * gW], gp[3 * gW]);
                v128_t dlo = wasm_f64x2_make(avg_divisor(cip, override, pdh * wp[ow], 4), avg_divisor(cip, override, pdh * wp[ow + 1], 4));
                v128_t dhi = wasm_f64x2_make(avg_divisor(cip, override, pdh * wp[ow + 2], 4), avg_divisor(cip, override, pdh * wp[ow + 3], 4));
                v128_t qlo = wasm_f64x2_add(z, wasm_f64x2_div(wasm_f64x2_promote_low_f32x4(gv), dlo));
                v128_t qhi = wasm_f64x2_add(z, wasm_f64x2_div(wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(gv, gv, 2, 3, 2, 3)), dhi));
                v128_t q = wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(qlo), wasm_f32x4_demote_f64x2_zero(qhi), 0, 1, 4, 5);
                v128_t lo = wasm_i32x4_shuffle(q, q, 0, 0, 1, 1), hi = wasm_i32x4_shuffle(q, q, 2, 2, 3, 3);
                float *r0 = ib + ((long)d0 * H + h0) * W + ws[ow], *r1 = r0 + W;
                wasm_v128_store(r0, lo);
                wasm_v128_store(r0 + 4, hi);
                wasm_v128_store(r1, lo);
                wasm_v128_store(r1 + 4, hi);
              }
              ow = rb - 1;
              continue;
            }
            int w0 = ws[ow], w1 = we[ow];
            if (d0 >= d1 || h0 >= h1 || w0 >= w1) continue;
            double div = avg_divisor(cip, override, dp[od] * hp[oh] * wp[ow], (d1 - d0) * (h1 - h0) * (w1 - w0));
            double v = (double)grow[(long)ow * gW] / div;
            for (int d = d0; d < d1; d++) {
              for (int h = h0; h < h1; h++) {
                float *row = ib + ((long)d * H + h) * W;
                for (int w = w0; w < w1; w++) row[w] = (float)((double)row[w] + v);
              }
            }
          }
        }
      }
    }
  }
}

/* ---------------------------------------------------------------------------------------------------- */
/* Dense float32 elementwise maps (src/ops/elementwise.ts's rows), computed as the js backend does: in     */
/* double, rounded to float32 once.                                                                       */

/* 2^(j/64), j = 0..63, correctly rounded (from 60-digit decimal arithmetic). */
static const double EXP2_64[64] = {
    0x1.0000000000000p+0, 0x1.02c9a3e778061p+0, 0x1.059b0d3158574p+0, 0x1.0874518759bc8p+0,
    0x1.0b5586cf9890fp+0, 0x1.0e3ec32d3d1a2p+0, 0x1.11301d0125b51p+0, 0x1.1429aaea92de0p+0,
    0x1.172b83c7d517bp+0, 0x1.1a35beb6fcb75p+0, 0x1.1d4873168b9aap+0, 0x1.2063b88628cd6p+0,
    0x1.2387a6e756238p+0, 0x1.26b4565e27cddp+0, 0x1.29e9df51fdee1p+0, 0x1.2d285a6e4030bp+0,
    0x1.306fe0a31b715p+0, 0x1.33c08b26416ffp+0, 0x1.371a7373aa9cbp+0, 0x1.3a7db34e59ff7p+0,
    0x1.3dea64c123422p+0, 0x1.4160a21f72e2ap+0, 0x1.44e086061892dp+0, 0x1.486a2b5c13cd0p+0,
    0x1.4bfdad5362a27p+0, 0x1.4f9b2769d2ca7p+0, 0x1.5342b569d4f82p+0, 0x1.56f4736b527dap+0,
    0x1.5ab07dd485429p+0, 0x1.5e76f15ad2148p+0, 0x1.6247eb03a5585p+0, 0x1.6623882552225p+0,
    0x1.6a09e667f3bcdp+0, 0x1.6dfb23c651a2fp+0, 0x1.71f75e8ec5f74p+0, 0x1.75feb564267c9p+0,
    0x1.7a11473eb0187p+0, 0x1.7e2f336cf4e62p+0, 0x1.82589994cce13p+0, 0x1.868d99b4492edp+0,
    0x1.8ace5422aa0dbp+0, 0x1.8f1ae99157736p+0, 0x1.93737b0cdc5e5p+0, 0x1.97d829fde4e50p+0,
    0x1.9c49182a3f090p+0, 0x1.a0c667b5de565p+0, 0x1.a5503b23e255dp+0, 0x1.a9e6b5579fdbfp+0,
    0x1.ae89f995ad3adp+0, 0x1.b33a2b84f15fbp+0, 0x1.b7f76f2fb5e47p+0, 0x1.bcc1e904bc1d2p+0,
    0x1.c199bdd85529cp+0, 0x1.c67f12e57d14bp+0, 0x1.cb720dcef9069p+0, 0x1.d072d4a07897cp+0,
    0x1.d5818dcfba487p+0, 0x1.da9e603db3285p+0, 0x1.dfc97337b9b5fp+0, 0x1.e502ee78b3ff6p+0,
    0x1.ea4afa2a490dap+0, 0x1.efa1bee615a27p+0, 0x1.f50765b6e4540p+0, 0x1.fa7c1819e90d8p+0,
};

/*
 * exp(x) for x in [-120, 0] (or NaN), two lanes: x = (64 m + j) ln2/64 + r with |r| <= ln2/128 (Cody-Waite,
 * ln2/64 split so k ln2hi/64 is exact), exp(x) = 2^m 2^(j/64) exp(r), exp(r) by its Taylor series to r^6
 * (truncation below 2^-64 relative), 2^m built in the exponent bits (m >= -174: always normal). About 1 ulp
 * of double, as V8's fdlibm Math.exp: the float32 results of the maps below round the same except within
 * ~2^-29 of a tie. (A table of 64 instead of a longer series: a third fewer vector operations.)
 */
static inline v128_t exp_f64x2(v128_t x) {
  const v128_t inv = wasm_f64x2_splat(92.33248261689366); /* 64 / ln2 */
  const v128_t ln2hi = wasm_f64x2_splat(6.93147180369123816490e-01 / 64);
  const v128_t ln2lo = wasm_f64x2_splat(1.90821492927058770002e-10 / 64);
  /* k = nearest(x 64/ln2) by the 1.5 * 2^52 shifter: its bits minus the shifter's are k (two's complement). */
  const v128_t shifter = wasm_f64x2_splat(6755399441055744.0);
  v128_t ks = wasm_f64x2_add(wasm_f64x2_mul(x, inv), shifter);
  v128_t k = wasm_f64x2_sub(ks, shifter);
  v128_t r = wasm_f64x2_sub(wasm_f64x2_sub(x, wasm_f64x2_mul(k, ln2hi)), wasm_f64x2_mul(k, ln2lo));
  v128_t ki = wasm_i64x2_sub(ks, wasm_i64x2_splat(0x4338000000000000LL));
  /* j = k mod 64 is an index in [0, 63] whatever ks holds (NaN too: the result is NaN anyway). */
  v128_t t = wasm_f64x2_make(EXP2_64[(int)wasm_i64x2_extract_lane(ki, 0) & 63], EXP2_64[(int)wasm_i64x2_extract_lane(ki, 1) & 63]);
  static const double c[] = {1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0};
  v128_t p = wasm_f64x2_splat(c[0]);
  for (int i = 1; i < 6; i++) p = wasm_f64x2_add(wasm_f64x2_mul(p, r), wasm_f64x2_splat(c[i]));
  /* t exp(r) = t + t (r p): the small term's rounding error is scaled by |r p| < 0.006. */
  v128_t tr = wasm_f64x2_add(t, wasm_f64x2_mul(t, wasm_f64x2_mul(r, p)));
  v128_t scale = wasm_i64x2_shl(wasm_i64x2_add(wasm_i64x2_shr(ki, 6), wasm_i64x2_splat(1023)), 52);
  return wasm_f64x2_mul(tr, scale);
}

/* sigmoid as the js row: a >= 0 ? 1 / (1 + exp(-a)) : exp(a) / (1 + exp(a)), both from e = exp(-|a|). */
static inline v128_t sigmoid_f64x2(v128_t a) {
  v128_t e = exp_f64x2(wasm_f64x2_pmax(wasm_f64x2_neg(wasm_f64x2_abs(a)), wasm_f64x2_splat(-120.0)));
  /* pmax(x, -120) is x when x is NaN (pmax returns its first operand unless the second is greater). */
  v128_t one = wasm_f64x2_splat(1.0);
  v128_t den = wasm_f64x2_add(one, e);
  v128_t pos = wasm_f64x2_ge(a, wasm_f64x2_splat(0.0));
  return wasm_f64x2_div(wasm_v128_bitselect(one, e, pos), den);
}

EXPORT(map_sigmoid)
void map_sigmoid(const float *x, float *y, int n) {
  int i = 0;
  /* Eight at a time: four independent f64x2 chains hide the latency of the series' Horner steps (one
   * chain waits on each mul and add: latency-bound, about twice as slow). Same arithmetic per element. */
  for (; i + 8 <= n; i += 8) {
    v128_t v = wasm_v128_load(x + i), w = wasm_v128_load(x + i + 4);
    v128_t a0 = sigmoid_f64x2(wasm_f64x2_promote_low_f32x4(v));
    v128_t a1 = sigmoid_f64x2(wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 2, 3)));
    v128_t a2 = sigmoid_f64x2(wasm_f64x2_promote_low_f32x4(w));
    v128_t a3 = sigmoid_f64x2(wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(w, w, 2, 3, 2, 3)));
    wasm_v128_store(y + i, wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(a0), wasm_f32x4_demote_f64x2_zero(a1), 0, 1, 4, 5));
    wasm_v128_store(y + i + 4, wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(a2), wasm_f32x4_demote_f64x2_zero(a3), 0, 1, 4, 5));
  }
  for (; i + 4 <= n; i += 4) {
    v128_t v = wasm_v128_load(x + i);
    v128_t lo = wasm_f32x4_demote_f64x2_zero(sigmoid_f64x2(wasm_f64x2_promote_low_f32x4(v)));
    v128_t hi = wasm_f32x4_demote_f64x2_zero(sigmoid_f64x2(wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 2, 3))));
    wasm_v128_store(y + i, wasm_i32x4_shuffle(lo, hi, 0, 1, 4, 5));
  }
  for (; i < n; i++) {
    v128_t s = sigmoid_f64x2(wasm_f64x2_splat((double)x[i]));
    y[i] = (float)wasm_f64x2_extract_lane(s, 0);
  }
}

/* sigmoid_backward (g, y) = g * (1 - y) * y, in double left to right as the js row. */
EXPORT(map_sigmoid_backward)
void map_sigmoid_backward(const float *g, const float *y, float *out, int n) {
  int i = 0;
  const v128_t one = wasm_f64x2_splat(1.0);
  for (; i + 4 <= n; i += 4) {
    v128_t gv = wasm_v128_load(g + i), yv = wasm_v128_load(y + i);
    v128_t g0 = wasm_f64x2_promote_low_f32x4(gv), g1 = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(gv, gv, 2, 3, 2, 3));
    v128_t b0 = wasm_f64x2_promote_low_f32x4(yv), b1 = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(yv, yv, 2, 3, 2, 3));
    v128_t r0 = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_mul(wasm_f64x2_mul(g0, wasm_f64x2_sub(one, b0)), b0));
    v128_t r1 = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_mul(wasm_f64x2_mul(g1, wasm_f64x2_sub(one, b1)), b1));
    wasm_v128_store(out + i, wasm_i32x4_shuffle(r0, r1, 0, 1, 4, 5));
  }
  for (; i < n; i++) {
    double b = (double)y[i];
    out[i] = (float)(((double)g[i] * (1.0 - b)) * b);
  }
}

/* relu as the js row: a > 0 ? a : (NaN stays NaN) : 0 (so -0 gives +0). Exact in float32. */
EXPORT(map_relu)
void map_relu(const float *x, float *y, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t v = wasm_v128_load(x + i);
    v128_t keep = wasm_v128_or(wasm_f32x4_gt(v, wasm_f32x4_splat(0.0f)), wasm_f32x4_ne(v, v));
    wasm_v128_store(y + i, wasm_v128_and(v, keep));
  }
  for (; i < n; i++) {
    float v = x[i];
    y[i] = v > 0.0f || v != v ? v : 0.0f;
  }
}

/* ---------------------------------------------------------------------------------------------------- */
/* Sums of per-thread partial results (the weight gradient split over samples).                           */

/* dst[i] += src[i] for i < n (float32, in order: the same sum as a scalar loop). */
EXPORT(add_into)
void add_into(float *dst, const float *src, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(dst + i, wasm_f32x4_add(wasm_v128_load(dst + i), wasm_v128_load(src + i)));
  for (; i < n; i++) dst[i] += src[i];
}

/* ---------------------------------------------------------------------------------------------------- */
/* Channel sums (a convolution's bias gradient).                                                           */

/* out[c] = Σ over n and l of x[n, c, l] for channels [c0, c1) of a dense (N, C, L) tensor, as the js
 * reduction computes it, so bit for bit its result: each run x[n, c, :] is summed in double with four
 * partial sums (elements 0, 1, 2, 3 mod 4; the remainder into the first), combined (a0 + a1) + (a2 + a3);
 * the runs are added in n order; the total is rounded to float32 once. The four partial sums are the two
 * lanes of two f64x2 accumulators. */
EXPORT(channel_sums)
void channel_sums(const float *x, int N, int C, int L, int c0, int c1, float *out) {
  for (int c = c0; c < c1; c++) {
    double acc = 0.0;
    for (int n = 0; n < N; n++) {
      const float *p = x + (n * C + c) * L;
      v128_t a01 = wasm_f64x2_splat(0.0), a23 = wasm_f64x2_splat(0.0);
      int i = 0;
      for (; i + 4 <= L; i += 4) {
        v128_t v = wasm_v128_load(p + i);
        a01 = wasm_f64x2_add(a01, wasm_f64x2_promote_low_f32x4(v));
        a23 = wasm_f64x2_add(a23, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 2, 3)));
      }
      double a0 = wasm_f64x2_extract_lane(a01, 0);
      for (; i < L; i++) a0 += (double)p[i];
      acc += (a0 + wasm_f64x2_extract_lane(a01, 1)) + (wasm_f64x2_extract_lane(a23, 0) + wasm_f64x2_extract_lane(a23, 1));
    }
    out[c] = (float)acc;
  }
}
