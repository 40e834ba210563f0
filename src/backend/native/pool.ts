import type { View } from "../../tensor.js";
import type { AvgPoolMode, PoolKernels, PoolWindow } from "../interface/pool.js";
import { cpuBackend } from "../cpu/index.js";
import type { NativeAddon } from "./addon.js";
import type { Attempt } from "./attempt.js";
import { hasNegativeStride } from "./dense.js";
import { zeroPlanes } from "../cpu/pool-index.js";

/**
 * Two 5-d views (shape, strides, offset: 11 numbers each), then the window (kernel, stride, padding,
 * dilation: 12) and the average mode (2), as native/src/pool.cc reads them; reused.
 */
const params = new Float64Array(36);
const VIEW = 11;

function putView(at: number, v: View): void {
  for (let i = 0; i < 5; i++) {
    params[at + i] = v.shape[i];
    params[at + 5 + i] = v.strides[i];
  }
  params[at + 10] = v.offset;
}

function putWindow(w: PoolWindow): void {
  const at = 2 * VIEW;
  for (let i = 0; i < 3; i++) {
    params[at + i] = w.kernel[i];
    params[at + 3 + i] = w.stride[i];
    params[at + 6 + i] = w.padding[i];
    params[at + 9 + i] = w.dilation[i];
  }
}

function putMode(m: AvgPoolMode): void {
  params[2 * VIEW + 12] = m.countIncludePad ? 1 : 0;
  params[2 * VIEW + 13] = m.divisorOverride ?? NaN;
}

/** float32 and float64 views with non-negative strides; integer pooling stays on the js backend. */
function floating(...views: View[]): boolean {
  for (const v of views) {
    if ((v.dtype !== "float32" && v.dtype !== "float64") || hasNegativeStride(v)) return false;
  }
  return views.every((v) => v.dtype === views[0].dtype);
}

/** Scratch indices up to this many (8 MiB) are kept between calls; larger ones are allocated per call. */
const SCRATCH_KEPT = 2 ** 20;
let scratch = new Float64Array(0);

/** Room for indices laid out as `out` (the addon writes them at out's offset and strides). */
function indexScratch(out: View): Float64Array {
  let n = out.offset + 1;
  for (let i = 0; i < 5; i++) n += (out.shape[i] - 1) * out.strides[i];
  if (n <= scratch.length) return scratch;
  if (n > SCRATCH_KEPT) return new Float64Array(n);
  scratch = new Float64Array(Math.min(SCRATCH_KEPT, Math.max(n, 2 * scratch.length)));
  return scratch;
}

const shapes = (...vs: View[]): string => vs.map((v) => `[${v.shape.join(", ")}]`).join(" → ");
const windowText = (w: PoolWindow): string =>
  `kernel [${w.kernel.join(", ")}], stride [${w.stride.join(", ")}], padding [${w.padding.join(", ")}], dilation [${w.dilation.join(", ")}]`;

/**
 * Max and average pooling (and max pooling's backward scatter) in C++ with the js backend's exact rules,
 * in parallel over (n, c) planes: results and indices equal the js backend's bit for bit. The rest of the
 * pooling family (adaptive, fractional, stochastic, unpooling) stays on the js backend.
 */
export function nativePoolKernels(
  addon: NativeAddon,
  attempt: Attempt,
): Pick<PoolKernels, "maxPool" | "avgPool" | "avgPoolBackward" | "poolScatter" | "poolScatterAdd"> {
  const kernels: Pick<PoolKernels, "maxPool" | "avgPool" | "avgPoolBackward" | "poolScatter" | "poolScatterAdd"> = {
    maxPool(x, w, out, indices) {
      if (!floating(x, out) || (indices !== null && !(indices.buf instanceof Float64Array))) return cpuBackend.maxPool(x, w, out, indices);
      attempt(
        "maxPool",
        () => `${shapes(x, out)}, ${windowText(w)}`,
        () => {
          putView(0, x);
          putView(VIEW, out);
          putWindow(w);
          // The addon always writes indices, at out's offsets: values-only calls get reused scratch.
          const ib = indices === null ? indexScratch(out) : (indices.buf as Float64Array);
          addon.maxPool(x.buf as Float32Array, out.buf as Float32Array, ib, params);
        },
        () => cpuBackend.maxPool(x, w, out, indices),
      );
    },
    avgPool(x, w, mode, out) {
      if (!floating(x, out)) return cpuBackend.avgPool(x, w, mode, out);
      attempt(
        "avgPool",
        () => `${shapes(x, out)}, ${windowText(w)}`,
        () => {
          putView(0, x);
          putView(VIEW, out);
          putWindow(w);
          putMode(mode);
          addon.avgPool(x.buf as Float32Array, out.buf as Float32Array, params);
        },
        () => cpuBackend.avgPool(x, w, mode, out),
      );
    },
    avgPoolBackward(grad, w, mode, gradInput) {
      if (!floating(grad, gradInput)) return cpuBackend.avgPoolBackward(grad, w, mode, gradInput);
      attempt(
        "avgPoolBackward",
        () => `${shapes(grad, gradInput)}, ${windowText(w)}`,
        () => {
          putView(0, grad);
          putView(VIEW, gradInput);
          putWindow(w);
          putMode(mode);
          addon.avgPoolBackward(grad.buf as Float32Array, gradInput.buf as Float32Array, params);
        },
        () => cpuBackend.avgPoolBackward(grad, w, mode, gradInput),
      );
    },
    poolScatter(src, indices, plane, accumulate) {
      // Writes (unpooling) stop at the first bad index, a sequential rule: those stay on the js backend.
      if (!accumulate || !floating(src, plane) || !(indices.buf instanceof Float64Array) || hasNegativeStride(indices)) {
        return cpuBackend.poolScatter(src, indices, plane, accumulate);
      }
      let bad = NaN;
      attempt(
        "poolScatter",
        () => `${shapes(src, plane)}`,
        () => {
          putView(0, src);
          putView(VIEW, indices);
          const at = 2 * VIEW;
          params[at] = plane.shape[0];
          params[at + 1] = plane.shape[1];
          params[at + 2] = plane.shape[2];
          params[at + 3] = plane.strides[0];
          params[at + 4] = plane.strides[1];
          params[at + 5] = plane.offset;
          bad = addon.poolScatterAdd(src.buf as Float32Array, indices.buf as Float64Array, plane.buf as Float32Array, params);
        },
        () => {
          const r = cpuBackend.poolScatter(src, indices, plane, accumulate);
          bad = r ?? NaN;
        },
      );
      return Number.isNaN(bad) ? null : bad;
    },
    poolScatterAdd(src, indices, plane) {
      zeroPlanes(plane);
      kernels.poolScatter(src, indices, plane, true);
    },
  };
  return kernels;
}
