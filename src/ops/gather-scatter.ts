import { Tensor } from "../tensor.js";
import { broadcastShapes, formatShape, normalizeDim } from "../layout.js";
import { backend } from "../backend/backend.js";
import type { ElementwiseDescriptor } from "../backend/interface/core.js";
import { defineUnaryOutputOp } from "./define.js";
import type { PrimitiveOp } from "./index-util.js";
import { broadcastView, checkTensor, scalarTensor } from "./util.js";
import { zeros } from "./creation.js";
import { mul, where } from "./elementwise.js";
import { sum, sumToShape } from "./reduce.js";
import { to } from "./cast.js";
import { applyInplace } from "./inplace.js";
import { pad } from "./pad.js";
import { checkIndexTensor, checkIndexValues, outOfBounds } from "./index-util.js";

/** PyTorch treats 0-d and 1-d alike in gather/scatter shape checks (`ensure_nonempty_dim`). */
const nonemptyDim = (t: Tensor): number => Math.max(t.dim(), 1);
const sizeAt = (t: Tensor, d: number): number => (t.dim() === 0 ? 1 : t.shape[d]);

/** `gather_shape_check` / `scatter_shape_check` of aten/src/ATen/native/ScatterGatherChecks.h. */
function checkGatherScatter(op: "gather" | "scatter" | "scatter_add", self: Tensor, dim: number, index: Tensor, src: Tensor | null): void {
  const selfName = op === "gather" ? "input" : "self";
  if (nonemptyDim(index) !== nonemptyDim(self)) {
    throw new Error(`${op}: Index tensor must have the same number of dimensions as ${selfName} tensor`);
  }
  if (src && nonemptyDim(index) !== nonemptyDim(src)) {
    throw new Error(`${op}: Index tensor must have the same number of dimensions as src tensor`);
  }
  for (let d = 0; d < nonemptyDim(index); d++) {
    const i = sizeAt(index, d);
    if (op === "gather") {
      if (d !== dim && i > sizeAt(self, d)) {
        throw new Error(
          `gather: Size does not match at dimension ${d} expected index ${formatShape(index.shape)} to be smaller ` +
            `than self ${formatShape(self.shape)} apart from dimension ${dim}`,
        );
      }
    } else if ((d !== dim && i > sizeAt(self, d)) || (src && i > sizeAt(src, d))) {
      throw new Error(
        `${op}: Expected index ${formatShape(index.shape)} to be smaller than self ${formatShape(self.shape)} apart ` +
          `from dimension ${dim}` + (src ? ` and to be smaller size than src ${formatShape(src.shape)}` : ""),
      );
    }
  }
  const size = sizeAt(self, dim);
  checkIndexValues(index, size, false, outOfBounds(op, dim, size));
}

const gatherOp: PrimitiveOp<{ dim: number; index: Tensor }> = defineUnaryOutputOp<{ dim: number; index: Tensor }>({
  name: "Gather",
  forward(ctx, [x], { dim, index }) {
    const out = Tensor.empty(index.shape, x.dtype);
    backend().gather(x, dim, index, out);
    ctx.inShape = x.shape.slice();
    return out;
  },
  backward(ctx, [g], { dim, index }) {
    const base = zeros(ctx.inShape as number[], { dtype: g.dtype });
    return [scatterOp([base, g], { dim, index, accumulate: true })];
  },
});

