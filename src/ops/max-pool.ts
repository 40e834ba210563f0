/**
 * Max pooling over 1, 2 or 3 spatial dims (`torch.nn.functional.max_pool{1,2,3}d`), PyTorch's CPU rules.
 */
import { Tensor } from "../tensor.js";
import { backend } from "../backend/backend.js";
import { defineOp } from "./define.js";
import { checkTensor } from "./util.js";
import { squeeze, unsqueeze } from "./view.js";
import { poolScatterAdd } from "./pool-index.js";
import {
  type IntOrTuple,
  type PoolGeometry,
  checkDtype,
  checkPoolRank,
  poolGeometry,
  strideArg,
  tupleArg,
  view5,
  windowOf,
} from "./pool-args.js";

/** Options of `maxPool1d/2d/3d` (PyTorch's keyword arguments). */
export interface MaxPoolOptions {
  /** Window step; default (undefined, null or `[]`): `kernelSize`. */
  stride?: IntOrTuple | null;
  /** Implicit −∞ padding on both sides; at most half the effective kernel `(k−1)·dilation + 1`. Default 0. */
  padding?: IntOrTuple;
  /** Spacing between window taps. Default 1. */
  dilation?: IntOrTuple;
  /** Use ceil instead of floor for the output length (a last window must start inside input or left padding). Default false. */
  ceilMode?: boolean;
  /** Also return the flat index of each maximum within its (n, c) plane. Default false. */
  returnIndices?: boolean;
}

