import type { View } from "../../tensor.js";
import type { TypedArray } from "../../dtype.js";
import type { ConvGeometry, ConvKernels } from "../interface/conv.js";
import { type Geometry3, ImagePanels, boxOffsets, col2im, padImage } from "./im2col.js";
import { gemm, gemmImage, gemmPanels, packPanelA } from "./gemm.js";
import { IMAGE_MR } from "./gemm-micro-image.js";

/*
 * Convolution as GEMM over an implicit im2col matrix, per sample and group:
 *   forward          y[n,g]  (og × L)   = W[g] (og × Kd) · col(x[n,g]) (Kd × L)
 *   backward weight  gW[g]   (og × Kd) += gy[n,g] (og × L) · col(x[n,g])ᵀ (L × Kd)
 *   backward input   gx[n,g] (cg × S)   = W'[g] (cg × og·K) · col(pad(gy[n,g])) (og·K × S)   (stride 1)
 * with og = Cout/G output channels per group, Kd = Cin/G·prod(K), L = prod(O), S = prod(input extent).
 * Each sample is first copied into a zero-bordered float64 image; the GEMM packs its B panels straight
 * from that image through offset tables (ImagePanels), so the unfolded matrix is never written out.
 * With stride 1 the input gradient is a convolution of the padded output gradient with the flipped,
 * transposed kernel W' (full correlation), which needs no col2im scatter; strided problems take
 * gx = col2im(W[g]ᵀ · gy[n,g]) through an explicit column buffer.
 */

/** Growable float64 scratch buffers, one per role, kept between calls (kernels are not re-entrant). */
const scratchBufs: Float64Array[] = [];
function scratch(slot: number, n: number): Float64Array {
  let b = scratchBufs[slot];
  if (b === undefined || b.length < n) {
    b = new Float64Array(Math.max(n, Math.ceil((b?.length ?? 0) * 1.5)));
    scratchBufs[slot] = b;
  }
  return b;
}
const COL = 0;
const WEIGHT = 1;
const GRAD = 2;
const IMG = 3;
const ACC = 4;
const FLIPPED = 5;
const PACKED = 6;
const BIAS = 7;

/** A bias vector in a float64 scratch slot (the GEMM adds it in its first store), or null. */
function biasVector(bias: View | null, n: number): Float64Array | null {
  if (bias === null) return null;
  const b = scratch(BIAS, n);
  for (let i = 0; i < n; i++) b[i] = bias.buf[bias.offset + i * bias.strides[0]];
  return b;
}

/**
 * Products with at most this many rows (output channels, or input channels for the input gradient) read
 * the image in place (`gemmImage`); taller ones pack B panels, whose cost is then shared by more rows.
 */
const IMAGE_ROWS = 16;

/** The stride-1 input gradient runs as a correlation while input/output size S/L stays below this. */
const CORRELATION_MAX_RATIO = 1.5;

/**
 * `C (+)= A · B[img]` for an M×K strided A and the image matrix of `panels`: in place for few rows, packed
 * otherwise. `add = false` overwrites C, with `bias[biasOff + i]` added to row i when a bias is given.
 */
function imageProduct(
  M: number,
  N: number,
  K: number,
  A: TypedArray,
  oa: number,
  sam: number,
  sak: number,
  add: boolean,
  C: TypedArray,
  oc: number,
  scm: number,
  bias: Float64Array | null = null,
  biasOff = 0,
): void {
  if (M <= IMAGE_ROWS) {
    const pa = scratch(PACKED, M * K);
    packPanelA(M, K, A, oa, sam, sak, pa, IMAGE_MR);
    gemmImage(M, N, K, pa, panels.img, panels.rowOff, panels.colOff, add, C, oc, scm, 1, bias, biasOff);
  } else {
    gemmPanels(M, N, K, 1, A, oa, sam, sak, panels, add ? 1 : 0, C, oc, scm, 1, bias, biasOff);
  }
}

