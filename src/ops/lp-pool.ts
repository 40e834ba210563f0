/**
 * Power-average pooling (`torch.nn.functional.lp_pool{1,2}d`), composed exactly as PyTorch composes it.
 */
import type { Tensor } from "../tensor.js";
import { abs, mul, pow, relu, sign } from "./elementwise.js";
import { checkTensor } from "./util.js";
import { avgPool1d, avgPool2d } from "./avg-pool.js";
import { type IntOrTuple, tupleArg } from "./pool-args.js";

/** Options of `lpPool1d/2d`. */
export interface LPPoolOptions {
  /** Window step; default (undefined or null): `kernelSize`. */
  stride?: IntOrTuple | null;
  /** Ceil instead of floor for the output length. Default false. */
  ceilMode?: boolean;
}

/** `(sign(s)·relu(|s|))^(1/p)`: the sign/relu guard keeps negative sums (odd p) from producing NaN gradients. */
function root(out: Tensor, count: number, normType: number): Tensor {
  return pow(mul(mul(sign(out), relu(abs(out))), count), 1 / normType);
}

/**
 * 1-d power-average pooling of `(N, C, L)` or `(C, L)`, as `F.lp_pool1d`:
 * `out = (Σ_window x^p)^(1/p)` (p = 1 is sum pooling, p = ∞ would be max pooling).
 * Computed as `avgPool1d(x^p)·k` then the p-th root, so it inherits avg pooling's shapes (no padding).
 *
 * @example
 * F.lpPool1d(torch.tensor([[[3, 4]]], { dtype: "float32" }), 2, 2) // tensor([[[5]]])
 */
export function lpPool1d(input: Tensor, normType: number, kernelSize: number, opts: LPPoolOptions = {}): Tensor {
  checkTensor(input, "lpPool1d");
  const k = tupleArg(kernelSize, 1, "lpPool1d", "kernelSize")[0];
  const out = avgPool1d(pow(input, normType), k, { stride: opts.stride, padding: 0, ceilMode: opts.ceilMode });
  return root(out, k, normType);
}

/**
 * 2-d power-average pooling of `(N, C, H, W)` or `(C, H, W)`, as `F.lp_pool2d`:
 * `out = (Σ_window x^p)^(1/p)`, computed as `avgPool2d(x^p)·kH·kW` then the p-th root.
 *
 * @example
 * F.lpPool2d(torch.ones([1, 1, 2, 2]), 1, 2) // tensor([[[[4]]]])
 */
export function lpPool2d(input: Tensor, normType: number, kernelSize: IntOrTuple, opts: LPPoolOptions = {}): Tensor {
  checkTensor(input, "lpPool2d");
  const [kh, kw] = tupleArg(kernelSize, 2, "lpPool2d", "kernelSize");
  const out = avgPool2d(pow(input, normType), kernelSize, { stride: opts.stride, padding: 0, ceilMode: opts.ceilMode });
  return root(out, kh * kw, normType);
}
