import type { TypedArray } from "../../dtype.js";
import type { View } from "../../tensor.js";
import { microKernel, tile } from "./gemm-micro.js";
import { IMAGE_MR, imageKernel } from "./gemm-micro-image.js";

/**
 * General matrix multiply for the CPU backend, structured as GotoBLAS/BLIS: B is packed into KC×NC panels
 * of NR-wide column strips, A into MC×KC blocks of MR-tall row strips, and register-blocked micro-kernels
 * (gemm-micro.ts) run over the packed strips. Packing makes every operand layout (row-major, transposed,
 * any strides, broadcast batch, an image read as im2col) look the same to the micro-kernel, and keeps its
 * loads sequential. B comes from a `PanelSource`, so convolution packs its column matrix straight from the
 * image without materializing it; `gemmImage` skips packing B altogether for products with few rows.
 *
 * Packed panels are Float64Array whatever the dtype: products accumulate in double (more accurate than a
 * float32 BLAS; int64 stays exact below 2^53) and the inner loop sees one array type, which keeps V8's
 * loads monomorphic. Scratch buffers are module-level and reused; nothing allocates per call.
 *
 * Block sizes: the B micro-panel (KC×NR doubles, 16 KiB) stays in L1 while the A block (MC×KC, 128 KiB)
 * streams from L2. KC from 128 to 512 and MC from 32 to 128 measured within noise (±4%) on a 1024³ product
 * and the conv shapes of bench/kernels/gemm-shapes.ts.
 */
const MR = 8;
/** Width of B's packed column strips; `PanelSource`s pack to it. */
export const NR = 8;
const KC = 256;
const MC = 64;
const NC = 1024;

const packA = new Float64Array(MC * KC);
const packB = new Float64Array(KC * NC);
/** One output row or column accumulated in double by the skinny path. */
let rowAcc = new Float64Array(256);

/**
 * Where the blocked GEMM gets B from: `pack` writes B[k0:k0+kc, j0:j0+nc] into `dst` as column strips of
 * NR (the last one narrower when nc is not a multiple), each strip k-major with its own width per k, the
 * strip of column j0+jj starting at `dst[jj·kc]`.
 */
export interface PanelSource {
  pack(k0: number, kc: number, j0: number, nc: number, dst: Float64Array): void;
}

/** B as a strided matrix `buf[off + k·sk + j·sn]`; one instance, re-aimed per call. */
class MatrixPanels implements PanelSource {
  buf: TypedArray = packB;
  off = 0;
  sk = 0;
  sn = 0;

  pack(k0: number, kc: number, j0: number, nc: number, dst: Float64Array): void {
    const B = this.buf;
    const sk = this.sk;
    const sn = this.sn;
    let q = 0;
    for (let j = 0; j < nc; j += NR) {
      const cols = Math.min(NR, nc - j);
      let row = this.off + k0 * sk + (j0 + j) * sn;
      if (cols === 8) {
        const c2 = 2 * sn;
        const c3 = 3 * sn;
        const c4 = 4 * sn;
        const c5 = 5 * sn;
        const c6 = 6 * sn;
        const c7 = 7 * sn;
        for (let p = 0; p < kc; p++, row += sk, q += 8) {
          dst[q] = B[row];
          dst[q + 1] = B[row + sn];
          dst[q + 2] = B[row + c2];
          dst[q + 3] = B[row + c3];
          dst[q + 4] = B[row + c4];
          dst[q + 5] = B[row + c5];
          dst[q + 6] = B[row + c6];
          dst[q + 7] = B[row + c7];
        }
      } else {
        for (let p = 0; p < kc; p++, row += sk) {
          for (let jj = 0; jj < cols; jj++) dst[q++] = B[row + jj * sn];
        }
      }
    }
  }
}
const matrixB = new MatrixPanels();

/**
 * `out[t] = alpha · a[t] @ b[t] + beta · out[t]` for each batch index t, with a: [B, M, K], b: [B, K, N],
 * out: [B, M, N] given as strided views. `beta = 0` overwrites out without reading it and `alpha = 0` does
 * not read a or b, as BLAS does (NaN there does not propagate).
 */
