/**
 * Mixed pooling (Yu et al., "Mixed Pooling for Convolutional Neural Networks", RSKT 2014). Not in
 * PyTorch; the seeds describe it: choose max or average pooling at random in training, like dropout.
 */
import type { Tensor } from "../tensor.js";
import type { Generator } from "../random/generator.js";
import { add, mul } from "./elementwise.js";
import { checkTensor } from "./util.js";
import { avgPool2d } from "./avg-pool.js";
import { maxPool2d } from "./max-pool.js";
import { type IntOrTuple, checkDtype } from "./pool-args.js";
import { uniformScalar } from "./pool-random.js";

/** Options of `mixedPool2d`. */
export interface MixedPoolOptions {
  /** Window step; default (undefined, null or `[]`): `kernelSize`. */
  stride?: IntOrTuple | null;
  /** Padding (−∞ for the max branch, zeros counted in the divisor for the average branch). Default 0. */
  padding?: IntOrTuple;
  /** Ceil instead of floor for the output length. Default false. */
  ceilMode?: boolean;
  /** Probability of choosing max pooling in training, and its weight in evaluation. Default 0.5. */
  maxProbability?: number;
  /** Draw a branch (true, default) or use the fixed evaluation rule (false). */
  training?: boolean;
  /** Seeded source of the draw (default: the global generator). */
  generator?: Generator | null;
  /** Forces the training branch (true: max, false: average) instead of drawing it. */
  _useMax?: boolean | null;
}

/**
 * 2-d mixed pooling of `(N, C, H, W)` or `(C, H, W)`.
 *
 * - training: one draw per call; with probability `maxProbability` the result is
 *   `maxPool2d(x, k, …)`, else `avgPool2d(x, k, …)` (the whole batch uses the same branch).
 * - evaluation: the expectation of training's output,
 *   `maxProbability·maxPool2d(x) + (1 − maxProbability)·avgPool2d(x)`, a fixed deterministic rule.
 *
 * Shape: as `maxPool2d` with dilation 1. Defaults: stride = kernelSize, padding 0, ceilMode false,
 * maxProbability 0.5, training true.
 *
 * @example
 * const x = torch.tensor([[[[1, 3], [0, 4]]]], { dtype: "float32" });
 * F.mixedPool2d(x, 2, { training: false }) // 0.5·4 + 0.5·2 = tensor([[[[3]]]])
 */
export function mixedPool2d(input: Tensor, kernelSize: IntOrTuple, opts: MixedPoolOptions = {}): Tensor {
  const op = "mixedPool2d";
  checkTensor(input, op);
  checkDtype(input, op, "mixed_pool2d", false);
  const p = opts.maxProbability ?? 0.5;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${op}: maxProbability must be in [0, 1], but got ${p}`);
  const args = { stride: opts.stride, padding: opts.padding, ceilMode: opts.ceilMode };
  if (opts.training === false) {
    return add(mul(maxPool2d(input, kernelSize, args), p), mul(avgPool2d(input, kernelSize, args), 1 - p));
  }
  const useMax = opts._useMax ?? uniformScalar(opts.generator) < p;
  return useMax ? maxPool2d(input, kernelSize, args) : avgPool2d(input, kernelSize, args);
}
