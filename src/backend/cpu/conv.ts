import type { View } from "../../tensor.js";
import type { TypedArray } from "../../dtype.js";
import type { ConvGeometry, ConvKernels } from "../interface/conv.js";
import { type Geometry3, col2im, im2col } from "./im2col.js";
import { gemm } from "./gemm.js";

/*
 * Convolution as im2col + GEMM, per sample and group:
 *   forward          y[n,g]  (og × L)    = W[g] (og × Kd) · col(x[n,g]) (Kd × L)
 *   backward input   gx[n,g]             = col2im(W[g]ᵀ (Kd × og) · gy[n,g] (og × L))
 *   backward weight  gW[g]   (og × Kd)  += gy[n,g] (og × L) · col(x[n,g])ᵀ (L × Kd)
 * with og = Cout/G output channels per group, Kd = Cin/G·prod(K), L = prod(O). A pointwise convolution
 * (1×…×1 kernel, stride 1, no padding) skips im2col: the input itself is the column matrix.
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

/** Shapes and geometry of one call, lifted to three spatial dims. */
interface Problem extends Geometry3 {
  N: number;
  G: number;
  /** Input and output channels per group. */
  cg: number;
  og: number;
  /** Kd = cg·KD·KH·KW and L = OD·OH·OW. */
  kd: number;
  L: number;
  /** The conv is pointwise: the input is its own column matrix. */
  pointwise: boolean;
}

function lift<T>(v: readonly T[], fill: T): [T, T, T] {
  const k = v.length;
  return [k >= 3 ? v[k - 3] : fill, k >= 2 ? v[k - 2] : fill, v[k - 1]];
}

