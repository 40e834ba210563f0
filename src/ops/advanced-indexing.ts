import { Tensor, type View } from "../tensor.js";
import { broadcastShapes, formatShape } from "../layout.js";
import { backend } from "../backend/backend.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import { defineUnaryOutputOp } from "./define.js";
import type { PrimitiveOp } from "./index-util.js";
import { broadcastView, checkTensor, scalarTensor, type TensorLike } from "./util.js";
import { zeros } from "./creation.js";
import { clone, expand, reshape } from "./view.js";
import { add } from "./elementwise.js";
import { to } from "./cast.js";
import { sumToShape } from "./reduce.js";
import { checkIndexValues, outOfBounds } from "./index-util.js";

/**
 * How a list of index tensors addresses `self` (PyTorch's advanced indexing): which dims are indexed, the
 * index tensors broadcast to one shape B, and where B lands in the result — in place of the indexed dims when
 * they are adjacent, else in front (numpy's rule).
 */
interface IndexPlan {
  dims: number[];
  /** Integer index tensors (broadcast views of shape `bshape`), one per entry of `dims`. */
  indices: Tensor[];
  bshape: number[];
  resultShape: number[];
  /** `self`'s dims in the order the kernel walks them: indexed dims first. */
  selfPerm: number[];
  /** The result's dims in kernel order: B first, then the remaining dims. */
  outPerm: number[];
}

function permuted(v: View, perm: readonly number[]): View {
  return { buf: v.buf, dtype: v.dtype, offset: v.offset, shape: perm.map((d) => v.shape[d]), strides: perm.map((d) => v.strides[d]) };
}

/** The coordinates of the non-zero elements as a `[count, ndim]` int64 tensor (no gradient). */
function nonzeroRaw(x: Tensor): Tensor {
  const count = backend().countNonzero(x);
  const out = Tensor.empty([count, x.dim()], "int64");
  backend().nonzero(x, out);
  return out;
}

/**
 * Coordinates of the non-zero elements, as `torch.nonzero`: a `[count, ndim]` int64 tensor, or with
 * `asTuple` one 1-d tensor per dim. NaN counts as non-zero.
 *
 * @example
 * torch.nonzero(torch.tensor([[0, 1], [2, 0]])) // tensor([[0, 1], [1, 0]])
 */
export function nonzero(x: Tensor, opts?: { asTuple?: false }): Tensor;
export function nonzero(x: Tensor, opts: { asTuple: true }): Tensor[];
export function nonzero(x: Tensor, opts?: { asTuple?: boolean }): Tensor | Tensor[];
export function nonzero(x: Tensor, opts: { asTuple?: boolean } = {}): Tensor | Tensor[] {
  checkTensor(x, "nonzero");
  const nz = nonzeroRaw(x);
  if (!opts.asTuple) return nz;
  // A 0-d input answers as if it were 1-d, as PyTorch does.
  if (x.dim() === 0) return [Tensor.empty([nz.shape[0]], "int64")];
  return x.shape.map((_, j) => columnOf(nz, j));
}

/** Column `j` of a `[n, k]` coordinate matrix, as a view. */
function columnOf(nz: Tensor, j: number): Tensor {
  return nz._viewAs([nz.shape[0]], [nz.strides[0]], nz.offset + j * nz.strides[1]);
}

/**
 * A bool (or legacy uint8) mask over dims `start..start+k` of `self` as k integer index tensors, after
 * PyTorch's shape check.
 */
export function maskToIndices(mask: Tensor, selfShape: readonly number[], start: number, op: string): Tensor[] {
  for (let j = 0; j < mask.dim(); j++) {
    if (start + j >= selfShape.length) {
      throw new RangeError(`${op}: too many indices for tensor of dimension ${selfShape.length}`);
    }
    if (mask.shape[j] !== selfShape[start + j]) {
      throw new RangeError(
        `${op}: The shape of the mask ${formatShape(mask.shape)} at index ${j} does not match the shape of the ` +
          `indexed tensor ${formatShape(selfShape)} at index ${start + j}`,
      );
    }
  }
  const nz = nonzeroRaw(mask);
  return mask.shape.map((_, j) => columnOf(nz, j));
}

const INDEX_DTYPES = ["int64", "int32", "uint8", "bool"];

