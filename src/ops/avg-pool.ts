/**
 * Average pooling over 1, 2 or 3 spatial dims (`torch.nn.functional.avg_pool{1,2,3}d`), with the divisor
 * rule of PyTorch's CPU kernel.
 */
import { Tensor } from "../tensor.js";
import { backend } from "../backend/backend.js";
import type { AvgPoolMode } from "../backend/interface/pool.js";
import { defineUnaryOutputOp } from "./define.js";
import { checkTensor } from "./util.js";
import { squeeze, unsqueeze } from "./view.js";
import { type IntOrTuple, type PoolGeometry, checkDtype, checkPoolRank, poolGeometry, strideArg, tupleArg, view5, windowOf } from "./pool-args.js";

/** Options of `avgPool2d/3d` (PyTorch's keyword arguments). */
export interface AvgPoolOptions {
  /** Window step; default (undefined, null or `[]`): `kernelSize`. */
  stride?: IntOrTuple | null;
  /** Implicit zero padding on both sides, at most half the kernel. Default 0. */
  padding?: IntOrTuple;
  /** Ceil instead of floor for the output length. Default false. */
  ceilMode?: boolean;
  /** Count padding taps in the divisor. Default true. */
  countIncludePad?: boolean;
  /** Divide every window's sum by this instead (never 0). Default null. */
  divisorOverride?: number | null;
}

/** Options of `avgPool1d`: PyTorch's `avg_pool1d` has no `divisor_override`. */
export type AvgPool1dOptions = Omit<AvgPoolOptions, "divisorOverride">;

interface AvgAttrs {
  g: PoolGeometry;
  mode: AvgPoolMode;
}

function makeAvgPoolOps(nd: 2 | 3) {
  const forwardOp: (inputs: Tensor[], attrs: AvgAttrs) => Tensor = defineUnaryOutputOp<AvgAttrs>({
    name: `AvgPool${nd}D`,
    forward(ctx, [x], { g, mode }) {
      // Every output is written (a window with no tap gives 0).
      const out = Tensor.forOutput([...x.shape.slice(0, x.dim() - nd), ...g.out], x.dtype);
      backend().avgPool(view5(x, nd), windowOf(g), mode, view5(out, nd));
      ctx.inShape = x.shape.slice();
      return out;
    },
    backward(ctx, [grad], attrs) {
      return [backwardOp([grad], { ...attrs, inShape: ctx.inShape as number[] })];
    },
  });
  // The backward is linear in the gradient and its VJP is the forward pooling: double backward for free.
  const backwardOp: (inputs: Tensor[], attrs: AvgAttrs & { inShape: number[] }) => Tensor = defineUnaryOutputOp<
    AvgAttrs & { inShape: number[] }
  >({
    name: `AvgPool${nd}DBackward`,
    forward(_ctx, [grad], { g, mode, inShape }) {
      const gradInput = Tensor.empty(inShape, grad.dtype);
      backend().avgPoolBackward(view5(grad, nd), windowOf(g), mode, view5(gradInput, nd));
      return gradInput;
    },
    backward(_ctx, [gg], { g, mode }) {
      return [forwardOp([gg], { g, mode })];
    },
  });
  return forwardOp;
}

const OPS = { 2: makeAvgPoolOps(2), 3: makeAvgPoolOps(3) };

function avgPoolNd(x: Tensor, nd: 2 | 3, kernelSize: IntOrTuple, opts: AvgPoolOptions, op: string): Tensor {
  checkTensor(x, op);
  checkDtype(x, op, `avg_pool${nd}d`, true);
  const divisorOverride = opts.divisorOverride ?? null;
  if (divisorOverride !== null && !Number.isInteger(divisorOverride)) {
    throw new TypeError(`${op}: divisorOverride must be an integer, but got ${divisorOverride}`);
  }
  if (divisorOverride === 0) throw new RangeError(`${op}: divisor must be not zero`);
  const g = poolGeometry(x, nd, { kernelSize, ...opts }, op, { inputAtLeastKernel: nd === 3 });
  return OPS[nd]([x], { g, mode: { countIncludePad: opts.countIncludePad ?? true, divisorOverride } });
}

/**
 * 1-d average pooling over the last dim of `(N, C, L)` or `(C, L)`, as `F.avg_pool1d`.
 *
 * `out[l] = Σ_{m<k} x[l·stride − padding + m] / divisor` (padding taps are zeros). The divisor is the
 * window length clipped to `[−padding, L + padding)` when countIncludePad, else the number of real taps.
 * Shape: `L_out = floor((L + 2·padding − k) / stride + 1)` (ceil with `ceilMode`). Defaults: stride =
 * kernelSize, padding 0, ceilMode false, countIncludePad true.
 *
 * @example
 * F.avgPool1d(torch.tensor([[[1, 2, 3, 4, 5, 6]]], { dtype: "float32" }), 3, { stride: 2, padding: 1, ceilMode: true })
 * // tensor([[[1, 3, 5, 3]]]): windows [−1, 2), [1, 4), [3, 6), [5, 7) with divisors 3, 3, 3, 2
 */
export function avgPool1d(input: Tensor, kernelSize: IntOrTuple, opts: AvgPool1dOptions = {}): Tensor {
  const op = "avgPool1d";
  checkTensor(input, op);
  checkPoolRank(input, 1, op);
  const k = tupleArg(kernelSize, 1, op, "kernelSize");
  const s = strideArg(opts.stride, k, op);
  const p = tupleArg(opts.padding ?? 0, 1, op, "padding");
  const out = avgPoolNd(unsqueeze(input, -2), 2, [1, k[0]], { ...opts, stride: [1, s[0]], padding: [0, p[0]], divisorOverride: null }, op);
  return squeeze(out, -2);
}

/**
 * 2-d average pooling of `(N, C, H, W)` or `(C, H, W)`, as `F.avg_pool2d`.
 *
 * Window `[h·sH − pH, min(h·sH − pH + kH, H + pH))` (likewise for W); its size there is the divisor when
 * countIncludePad, else the number of taps inside the input; `divisorOverride` replaces both. Under
 * `ceilMode` the part of the last window beyond `H + padding` is never counted.
 * Shape: as `maxPool2d` with dilation 1. Defaults: stride = kernelSize, padding 0, ceilMode false,
 * countIncludePad true, divisorOverride null. Integer tensors divide with truncation, as in PyTorch.
 *
 * @example
 * F.avgPool2d(torch.ones([1, 1, 4, 4]), 2, { divisorOverride: 3 }) // every element 4/3
 */
export function avgPool2d(input: Tensor, kernelSize: IntOrTuple, opts: AvgPoolOptions = {}): Tensor {
  return avgPoolNd(input, 2, kernelSize, opts, "avgPool2d");
}

/**
 * 3-d average pooling of `(N, C, D, H, W)` or `(C, D, H, W)`, as `F.avg_pool3d`. Same rules as
 * `avgPool2d`; as PyTorch, the input must be at least as large as the kernel in every dim.
 *
 * @example
 * F.avgPool3d(torch.ones([1, 1, 2, 2, 2]), 2) // tensor([[[[[1]]]]])
 */
export function avgPool3d(input: Tensor, kernelSize: IntOrTuple, opts: AvgPoolOptions = {}): Tensor {
  return avgPoolNd(input, 3, kernelSize, opts, "avgPool3d");
}
