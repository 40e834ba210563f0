/**
 * Sums, means, products, logsumexp and the logical reductions. The other reductions live beside this file
 * and are re-exported from it: extrema (max/min/argmax), moments (var/std), norm, cumulative (cumsum).
 */
import { Tensor } from "../tensor.js";
import { type DType, isFloating } from "../dtype.js";
import { shapeEquals } from "../layout.js";
import { backend } from "../backend/backend.js";
import { defineUnaryOutputOp } from "./define.js";
import { checkTensor } from "./util.js";
import { expand, reshape } from "./view.js";
import { div, eq, exp, logicalAnd, mul, sub, where } from "./elementwise.js";
import { checkDtype } from "./creation.js";
import {
  type DimArg,
  finishReduce,
  gradAs,
  keepShape,
  reduceDims,
  reducedCount,
  torchTypeName,
} from "./reduce-util.js";

export { keepShape, reducedShape } from "./reduce-util.js";
export type { DimArg } from "./reduce-util.js";
export * from "./extrema.js";
export * from "./moments.js";
export * from "./norm.js";
export * from "./cumulative.js";

/** Options of the reductions that take PyTorch's keyword-only `dtype`. */
export interface ReduceDtypeOptions {
  /** Output (and accumulation result) dtype. */
  dtype?: DType;
}

type Attrs = { dims: number[]; keepdim: boolean; dtype: DType };

/** `g` (the output's gradient) broadcast back over the reduced dims of `shape`. */
function unreduce(g: Tensor, shape: readonly number[], dims: readonly number[]): Tensor {
  return expand(reshape(g, keepShape(shape, dims)), shape);
}

const sumOp = defineUnaryOutputOp<Attrs>({
  name: "Sum",
  forward(ctx, [x], { dims, keepdim, dtype }) {
    const out = Tensor.empty(keepShape(x.shape, dims), dtype);
    backend().reduce("sum", x, dims, out);
    ctx.inShape = x.shape.slice();
    ctx.inDtype = x.dtype;
    return finishReduce(out, x.shape, dims, keepdim);
  },
  backward(ctx, [g], { dims }) {
    return [unreduce(gradAs(g, ctx.inDtype as DType), ctx.inShape as number[], dims)];
  },
});

/**
 * Sum over `dim` (every dim when omitted, null or `[]`), as `torch.sum`. Integer and bool inputs sum to
 * int64; float32 sums accumulate in float64.
 *
 * Shape: the input's without the reduced dims (kept as size 1 with `keepdim`).
 *
 * @example
 * torch.sum(torch.tensor([[1, 2], [3, 4]]), 1) // tensor([3, 7])
 */
export function sum(x: Tensor, dim?: DimArg, keepdim = false, opts: ReduceDtypeOptions = {}): Tensor {
  checkTensor(x, "sum");
  const dims = reduceDims(dim, x.dim(), "sum");
  const dtype = opts.dtype !== undefined ? checkDtype(opts.dtype, "sum") : isFloating(x.dtype) ? x.dtype : "int64";
  return sumOp([x], { dims, keepdim, dtype });
}

/** Sums a broadcast gradient back to `shape` (leading dims and size-1 dims), for broadcasting ops' vjps. */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (shapeEquals(g.shape, shape)) return g;
  const lead = g.dim() - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.dim(); i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  }
  const s = dims.length ? sum(g, dims, true) : g;
  return reshape(s, shape);
}

const meanOp = defineUnaryOutputOp<Attrs>({
  name: "Mean",
  forward(ctx, [x], { dims, keepdim, dtype }) {
    const out = Tensor.empty(keepShape(x.shape, dims), dtype);
    backend().reduce("mean", x, dims, out);
    ctx.inShape = x.shape.slice();
    ctx.inDtype = x.dtype;
    return finishReduce(out, x.shape, dims, keepdim);
  },
  backward(ctx, [g], { dims }) {
    const shape = ctx.inShape as number[];
    return [div(unreduce(gradAs(g, ctx.inDtype as DType), shape, dims), reducedCount(shape, dims))];
  },
});

/**
 * Arithmetic mean over `dim` (every dim when omitted), as `torch.mean`: Σx / N, accumulated in float64.
 * Floating inputs only (or pass a floating `dtype`); the mean of nothing is NaN.
 *
 * Shape: the input's without the reduced dims (kept as size 1 with `keepdim`).
 *
 * @example
 * torch.mean(torch.tensor([[1, 2], [3, 4]], { dtype: "float32" }), 0) // tensor([2, 3])
 */
export function mean(x: Tensor, dim?: DimArg, keepdim = false, opts: ReduceDtypeOptions = {}): Tensor {
  checkTensor(x, "mean");
  const dims = reduceDims(dim, x.dim(), "mean");
  let dtype = x.dtype;
  if (opts.dtype !== undefined) {
    dtype = checkDtype(opts.dtype, "mean");
    if (!isFloating(dtype)) {
      throw new TypeError(
        "mean(): could not infer output dtype. Optional dtype must be either a floating point or complex dtype. " +
          `Got: ${torchTypeName(dtype)}`,
      );
    }
  } else if (!isFloating(dtype)) {
    throw new TypeError(
      "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. " +
        `Got: ${torchTypeName(dtype)}`,
    );
  }
  return meanOp([x], { dims, keepdim, dtype });
}

