import type { TypedArray } from "../../dtype.js";
import type { View } from "../../tensor.js";

/**
 * General matrix multiply for the CPU backend, structured as GotoBLAS/BLIS: B is packed into KC×NC panels
 * of NR-wide column strips, A into MC×KC blocks of MR-tall row strips, and a 4×4 register-blocked
 * micro-kernel runs over the packed strips. Packing makes every operand layout (row-major, transposed,
 * any strides, broadcast batch) look the same to the micro-kernel, and keeps its loads sequential.
 *
 * Packed panels are Float64Array whatever the dtype: products accumulate in double (more accurate than a
 * float32 BLAS; int64 stays exact below 2^53) and the inner loop sees one array type, which keeps V8's
 * loads monomorphic. Scratch buffers are module-level and reused; nothing allocates per call.
 *
 * Sizes were measured on a [1024,1024]² float32 product in Node 20 (~3.9 GFLOP/s, process CPU time): block
 * sizes between KC 96-256 and MC 60-120 are within noise; larger micro-tiles (6×6, 6×8) gain under 10% at
 * the price of spilled accumulators, and unrolling the k loop loses. Scalar JavaScript tops out here; SIMD
 * needs a WebAssembly backend.
 */
const MR = 4;
const NR = 4;
const KC = 128;
const MC = 64;
const NC = 2048;

const packA = new Float64Array(MC * KC);
const packB = new Float64Array(KC * NC);
/** The micro-kernel's MR×NR result before it is added to C. */
const tile = new Float64Array(MR * NR);
/** One output row or column accumulated in double by the skinny path. */
let rowAcc = new Float64Array(256);

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
  scaleC(M, N, beta, C, oc, scm, scn);
  if (M === 0 || N === 0 || K === 0 || alpha === 0) return;
  // Packing pays off as soon as a full micro-tile fits (measured down to 8×8×8); thinner products (mv,
  // dot, one-row linear layers) go straight through.
  if (M < MR || N < NR) {
    direct(M, N, K, alpha, A, oa, sam, sak, B, ob, sbk, sbn, C, oc, scm, scn);
    return;
  }
  for (let jc = 0; jc < N; jc += NC) {
    const nc = Math.min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = Math.min(KC, K - pc);
      packPanelB(kc, nc, B, ob + pc * sbk + jc * sbn, sbk, sbn);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = Math.min(MC, M - ic);
        packPanelA(mc, kc, A, oa + ic * sam + pc * sak, sam, sak);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = Math.min(MR, mc - ir);
            micro4x4(kc, packA, ir * kc, packB, jr * kc);
            addTile(mr, nr, alpha, C, oc + (ic + ir) * scm + (jc + jr) * scn, scm, scn);
          }
        }
      }
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

/** Packs A[0:mc, 0:kc] into MR-row strips, each stored k-major (MR values per k), zero-padding the last. */
function packPanelA(mc: number, kc: number, A: TypedArray, oa: number, sam: number, sak: number): void {
  let q = 0;
  for (let i = 0; i < mc; i += MR) {
    const rows = Math.min(MR, mc - i);
    const base = oa + i * sam;
    if (rows === MR) {
      const r1 = base + sam;
      const r2 = r1 + sam;
      const r3 = r2 + sam;
      for (let p = 0, off = 0; p < kc; p++, off += sak) {
        packA[q] = A[base + off];
        packA[q + 1] = A[r1 + off];
        packA[q + 2] = A[r2 + off];
        packA[q + 3] = A[r3 + off];
        q += MR;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let ii = 0; ii < MR; ii++) packA[q++] = ii < rows ? A[base + ii * sam + p * sak] : 0;
      }
    }
  }
}

/** Packs B[0:kc, 0:nc] into NR-column strips, each stored k-major (NR values per k), zero-padding the last. */
function packPanelB(kc: number, nc: number, B: TypedArray, ob: number, sbk: number, sbn: number): void {
  let q = 0;
  for (let j = 0; j < nc; j += NR) {
    const cols = Math.min(NR, nc - j);
    const base = ob + j * sbn;
    if (cols === NR) {
      const c1 = sbn;
      const c2 = 2 * sbn;
      const c3 = 3 * sbn;
      for (let p = 0, row = base; p < kc; p++, row += sbk) {
        packB[q] = B[row];
        packB[q + 1] = B[row + c1];
        packB[q + 2] = B[row + c2];
        packB[q + 3] = B[row + c3];
        q += NR;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let jj = 0; jj < NR; jj++) packB[q++] = jj < cols ? B[base + p * sbk + jj * sbn] : 0;
      }
    }
  }
}

/**
 * tile[0:4, 0:4] = Σ_p a[:, p] b[p, :] over packed strips. Writing to the Float64Array tile rather than to C
 * keeps every array this loop touches of one type, so V8 compiles it once, monomorphic (about 15% faster
 * than storing into C's own typed array from here).
 */
function micro4x4(kc: number, pa: Float64Array, ia: number, pb: Float64Array, ib: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = pa[ia];
    const a1 = pa[ia + 1];
    const a2 = pa[ia + 2];
    const a3 = pa[ia + 3];
    const b0 = pb[ib];
    const b1 = pb[ib + 1];
    const b2 = pb[ib + 2];
    const b3 = pb[ib + 3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    ia += MR;
    ib += NR;
  }
  const t = tile;
  t[0] = c00; t[1] = c01; t[2] = c02; t[3] = c03;
  t[4] = c10; t[5] = c11; t[6] = c12; t[7] = c13;
  t[8] = c20; t[9] = c21; t[10] = c22; t[11] = c23;
  t[12] = c30; t[13] = c31; t[14] = c32; t[15] = c33;
}

/** C[0:mr, 0:nr] += alpha · tile (edge tiles pass mr < MR or nr < NR). */
function addTile(mr: number, nr: number, alpha: number, C: TypedArray, oc: number, scm: number, scn: number): void {
  for (let i = 0; i < mr; i++) {
    const row = oc + i * scm;
    for (let j = 0; j < nr; j++) C[row + j * scn] += alpha * tile[i * NR + j];
  }
}