/** Growable offset tables, one per role (the two `ImagePanels` tables). */
const intBufs: Int32Array[] = [];
function ints(slot: number, n: number): Int32Array {
  let b = intBufs[slot];
  if (b === undefined || b.length < n + TABLE_PAD) {
    b = new Int32Array(Math.max(n + TABLE_PAD, Math.ceil((b?.length ?? 0) * 1.5)));
    intBufs[slot] = b;
  }
  return b;
}
/** `gemmImage` reads up to 7 column offsets past the product's width. */
const TABLE_PAD = 7;

/** Offsets of a box (see `boxOffsets`), then TABLE_PAD copies of the last one. */
function offsetTable(slot: number, C: number, KD: number, KH: number, KW: number, dd: number, dh: number, dw: number, Dp: number, Hp: number, Wp: number): Int32Array {
  const n = C * KD * KH * KW;
  const t = ints(slot, n);
  boxOffsets(C, KD, KH, KW, dd, dh, dw, Dp, Hp, Wp, t);
  t.fill(n > 0 ? t[n - 1] : 0, n, n + TABLE_PAD);
  return t;
}
const TAPS = 0;
const POSITIONS = 1;

const panels = new ImagePanels();

/**
 * The padded image of one sample's group for the forward and weight-gradient products: exactly the input
 * span the output grid reads (zeros for padding, cropped where floor() in the output size skips rows), with
 * `panels` aimed at it. Rows of `taps` are the Kd kernel taps, entries of `positions` the L outputs.
 */
interface ImageGrid {
  Dp: number;
  Hp: number;
  Wp: number;
  img: Float64Array;
  taps: Int32Array;
  positions: Int32Array;
}

function forwardGrid(p: Problem): ImageGrid {
  const Dp = (p.OD - 1) * p.sd + (p.KD - 1) * p.dd + 1;
  const Hp = (p.OH - 1) * p.sh + (p.KH - 1) * p.dh + 1;
  const Wp = (p.OW - 1) * p.sw + (p.KW - 1) * p.dw + 1;
  const img = scratch(IMG, p.cg * Dp * Hp * Wp);
  const taps = offsetTable(TAPS, p.cg, p.KD, p.KH, p.KW, p.dd, p.dh, p.dw, Dp, Hp, Wp);
  const positions = offsetTable(POSITIONS, 1, p.OD, p.OH, p.OW, p.sd, p.sh, p.sw, Dp, Hp, Wp);
  return { Dp, Hp, Wp, img, taps, positions };
}

/** `C = A·B + beta·C` through the shared GEMM, for matrices given by offset and (row, column) strides. */
function matmul(
  M: number,
  N: number,
  K: number,
  A: TypedArray,
  aOff: number,
  ars: number,
  acs: number,
  B: TypedArray,
  bOff: number,
  brs: number,
  bcs: number,
  C: TypedArray,
  cOff: number,
  crs: number,
  beta: number,
): void {
  const view = (buf: TypedArray, offset: number, rows: number, cols: number, rs: number, cs: number): View => ({
    buf,
    dtype: buf instanceof Float32Array ? "float32" : "float64",
    shape: [1, rows, cols],
    strides: [0, rs, cs],
    offset,
  });
  gemm(view(A, aOff, M, K, ars, acs), view(B, bOff, K, N, brs, bcs), view(C, cOff, M, N, crs, 1), 1, beta);
}

/** Shapes and geometry of one call, lifted to three spatial dims (the wasm backend's kernels take it too). */
export interface Problem extends Geometry3 {
  N: number;
  G: number;
  /** Input and output channels per group. */
  cg: number;
  og: number;
  /** Kd = cg·KD·KH·KW and L = OD·OH·OW. */
  kd: number;
  L: number;
}

/** The last three entries of `v`, missing leading ones filled: 1-d and 2-d problems as 3-d ones. */
export function lift<T>(v: readonly T[], fill: T): [T, T, T] {
  const k = v.length;
  return [k >= 3 ? v[k - 3] : fill, k >= 2 ? v[k - 2] : fill, v[k - 1]];
}

