import type { TypedArray } from "../../dtype.js";

/**
 * A convolution's geometry with 1-d and 2-d problems lifted to 3-d (leading extents 1, strides 0), so one
 * im2col and one col2im serve every dimensionality.
 */
export interface Geometry3 {
  D: number;
  H: number;
  W: number;
  KD: number;
  KH: number;
  KW: number;
  OD: number;
  OH: number;
  OW: number;
  sd: number;
  sh: number;
  sw: number;
  pd: number;
  ph: number;
  pw: number;
  dd: number;
  dh: number;
  dw: number;
}

/** First output index o with o·s + start ≥ 0 (clamped to [0, O]). */
function firstValid(start: number, s: number, O: number): number {
  const lo = start >= 0 ? 0 : Math.floor((s - 1 - start) / s);
  return lo > O ? O : lo;
}

/** One past the last output index o with o·s + start < size (clamped to [lo, O]). */
function endValid(start: number, s: number, size: number, O: number, lo: number): number {
  const last = size - 1 - start;
  let hi = last >= 0 ? Math.floor(last / s) + 1 : 0;
  if (hi > O) hi = O;
  return hi < lo ? lo : hi;
}

/**
 * Unfolds `C` channels of one sample into `col [C·KD·KH·KW, (r1 − r0)·OW]` (row-major, rows ordered as the
 * weight's `[ci, kd, kh, kw]`), for the output rows r0 ≤ r < r1 of the flattened (od, oh) grid, so callers
 * can bound the scratch size. `x` is read through its strides (`sC`, `sD`, `sH`, `sW` from `off`), so
 * non-contiguous inputs need no copy; padding positions become zeros. The valid output range of each kernel
 * column is computed once per row, which keeps the inner loop free of bounds tests.
 */
export function im2col(
  x: TypedArray,
  off: number,
  sC: number,
  sD: number,
  sH: number,
  sW: number,
  C: number,
  g: Geometry3,
  r0: number,
  r1: number,
  col: Float64Array,
): void {
  const { D, H, W, KD, KH, KW, OH, OW, sd, sh, sw, pd, ph, pw, dd, dh, dw } = g;
  const step = sw * sW;
  let p = 0;
  for (let c = 0; c < C; c++) {
    const xc = off + c * sC;
    for (let a = 0; a < KD; a++) {
      const zd = a * dd - pd;
      for (let b = 0; b < KH; b++) {
        const zh = b * dh - ph;
        for (let e = 0; e < KW; e++) {
          const zw = e * dw - pw;
          const lo = firstValid(zw, sw, OW);
          const hi = endValid(zw, sw, W, OW, lo);
          let od = Math.floor(r0 / OH);
          let oh = r0 - od * OH;
          for (let r = r0; r < r1; r++) {
            const id = od * sd + zd;
            const ih = oh * sh + zh;
            if (id < 0 || id >= D || ih < 0 || ih >= H) {
              col.fill(0, p, p + OW);
            } else {
              const q = xc + id * sD + ih * sH + zw * sW;
              for (let ow = 0; ow < lo; ow++) col[p + ow] = 0;
              if (step === 1) for (let ow = lo; ow < hi; ow++) col[p + ow] = x[q + ow];
              else for (let ow = lo; ow < hi; ow++) col[p + ow] = x[q + ow * step];
              for (let ow = hi; ow < OW; ow++) col[p + ow] = 0;
            }
            p += OW;
            if (++oh === OH) {
              oh = 0;
              od++;
            }
          }
        }
      }
    }
  }
}

/**
 * The adjoint of `im2col` over the same rows: adds every entry of `col` into the input position it was
 * read from (`x` through its strides from `off`); entries that came from padding are dropped. `x` must
 * already hold its initial value (zeros or a bias).
 */
export function col2im(
  col: Float64Array,
  x: TypedArray,
  off: number,
  sC: number,
  sD: number,
  sH: number,
  sW: number,
  C: number,
  g: Geometry3,
  r0: number,
  r1: number,
): void {
  const { D, H, W, KD, KH, KW, OH, OW, sd, sh, sw, pd, ph, pw, dd, dh, dw } = g;
  const step = sw * sW;
  let p = 0;
  for (let c = 0; c < C; c++) {
    const xc = off + c * sC;
    for (let a = 0; a < KD; a++) {
      const zd = a * dd - pd;
      for (let b = 0; b < KH; b++) {
        const zh = b * dh - ph;
        for (let e = 0; e < KW; e++) {
          const zw = e * dw - pw;
          const lo = firstValid(zw, sw, OW);
          const hi = endValid(zw, sw, W, OW, lo);
          let od = Math.floor(r0 / OH);
          let oh = r0 - od * OH;
          for (let r = r0; r < r1; r++) {
            const id = od * sd + zd;
            const ih = oh * sh + zh;
            if (id >= 0 && id < D && ih >= 0 && ih < H) {
              const q = xc + id * sD + ih * sH + zw * sW;
              if (step === 1) for (let ow = lo; ow < hi; ow++) x[q + ow] += col[p + ow];
              else for (let ow = lo; ow < hi; ow++) x[q + ow * step] += col[p + ow];
            }
            p += OW;
            if (++oh === OH) {
              oh = 0;
              od++;
            }
          }
        }
      }
    }
  }
}