/**
 * Picks values along `dim` by `index` (int64, same rank as `x`): `out[i][j][k] = x[index[i][j][k]][j][k]`
 * for dim 0, as `torch.gather`. `index` may be smaller than `x` in every dim but `dim`.
 *
 * Shape: out has `index.shape`.
 *
 * @example
 * torch.gather(torch.tensor([[1, 2], [3, 4]]), 1, torch.tensor([[0, 0], [1, 0]])) // tensor([[1, 1], [4, 3]])
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  checkTensor(x, "gather");
  checkIndexTensor(index, ["int64"], "gather(): Expected dtype int64 for index", "gather");
  const d = normalizeDim(dim, x.dim(), "gather");
  checkGatherScatter("gather", x, d, index, null);
  return gatherOp([x], { dim: d, index });
}

type ScatterAttrs = { dim: number; index: Tensor; accumulate: boolean };
const scatterOp = (inputs: Tensor[], a: ScatterAttrs): Tensor => (a.accumulate ? scatterAddPrim : scatterPrim)(inputs, a);

/** Scatter (write) and ScatterAdd (accumulate): one definition, two PyTorch node names. */
const scatterDef = (name: string): PrimitiveOp<ScatterAttrs> => defineUnaryOutputOp<ScatterAttrs>({
  name,
  forward(ctx, [self, src], { dim, index, accumulate }) {
    const out = Tensor.empty(self.shape, self.dtype);
    backend().copy(self, out);
    backend().scatter(out, dim, index, src, accumulate);
    ctx.srcShape = src.shape.slice();
    return out;
  },
  backward(ctx, [g], { dim, index, accumulate }) {
    let gSelf: Tensor | null = null;
    if (ctx.needsInputGrad[0]) gSelf = accumulate ? g : scatterValueOp([g], { dim, index, value: 0 });
    let gSrc: Tensor | null = null;
    if (ctx.needsInputGrad[1]) {
      gSrc = gatherOp([g], { dim, index });
      // src may be larger than index; the elements it never reads get zero gradient.
      const srcShape = ctx.srcShape as number[];
      const extra = srcShape.map((s, d) => s - sizeAt(gSrc!, d));
      if (extra.some((e) => e > 0)) {
        const pads: number[] = [];
        for (let d = extra.length - 1; d >= 0; d--) pads.push(0, extra[d]);
        gSrc = pad(gSrc, pads);
      }
      if (srcShape.length === 0 && gSrc.dim() !== 0) gSrc = gSrc.reshape([]);
    }
    return [gSelf, gSrc];
  },
});
const scatterPrim = scatterDef("Scatter");
const scatterAddPrim = scatterDef("ScatterAdd");

const scatterValueOp: PrimitiveOp<{ dim: number; index: Tensor; value: number }> = defineUnaryOutputOp<{ dim: number; index: Tensor; value: number }>({
  name: "Scatter",
  forward(_ctx, [self], { dim, index, value }) {
    const out = Tensor.empty(self.shape, self.dtype);
    backend().copy(self, out);
    backend().scatter(out, dim, index, broadcastView(scalarTensor(value, self.dtype), index.shape), false);
    return out;
  },
  backward(_ctx, [g], { dim, index }) {
    return [scatterValueOp([g], { dim, index, value: 0 })];
  },
});

function scatterArgs(op: "scatter" | "scatter_add", self: Tensor, dim: number, index: Tensor, src: Tensor | number | boolean): number {
  checkTensor(self, op);
  checkIndexTensor(index, ["int64"], `${op}(): Expected dtype int64 for index`, op);
  const d = normalizeDim(dim, self.dim(), op);
  if (src instanceof Tensor) {
    if (src.dtype !== self.dtype) throw new TypeError(`${op}(): Expected self.dtype to be equal to src.dtype`);
    checkGatherScatter(op, self, d, index, src);
  } else {
    if (typeof src !== "number" && typeof src !== "boolean") {
      throw new TypeError(`${op}(): argument 'src' must be Tensor or Number, not ${src === null ? "null" : typeof src}`);
    }
    checkGatherScatter(op, self, d, index, null);
  }
  return d;
}

/**
 * Writes `src` (a tensor, or one value) into a copy of `x` at the positions `index` names along `dim`:
 * `out[index[i][j][k]][j][k] = src[i][j][k]` for dim 0, as `torch.scatter`. With repeated indices the last
 * write wins (PyTorch leaves the order unspecified).
 *
 * @example
 * torch.scatter(torch.zeros(2, 3), 1, torch.tensor([[2], [0]]), 1) // tensor([[0, 0, 1], [1, 0, 0]])
 */
export function scatter(x: Tensor, dim: number, index: Tensor, src: Tensor | number | boolean): Tensor {
  const d = scatterArgs("scatter", x, dim, index, src);
  if (src instanceof Tensor) return scatterOp([x, src], { dim: d, index, accumulate: false });
  return scatterValueOp([x], { dim: d, index, value: Number(src) });
}

/**
 * Adds `src` into a copy of `x` at the positions `index` names along `dim`, accumulating repeats:
 * `out[index[i][j][k]][j][k] += src[i][j][k]` for dim 0, as `torch.scatter_add`.
 *
 * @example
 * torch.scatterAdd(torch.zeros(3), 0, torch.tensor([0, 0, 2]), torch.ones(3)) // tensor([2, 0, 1])
 */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  checkTensor(src, "scatter_add", "src");
  const d = scatterArgs("scatter_add", x, dim, index, src);
  return scatterOp([x, src], { dim: d, index, accumulate: true });
}

