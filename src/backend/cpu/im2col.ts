import type { TypedArray } from "../../dtype.js";
import { NR, type PanelSource } from "./gemm.js";

/**
 * A convolution's geometry with 1-d and 2-d problems lifted to 3-d (leading extents 1, strides 0), so one
 * set of unfolding routines serves every dimensionality.
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
 * col2im over the output rows r0 ≤ r < r1 of the flattened (od, oh) grid: `col [C·KD·KH·KW, (r1 − r0)·OW]`
 * (row-major, rows ordered as the weight's `[ci, kd, kh, kw]`) is the unfolded matrix of `C` channels, and
 * every entry is added into the input position it reads (`x` through its strides from `off`); entries that
 * fall in the padding are dropped. `x` must already hold its initial value (zeros or a bias). The valid
 * output range of each kernel column is computed once per row, which keeps the inner loop free of bounds
 * tests.
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

/**
 * Copies `C` channels of one sample (`x` read through its strides from `off`) into a zero-bordered float64
 * image `dst [C, Dp, Hp, Wp]` with `dst[c, a, b, e] = x[c, a − qd, b − qh, e − qw]`, zero where that falls
 * outside x. Offsets may be negative (the source is then cropped). Convolution reads this image through
 * offset tables (`ImagePanels`), so its inner loops need no bounds tests and see a single array type.
 */
export function padImage(
  x: TypedArray,
  off: number,
  sC: number,
  sD: number,
  sH: number,
  sW: number,
  C: number,
  D: number,
  H: number,
  W: number,
  dst: Float64Array,
  Dp: number,
  Hp: number,
  Wp: number,
  qd: number,
  qh: number,
  qw: number,
): void {
  // Destination columns e with source column e − qw inside [0, W).
  const e0 = Math.max(0, Math.min(Wp, qw));
  const e1 = Math.max(e0, Math.min(Wp, W + qw));
  let p = 0;
  for (let c = 0; c < C; c++) {
    for (let a = 0; a < Dp; a++) {
      const d = a - qd;
      for (let b = 0; b < Hp; b++, p += Wp) {
        const h = b - qh;
        if (d < 0 || d >= D || h < 0 || h >= H) {
          dst.fill(0, p, p + Wp);
          continue;
        }
        for (let e = 0; e < e0; e++) dst[p + e] = 0;
        const src = off + c * sC + d * sD + h * sH - qw * sW;
        if (sW === 1) for (let e = e0; e < e1; e++) dst[p + e] = x[src + e];
        else for (let e = e0; e < e1; e++) dst[p + e] = x[src + e * sW];
        for (let e = e1; e < Wp; e++) dst[p + e] = 0;
      }
    }
  }
}

/**
 * Offsets into a `[C, Dp, Hp, Wp]` image of a box of `C × KD × KH × KW` taps (row-major over the box),
 * tap (c, a, b, e) at `c·Dp·Hp·Wp + a·dd·Hp·Wp + b·dh·Wp + e·dw`; with the strides of the output grid
 * instead of dilations, the same function gives the offsets of the output positions. Written into `out`.
 */
export function boxOffsets(
  C: number,
  KD: number,
  KH: number,
  KW: number,
  dd: number,
  dh: number,
  dw: number,
  Dp: number,
  Hp: number,
  Wp: number,
  out: Int32Array,
): void {
  let k = 0;
  for (let c = 0; c < C; c++) {
    for (let a = 0; a < KD; a++) {
      for (let b = 0; b < KH; b++) {
        const base = ((c * Dp + a * dd) * Hp + b * dh) * Wp;
        for (let e = 0; e < KW; e++) out[k++] = base + e * dw;
      }
    }
  }
}

/**
 * The column matrix of a convolution read straight from a padded image: `B[k, j] = img[rowOff[k] +
 * colOff[j]]`. With tap offsets as rows and output-position offsets as columns it is im2col's matrix (the
 * forward's B); swapped, its transpose (the weight gradient's B). Packing from it skips materializing the
 * unfolded matrix, which for small channel counts costs as much as the product.
 */
export class ImagePanels implements PanelSource {
  img: Float64Array = new Float64Array(0);
  rowOff: Int32Array = new Int32Array(0);
  colOff: Int32Array = new Int32Array(0);

  pack(k0: number, kc: number, j0: number, nc: number, dst: Float64Array): void {
    const img = this.img;
    const rows = this.rowOff;
    const cols = this.colOff;
    let q = 0;
    for (let j = j0; j < j0 + nc; j += NR) {
      const w = Math.min(NR, j0 + nc - j);
      if (w === 8) {
        const o0 = cols[j];
        const o1 = cols[j + 1];
        const o2 = cols[j + 2];
        const o3 = cols[j + 3];
        const o4 = cols[j + 4];
        const o5 = cols[j + 5];
        const o6 = cols[j + 6];
        const o7 = cols[j + 7];
        for (let p = k0; p < k0 + kc; p++, q += 8) {
          const r = rows[p];
          dst[q] = img[r + o0];
          dst[q + 1] = img[r + o1];
          dst[q + 2] = img[r + o2];
          dst[q + 3] = img[r + o3];
          dst[q + 4] = img[r + o4];
          dst[q + 5] = img[r + o5];
          dst[q + 6] = img[r + o6];
          dst[q + 7] = img[r + o7];
        }
      } else {
        for (let p = k0; p < k0 + kc; p++) {
          const r = rows[p];
          for (let jj = 0; jj < w; jj++) dst[q++] = img[r + cols[j + jj]];
        }
      }
    }
  }
}