function makeMaxPoolOp(nd: 2 | 3) {
  return defineOp<{ g: PoolGeometry; returnIndices: boolean }>({
    name: `MaxPool${nd}DWithIndices`,
    forward(ctx, [x], { g, returnIndices }) {
      const shape = [...x.shape.slice(0, x.dim() - nd), ...g.out];
      const out = Tensor.forOutput(shape, x.dtype);
      // As aten/src/ATen/native/MaxPooling.cpp: with no gradient to compute and no indices asked for, the
      // values alone (the int64 indices cost more to allocate and fill than the pooling itself).
      if (!returnIndices && !ctx.needsInputGrad[0]) {
        backend().maxPool(view5(x, nd), windowOf(g), view5(out, nd), null);
        return [out];
      }
      const indices = Tensor.forOutput(shape, "int64");
      backend().maxPool(view5(x, nd), windowOf(g), view5(out, nd), view5(indices, nd));
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

const OPS = { 2: makeMaxPoolOp(2), 3: makeMaxPoolOp(3) };

/** Checks and runs max pooling over 2 or 3 spatial dims; `[output, indices]`, or `[output]` when no indices are needed. */
function maxPoolNd(x: Tensor, nd: 2 | 3, kernelSize: IntOrTuple, opts: MaxPoolOptions, op: string): Tensor[] {
  checkTensor(x, op);
  checkDtype(x, op, `max_pool${nd}d`, false);
  const g = poolGeometry(x, nd, { kernelSize, ...opts }, op);
  return OPS[nd]([x], { g, returnIndices: Boolean(opts.returnIndices) });
}

type MaxPoolResult<O> = O extends { returnIndices: true } ? [Tensor, Tensor] : Tensor;

function finish(r: Tensor[], returnIndices: boolean | undefined): Tensor | [Tensor, Tensor] {
  return returnIndices ? [r[0], r[1]] : r[0];
}

/**
 * 1-d max pooling over the last dim of `(N, C, L)` or `(C, L)`, as `F.max_pool1d`.
 *
 * `out[n, c, l] = max_{m < k} x[n, c, l·stride − padding + m·dilation]` (padding never wins: −∞).
 *
 * Shape: `L_out = floor((L + 2·padding − dilation·(k − 1) − 1) / stride + 1)` (ceil with `ceilMode`,
 * `poolOutputSize`). Defaults: stride = kernelSize, padding 0, dilation 1.
 * Indices are positions along L; PyTorch computes it as 2-d pooling of `(…, 1, L)`, and so do we.
 *
 * @example
 * F.maxPool1d(torch.tensor([[[1, 3, 2, 5, 4]]], { dtype: "float32" }), 2) // tensor([[[3, 5]]])
 */
export function maxPool1d<O extends MaxPoolOptions>(input: Tensor, kernelSize: IntOrTuple, opts?: O): MaxPoolResult<O>;
export function maxPool1d(input: Tensor, kernelSize: IntOrTuple, opts: MaxPoolOptions = {}): Tensor | [Tensor, Tensor] {
  const op = "maxPool1d";
  checkTensor(input, op);
  checkPoolRank(input, 1, op);
  const k = tupleArg(kernelSize, 1, op, "kernelSize");
  const s = strideArg(opts.stride, k, op);
  const p = tupleArg(opts.padding ?? 0, 1, op, "padding");
  const d = tupleArg(opts.dilation ?? 1, 1, op, "dilation");
  const r = maxPoolNd(
    unsqueeze(input, -2),
    2,
    [1, k[0]],
    { stride: [1, s[0]], padding: [0, p[0]], dilation: [1, d[0]], ceilMode: opts.ceilMode, returnIndices: opts.returnIndices },
    op,
  );
  return finish(r.map((t) => squeeze(t, -2)), opts.returnIndices);
}

/**
 * 2-d max pooling of `(N, C, H, W)` or `(C, H, W)`, as `F.max_pool2d`.
 *
 * `out[n, c, h, w] = max_{i, j} x[n, c, h·sH − pH + i·dH, w·sW − pW + j·dW]`; taps in the padding are
 * skipped (−∞), the first maximum wins on ties and NaN propagates. With `returnIndices`, also the flat
 * index `h·W + w` of each maximum within its plane (what `maxUnpool2d` consumes).
 *
 * Shape: `H_out = floor((H + 2·padding − dilation·(kernelSize − 1) − 1) / stride + 1)` per dim (ceil with
 * `ceilMode`, dropping a last window that would start in the right padding; `poolOutputSize`).
 * Defaults: stride = kernelSize, padding 0, dilation 1, ceilMode false, returnIndices false.
 * Padding may be at most half the effective kernel `(k − 1)·dilation + 1` (PyTorch 2.x's rule).
 *
 * @example
 * const x = torch.tensor([[[[1, 2], [4, 3]]]], { dtype: "float32" });
 * F.maxPool2d(x, 2, { returnIndices: true }) // [tensor([[[[4]]]]), tensor([[[[2]]]])]
 */
export function maxPool2d<O extends MaxPoolOptions>(input: Tensor, kernelSize: IntOrTuple, opts?: O): MaxPoolResult<O>;
export function maxPool2d(input: Tensor, kernelSize: IntOrTuple, opts: MaxPoolOptions = {}): Tensor | [Tensor, Tensor] {
  return finish(maxPoolNd(input, 2, kernelSize, opts, "maxPool2d"), opts.returnIndices);
}

/**
 * 3-d max pooling of `(N, C, D, H, W)` or `(C, D, H, W)`, as `F.max_pool3d`; indices are
 * `(d·H + h)·W + w`. Same rules and defaults as `maxPool2d`; as in PyTorch 2.x, padding is also limited to
 * half the plain kernel size.
 *
 * @example
 * F.maxPool3d(torch.tensor([[[[[1, 2], [3, 4]], [[8, 6], [7, 5]]]]], { dtype: "float32" }), 2, { returnIndices: true })
 * // [tensor([[[[[8]]]]]), tensor([[[[[4]]]]])]
 */
export function maxPool3d<O extends MaxPoolOptions>(input: Tensor, kernelSize: IntOrTuple, opts?: O): MaxPoolResult<O>;
export function maxPool3d(input: Tensor, kernelSize: IntOrTuple, opts: MaxPoolOptions = {}): Tensor | [Tensor, Tensor] {
  return finish(maxPoolNd(input, 3, kernelSize, opts, "maxPool3d"), opts.returnIndices);
}

/** `maxPool1d` with `returnIndices: true`, as `F.max_pool1d_with_indices`. */
export function maxPool1dWithIndices(input: Tensor, kernelSize: IntOrTuple, opts: Omit<MaxPoolOptions, "returnIndices"> = {}): [Tensor, Tensor] {
  return maxPool1d(input, kernelSize, { ...opts, returnIndices: true as const });
}

/** `maxPool2d` with `returnIndices: true`, as `F.max_pool2d_with_indices`. */
export function maxPool2dWithIndices(input: Tensor, kernelSize: IntOrTuple, opts: Omit<MaxPoolOptions, "returnIndices"> = {}): [Tensor, Tensor] {
  return maxPool2d(input, kernelSize, { ...opts, returnIndices: true as const });
}

/** `maxPool3d` with `returnIndices: true`, as `F.max_pool3d_with_indices`. */
export function maxPool3dWithIndices(input: Tensor, kernelSize: IntOrTuple, opts: Omit<MaxPoolOptions, "returnIndices"> = {}): [Tensor, Tensor] {
  return maxPool3d(input, kernelSize, { ...opts, returnIndices: true as const });
}