export function problem(xShape: readonly number[], wShape: readonly number[], yShape: readonly number[], geom: ConvGeometry): Problem {
  const [D, H, W] = lift(xShape.slice(2), 1);
  const [KD, KH, KW] = lift(wShape.slice(2), 1);
  const [OD, OH, OW] = lift(yShape.slice(2), 1);
  const [sd, sh, sw] = lift(geom.stride, 1);
  const [pd, ph, pw] = lift(geom.padding, 0);
  const [dd, dh, dw] = lift(geom.dilation, 1);
  const G = geom.groups;
  const cg = wShape[1];
  const og = wShape[0] / G;
  return {
    N: xShape[0], G, cg, og, kd: cg * KD * KH * KW, L: OD * OH * OW,
    D, H, W, KD, KH, KW, OD, OH, OW, sd, sh, sw, pd, ph, pw, dd, dh, dw,
  };
}

/** Strides of a view's (N, C, D, H, W) with the spatial ones lifted as in `problem`. */
function strides5(v: View): [number, number, number, number, number] {
  const [sD, sH, sW] = lift(v.strides.slice(2), 0);
  return [v.strides[0], v.strides[1], sD, sH, sW];
}

/**
 * Whether the spatial dims of a view can be walked as one dim of stride sW (contiguous, or all stride 0 as
 * an expanded gradient); dims of extent 1 do not constrain.
 */
function flatSpatial(s: [number, number, number, number, number], p: Problem, input: boolean): boolean {
  const H = input ? p.H : p.OH;
  const W = input ? p.W : p.OW;
  const D = input ? p.D : p.OD;
  let expected = s[4] * W;
  if (H !== 1 && s[3] !== expected) return false;
  expected *= H;
  return D === 1 || s[2] === expected;
}

/** Copies a strided view into a contiguous float64 scratch slot, in row-major order. */
function gather(v: View, slot: number): Float64Array {
  const n = v.shape.reduce((a, b) => a * b, 1);
  const out = scratch(slot, n);
  const buf = v.buf;
  if (contiguous(v)) {
    for (let i = 0, p = v.offset; i < n; i++, p++) out[i] = buf[p];
    return out;
  }
  const nd = v.shape.length;
  const idx = new Int32Array(nd);
  let p = v.offset;
  for (let i = 0; i < n; i++) {
    out[i] = buf[p];
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++;
      p += v.strides[d];
      if (idx[d] < v.shape[d]) break;
      p -= v.strides[d] * v.shape[d];
      idx[d] = 0;
    }
  }
  return out;
}

/** Whether a view is row-major contiguous (dims of extent 1 do not constrain). */
function contiguous(v: View): boolean {
  let expected = 1;
  for (let i = v.shape.length - 1; i >= 0; i--) {
    if (v.shape[i] !== 1 && v.strides[i] !== expected) return false;
    expected *= v.shape[i];
  }
  return true;
}

function checkOut(v: View, name: string): void {
  if (!contiguous(v)) throw new Error(`cpu backend: ${name} expects a contiguous output view`);
}

/**
 * Writes each channel's bias over its `L` contiguous outputs, for all samples. A plain loop: `fill` with a
 * non-integer value on a Float32Array takes a slow runtime path (about 4 ns per element in Node 20).
 */
function initChannels(out: View, bias: View, N: number, C: number, L: number): void {
  const ob = out.buf;
  let p = out.offset;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const v = bias.buf[bias.offset + c * bias.strides[0]];
      for (const end = p + L; p < end; p++) ob[p] = v;
    }
  }
}

/** Column scratch bound (float64s, 32 MiB): large images are unfolded a band of output rows at a time. */
const COL_LIMIT = 1 << 22;

/** Output rows (of the flattened (od, oh) grid, OW outputs each) per band, and the band count's total. */
function bands(p: Problem): { rows: number; total: number } {
  return { rows: Math.max(1, Math.floor(COL_LIMIT / Math.max(1, p.kd * p.OW))), total: p.OD * p.OH };
}