const prodOp = defineUnaryOutputOp<Attrs>({
  name: "Prod",
  forward(ctx, [x], { dims, keepdim, dtype }) {
    const out = Tensor.empty(keepShape(x.shape, dims), dtype);
    backend().reduce("prod", x, dims, out);
    const res = finishReduce(out, x.shape, dims, keepdim);
    if (ctx.needsInputGrad[0]) ctx.save(x, res);
    return res;
  },
  backward(ctx, [g], { dims }) {
    const [x, res] = ctx.saved;
    const gk = reshape(gradAs(g, x.dtype), keepShape(x.shape, dims));
    return [mul(gk, productOfOthers(x, reshape(res, keepShape(x.shape, dims)), dims))];
  },
});

/**
 * ∂(Π x)/∂xᵢ = Π_{k≠i} x_k for each reduced group, correct when the group holds zeros (where result / x
 * fails), and written so that its own derivative is right too: `zsum` (the sum of the zero entries) is 0
 * in value but carries their derivative, which the second derivative needs when a group has one or two
 * zeros. With three or more zeros every first and second derivative is 0.
 */
function productOfOthers(x: Tensor, prodKeep: Tensor, dims: number[]): Tensor {
  const z = eq(x, 0);
  if (!any(z).item()) return div(prodKeep, x);
  const xs = where(z, 1, x);
  const nz = sum(z, dims, true);
  const zsum = sum(where(z, x, 0), dims, true);
  const factor = where(
    eq(nz, 0),
    1,
    where(eq(nz, 1), where(z, 1, zsum), where(logicalAnd(eq(nz, 2), z), sub(zsum, x), 0)),
  );
  return mul(div(prod(xs, dims, true), xs), factor);
}

/**
 * Product over `dim` (every dim when omitted), as `torch.prod`. Integer and bool inputs give int64.
 * The gradient is exact where the input holds zeros (PyTorch's `prod_safe_zeros_backward`).
 *
 * Shape: the input's without the reduced dims (kept as size 1 with `keepdim`).
 *
 * @example
 * torch.prod(torch.tensor([[1, 2], [3, 4]]), 1) // tensor([2, 12])
 */
export function prod(x: Tensor, dim?: DimArg, keepdim = false, opts: ReduceDtypeOptions = {}): Tensor {
  checkTensor(x, "prod");
  const dims = reduceDims(dim, x.dim(), "prod");
  const dtype = opts.dtype !== undefined ? checkDtype(opts.dtype, "prod") : isFloating(x.dtype) ? x.dtype : "int64";
  return prodOp([x], { dims, keepdim, dtype });
}

const logsumexpOp = defineUnaryOutputOp<Attrs>({
  name: "Logsumexp",
  forward(ctx, [x], { dims, keepdim, dtype }) {
    const out = Tensor.empty(keepShape(x.shape, dims), dtype);
    backend().reduce("logsumexp", x, dims, out);
    const res = finishReduce(out, x.shape, dims, keepdim);
    if (ctx.needsInputGrad[0]) ctx.save(x, res);
    return res;
  },
  backward(ctx, [g], { dims }) {
    const [x, res] = ctx.saved;
    const ks = keepShape(x.shape, dims);
    return [mul(reshape(g, ks), exp(sub(x, reshape(res, ks))))];
  },
});

/**
 * log Σ exp(x) over `dim`, computed stably as m + log Σ exp(x − m) with m the maximum, as
 * `torch.logsumexp`. Integer inputs give float32; an empty extent gives −∞. The gradient is softmax(x)·g.
 *
 * Shape: the input's without the reduced dims (kept as size 1 with `keepdim`).
 *
 * @example
 * torch.logsumexp(torch.tensor([0, 0], { dtype: "float32" }), 0) // tensor(0.6931) = log 2
 */
export function logsumexp(x: Tensor, dim: DimArg, keepdim = false): Tensor {
  checkTensor(x, "logsumexp");
  if (dim === undefined) throw new TypeError("logsumexp(): missing required argument 'dim'");
  const dims = reduceDims(dim, x.dim(), "logsumexp");
  return logsumexpOp([x], { dims, keepdim, dtype: isFloating(x.dtype) ? x.dtype : "float32" });
}

function logical(kind: "all" | "any", x: Tensor, dim: DimArg, keepdim: boolean): Tensor {
  checkTensor(x, kind);
  const dims = reduceDims(dim, x.dim(), kind);
  // PyTorch keeps uint8 for uint8 inputs (a legacy rule); everything else gives bool.
  const out = Tensor.empty(keepShape(x.shape, dims), x.dtype === "uint8" ? "uint8" : "bool");
  backend().reduce(kind, x, dims, out);
  return finishReduce(out, x.shape, dims, keepdim);
}

/**
 * Whether every element over `dim` (every dim when omitted) is non-zero, as `torch.all`. True for an empty
 * extent. Bool result (uint8 for uint8 input).
 *
 * @example
 * torch.all(torch.tensor([[1, 0], [3, 4]]), 1) // tensor([false, true])
 */
export function all(x: Tensor, dim?: DimArg, keepdim = false): Tensor {
  return logical("all", x, dim, keepdim);
}

/**
 * Whether any element over `dim` (every dim when omitted) is non-zero, as `torch.any`. False for an empty
 * extent. Bool result (uint8 for uint8 input).
 *
 * @example
 * torch.any(torch.tensor([[0, 0], [3, 0]]), 1) // tensor([false, true])
 */
export function any(x: Tensor, dim?: DimArg, keepdim = false): Tensor {
  return logical("any", x, dim, keepdim);
}

