import type { View } from "../../tensor.js";

/**
 * Which elements share one mean and variance, for `x` viewed as `[N, C, S]` (S = the flattened spatial
 * extent): `channel` (batch norm) pools each channel over N and S, giving C statistics; `group` (group,
 * layer and instance norm) pools each (sample, group of C/groups consecutive channels) over its channels
 * and S, giving N·groups statistics in (n, g) order. Layer norm is `group` with one group and `x` viewed
 * as `[rows, normalized numel, 1]`.
 */
export type NormGrouping = { readonly kind: "channel" } | { readonly kind: "group"; readonly groups: number };

/**
 * Normalization kernels. `x`, `dy` and the outputs are strided 3-d views `[N, C, S]`; statistics
 * (`mean`, `variance`, `rstd`) are 1-d float64 views of C (channel) or N·groups (group) entries, so the
 * float32 path keeps PyTorch's double-precision accumulators; `weight` and `bias` are `[C]` or null.
 */
export interface NormKernels {
  /** Mean and biased variance Σ(x − mean)²/M of each pool of M elements (two passes, float64). */
  normStats(x: View, grouping: NormGrouping, mean: View, variance: View): void;
  /** `out = (x − mean)·rstd·weight[c] + bias[c]` (weight 1 and bias 0 when null). */
  normForward(x: View, grouping: NormGrouping, mean: View, rstd: View, weight: View | null, bias: View | null, out: View): void;
  /**
   * Gradients of `normForward` given `dy`. With `batchStats` the statistics are functions of `x` (training
   * mode): `dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂))` over each pool, ĝ = dy·weight[c], x̂ = (x − mean)·rstd;
   * without, they are constants (evaluation with running statistics): `dx = dy·weight[c]·rstd`.
   * `dweight[c] = Σ dy·x̂` and `dbias[c] = Σ dy` over N and S. Any of `dx`, `dweight`, `dbias` may be null.
   */
  normBackward(
    dy: View,
    x: View,
    grouping: NormGrouping,
    mean: View,
    rstd: View,
    weight: View | null,
    batchStats: boolean,
    dx: View | null,
    dweight: View | null,
    dbias: View | null,
  ): void;
}
