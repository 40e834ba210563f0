/**
 * Prefix sums (`torch.cumsum`).
 */
import { Tensor } from "../tensor.js";
import { type DType, isFloating } from "../dtype.js";
import { normalizeDim } from "../layout.js";
import { backend } from "../backend/backend.js";
import { defineUnaryOutputOp } from "./define.js";
import { checkTensor } from "./util.js";
import { checkDtype } from "./creation.js";
import { gradAs } from "./reduce-util.js";
import type { ReduceDtypeOptions } from "./reduce.js";

type Attrs = { dim: number; reverse: boolean; dtype: DType };

// One primitive for both directions: the vjp of a prefix sum is the suffix sum of the gradient and vice
// versa, so backward stays a single exact kernel call at every order.
const cumsumOp: (inputs: Tensor[], attrs: Attrs) => Tensor = defineUnaryOutputOp<Attrs>({
  name: "Cumsum",
  forward(ctx, [x], { dim, reverse, dtype }) {
    const out = Tensor.empty(x.shape, dtype);
    backend().cumsum(x, dim, reverse, out);
    ctx.inDtype = x.dtype;
    return out;
  },
  backward(ctx, [g], { dim, reverse }) {
    const dtype = ctx.inDtype as DType;
    return [cumsumOp([gradAs(g, dtype)], { dim, reverse: !reverse, dtype })];
  },
});

/**
 * Cumulative sum along `dim`, as `torch.cumsum`: yᵢ = Σ_{k≤i} xₖ, accumulated in float64. Integer and bool
 * inputs give int64 unless `dtype` says otherwise.
 *
 * Shape: the input's.
 *
 * @example
 * torch.cumsum(torch.tensor([1, 2, 3]), 0) // tensor([1, 3, 6])
 */
export function cumsum(x: Tensor, dim: number, opts: ReduceDtypeOptions = {}): Tensor {
  checkTensor(x, "cumsum");
  if (typeof dim !== "number") throw new TypeError(`cumsum(): argument 'dim' must be int, not ${dim === null ? "null" : typeof dim}`);
  const d = normalizeDim(dim, x.dim(), "cumsum");
  const dtype = opts.dtype !== undefined ? checkDtype(opts.dtype, "cumsum") : isFloating(x.dtype) ? x.dtype : "int64";
  return cumsumOp([x], { dim: x.dim() === 0 ? 0 : d, reverse: false, dtype });
}
