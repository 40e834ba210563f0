/**
 * Adaptive pooling (`torch.nn.functional.adaptive_{avg,max}_pool{1,2,3}d`): the output size is given and
 * window i along a dim of length L spans `[floor(i·L/out), ceil((i+1)·L/out))`.
 */
import { Tensor } from "../tensor.js";
import { backend } from "../backend/backend.js";
import { formatShape } from "../layout.js";
import { defineOp, defineUnaryOutputOp } from "./define.js";
import { checkTensor } from "./util.js";
import { squeeze, unsqueeze } from "./view.js";
import { poolScatterAdd } from "./pool-index.js";
import { checkDtype, view5 } from "./pool-args.js";

/** An output size: one int for every dim, or one per dim where `null` keeps the input's size. */
export type AdaptiveSize = number | readonly (number | null)[];

function makeAvgOps(nd: 2 | 3) {
  const forwardOp: (inputs: Tensor[], attrs: { size: number[] }) => Tensor = defineUnaryOutputOp<{ size: number[] }>({
    name: `AdaptiveAvgPool${nd}D`,
    forward(ctx, [x], { size }) {
      const out = Tensor.empty([...x.shape.slice(0, x.dim() - nd), ...size], x.dtype);
      backend().adaptiveAvgPool(view5(x, nd), view5(out, nd));
      ctx.inShape = x.shape.slice();
      return out;
    },
    backward(ctx, [grad]) {
      return [backwardOp([grad], { inShape: ctx.inShape as number[] })];
    },
  });
  const backwardOp: (inputs: Tensor[], attrs: { inShape: number[] }) => Tensor = defineUnaryOutputOp<{ inShape: number[] }>({
    name: `AdaptiveAvgPool${nd}DBackward`,
    forward(ctx, [grad], { inShape }) {
      const gradInput = Tensor.empty(inShape, grad.dtype);
      backend().adaptiveAvgPoolBackward(view5(grad, nd), view5(gradInput, nd));
      ctx.size = grad.shape.slice(-nd);
      return gradInput;
    },
    backward(ctx, [gg]) {
      return [forwardOp([gg], { size: ctx.size as number[] })];
    },
  });
  return forwardOp;
}

function makeMaxOp(nd: 2 | 3) {
  return defineOp<{ size: number[] }>({
    name: `AdaptiveMaxPool${nd}D`,
    forward(ctx, [x], { size }) {
      const shape = [...x.shape.slice(0, x.dim() - nd), ...size];
      const out = Tensor.empty(shape, x.dtype);
      const indices = Tensor.empty(shape, "int64");
      backend().adaptiveMaxPool(view5(x, nd), view5(out, nd), view5(indices, nd));
      ctx.save(indices);
      ctx.inShape = x.shape.slice();
      return [out, indices];
    },
    backward(ctx, [grad]) {
      const [indices] = ctx.saved;
      return [poolScatterAdd(grad, indices, ctx.inShape as number[], nd)];
    },
  });
}

const AVG = { 2: makeAvgOps(2), 3: makeAvgOps(3) };
const MAX = { 2: makeMaxOp(2), 3: makeMaxOp(3) };

/** Resolves `outputSize` against the input (`null` keeps a size) and checks it as ATen does. */
function resolveSize(x: Tensor, nd: number, outputSize: AdaptiveSize, op: string): number[] {
  const list = typeof outputSize === "number" ? new Array<number>(nd).fill(outputSize) : outputSize;
  if (!Array.isArray(list) || list.length !== nd) {
    throw new RangeError(`${op}: output_size must be ${nd}, but got ${JSON.stringify(outputSize)}`);
  }
  const spatial = x.shape.slice(-nd);
  const size = list.map((s, i) => (s === null ? spatial[i] : s));
  if (size.some((s) => !Number.isInteger(s))) throw new TypeError(`${op}: output_size must contain integers, but got ${JSON.stringify(outputSize)}`);
  if (size.some((s) => s < 0)) {
    throw new RangeError(`${op}: elements of output_size must be greater than or equal to 0 but received ${formatShape(size)}`);
  }
  return size;
}

