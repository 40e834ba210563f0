import { Tensor } from "../tensor.js";
import type { DType } from "../dtype.js";

/** Throws unless `index` is a Tensor of one of `dtypes`; `message` is PyTorch's wording for that op. */
export function checkIndexTensor(index: unknown, dtypes: readonly DType[], message: string, op: string): Tensor {
  if (!(index instanceof Tensor)) {
    const got = index === null ? "null" : Array.isArray(index) ? "Array" : typeof index;
    throw new TypeError(`${op}(): argument 'index' must be Tensor, not ${got}`);
  }
  if (!dtypes.includes(index.dtype)) throw new TypeError(`${message} (got ${index.dtype})`);
  return index;
}

/**
 * Checks every value of `index` against a dim of `size`. `allowNegative` accepts [-size, size) as Python
 * indexing does; otherwise [0, size). `message(v)` builds the error for the first bad value.
 */
export function checkIndexValues(
  index: Tensor,
  size: number,
  allowNegative: boolean,
  message: (v: number) => string,
): void {
  const vals = index.toTypedArray();
  const lo = allowNegative ? -size : 0;
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i];
    if (v < lo || v >= size) throw new RangeError(message(v));
  }
}

/** PyTorch's out-of-bounds wording for Python-style indexing (and gather/scatter). */
export function outOfBounds(op: string, dim: number, size: number): (v: number) => string {
  return (v) =>
    size === 0 && op === "index"
      ? `${op}: index is out of bounds for dimension with size 0`
      : `${op}: index ${v} is out of bounds for dimension ${dim} with size ${size}`;
}

/** A single-output primitive made by `defineUnaryOutputOp` (typed explicitly where backward calls it). */
export type PrimitiveOp<A> = (inputs: Tensor[], attrs: A) => Tensor;
