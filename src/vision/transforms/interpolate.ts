/**
 * Image interpolation for `resize`: bilinear (with or without antialiasing) and nearest, over the last two
 * dims of a float tensor, reproducing PyTorch 1.13's CPU `F.interpolate(..., align_corners=False)`.
 *
 * The rounding follows PyTorch's x86-64 build step by step (float32 kept in float32, FMA where the compiler
 * contracts), so float results agree to the last bit or nearly and uint8 images round to the same integers.
 * Sources: aten/src/ATen/native/cpu/UpSampleKernel.cpp (`_compute_weights_aa`, `basic_loop_aa_*`,
 * `cpu_upsample_linear_channels_last`, `Interpolate<2>`) and UpSample.h (`area_pixel_compute_*`,
 * `nearest_idx`); the bit-level details were confirmed against the installed PyTorch.
 */
import { Tensor } from "../../tensor.js";
import { fma32, fma64 } from "../../fma.js";
import { defineUnaryOutputOp } from "../../ops/define.js";
import { matmul } from "../../ops/linalg.js";
import { transpose } from "../../ops/view.js";

export type InterpolationMode = "bilinear" | "nearest";

const ident = (v: number): number => v;

/** Antialiased bilinear taps of one output index: `xmin[o]`, `xsize[o]` and `w[o * taps + j]`. */
interface AaWeights {
  xmin: Int32Array;
  xsize: Int32Array;
  w: Float64Array;
  taps: number;
}

/**
 * PIL-style triangle filter stretched by the downscale factor (`_compute_weights_aa`): support = scale when
 * downscaling, 1 when upscaling; taps are renormalized to sum to 1. `f32` rounds every step to float32, as
 * PyTorch does for float32 (and uint8, which it resizes in float32) inputs.
 */
function aaWeights(inSize: number, outSize: number, f32: boolean): AaWeights {
  const fr = f32 ? Math.fround : ident;
  const scale = fr(inSize / outSize);
  const support = scale >= 1 ? scale : 1;
  const invscale = scale >= 1 ? fr(1 / scale) : 1;
  const taps = Math.ceil(support) * 2 + 1;
  const xmin = new Int32Array(outSize);
  const xsize = new Int32Array(outSize);
  const w = new Float64Array(outSize * taps);
  for (let i = 0; i < outSize; i++) {
    const center = fr(scale * (i + 0.5));
    const lo = Math.max(Math.trunc(fr(center - support) + 0.5), 0);
    const n = Math.min(Math.trunc(fr(center + support) + 0.5), inSize) - lo;
    xmin[i] = lo;
    xsize[i] = n;
    let total = 0;
    for (let j = 0; j < n; j++) {
      let x = fr((fr(j + lo - center) + 0.5) * invscale);
      if (x < 0) x = -x;
      const v = x < 1 ? fr(1 - x) : 0;
      w[i * taps + j] = v;
      total = fr(total + v);
    }
    if (total !== 0) for (let j = 0; j < n; j++) w[i * taps + j] = fr(w[i * taps + j] / total);
  }
  return { xmin, xsize, w, taps };
}

/** Plain bilinear source indices and weights (`compute_source_index_and_lambda`, align_corners=False). */
interface LinearWeights {
  i0: Int32Array;
  i1: Int32Array;
  l0: Float64Array;
  l1: Float64Array;
}

function linearWeights(inSize: number, outSize: number, f32: boolean): LinearWeights {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const l0 = new Float64Array(outSize);
  const l1 = new Float64Array(outSize);
  const fr = f32 ? Math.fround : ident;
  const scale = fr(inSize / outSize);
  for (let i = 0; i < outSize; i++) {
    if (inSize === outSize) {
      i0[i] = i1[i] = i;
      l0[i] = 1;
      continue;
    }
    // The source coordinate stays in double even for float32 (PyTorch's opmath), with the build's FMA.
    let r = f32 ? scale * (i + 0.5) - 0.5 : fma64(scale, i + 0.5, -0.5);
    if (r < 0) r = 0;
    const k = Math.min(Math.floor(r), inSize - 1);
    const lam = fr(Math.min(Math.max(r - k, 0), 1));
    i0[i] = k;
    i1[i] = k + (k < inSize - 1 ? 1 : 0);
    l1[i] = lam;
    l0[i] = fr(1 - lam);
  }
  return { i0, i1, l0, l1 };
}

/** `nearest_idx`: floor(o · in/out) with the scale and the product in float32, exact shortcuts for ×1 and ×2. */
function nearestIndex(inSize: number, outSize: number): Int32Array {
  const idx = new Int32Array(outSize);
  const scale = Math.fround(inSize / outSize);
  for (let o = 0; o < outSize; o++) {
    if (outSize === inSize) idx[o] = o;
    else if (outSize === 2 * inSize) idx[o] = o >> 1;
    else idx[o] = Math.min(Math.floor(Math.fround(o * scale)), inSize - 1);
  }
  return idx;
}

type Float = Float32Array | Float64Array;