export function gemm(a: View, b: View, c: View, alpha: number, beta: number): void {
  const batch = c.shape[0];
  const M = c.shape[1];
  const N = c.shape[2];
  const K = a.shape[2];
  for (let t = 0; t < batch; t++) {
    gemm2d(
      M,
      N,
      K,
      alpha,
      a.buf,
      a.offset + t * a.strides[0],
      a.strides[1],
      a.strides[2],
      b.buf,
      b.offset + t * b.strides[0],
      b.strides[1],
      b.strides[2],
      beta,
      c.buf,
      c.offset + t * c.strides[0],
      c.strides[1],
      c.strides[2],
    );
  }
}

function gemm2d(
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: TypedArray,
  oa: number,
  sam: number,
  sak: number,
  B: TypedArray,
  ob: number,
  sbk: number,
  sbn: number,
  beta: number,
  C: TypedArray,
  oc: number,
  scm: number,
  scn: number,
): void {
  // Packing pays off from 4 rows and columns on (a 6×900×27 product: 2.6 GFLOP/s packed, 1.7 direct);
  // thinner products (mv, dot, one-row linear layers) go straight through.
  if (M < 4 || N < 4 || K === 0 || alpha === 0) {
    scaleC(M, N, beta, C, oc, scm, scn);
    if (M === 0 || N === 0 || K === 0 || alpha === 0) return;
    direct(M, N, K, alpha, A, oa, sam, sak, B, ob, sbk, sbn, C, oc, scm, scn);
    return;
  }
  matrixB.buf = B;
  matrixB.off = ob;
  matrixB.sk = sbk;
  matrixB.sn = sbn;
  gemmPanels(M, N, K, alpha, A, oa, sam, sak, matrixB, beta, C, oc, scm, scn);
}

/**
 * `C = alpha · A · B + beta · C` (C: M×N at `C[oc + i·scm + j·scn]`, A: M×K strided) with B drawn from
 * `src` panel by panel. `beta = 0` overwrites C without reading it, and then adds `bias[biasOff + i]` to row i when
 * a bias is given (conv's bias, fused into the first store instead of a separate pass over C; K > 0).
 */
export function gemmPanels(
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: TypedArray,
  oa: number,
  sam: number,
  sak: number,
  src: PanelSource,
  beta: number,
  C: TypedArray,
  oc: number,
  scm: number,
  scn: number,
  bias: Float64Array | null = null,
  biasOff = 0,
): void {
  if (M === 0 || N === 0) return;
  if (K === 0 || alpha === 0 || (beta !== 0 && beta !== 1)) {
    scaleC(M, N, beta, C, oc, scm, scn);
    if (K === 0 || alpha === 0) return;
    beta = 1;
  }
  for (let jc = 0; jc < N; jc += NC) {
    const nc = Math.min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = Math.min(KC, K - pc);
      src.pack(pc, kc, jc, nc, packB);
      // The first K block overwrites when beta = 0; later blocks add to it.
      const add = pc > 0 || beta !== 0;
      for (let ic = 0; ic < M; ic += MC) {
        const mc = Math.min(MC, M - ic);
        packPanelA(mc, kc, A, oa + ic * sam + pc * sak, sam, sak, packA);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = Math.min(MR, mc - ir);
            microKernel(mr, nr, kc, packA, ir * kc, packB, jr * kc);
            storeTile(mr, nr, alpha, add, C, oc + (ic + ir) * scm + (jc + jr) * scn, scm, scn, bias, biasOff + ic + ir);
          }
        }
      }
    }
  }
}

/**
 * `C += A · B` with A packed by `packPanelA` in IMAGE_MR-row strips over all K (`pa`) and B read in place
 * from an image: `B[k, j] = img[rows[k] + cols[j]]` (see ImagePanels), for few rows of A, where packing B
 * would cost as much as the product. `cols` needs 7 readable entries past N (any offsets inside the image).
 * `add = false` overwrites C instead (plus `bias[biasOff + i]` on row i when given).
 */