/**
 * Rank and emptiness checks: average pooling needs non-empty spatial dims, max pooling non-empty
 * non-batch dims (PyTorch's checks differ in exactly this way).
 */
function checkAdaptiveInput(x: Tensor, nd: number, op: string, isMax: boolean): void {
  if (x.dim() !== nd + 1 && x.dim() !== nd + 2) {
    throw new RangeError(`${op}: Expected ${nd + 1}D or ${nd + 2}D tensor, but got ${formatShape(x.shape)}`);
  }
  const first = isMax ? x.dim() - nd - 1 : x.dim() - nd;
  for (let i = Math.max(first, x.dim() === nd + 2 ? 1 : 0); i < x.dim(); i++) {
    if (x.shape[i] === 0) {
      throw new RangeError(
        `${op}: Expected input to have non-zero size for non-batch dimensions, but input has sizes ${formatShape(x.shape)} ` +
          `with dimension ${i} being empty`,
      );
    }
  }
}

function adaptiveAvgNd(x: Tensor, nd: 2 | 3, outputSize: AdaptiveSize, op: string): Tensor {
  checkTensor(x, op);
  checkAdaptiveInput(x, nd, op, false);
  const size = resolveSize(x, nd, outputSize, op);
  checkDtype(x, op, `adaptive_avg_pool${nd}d`, false);
  return AVG[nd]([x], { size });
}

function adaptiveMaxNd(x: Tensor, nd: 2 | 3, outputSize: AdaptiveSize, op: string): [Tensor, Tensor] {
  checkTensor(x, op);
  checkAdaptiveInput(x, nd, op, true);
  const size = resolveSize(x, nd, outputSize, op);
  checkDtype(x, op, `adaptive_max_pool${nd}d`, false);
  const [out, indices] = MAX[nd]([x], { size });
  return [out, indices];
}

/** 1-d sizes run as 2-d pooling of `(…, 1, L)`, as PyTorch does. */
function as2d(x: Tensor, outputSize: number | readonly number[], op: string): [Tensor, number[]] {
  checkTensor(x, op);
  if (x.dim() !== 2 && x.dim() !== 3) {
    throw new RangeError(`${op}: Expected 2 to 3 dimensions, but got ${x.dim()}-dimensional tensor for argument #1 'input'`);
  }
  const list = typeof outputSize === "number" ? [outputSize] : outputSize;
  if (!Array.isArray(list) || list.length !== 1) {
    throw new RangeError(`${op}: argument 'outputSize' should contain one int (got ${Array.isArray(list) ? list.length : typeof list})`);
  }
  return [unsqueeze(x, -2), [1, list[0]]];
}

/**
 * Adaptive average pooling of `(N, C, L)` or `(C, L)` to length `outputSize`, as `F.adaptive_avg_pool1d`.
 * `out[i] = mean(x[floor(i·L/out) : ceil((i+1)·L/out)])`.
 *
 * @example
 * F.adaptiveAvgPool1d(torch.tensor([[[1, 2, 3, 4, 5]]], { dtype: "float32" }), 2) // tensor([[[2, 4]]])
 */
export function adaptiveAvgPool1d(input: Tensor, outputSize: number | readonly number[]): Tensor {
  const op = "adaptiveAvgPool1d";
  const [x2, size] = as2d(input, outputSize, op);
  return squeeze(adaptiveAvgNd(x2, 2, size, op), -2);
}

/**
 * Adaptive average pooling of `(N, C, H, W)` or `(C, H, W)` to `outputSize` (an int, or `[H_out, W_out]`
 * where `null` keeps the input size), as `F.adaptive_avg_pool2d`. Window i along a dim of length L spans
 * `[floor(i·L/out), ceil((i+1)·L/out))`, so windows may overlap when L is not a multiple of out.
 * Global average pooling is `adaptiveAvgPool2d(x, 1)`.
 *
 * @example
 * F.adaptiveAvgPool2d(x, 1) // (N, C, 1, 1): the mean of every channel
 */
export function adaptiveAvgPool2d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  return adaptiveAvgNd(input, 2, outputSize, "adaptiveAvgPool2d");
}

