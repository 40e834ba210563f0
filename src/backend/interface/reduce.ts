import type { View } from "../../tensor.js";

/**
 * Reductions whose result is one value per output element. `mean` divides the float64 sum by the count
 * (NaN for an empty extent); `logsumexp` is log Σ exp(x − m) + m with m the maximum (m = 0 when it is ±∞,
 * as PyTorch does, so all −∞ gives −∞ and an empty extent gives −∞).
 */
export type ReduceKind = "sum" | "mean" | "prod" | "max" | "min" | "any" | "all" | "logsumexp";

export interface ReduceKernels {
  /**
   * Reduces `x` over `dims` into `out`, whose shape is `x.shape` with the reduced dims set to 1 (keepdim
   * form; callers squeeze afterwards). Sums and products accumulate in float64 whatever the dtype; max and
   * min propagate NaN. Reducing an empty extent gives the identity (0, 1, −∞, +∞, false, true).
   */
  reduce(kind: ReduceKind, x: View, dims: readonly number[], out: View): void;
  /**
   * The vector p-norm over `dims` into `out` (keepdim shape), in float64: p = ∞ / −∞ take max / min |x|,
   * p = 0 counts non-zeros, otherwise (Σ|x|^p)^(1/p). An empty extent gives 0 for every p, as PyTorch.
   */
  norm(x: View, dims: readonly number[], p: number, out: View): void;
  /**
   * Variance Σ(x − mean)² / max(0, N − correction) over `dims` (two passes in float64), or its square root
   * when `sqrt`; also writes the mean into `meanOut` when given. Both outputs have the keepdim shape.
   */
  moments(x: View, dims: readonly number[], correction: number, sqrt: boolean, out: View, meanOut: View | null): void;
  /**
   * Max or min along one dim with the index of the first extreme (NaN counts as the extreme, first NaN
   * wins), as `torch.max(x, dim)`. `values` and `indices` have the keepdim shape; the dim is non-empty.
   */
  argReduce(kind: "max" | "min", x: View, dim: number, values: View | null, indices: View): void;
  /**
   * Inclusive prefix sums along `dim` into `out` (same shape), accumulated in float64; `reverse` sums from
   * the end (the vjp of a prefix sum). A 0-dim `x` is copied.
   */
  cumsum(x: View, dim: number, reverse: boolean, out: View): void;
}