export function gemmImage(
  M: number,
  N: number,
  K: number,
  pa: Float64Array,
  img: Float64Array,
  rows: Int32Array,
  cols: Int32Array,
  add: boolean,
  C: TypedArray,
  oc: number,
  scm: number,
  scn: number,
  bias: Float64Array | null,
  biasOff: number,
): void {
  for (let jr = 0; jr < N; jr += 8) {
    const nr = Math.min(8, N - jr);
    for (let ir = 0; ir < M; ir += IMAGE_MR) {
      const mr = Math.min(IMAGE_MR, M - ir);
      imageKernel(mr, nr > 4, K, pa, ir * K, img, rows, cols, jr);
      storeTile(mr, nr, 1, add, C, oc + ir * scm + jr * scn, scm, scn, bias, biasOff + ir);
    }
  }
}

/** C ← beta·C; beta = 0 writes zeros so that NaN/Inf already in C do not survive (BLAS semantics). */
function scaleC(M: number, N: number, beta: number, C: TypedArray, oc: number, scm: number, scn: number): void {
  if (beta === 1) return;
  for (let i = 0; i < M; i++) {
    let p = oc + i * scm;
    if (beta === 0) {
      for (let j = 0; j < N; j++, p += scn) C[p] = 0;
    } else {
      for (let j = 0; j < N; j++, p += scn) C[p] *= beta;
    }
  }
}

/**
 * Unpacked path for skinny products (fewer than MR rows or NR columns: mv, dot, one-row linear layers). The
 * loop order follows the strides so the innermost loop reads memory sequentially: C's row as a sum of B's
 * rows when B is row-major, C's column as a sum of A's columns when A is column-major, else dot products.
 */
function direct(
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: TypedArray,
  oa: number,
  sam: number,
  sak: number,
  B: TypedArray,
  ob: number,
  sbk: number,
  sbn: number,
  C: TypedArray,
  oc: number,
  scm: number,
  scn: number,
): void {
  if (sbn === 1 && N > 1) {
    const acc = scratch(N);
    for (let i = 0; i < M; i++) {
      acc.fill(0, 0, N);
      const pa = oa + i * sam;
      let p = 0;
      // Four rows of B per pass: one load and store of the accumulator per four multiply-adds.
      for (; p + 3 < K; p += 4) {
        const a0 = A[pa + p * sak];
        const a1 = A[pa + (p + 1) * sak];
        const a2 = A[pa + (p + 2) * sak];
        const a3 = A[pa + (p + 3) * sak];
        const b0 = ob + p * sbk;
        const b1 = b0 + sbk;
        const b2 = b1 + sbk;
        const b3 = b2 + sbk;
        for (let j = 0; j < N; j++) acc[j] += a0 * B[b0 + j] + a1 * B[b1 + j] + a2 * B[b2 + j] + a3 * B[b3 + j];
      }
      for (; p < K; p++) {
        const a = A[pa + p * sak];
        const b = ob + p * sbk;
        for (let j = 0; j < N; j++) acc[j] += a * B[b + j];
      }
      let pc = oc + i * scm;
      for (let j = 0; j < N; j++, pc += scn) C[pc] += alpha * acc[j];
    }
    return;
  }
  if (sam === 1 && sak !== 1 && M > 1) {
    const acc = scratch(M);
    for (let j = 0; j < N; j++) {
      acc.fill(0, 0, M);
      const pb = ob + j * sbn;
      let p = 0;
      for (; p + 3 < K; p += 4) {
        const b0 = B[pb + p * sbk];
        const b1 = B[pb + (p + 1) * sbk];
        const b2 = B[pb + (p + 2) * sbk];
        const b3 = B[pb + (p + 3) * sbk];
        const a0 = oa + p * sak;
        const a1 = a0 + sak;
        const a2 = a1 + sak;
        const a3 = a2 + sak;
        for (let i = 0; i < M; i++) acc[i] += A[a0 + i] * b0 + A[a1 + i] * b1 + A[a2 + i] * b2 + A[a3 + i] * b3;
      }
      for (; p < K; p++) {
        const b = B[pb + p * sbk];
        const a = oa + p * sak;
        for (let i = 0; i < M; i++) acc[i] += A[a + i] * b;
      }
      let pc = oc + j * scn;
      for (let i = 0; i < M; i++, pc += scm) C[pc] += alpha * acc[i];
    }
    return;
  }
  for (let i = 0; i < M; i++) {
    const pa0 = oa + i * sam;
    for (let j = 0; j < N; j++) {
      let pa = pa0;
      let pb = ob + j * sbn;
      // Four partial sums: one running sum would wait on the add latency every step.
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let p = 0;
      if (sak === 1 && sbk === 1) {
        for (; p + 3 < K; p += 4, pa += 4, pb += 4) {
          s0 += A[pa] * B[pb];
          s1 += A[pa + 1] * B[pb + 1];
          s2 += A[pa + 2] * B[pb + 2];
          s3 += A[pa + 3] * B[pb + 3];
        }
      } else {
        for (; p + 3 < K; p += 4, pa += 4 * sak, pb += 4 * sbk) {
          s0 += A[pa] * B[pb];
          s1 += A[pa + sak] * B[pb + sbk];
          s2 += A[pa + 2 * sak] * B[pb + 2 * sbk];
          s3 += A[pa + 3 * sak] * B[pb + 3 * sbk];
        }
      }
      for (; p < K; p++, pa += sak, pb += sbk) s0 += A[pa] * B[pb];
      C[oc + i * scm + j * scn] += alpha * (s0 + s1 + (s2 + s3));
    }
  }
}