/**
 * Adaptive average pooling of `(N, C, D, H, W)` or `(C, D, H, W)`, as `F.adaptive_avg_pool3d`.
 *
 * @example
 * F.adaptiveAvgPool3d(x, [1, null, 2]).shape // [N, C, 1, H, 2]
 */
export function adaptiveAvgPool3d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  return adaptiveAvgNd(input, 3, outputSize, "adaptiveAvgPool3d");
}

type AdaptiveMaxResult<O> = O extends { returnIndices: true } ? [Tensor, Tensor] : Tensor;

/**
 * Adaptive max pooling of `(N, C, L)` or `(C, L)`, as `F.adaptive_max_pool1d`; with `returnIndices`
 * also the positions of the maxima (first maximum on ties, NaN propagates).
 *
 * @example
 * F.adaptiveMaxPool1d(torch.tensor([[[1, 5, 2, 4, 3]]], { dtype: "float32" }), 2) // tensor([[[5, 4]]])
 */
export function adaptiveMaxPool1d<O extends { returnIndices?: boolean }>(input: Tensor, outputSize: number | readonly number[], opts?: O): AdaptiveMaxResult<O>;
export function adaptiveMaxPool1d(input: Tensor, outputSize: number | readonly number[], opts: { returnIndices?: boolean } = {}): Tensor | [Tensor, Tensor] {
  const op = "adaptiveMaxPool1d";
  const [x2, size] = as2d(input, outputSize, op);
  const [out, indices] = adaptiveMaxNd(x2, 2, size, op);
  return opts.returnIndices ? [squeeze(out, -2), squeeze(indices, -2)] : squeeze(out, -2);
}

/**
 * Adaptive max pooling of `(N, C, H, W)` or `(C, H, W)`, as `F.adaptive_max_pool2d`; indices are flat
 * `h·W + w` within the plane, as `maxPool2d`'s.
 *
 * @example
 * const [y, i] = F.adaptiveMaxPool2d(x, [2, 2], { returnIndices: true });
 */
export function adaptiveMaxPool2d<O extends { returnIndices?: boolean }>(input: Tensor, outputSize: AdaptiveSize, opts?: O): AdaptiveMaxResult<O>;
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, opts: { returnIndices?: boolean } = {}): Tensor | [Tensor, Tensor] {
  const r = adaptiveMaxNd(input, 2, outputSize, "adaptiveMaxPool2d");
  return opts.returnIndices ? r : r[0];
}

/**
 * Adaptive max pooling of `(N, C, D, H, W)` or `(C, D, H, W)`, as `F.adaptive_max_pool3d`.
 *
 * @example
 * F.adaptiveMaxPool3d(x, 1) // (N, C, 1, 1, 1): the max of every channel
 */
export function adaptiveMaxPool3d<O extends { returnIndices?: boolean }>(input: Tensor, outputSize: AdaptiveSize, opts?: O): AdaptiveMaxResult<O>;
export function adaptiveMaxPool3d(input: Tensor, outputSize: AdaptiveSize, opts: { returnIndices?: boolean } = {}): Tensor | [Tensor, Tensor] {
  const r = adaptiveMaxNd(input, 3, outputSize, "adaptiveMaxPool3d");
  return opts.returnIndices ? r : r[0];
}

/** `adaptiveMaxPool1d` with `returnIndices: true`, as `F.adaptive_max_pool1d_with_indices`. */
export function adaptiveMaxPool1dWithIndices(input: Tensor, outputSize: number | readonly number[]): [Tensor, Tensor] {
  return adaptiveMaxPool1d(input, outputSize, { returnIndices: true as const });
}

/** `adaptiveMaxPool2d` with `returnIndices: true`, as `F.adaptive_max_pool2d_with_indices`. */
export function adaptiveMaxPool2dWithIndices(input: Tensor, outputSize: AdaptiveSize): [Tensor, Tensor] {
  return adaptiveMaxPool2d(input, outputSize, { returnIndices: true as const });
}

/** `adaptiveMaxPool3d` with `returnIndices: true`, as `F.adaptive_max_pool3d_with_indices`. */
export function adaptiveMaxPool3dWithIndices(input: Tensor, outputSize: AdaptiveSize): [Tensor, Tensor] {
  return adaptiveMaxPool3d(input, outputSize, { returnIndices: true as const });
}
