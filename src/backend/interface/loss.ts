import type { View } from "../../tensor.js";

/** How a loss folds its per-element values: PyTorch's `Reduction` enum. */
export type LossReduction = "none" | "mean" | "sum";

/**
 * The negative log-likelihood kernels (`aten/src/ATen/native/LossNLL.cpp`, `LossNLL2d.cpp`). `x` is a
 * strided `[N, C, D]` view of log-probabilities (D = flattened extra dims), `target` an `[N, D]` view of
 * class indices (int64 or uint8 storage), `weight` a `[C]` view or null. A target equal to `ignoreIndex`
 * contributes nothing, not even weight.
 */
export interface LossKernels {
  /**
   * `l[n, d] = −weight[t]·x[n, t, d]` with t = target[n, d]. `none` writes l into `out` `[N, D]`; `sum`
   * writes Σ l, `mean` writes Σ l / Σ weight[t] (NaN when nothing counts) into the one-element `out`. Writes
   * Σ weight[t] over counted targets into the one-element `totalWeight`. Accumulates in float64. Returns
   * the first target outside [0, C) that is not `ignoreIndex`, or null; `out` is then unspecified.
   */
  nllLoss(
    x: View,
    target: View,
    weight: View | null,
    ignoreIndex: number,
    reduction: LossReduction,
    out: View,
    totalWeight: View,
  ): number | null;
  /**
   * The adjoint of `nllLoss` in x: writes `−weight[t]·g` (g = `grad[n, d]` for `none`, the one-element
   * `grad` otherwise, divided by `totalWeight` for `mean`) at `[n, t, d]` of the zero-filled `gradInput`
   * `[N, C, D]`.
   */
  nllLossBackward(
    grad: View,
    target: View,
    weight: View | null,
    ignoreIndex: number,
    reduction: LossReduction,
    totalWeight: number,
    gradInput: View,
  ): void;
  /**
   * Cross entropy of logits `x` `[N, C, D]` with class indices, fused: per (n, d) the log-softmax of the
   * target class, `(x[t] − max) − log Σ_c exp(x[c] − max)` (NaN when the max is ±∞ or NaN, as PyTorch), and
   * `l = −weight[t]·logp` reduced and totalled as `nllLoss`. Writes `log Σ exp(x − max) + max` per (n, d)
   * into the float64 `[N, D]` `lse` for the backward. Returns the first bad target, or null.
   */
  crossEntropyLoss(
    x: View,
    target: View,
    weight: View | null,
    ignoreIndex: number,
    reduction: LossReduction,
    out: View,
    totalWeight: View,
    lse: View,
  ): number | null;
  /**
   * Its gradient: `gradInput[n, c, d] = weight[t]·g·(exp(x[n, c, d] − lse[n, d]) − [c = t])` with g as in
   * `nllLossBackward`; rows of ignored targets get 0. `gradInput` is overwritten.
   */
  crossEntropyLossBackward(
    grad: View,
    x: View,
    lse: View,
    target: View,
    weight: View | null,
    ignoreIndex: number,
    reduction: LossReduction,
    totalWeight: number,
    gradInput: View,
  ): void;
}
