/**
 * max, min, amax, amin, argmax, argmin. NaN counts as the extreme everywhere, as in PyTorch.
 */
import { Tensor } from "../tensor.js";
import { normalizeDim } from "../layout.js";
import { backend } from "../backend/backend.js";
import { defineOp, defineUnaryOutputOp } from "./define.js";
import { checkTensor } from "./util.js";
import { reshape } from "./view.js";
import { div, eq, isnan, maximum, minimum, mul, where } from "./elementwise.js";
import { sum } from "./reduce.js";
import { type DimArg, finishReduce, keepShape, reduceDims, reducedShape } from "./reduce-util.js";

/**
 * The (values, indices) pair of `max(x, dim)`, `min(x, dim)` and friends, as PyTorch's
 * `torch.return_types` named tuples: read `.values`/`.indices`, index `[0]`/`[1]`, or destructure
 * `const [values, indices] = torch.max(x, 1)`.
 */
export class ValuesIndices {
  constructor(
    readonly values: Tensor,
    readonly indices: Tensor,
  ) {}
  get 0(): Tensor {
    return this.values;
  }
  get 1(): Tensor {
    return this.indices;
  }
  *[Symbol.iterator](): IterableIterator<Tensor> {
    yield this.values;
    yield this.indices;
  }
}

type Extreme = "max" | "min";

/** The op's name for errors on a full reduction of nothing (`max()`, `amax()`). */
function checkNonEmptyFull(x: Tensor, op: string): void {
  if (x.numel() === 0) {
    throw new RangeError(
      `${op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with ` +
        "the 'dim' argument.",
    );
  }
}

function checkNonEmptyDim(x: Tensor, dim: number, shown: number, op: string): void {
  if (x.dim() > 0 && x.shape[dim] === 0) {
    throw new RangeError(`${op}(): Expected reduction dim ${shown} to have non-zero size.`);
  }
}

const amaxOps: Record<Extreme, (inputs: Tensor[], attrs: { dims: number[]; keepdim: boolean }) => Tensor> = {
  max: makeAmax("max"),
  min: makeAmax("min"),
};

function makeAmax(kind: Extreme) {
  return defineUnaryOutputOp<{ dims: number[]; keepdim: boolean }>({
    name: kind === "max" ? "Amax" : "Amin",
    forward(ctx, [x], { dims, keepdim }) {
      const out = Tensor.empty(keepShape(x.shape, dims), x.dtype);
      backend().reduce(kind, x, dims, out);
      if (ctx.needsInputGrad[0]) ctx.save(x, out);
      return finishReduce(out, x.shape, dims, keepdim);
    },
    backward(ctx, [g], { dims }) {
      // PyTorch's scale_grad_by_count: ties share the gradient evenly. A NaN extreme matches nothing, so its
      // count is 0 and the gradient NaN, exactly as PyTorch.
      const [x, outKeep] = ctx.saved;
      const mask = eq(x, outKeep);
      return [mul(div(reshape(g, outKeep.shape), sum(mask, dims, true)), mask)];
    },
  });
}

function amaxLike(kind: Extreme, x: Tensor, dim: DimArg, keepdim: boolean): Tensor {
  const op = kind === "max" ? "amax" : "amin";
  checkTensor(x, op);
  const dims = reduceDims(dim, x.dim(), op);
  const explicit = typeof dim === "number" || (Array.isArray(dim) && dim.length > 0);
  if (!explicit) checkNonEmptyFull(x, op);
  else {
    // PyTorch names the first empty dim in the order given, as the user wrote it (negative stays negative).
    const given = typeof dim === "number" ? [dim] : (dim as number[]);
    given.forEach((d, i) => checkNonEmptyDim(x, dims[i], d, op));
  }
  return amaxOps[kind]([x], { dims, keepdim });
}

/**
 * Maximum over `dim` (every dim when omitted), as `torch.amax`. The gradient is shared evenly among ties.
 * Reducing an empty dim is an error.
 *
 * Shape: the input's without the reduced dims (kept as size 1 with `keepdim`).
 *
 * @example
 * torch.amax(torch.tensor([[1, 5], [3, 4]]), 0) // tensor([3, 5])
 */
export function amax(x: Tensor, dim?: DimArg, keepdim = false): Tensor {
  return amaxLike("max", x, dim, keepdim);
}

/**
 * Minimum over `dim` (every dim when omitted), as `torch.amin`. The gradient is shared evenly among ties.
 *
 * @example
 * torch.amin(torch.tensor([[1, 5], [3, 4]]), 0) // tensor([1, 4])
 */
export function amin(x: Tensor, dim?: DimArg, keepdim = false): Tensor {
  return amaxLike("min", x, dim, keepdim);
}

const fullOps: Record<Extreme, (inputs: Tensor[], attrs: undefined) => Tensor> = {
  max: makeFull("max"),
  min: makeFull("min"),
};

function makeFull(kind: Extreme) {
  return defineUnaryOutputOp<undefined>({
    name: kind === "max" ? "Max" : "Min",
    forward(ctx, [x]) {
      const dims = x.shape.map((_, i) => i);
      const out = Tensor.empty([], x.dtype);
      backend().reduce(kind, x, dims, out);
      if (ctx.needsInputGrad[0]) ctx.save(x, out);
      return out;
    },
    backward(ctx, [g]) {
      // PyTorch's evenly_distribute_backward: ties share the gradient; a NaN result spreads over the NaNs.
      const [x, out] = ctx.saved;
      const mask = Number.isNaN(out.item()) ? isnan(x) : eq(x, out);
      return [where(mask, div(g, sum(mask)), 0)];
    },
  });
}