/** Builds the plan for `self[indices]`; `indices` is positional over `self`'s dims (null: the whole dim). */
function planIndex(selfShape: readonly number[], indices: ReadonlyArray<Tensor | null | undefined>, op: string): IndexPlan {
  const expanded: Array<Tensor | null> = [];
  for (const t of indices) {
    if (t === null || t === undefined) {
      expanded.push(null);
      continue;
    }
    if (!(t instanceof Tensor) || !INDEX_DTYPES.includes(t.dtype)) {
      throw new TypeError(`${op}: tensors used as indices must be long, int, byte or bool tensors`);
    }
    if (t.dtype === "bool" || t.dtype === "uint8") expanded.push(...maskToIndices(t, selfShape, expanded.length, op));
    else expanded.push(t);
  }
  if (expanded.length > selfShape.length) {
    throw new RangeError(`${op}: too many indices for tensor of dimension ${selfShape.length}`);
  }
  const dims: number[] = [];
  const raw: Tensor[] = [];
  expanded.forEach((t, d) => {
    if (t) {
      dims.push(d);
      raw.push(t);
    }
  });
  let bshape: number[];
  try {
    bshape = broadcastShapes(...raw.map((t) => t.shape));
  } catch {
    throw new RangeError(
      `${op}: shape mismatch: indexing tensors could not be broadcast together with shapes ` +
        raw.map((t) => formatShape(t.shape)).join(", "),
    );
  }
  raw.forEach((t, i) => checkIndexValues(t, selfShape[dims[i]], true, outOfBounds(op, dims[i], selfShape[dims[i]])));
  const rest = selfShape.map((_, d) => d).filter((d) => !dims.includes(d));
  const adjacent = dims.every((d, i) => i === 0 || d === dims[i - 1] + 1);
  const nb = bshape.length;
  const restShape = rest.map((d) => selfShape[d]);
  let resultShape: number[];
  let outPerm: number[];
  if (adjacent && dims.length > 0) {
    const p = dims[0];
    resultShape = [...restShape.slice(0, p), ...bshape, ...restShape.slice(p)];
    outPerm = [
      ...bshape.map((_, i) => p + i),
      ...Array.from({ length: p }, (_, i) => i),
      ...Array.from({ length: restShape.length - p }, (_, i) => p + nb + i),
    ];
  } else {
    resultShape = [...bshape, ...restShape];
    outPerm = resultShape.map((_, i) => i);
  }
  return {
    dims,
    indices: raw.map((t) => broadcastView(t, bshape)),
    bshape,
    resultShape,
    selfPerm: [...dims, ...rest],
    outPerm,
  };
}

const indexOp: PrimitiveOp<{ plan: IndexPlan }> = defineUnaryOutputOp<{ plan: IndexPlan }>({
  name: "Index",
  forward(ctx, [self], { plan }) {
    const out = Tensor.empty(plan.resultShape, self.dtype);
    backend().index(permuted(self, plan.selfPerm), plan.indices, permuted(out, plan.outPerm));
    ctx.selfShape = self.shape.slice();
    return out;
  },
  backward(ctx, [g], { plan }) {
    const base = zeros(ctx.selfShape as number[], { dtype: g.dtype });
    return [indexPutOp([base, g], { plan, accumulate: true })];
  },
});

const indexPutOp: PrimitiveOp<{ plan: IndexPlan; accumulate: boolean }> = defineUnaryOutputOp<{ plan: IndexPlan; accumulate: boolean }>({
  name: "IndexPut",
  forward(_ctx, [self, values], { plan, accumulate }) {
    const out = Tensor.empty(self.shape, self.dtype);
    backend().copy(self, out);
    backend().indexPut(permuted(out, plan.selfPerm), plan.indices, permuted(values, plan.outPerm), accumulate);
    return out;
  },
  backward(ctx, [g], { plan, accumulate }) {
    let gSelf: Tensor | null = null;
    if (ctx.needsInputGrad[0]) {
      // Overwritten positions do not depend on the old self: their gradient is zero.
      gSelf = accumulate ? g : indexPutOp([g, zeros(plan.resultShape, { dtype: g.dtype })], { plan, accumulate: false });
    }
    return [gSelf, ctx.needsInputGrad[1] ? indexOp([g], { plan }) : null];
  },
});

/** `self[indices]` for a positional list of index tensors (PyTorch's `index`); see `index` for the full syntax. */
export function indexWithTensors(self: Tensor, indices: ReadonlyArray<Tensor | null | undefined>, op = "index"): Tensor {
  const plan = planIndex(self.shape, indices, op);
  return indexOp([self], { plan });
}

/**
 * `value` prepared for a write into a region of `shape`: leading size-1 dims dropped (as PyTorch's setitem
 * does), broadcast, and converted to `dtype`.
 */