/** In-place `scatter` (`x.scatter_(dim, index, src)`). */
export function scatter_(x: Tensor, dim: number, index: Tensor, src: Tensor | number | boolean): Tensor {
  scatterArgs("scatter", x, dim, index, src);
  return applyInplace(x, "scatter_", (s) => scatter(s, dim, index, src));
}

/** In-place `scatterAdd` (`x.scatter_add_(dim, index, src)`). */
export function scatterAdd_(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  checkTensor(src, "scatter_add", "src");
  scatterArgs("scatter_add", x, dim, index, src);
  return applyInplace(x, "scatterAdd_", (s) => scatterAdd(s, dim, index, src));
}

const indexSelectOp: PrimitiveOp<{ dim: number; index: Tensor }> = defineUnaryOutputOp<{ dim: number; index: Tensor }>({
  name: "IndexSelect",
  forward(ctx, [x], { dim, index }) {
    const shape = x.shape.slice();
    if (shape.length) shape[dim] = index.numel();
    const out = Tensor.empty(shape, x.dtype);
    backend().indexSelect(x, dim, index, out);
    ctx.inShape = x.shape.slice();
    return out;
  },
  backward(ctx, [g], { dim, index }) {
    const base = zeros(ctx.inShape as number[], { dtype: g.dtype });
    return [indexAddOp([base, g], { dim, index, alpha: 1 })];
  },
});

function checkVectorIndex(index: Tensor, op: string): void {
  if (index.dim() > 1) {
    throw new RangeError(`${op}(): Index is supposed to be a vector, but got dim: ${index.dim()} with size: ${formatShape(index.shape)}`);
  }
}

/**
 * The slices of `x` along `dim` at the positions of the 1-d `index` (int64 or int32), in that order, as
 * `torch.index_select`.
 *
 * Shape: out is `x.shape` with `dim` replaced by `index.numel()`.
 *
 * @example
 * torch.indexSelect(torch.tensor([[1, 2], [3, 4], [5, 6]]), 0, torch.tensor([2, 0])) // tensor([[5, 6], [1, 2]])
 */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  checkTensor(x, "indexSelect");
  checkIndexTensor(index, ["int64", "int32"], "index_select(): Expected dtype int32 or int64 for index", "indexSelect");
  checkVectorIndex(index, "index_select");
  const d = normalizeDim(dim, x.dim(), "indexSelect");
  checkIndexValues(index, sizeAt(x, d), false, () => "index_select(): index out of range in self");
  return indexSelectOp([x], { dim: d, index });
}

const indexAddOp: PrimitiveOp<{ dim: number; index: Tensor; alpha: number }> = defineUnaryOutputOp<{ dim: number; index: Tensor; alpha: number }>({
  name: "IndexAdd",
  forward(_ctx, [self, src], { dim, index, alpha }) {
    const out = Tensor.empty(self.shape, self.dtype);
    backend().copy(self, out);
    backend().indexAdd(out, dim, index, src, alpha);
    return out;
  },
  backward(ctx, [g], { dim, index, alpha }) {
    let gSrc: Tensor | null = null;
    if (ctx.needsInputGrad[1]) {
      gSrc = indexSelectOp([g], { dim, index });
      if (alpha !== 1) gSrc = mul(gSrc, alpha);
    }
    return [ctx.needsInputGrad[0] ? g : null, gSrc];
  },
});

function indexAddArgs(x: Tensor, dim: number, index: Tensor, source: Tensor): number {
  checkTensor(x, "indexAdd");
  checkTensor(source, "indexAdd", "source");
  checkIndexTensor(index, ["int64", "int32"], "index_add_(): Expected dtype int32/int64 for index", "indexAdd");
  checkVectorIndex(index, "index_add_");
  const d = normalizeDim(dim, x.dim(), "indexAdd");
  if (source.dtype !== x.dtype) {
    throw new TypeError(`index_add_(): self (${x.dtype}) and source (${source.dtype}) must have the same scalar type`);
  }
  const n = index.numel();
  if (x.dim() > 0 && sizeAt(source, d) !== n) {
    throw new Error(`index_add_(): Number of indices (${n}) should be equal to source.size(dim): (${sizeAt(source, d)}), for dim: ${d}`);
  }
  const mismatch = x.dim() !== source.dim() && !(x.dim() === 0 && source.dim() <= 1);
  if (mismatch || (x.dim() > 0 && x.shape.some((s, i) => i !== d && s !== source.shape[i]))) {
    throw new Error(
      `index_add_(): source ${formatShape(source.shape)} must have the shape of self ${formatShape(x.shape)} apart from dimension ${d}`,
    );
  }
  checkIndexValues(index, sizeAt(x, d), false, () => "index_add_(): index out of range in self");
  return d;
}