const dimOps: Record<Extreme, (inputs: Tensor[], attrs: { dim: number; keepdim: boolean }) => Tensor[]> = {
  max: makeDim("max"),
  min: makeDim("min"),
};

function makeDim(kind: Extreme) {
  return defineOp<{ dim: number; keepdim: boolean }>({
    name: kind === "max" ? "Max" : "Min",
    forward(ctx, [x], { dim, keepdim }) {
      const ks = keepShape(x.shape, [dim]);
      const values = Tensor.empty(ks, x.dtype);
      const indices = Tensor.empty(ks, "int64");
      backend().argReduce(kind, x, dim, values, indices);
      ctx.inShape = x.shape.slice();
      ctx.save(indices);
      return [finishReduce(values, x.shape, [dim], keepdim), finishReduce(indices, x.shape, [dim], keepdim)];
    },
    backward(ctx, [g], { dim }) {
      // The gradient goes to the selected index only (value_selecting_reduction_backward).
      const [indices] = ctx.saved;
      const shape = ctx.inShape as number[];
      if (shape.length === 0) return [g];
      return [where(eq(positions(shape, dim), indices), reshape(g, indices.shape), 0)];
    },
  });
}

/** 0, 1, …, n−1 along `dim` of `shape`, size 1 elsewhere: compared with indices it marks the selected ones. */
function positions(shape: readonly number[], dim: number): Tensor {
  const p = Tensor.empty(shape.map((s, i) => (i === dim ? s : 1)), "int64");
  for (let i = 0; i < shape[dim]; i++) p.buf[i] = i;
  return p;
}

function extreme(kind: Extreme, x: Tensor, dim: number | Tensor | undefined, keepdim: boolean | undefined): Tensor | ValuesIndices {
  checkTensor(x, kind);
  if (dim instanceof Tensor) return kind === "max" ? maximum(x, dim) : minimum(x, dim);
  if (dim === undefined || dim === null) {
    if (keepdim !== undefined) throw new TypeError(`${kind}(): keepdim needs a dim (got keepdim without dim)`);
    checkNonEmptyFull(x, kind);
    return fullOps[kind]([x], undefined);
  }
  if (typeof dim !== "number") throw new TypeError(`${kind}(): argument 'dim' must be int or Tensor, not ${typeof dim}`);
  const d = normalizeDim(dim, x.dim(), kind);
  checkNonEmptyDim(x, d, d, kind);
  const [values, indices] = dimOps[kind]([x], { dim: x.dim() === 0 ? 0 : d, keepdim: keepdim ?? false });
  return new ValuesIndices(values, indices);
}

/**
 * `torch.max`: the maximum of all elements (0-dim; ties share the gradient evenly); with `dim`, the
 * maxima along it and their indices (first occurrence; the gradient goes to that index); with a tensor,
 * the elementwise `maximum`. NaN counts as the maximum.
 *
 * Shape: with `dim`, the input's without `dim` (kept as size 1 with `keepdim`).
 *
 * @example
 * torch.max(torch.tensor([[1, 5], [3, 4]]), 1).indices // tensor([1, 1])
 */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function max(x: Tensor, other: Tensor): Tensor;
export function max(x: Tensor, dim?: number | Tensor, keepdim?: boolean): Tensor | ValuesIndices {
  return extreme("max", x, dim, keepdim);
}

/**
 * `torch.min`: the minimum of all elements; with `dim`, the minima and their indices; with a tensor, the
 * elementwise `minimum`. See `max`.
 *
 * @example
 * torch.min(torch.tensor([[1, 5], [3, 4]]), 1).values // tensor([1, 3])
 */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function min(x: Tensor, other: Tensor): Tensor;
export function min(x: Tensor, dim?: number | Tensor, keepdim?: boolean): Tensor | ValuesIndices {
  return extreme("min", x, dim, keepdim);
}

function argExtreme(kind: Extreme, x: Tensor, dim: number | null | undefined, keepdim: boolean): Tensor {
  const op = `arg${kind}`;
  checkTensor(x, op);
  if (x.dtype === "bool") throw new TypeError(`${op}(): "${op}_cpu" not implemented for 'Bool'`);
  let src = x;
  let d: number;
  let outShape: number[];
  if (dim === undefined || dim === null) {
    if (x.numel() === 0) {
      throw new RangeError(`${op}(): Expected reduction dim to be specified for input.numel() == 0.`);
    }
    src = reshape(x.detach(), [x.numel()]);
    d = 0;
    outShape = keepdim ? x.shape.map(() => 1) : [];
  } else {
    d = normalizeDim(dim, x.dim(), op);
    checkNonEmptyDim(x, d, d, op);
    if (x.dim() === 0) d = 0;
    outShape = reducedShape(x.shape, x.dim() === 0 ? [] : [d], keepdim);
  }
  const indices = Tensor.empty(keepShape(src.shape, src.dim() === 0 ? [] : [d]), "int64");
  backend().argReduce(kind, src, d, null, indices);
  return new Tensor(indices.buf, "int64", outShape);
}

/**
 * Index of the maximum over `dim` (of the flattened input when omitted), as `torch.argmax`: the first
 * occurrence, NaN counting as the maximum. int64 result.
 *
 * @example
 * torch.argmax(torch.tensor([[1, 3, 3], [2, 2, 1]]), 1) // tensor([1, 0])
 */
export function argmax(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return argExtreme("max", x, dim, keepdim);
}

/**
 * Index of the minimum over `dim` (of the flattened input when omitted), as `torch.argmin`.
 *
 * @example
 * torch.argmin(torch.tensor([[1, 3, 0], [2, 2, 1]]), 1) // tensor([2, 2])
 */
export function argmin(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return argExtreme("min", x, dim, keepdim);
}