export const convKernels: ConvKernels = {
  convForward(x, w, bias, y, geom) {
    checkOut(y, "convForward");
    const p = problem(x.shape, w.shape, y.shape, geom);
    const { N, G, cg, og, kd, L } = p;
    if (kd === 0) {
      if (bias) initChannels(y, bias, N, G * og, L);
      else y.buf.fill(0, y.offset, y.offset + N * G * og * L);
    }
    if (N === 0 || L === 0 || og === 0 || kd === 0) return;
    const bv = biasVector(bias, G * og);
    const wm = gather(w, WEIGHT);
    const xs = strides5(x);
    const grid = forwardGrid(p);
    panels.img = grid.img;
    panels.rowOff = grid.taps;
    panels.colOff = grid.positions;
    for (let n = 0; n < N; n++) {
      for (let g = 0; g < G; g++) {
        const xOff = x.offset + n * xs[0] + g * cg * xs[1];
        padImage(x.buf, xOff, xs[1], xs[2], xs[3], xs[4], cg, p.D, p.H, p.W, grid.img, grid.Dp, grid.Hp, grid.Wp, p.pd, p.ph, p.pw);
        imageProduct(og, L, kd, wm, g * og * kd, kd, 1, false, y.buf, y.offset + (n * G + g) * og * L, L, bv, g * og);
      }
    }
  },

  convBackwardInput(gy, w, bias, gx, geom) {
    checkOut(gx, "convBackwardInput");
    const p = problem(gx.shape, w.shape, gy.shape, geom);
    const { N, G, cg, og, L } = p;
    const S = p.D * p.H * p.W;
    // The correlation costs S/L times the column product's multiply-adds (it also multiplies the zeros
    // around a small gradient). Measured: LeNet's conv2 (S/L = 1.96) made the W6 step 5% faster through
    // col2im; W1 (S/L = 1.14) takes 30.0 instead of 22.5 ms for forward+backward that way.
    const strided = p.sd !== 1 || p.sh !== 1 || p.sw !== 1 || S > CORRELATION_MAX_RATIO * L;
    // The correlation writes every element (bias included); col2im and empty products only add.
    if (strided || L === 0 || og === 0) {
      if (bias) initChannels(gx, bias, N, G * cg, S);
      else gx.buf.fill(0, gx.offset, gx.offset + N * G * cg * S);
    }
    if (N === 0 || L === 0 || og === 0 || cg === 0) return;
    if (strided) transposeByCol2im(gy, w, gx, p);
    else fullCorrelation(gy, w, gx, biasVector(bias, G * cg), p);
  },

  convBackwardWeight(x, gy, gw, geom) {
    checkOut(gw, "convBackwardWeight");
    const p = problem(x.shape, gw.shape, gy.shape, geom);
    const { N, G, cg, og, kd, L } = p;
    const total = G * og * kd;
    if (N === 0 || L === 0 || og === 0 || kd === 0) {
      gw.buf.fill(0, gw.offset, gw.offset + total);
      return;
    }
    const { buf: gbuf, off: gOff, s: gs } = flatGrad(gy, p);
    const xs = strides5(x);
    const grid = forwardGrid(p);
    panels.img = grid.img;
    panels.rowOff = grid.positions;
    panels.colOff = grid.taps;
    // Summed over samples in double, rounded to gw's dtype once.
    const acc = scratch(ACC, total);
    acc.fill(0, 0, total);
    for (let n = 0; n < N; n++) {
      for (let g = 0; g < G; g++) {
        const xOff = x.offset + n * xs[0] + g * cg * xs[1];
        padImage(x.buf, xOff, xs[1], xs[2], xs[3], xs[4], cg, p.D, p.H, p.W, grid.img, grid.Dp, grid.Hp, grid.Wp, p.pd, p.ph, p.pw);
        const aOff = gOff + n * gs[0] + g * og * gs[1];
        imageProduct(og, kd, L, gbuf, aOff, gs[1], gs[4], true, acc, g * og * kd, kd);
      }
    }
    const out = gw.buf;
    for (let i = 0, o = gw.offset; i < total; i++, o++) out[o] = acc[i];
  },
};

/**
 * gy's buffer, offset and strides with the spatial dims walkable as one (stride s[4]); a gy that is not
 * (a permuted or sliced view) is gathered into a contiguous scratch copy first.
 */
