import type { View } from "../../tensor.js";

/** Reductions whose result is one value per output element. */
export type ReduceKind = "sum" | "prod" | "max" | "min" | "any" | "all";

export interface ReduceKernels {
  /**
   * Reduces `x` over `dims` into `out`, whose shape is `x.shape` with the reduced dims set to 1 (keepdim
   * form; callers squeeze afterwards). Sums and products accumulate in float64 whatever the dtype; max and
   * min propagate NaN. Reducing an empty extent gives the identity (0, 1, -inf, +inf, false, true).
   */
  reduce(kind: ReduceKind, x: View, dims: readonly number[], out: View): void;
  /**
   * Max or min along one dim with the index of the first extreme (NaN counts as the extreme, first NaN
   * wins), as `torch.max(x, dim)`. `values` and `indices` have the keepdim shape.
   */
  argReduce(kind: "max" | "min", x: View, dim: number, values: View | null, indices: View): void;
}