/**
 * One antialiased pass along an axis: `count` lines of samples `step` apart (lines `lineStride` apart)
 * become lines of `outLen`. PyTorch's loop `out = x0·w0; out += xj·wj` is compiled with 128-bit vectors
 * over j (products rounded, then added in order) and FMA for the leftover taps: V = 4 floats or 2 doubles.
 * float32 and float64 get separate loops so that neither pays for the other's rounding.
 */
function aaPass(src: Float, dst: Float, count: number, outLen: number, step: number, lineStride: number, outStep: number, outLineStride: number, wts: AaWeights, f32: boolean): void {
  const { xmin, xsize, w, taps } = wts;
  const V = f32 ? 4 : 2;
  for (let line = 0; line < count; line++) {
    const base = line * lineStride;
    const obase = line * outLineStride;
    for (let o = 0; o < outLen; o++) {
      const n = xsize[o];
      const wo = o * taps;
      let p = base + xmin[o] * step;
      const body = 1 + Math.floor((n - 1) / V) * V;
      let j = 1;
      let s: number;
      if (f32) {
        s = Math.fround(src[p] * w[wo]);
        for (; j < body; j++) {
          p += step;
          s = Math.fround(s + Math.fround(src[p] * w[wo + j]));
        }
        for (; j < n; j++) {
          p += step;
          s = fma32(src[p], w[wo + j], s);
        }
      } else {
        s = src[p] * w[wo];
        for (; j < body; j++) {
          p += step;
          s += src[p] * w[wo + j];
        }
        for (; j < n; j++) {
          p += step;
          s = fma64(src[p], w[wo + j], s);
        }
      }
      dst[obase + o * outStep] = s;
    }
  }
}

/** Antialiased bilinear resize of `P` planes of H×W: width first, then height (each only when it changes). */
function resizeAA(src: Float, P: number, H: number, W: number, oh: number, ow: number, f32: boolean): Float {
  const make = (n: number): Float => (f32 ? new Float32Array(n) : new Float64Array(n));
  let cur = src;
  if (ow !== W) {
    const next = make(P * H * ow);
    aaPass(cur, next, P * H, ow, 1, W, 1, ow, aaWeights(W, ow, f32), f32);
    cur = next;
  }
  if (oh !== H) {
    const next = make(P * oh * ow);
    const wts = aaWeights(H, oh, f32);
    // Column by column: each plane has `ow` columns of H samples `ow` apart.
    for (let p = 0; p < P; p++) {
      const sub = cur.subarray(p * H * ow, (p + 1) * H * ow);
      const out = next.subarray(p * oh * ow, (p + 1) * oh * ow);
      aaPass(sub, out, ow, oh, ow, 1, ow, 1, wts, f32);
    }
    cur = next;
  }
  return cur === src ? (src.slice() as Float) : cur;
}

/**
 * Plain bilinear resize. PyTorch has two kernels: the generic one (height outer, width inner, each a
 * contracted `t0·w0 + t1·w1`) and, for inputs that are channels-last contiguous (one channel, say), one that
 * premultiplies the four weights; they round differently, so the caller says which one PyTorch would take.
 */
function resizeBilinear(src: Float, P: number, H: number, W: number, oh: number, ow: number, f32: boolean, channelsLast: boolean): Float {
  const out = f32 ? new Float32Array(P * oh * ow) : new Float64Array(P * oh * ow);
  const hw = linearWeights(H, oh, f32);
  const ww = linearWeights(W, ow, f32);
  const plane = H * W;
  for (let p = 0; p < P; p++) {
    const b = p * plane;
    let o = p * oh * ow;
    for (let i = 0; i < oh; i++) {
      const r0 = b + hw.i0[i] * W;
      const r1 = b + hw.i1[i] * W;
      const h0 = hw.l0[i];
      const h1 = hw.l1[i];
      for (let j = 0; j < ow; j++, o++) {
        const c0 = ww.i0[j];
        const c1 = ww.i1[j];
        const w0 = ww.l0[j];
        const w1 = ww.l1[j];
        const a = src[r0 + c0];
        const bb = src[r0 + c1];
        const c = src[r1 + c0];
        const d = src[r1 + c1];
        if (channelsLast) {
          if (f32) {
            const w00 = Math.fround(h0 * w0);
            const w01 = Math.fround(h0 * w1);
            const w10 = Math.fround(h1 * w0);
            const w11 = Math.fround(h1 * w1);
            out[o] = a * w00 + bb * w01 + c * w10 + d * w11;
          } else {
            out[o] = fma64(d, h1 * w1, fma64(c, h1 * w0, fma64(a, h0 * w0, bb * (h0 * w1))));
          }
        } else if (f32) {
          const t0 = fma32(a, w0, Math.fround(bb * w1));
          const t1 = fma32(c, w0, Math.fround(d * w1));
          out[o] = fma32(t0, h0, Math.fround(t1 * h1));
        } else {
          const t0 = fma64(a, w0, bb * w1);
          const t1 = fma64(c, w0, d * w1);
          out[o] = fma64(t0, h0, t1 * h1);
        }
      }
    }
  }
  return out;
}