function problem(xShape: readonly number[], wShape: readonly number[], yShape: readonly number[], geom: ConvGeometry): Problem {
  const [D, H, W] = lift(xShape.slice(2), 1);
  const [KD, KH, KW] = lift(wShape.slice(2), 1);
  const [OD, OH, OW] = lift(yShape.slice(2), 1);
  const [sd, sh, sw] = lift(geom.stride, 1);
  const [pd, ph, pw] = lift(geom.padding, 0);
  const [dd, dh, dw] = lift(geom.dilation, 1);
  const G = geom.groups;
  const cg = wShape[1];
  const og = wShape[0] / G;
  const pointwise =
    KD * KH * KW === 1 && sd === 1 && sh === 1 && sw === 1 && pd === 0 && ph === 0 && pw === 0 &&
    OD === D && OH === H && OW === W;
  return {
    N: xShape[0], G, cg, og, kd: cg * KD * KH * KW, L: OD * OH * OW, pointwise,
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
  const nd = v.shape.length;
  const idx = new Int32Array(nd);
  const buf = v.buf;
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

function checkOut(v: View, name: string): void {
  let expected = 1;
  for (let i = v.shape.length - 1; i >= 0; i--) {
    if (v.shape[i] !== 1 && v.strides[i] !== expected) {
      throw new Error(`cpu backend: ${name} expects a contiguous output view`);
    }
    expected *= v.shape[i];
  }
}

/** Writes each channel's bias (or zero) over its `L` contiguous outputs, for all samples. */
function initChannels(out: View, bias: View | null, N: number, C: number, L: number): void {
  const ob = out.buf;
  let p = out.offset;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++, p += L) ob.fill(bias ? bias.buf[bias.offset + c * bias.strides[0]] : 0, p, p + L);
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
    const { N, G, cg, og, kd, L, OW } = p;
    initChannels(y, bias, N, G * og, L);
    if (N === 0 || L === 0 || og === 0) return;
    const wm = gather(w, WEIGHT);
    const xs = strides5(x);
    const direct = p.pointwise && flatSpatial(xs, p, true);
    const { rows, total } = bands(p);
    const col = direct ? null : scratch(COL, kd * Math.min(rows, total) * OW);
    for (let n = 0; n < N; n++) {
      for (let g = 0; g < G; g++) {
        const xOff = x.offset + n * xs[0] + g * cg * xs[1];
        const yOff = y.offset + (n * G + g) * og * L;
        if (!col) {
          matmul(og, L, kd, wm, g * og * kd, kd, 1, x.buf, xOff, xs[1], xs[4], y.buf, yOff, L, 1);
          continue;
        }
        for (let r0 = 0; r0 < total; r0 += rows) {
          const r1 = Math.min(total, r0 + rows);
          const lc = (r1 - r0) * OW;
          im2col(x.buf, xOff, xs[1], xs[2], xs[3], xs[4], cg, p, r0, r1, col);
          matmul(og, lc, kd, wm, g * og * kd, kd, 1, col, 0, lc, 1, y.buf, yOff + r0 * OW, L, 1);
        }
      }
    }
  },

  convBackwardInput(gy, w, bias, gx, geom) {
    checkOut(gx, "convBackwardInput");
    const p = problem(gx.shape, w.shape, gy.shape, geom);
    const { N, G, cg, og, kd, L, OW } = p;
    const S = p.D * p.H * p.W;
    initChannels(gx, bias, N, G * cg, S);
    if (N === 0 || L === 0 || og === 0 || cg === 0) return;
    const wm = gather(w, WEIGHT);
    let gs = strides5(gy);
    let gbuf: TypedArray = gy.buf;
    let gOff = gy.offset;
    if (!flatSpatial(gs, p, false)) {
      gbuf = gather(gy, GRAD);
      gOff = 0;
      gs = [G * og * L, L, p.OH * OW, OW, 1];
    }
    const xs = strides5(gx);
    const { rows, total } = bands(p);
    const col = p.pointwise ? null : scratch(COL, kd * Math.min(rows, total) * OW);
    for (let n = 0; n < N; n++) {
      for (let g = 0; g < G; g++) {
        const bOff = gOff + n * gs[0] + g * og * gs[1];
        const xOff = gx.offset + (n * G + g) * cg * S;
        if (!col) {
          matmul(kd, L, og, wm, g * og * kd, 1, kd, gbuf, bOff, gs[1], gs[4], gx.buf, xOff, S, 1);
          continue;
        }
        for (let r0 = 0; r0 < total; r0 += rows) {
          const r1 = Math.min(total, r0 + rows);
          const lc = (r1 - r0) * OW;
          matmul(kd, lc, og, wm, g * og * kd, 1, kd, gbuf, bOff + r0 * OW * gs[4], gs[1], gs[4], col, 0, lc, 0);
          col2im(col, gx.buf, xOff, S, xs[2], xs[3], xs[4], cg, p, r0, r1);
        }
      }
    }
  },

  convBackwardWeight(x, gy, gw, geom) {
    checkOut(gw, "convBackwardWeight");
    const p = problem(x.shape, gw.shape, gy.shape, geom);
    const { N, G, cg, og, kd, L, OW } = p;
    gw.buf.fill(0, gw.offset, gw.offset + G * og * kd);
    if (N === 0 || L === 0 || og === 0 || kd === 0) return;
    let gs = strides5(gy);
    let gbuf: TypedArray = gy.buf;
    let gOff = gy.offset;
    if (!flatSpatial(gs, p, false)) {
      gbuf = gather(gy, GRAD);
      gOff = 0;
      gs = [G * og * L, L, p.OH * OW, OW, 1];
    }
    const xs = strides5(x);
    const direct = p.pointwise && flatSpatial(xs, p, true);
    const { rows, total } = bands(p);
    const col = direct ? null : scratch(COL, kd * Math.min(rows, total) * OW);
    for (let n = 0; n < N; n++) {
      for (let g = 0; g < G; g++) {
        const aOff = gOff + n * gs[0] + g * og * gs[1];
        const xOff = x.offset + n * xs[0] + g * cg * xs[1];
        const cOff = gw.offset + g * og * kd;
        if (!col) {
          matmul(og, kd, L, gbuf, aOff, gs[1], gs[4], x.buf, xOff, xs[4], xs[1], gw.buf, cOff, kd, 1);
          continue;
        }
        for (let r0 = 0; r0 < total; r0 += rows) {
          const r1 = Math.min(total, r0 + rows);
          const lc = (r1 - r0) * OW;
          im2col(x.buf, xOff, xs[1], xs[2], xs[3], xs[4], cg, p, r0, r1, col);
          matmul(og, kd, lc, gbuf, aOff + r0 * OW * gs[4], gs[1], gs[4], col, 0, 1, lc, gw.buf, cOff, kd, 1);
        }
      }
    }
  },
};