export function valueFor(value: TensorLike, shape: readonly number[], dtype: Tensor["dtype"], op: string): Tensor {
  if (!(value instanceof Tensor)) {
    if (typeof value !== "number" && typeof value !== "boolean") {
      throw new TypeError(`${op}: value must be a Tensor, number or boolean, got ${value === null ? "null" : typeof value}`);
    }
    return broadcastView(scalarTensor(value, dtype), shape);
  }
  let v = value;
  let lead = 0;
  while (lead < v.dim() && v.shape[lead] === 1) lead++;
  if (lead > 0) v = reshape(v, v.shape.slice(lead));
  try {
    broadcastShapes(v.shape, shape);
    if (v.dim() > shape.length) throw new Error("rank");
    v = expand(v, shape);
  } catch {
    throw new Error(
      `${op}: shape mismatch: value tensor of shape ${formatShape(value.shape)} cannot be broadcast to indexing ` +
        `result of shape ${formatShape(shape)}`,
    );
  }
  return v.dtype === dtype ? v : to(v, dtype);
}

/**
 * Out of place `self[indices] = values` (or `+=` with `accumulate`), as `torch.index_put`: a new tensor,
 * differentiable in `self` and `values`.
 */
export function indexPutWithTensors(
  self: Tensor,
  indices: ReadonlyArray<Tensor | null | undefined>,
  values: TensorLike,
  accumulate = false,
  op = "indexPut",
): Tensor {
  const plan = planIndex(self.shape, indices, op);
  if (plan.dims.length === 0) {
    const v = valueFor(values, self.shape, self.dtype, op);
    return accumulate ? add(self, v) : clone(v);
  }
  return indexPutOp([self, valueFor(values, plan.resultShape, self.dtype, op)], { plan, accumulate });
}

/** Writes straight into `self`'s storage (no autograd): the fast path of setitem when nothing needs a gradient. */
export function indexPutRaw(self: Tensor, indices: ReadonlyArray<Tensor | null | undefined>, values: TensorLike, accumulate: boolean, op: string): void {
  const plan = planIndex(self.shape, indices, op);
  const v = valueFor(values, plan.resultShape, self.dtype, op);
  if (plan.dims.length === 0) {
    if (accumulate) backend().copy(add(self, v), self);
    else backend().copy(v, self);
    return;
  }
  backend().indexPut(permuted(self, plan.selfPerm), plan.indices, permuted(v, plan.outPerm), accumulate);
}

type MaskAttrs = { mask: Tensor; shape: number[]; count: number };

const maskedSelectOp: PrimitiveOp<MaskAttrs> = defineUnaryOutputOp<MaskAttrs>({
  name: "MaskedSelect",
  forward(ctx, [x], { mask, shape, count }) {
    const out = Tensor.empty([count], x.dtype);
    backend().maskedSelect(broadcastView(x, shape), mask, out);
    ctx.inShape = x.shape.slice();
    return out;
  },
  backward(ctx, [g], a) {
    return [sumToShape(maskedScatterOp([g], a), ctx.inShape as number[])];
  },
});

/** Zeros of the mask's shape with `src` laid into the true positions: the adjoint of MaskedSelect. */
const maskedScatterOp: PrimitiveOp<MaskAttrs> = defineUnaryOutputOp<MaskAttrs>({
  name: "MaskedScatter",
  forward(_ctx, [src], { mask, shape }) {
    const out = Tensor.empty(shape, src.dtype);
    backend().maskedScatter(out, mask, src);
    return out;
  },
  backward(_ctx, [g], a) {
    return [maskedSelectOp([g], a)];
  },
});

/**
 * The elements of `x` where `mask` (bool, broadcast with `x`) is true, as a 1-d tensor in row-major order,
 * as `torch.masked_select`.
 *
 * @example
 * torch.maskedSelect(torch.tensor([1, 2, 3]), torch.tensor([true, false, true])) // tensor([1, 3])
 */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  checkTensor(x, "maskedSelect");
  checkTensor(mask, "maskedSelect", "mask");
  if (mask.dtype !== "bool") throw new TypeError(`masked_select: expected BoolTensor for mask (got ${mask.dtype})`);
  let shape: number[];
  try {
    shape = broadcastShapes(x.shape, mask.shape);
  } catch (e) {
    throw new Error(`maskedSelect: ${(e as Error).message}`);
  }
  const m = broadcastView(mask, shape);
  return maskedSelectOp([x], { mask: m, shape, count: backend().countNonzero(m) });
}

/** True when a write into `self` involving `value` must be recorded by autograd. */
export function writeNeedsGrad(self: Tensor, value: unknown): boolean {
  return isGradEnabled() && (self.requiresGrad || (value instanceof Tensor && value.requiresGrad));
}