function resizeNearest(src: Float, P: number, H: number, W: number, oh: number, ow: number, f32: boolean): Float {
  const out = f32 ? new Float32Array(P * oh * ow) : new Float64Array(P * oh * ow);
  const hi = nearestIndex(H, oh);
  const wi = nearestIndex(W, ow);
  for (let p = 0, o = 0; p < P; p++) {
    const b = p * H * W;
    for (let i = 0; i < oh; i++) {
      const r = b + hi[i] * W;
      for (let j = 0; j < ow; j++, o++) out[o] = src[r + wi[j]];
    }
  }
  return out;
}

/** The (out × in) matrix of a 1-d resampling: row o holds the weights output o gives each input sample. */
function weightMatrix(inSize: number, outSize: number, mode: InterpolationMode, antialias: boolean, f32: boolean): Float64Array {
  const m = new Float64Array(outSize * inSize);
  if (mode === "nearest") {
    const idx = nearestIndex(inSize, outSize);
    for (let o = 0; o < outSize; o++) m[o * inSize + idx[o]] = 1;
  } else if (antialias) {
    if (inSize === outSize) {
      for (let o = 0; o < outSize; o++) m[o * inSize + o] = 1;
    } else {
      const { xmin, xsize, w, taps } = aaWeights(inSize, outSize, f32);
      for (let o = 0; o < outSize; o++) for (let j = 0; j < xsize[o]; j++) m[o * inSize + xmin[o] + j] = w[o * taps + j];
    }
  } else {
    const { i0, i1, l0, l1 } = linearWeights(inSize, outSize, f32);
    for (let o = 0; o < outSize; o++) {
      m[o * inSize + i0[o]] += l0[o];
      m[o * inSize + i1[o]] += l1[o];
    }
  }
  return m;
}

interface ResizeAttrs {
  size: [number, number];
  mode: InterpolationMode;
  antialias: boolean;
  channelsLast: boolean;
}

const NAMES = { bilinear: "UpsampleBilinear2D", bilinearAa: "UpsampleBilinear2DAa", nearest: "UpsampleNearest2D" } as const;

function makeResizeOp(name: string): (inputs: Tensor[], attrs: ResizeAttrs) => Tensor {
  return defineUnaryOutputOp<ResizeAttrs>({
    name,
    forward(ctx, [x], { size: [oh, ow], mode, antialias, channelsLast }) {
      const f32 = x.dtype === "float32";
      const shape = x.shape;
      const H = shape[shape.length - 2];
      const W = shape[shape.length - 1];
      ctx.inH = H;
      ctx.inW = W;
      const P = H * W === 0 ? 0 : x.numel() / (H * W);
      const src = x.toTypedArray() as Float;
      const out =
        mode === "nearest"
          ? resizeNearest(src, P, H, W, oh, ow, f32)
          : antialias
            ? resizeAA(src, P, H, W, oh, ow, f32)
            : resizeBilinear(src, P, H, W, oh, ow, f32, channelsLast);
      return new Tensor(out, x.dtype, [...shape.slice(0, -2), oh, ow]);
    },
    backward(ctx, [g], { mode, antialias }) {
      // Resizing is linear, out = Mh · x · Mwᵀ, so the input gradient is Mhᵀ · g · Mw: plain matmuls,
      // which keeps double backward available.
      const inH = ctx.inH as number;
      const inW = ctx.inW as number;
      const f32 = g.dtype === "float32";
      const [oh, ow] = g.shape.slice(-2);
      const mh = new Tensor(castTo(weightMatrix(inH, oh, mode, antialias, f32), g.dtype), g.dtype, [oh, inH]);
      const mw = new Tensor(castTo(weightMatrix(inW, ow, mode, antialias, f32), g.dtype), g.dtype, [ow, inW]);
      return [matmul(matmul(transpose(mh, 0, 1), g), mw)];
    },
  });
}

function castTo(m: Float64Array, dtype: string): Float {
  return dtype === "float32" ? Float32Array.from(m) : m;
}

const ops = {
  bilinear: makeResizeOp(NAMES.bilinear),
  bilinearAa: makeResizeOp(NAMES.bilinearAa),
  nearest: makeResizeOp(NAMES.nearest),
};

/**
 * Resizes the last two dims of a float32/float64 tensor to `size = [h, w]`, as
 * `F.interpolate(x, size, mode, align_corners=False, antialias)` does for 4-d input. Differentiable.
 * `channelsLast` picks PyTorch's kernel for channels-last contiguous input (it rounds differently).
 */
export function interpolate2d(x: Tensor, size: [number, number], mode: InterpolationMode, antialias: boolean, channelsLast: boolean): Tensor {
  const op = mode === "nearest" ? ops.nearest : antialias ? ops.bilinearAa : ops.bilinear;
  return op([x], { size, mode, antialias, channelsLast });
}