function flatGrad(gy: View, p: Problem): { buf: TypedArray; off: number; s: [number, number, number, number, number] } {
  const s = strides5(gy);
  if (flatSpatial(s, p, false)) return { buf: gy.buf, off: gy.offset, s };
  return { buf: gather(gy, GRAD), off: 0, s: [p.G * p.og * p.L, p.L, p.OH * p.OW, p.OW, 1] };
}

/**
 * The stride-1 input gradient as a correlation: `gx[ci, i] = Σ_{co, k} W[co, ci, K−1−k] · gyPad[co, i + k·dil]`
 * where gyPad is gy shifted by dil·(K−1) − pad and zero outside (negative shifts crop). Derivation: output o
 * reads input i = o + k·dil − pad, so i receives gy[i + pad − k·dil]; substituting k' = K−1−k gives the
 * shifted, flipped form.
 */
function fullCorrelation(gy: View, w: View, gx: View, bias: Float64Array | null, p: Problem): void {
  const { N, G, cg, og, KD, KH, KW, D, H, W, dd, dh, dw } = p;
  const KK = KD * KH * KW;
  const kt = og * KK;
  // W'[g][ci][co·KK + kk'] = W[g·og + co][ci][KK − 1 − kk'].
  const wm = gather(w, WEIGHT);
  const wt = scratch(FLIPPED, G * cg * kt);
  for (let g = 0; g < G; g++) {
    for (let co = 0; co < og; co++) {
      for (let ci = 0; ci < cg; ci++) {
        const src = ((g * og + co) * cg + ci) * KK;
        const dst = (g * cg + ci) * kt + co * KK + KK - 1;
        for (let k = 0; k < KK; k++) wt[dst - k] = wm[src + k];
      }
    }
  }
  const Dq = D + dd * (KD - 1);
  const Hq = H + dh * (KH - 1);
  const Wq = W + dw * (KW - 1);
  const img = scratch(IMG, og * Dq * Hq * Wq);
  const taps = offsetTable(TAPS, og, KD, KH, KW, dd, dh, dw, Dq, Hq, Wq);
  const S = D * H * W;
  const positions = offsetTable(POSITIONS, 1, D, H, W, 1, 1, 1, Dq, Hq, Wq);
  panels.img = img;
  panels.rowOff = taps;
  panels.colOff = positions;
  const gs = strides5(gy);
  const qd = dd * (KD - 1) - p.pd;
  const qh = dh * (KH - 1) - p.ph;
  const qw = dw * (KW - 1) - p.pw;
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < G; g++) {
      const gOff = gy.offset + n * gs[0] + g * og * gs[1];
      padImage(gy.buf, gOff, gs[1], gs[2], gs[3], gs[4], og, p.OD, p.OH, p.OW, img, Dq, Hq, Wq, qd, qh, qw);
      imageProduct(cg, S, kt, wt, g * cg * kt, kt, 1, false, gx.buf, gx.offset + (n * G + g) * cg * S, S, bias, g * cg);
    }
  }
}

/** The strided input gradient: `gx[n,g] += col2im(W[g]ᵀ · gy[n,g])`, a band of output rows at a time. */
function transposeByCol2im(gy: View, w: View, gx: View, p: Problem): void {
  const { N, G, cg, og, kd, OW } = p;
  const S = p.D * p.H * p.W;
  const wm = gather(w, WEIGHT);
  const { buf: gbuf, off: gOff, s: gs } = flatGrad(gy, p);
  const xs = strides5(gx);
  const { rows, total } = bands(p);
  const col = scratch(COL, kd * Math.min(rows, total) * OW);
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < G; g++) {
      const bOff = gOff + n * gs[0] + g * og * gs[1];
      const xOff = gx.offset + (n * G + g) * cg * S;
      for (let r0 = 0; r0 < total; r0 += rows) {
        const r1 = Math.min(total, r0 + rows);
        const lc = (r1 - r0) * OW;
        matmul(kd, lc, og, wm, g * og * kd, 1, kd, gbuf, bOff + r0 * OW * gs[4], gs[1], gs[4], col, 0, lc, 0);
        col2im(col, gx.buf, xOff, S, xs[2], xs[3], xs[4], cg, p, r0, r1);
      }
    }
  }
}