/**
 * Adds `alpha · source` into a copy of `x` at the slices `index` names along `dim` (repeats accumulate),
 * as `torch.index_add`. Default `alpha` 1.
 *
 * @example
 * torch.indexAdd(torch.zeros(3), 0, torch.tensor([0, 0]), torch.ones(2)) // tensor([2, 0, 0])
 */
export function indexAdd(x: Tensor, dim: number, index: Tensor, source: Tensor, opts: { alpha?: number } = {}): Tensor {
  const d = indexAddArgs(x, dim, index, source);
  return indexAddOp([x, source], { dim: d, index, alpha: opts.alpha ?? 1 });
}

/** In-place `indexAdd` (`x.index_add_(dim, index, source)`). */
export function indexAdd_(x: Tensor, dim: number, index: Tensor, source: Tensor, opts: { alpha?: number } = {}): Tensor {
  indexAddArgs(x, dim, index, source);
  return applyInplace(x, "indexAdd_", (s) => indexAdd(s, dim, index, source, opts));
}

const MASKED_FILL: ElementwiseDescriptor = { name: "masked_fill", arity: 3, expr: "b !== 0 ? c : a" };

const maskedFillOp = defineUnaryOutputOp<undefined>({
  name: "MaskedFill",
  forward(ctx, [x, mask, value]) {
    const shape = broadcastShapes(x.shape, mask.shape);
    const out = Tensor.empty(shape, x.dtype);
    backend().map(MASKED_FILL, [broadcastView(x, shape), broadcastView(mask, shape), broadcastView(value, shape)], out);
    ctx.save(mask);
    ctx.xShape = x.shape.slice();
    return out;
  },
  backward(ctx, [g]) {
    const [mask] = ctx.saved;
    const gx = ctx.needsInputGrad[0] ? sumToShape(where(mask, 0, g), ctx.xShape as number[]) : null;
    return [gx, null, ctx.needsInputGrad[2] ? sum(where(mask, g, 0)) : null];
  },
});

function maskedFillArgs(x: Tensor, mask: Tensor, value: Tensor | number | boolean, op: string): Tensor {
  checkTensor(x, op);
  checkTensor(mask, op, "mask");
  if (mask.dtype !== "bool") {
    throw new TypeError(`${op}: masked_fill_ only supports boolean masks, but got mask with dtype ${mask.dtype}`);
  }
  if (value instanceof Tensor) {
    if (value.dim() !== 0) {
      throw new Error(
        `${op}: masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ${value.dim()} dimension(s).`,
      );
    }
    // The kernel stores raw numbers: convert first (differentiably) so integer outputs truncate.
    return value.dtype === x.dtype ? value : to(value, x.dtype);
  }
  if (typeof value !== "number" && typeof value !== "boolean") {
    throw new TypeError(`${op}(): argument 'value' must be Tensor or Number, not ${value === null ? "null" : typeof value}`);
  }
  return scalarTensor(value, x.dtype);
}

/**
 * `x` with the positions where `mask` (bool, broadcast with `x`) is true set to `value` (a number or a 0-d
 * tensor, converted to `x.dtype`), as `torch.masked_fill`. Gradient: `x` where not masked; a tensor `value`
 * gets the sum over masked positions.
 *
 * @example
 * torch.maskedFill(torch.tensor([1, 2, 3]), torch.tensor([true, false, true]), 0) // tensor([0, 2, 0])
 */
export function maskedFill(x: Tensor, mask: Tensor, value: Tensor | number | boolean): Tensor {
  const v = maskedFillArgs(x, mask, value, "maskedFill");
  try {
    broadcastShapes(x.shape, mask.shape);
  } catch (e) {
    throw new Error(`maskedFill: ${(e as Error).message}`);
  }
  return maskedFillOp([x, mask, v], undefined);
}

/** In-place `maskedFill`; `mask` must broadcast to `x.shape`. */
export function maskedFill_(x: Tensor, mask: Tensor, value: Tensor | number | boolean): Tensor {
  maskedFillArgs(x, mask, value, "maskedFill_");
  return applyInplace(x, "maskedFill_", (s) => maskedFill(s, mask, value));
}
