/**
 * Argument handling shared by the reductions: which dims, the output shape, and PyTorch's dtype names for
 * messages that quote PyTorch.
 */
import { Tensor } from "../tensor.js";
import type { DType } from "../dtype.js";
import { normalizeDims } from "../layout.js";
import { to } from "./cast.js";

/** The keepdim shape: reduced dims set to 1. */
export function keepShape(shape: readonly number[], dims: readonly number[]): number[] {
  return shape.map((s, i) => (dims.includes(i) ? 1 : s));
}

/** The output shape with or without the reduced dims. */
export function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  return keepdim ? keepShape(shape, dims) : shape.filter((_, i) => !dims.includes(i));
}

/** A dim argument as PyTorch's reductions take it: one dim, a list, or none. */
export type DimArg = number | readonly number[] | null | undefined;

/** Normalized reduction dims; omitted, null and an empty list all mean every dim (as `torch.sum(x, ())`). */
export function reduceDims(dim: DimArg, ndim: number, op: string): number[] {
  if (Array.isArray(dim) && dim.length === 0) return normalizeDims(undefined, ndim, op);
  if (dim !== undefined && dim !== null && typeof dim !== "number" && !Array.isArray(dim)) {
    throw new TypeError(`${op}(): argument 'dim' must be int or list of ints, not ${typeof dim}`);
  }
  return normalizeDims(dim, ndim, op);
}

/** Number of elements each output of a reduction over `dims` folds. */
export function reducedCount(shape: readonly number[], dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= shape[d];
  return n;
}

/**
 * The op's result from the keepdim-shaped contiguous buffer a kernel filled: dropping size-1 dims of a
 * contiguous tensor keeps it contiguous, so no copy.
 */
export function finishReduce(out: Tensor, inShape: readonly number[], dims: readonly number[], keepdim: boolean): Tensor {
  if (keepdim) return out;
  // Shares the version counter, so an in-place edit of the result is seen by a backward that saved `out`.
  return new Tensor(out.buf, out.dtype, reducedShape(inShape, dims, false), undefined, out.offset, out._version);
}

/** A gradient in the input's dtype (a `dtype` option may have made the output wider or narrower). */
export function gradAs(g: Tensor, dtype: DType): Tensor {
  return g.dtype === dtype ? g : to(g, dtype);
}

const TORCH_NAMES: Record<DType, string> = {
  float32: "Float",
  float64: "Double",
  int32: "Int",
  int64: "Long",
  uint8: "Byte",
  bool: "Bool",
};

/** PyTorch's ScalarType name (`Long`, `Float`, …), for messages quoted from PyTorch. */
export function torchTypeName(dtype: DType): string {
  return TORCH_NAMES[dtype];
}