/** The accumulator row/column of the skinny path, grown on demand and reused. */
function scratch(n: number): Float64Array {
  if (rowAcc.length < n) rowAcc = new Float64Array(Math.max(n, 2 * rowAcc.length));
  return rowAcc;
}

/**
 * Packs A[0:mc, 0:kc] into MR-row strips, each k-major, the strip of row i at `dst[i·kc]`; the last strip
 * keeps its real height.
 */
export function packPanelA(
  mc: number,
  kc: number,
  A: TypedArray,
  oa: number,
  sam: number,
  sak: number,
  dst: Float64Array,
  height = MR,
): void {
  let q = 0;
  for (let i = 0; i < mc; i += height) {
    const rows = Math.min(height, mc - i);
    const base = oa + i * sam;
    if (rows === 8) {
      const r1 = base + sam;
      const r2 = r1 + sam;
      const r3 = r2 + sam;
      const r4 = r3 + sam;
      const r5 = r4 + sam;
      const r6 = r5 + sam;
      const r7 = r6 + sam;
      for (let p = 0, off = 0; p < kc; p++, off += sak, q += 8) {
        dst[q] = A[base + off];
        dst[q + 1] = A[r1 + off];
        dst[q + 2] = A[r2 + off];
        dst[q + 3] = A[r3 + off];
        dst[q + 4] = A[r4 + off];
        dst[q + 5] = A[r5 + off];
        dst[q + 6] = A[r6 + off];
        dst[q + 7] = A[r7 + off];
      }
    } else {
      // Row by row: a strided write, but no per-value inner loop.
      for (let ii = 0; ii < rows; ii++) {
        for (let p = 0, src = base + ii * sam, d = q + ii; p < kc; p++, src += sak, d += rows) dst[d] = A[src];
      }
      q += rows * kc;
    }
  }
}

/**
 * C[0:mr, 0:nr] (+)= alpha · tile: added when `add`, else overwritten (the first K block under beta = 0),
 * then plus `bias[b0 + i]` on row i if a bias is given.
 */
function storeTile(
  mr: number,
  nr: number,
  alpha: number,
  add: boolean,
  C: TypedArray,
  oc: number,
  scm: number,
  scn: number,
  bias: Float64Array | null,
  b0: number,
): void {
  const t = tile;
  for (let i = 0, r = 0; i < mr; i++, r += 8, oc += scm) {
    if (add) {
      for (let j = 0, o = oc; j < nr; j++, o += scn) C[o] += alpha * t[r + j];
    } else {
      const b = bias === null ? 0 : bias[b0 + i];
      for (let j = 0, o = oc; j < nr; j++, o += scn) C[o] = b + alpha * t[r + j];
    }
  }
}
