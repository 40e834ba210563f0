import { Tensor } from "../../tensor.js";
import * as ew from "../../ops/elementwise.js";
import { applyInplace } from "../../ops/inplace.js";
import { checkTensor } from "../../ops/util.js";
import { noGrad } from "../../autograd/grad-mode.js";
import { defaultGenerator } from "../../random/generator.js";
import { defineUnaryOutputOp } from "../../ops/define.js";
import { leakyRelu, type InplaceArg, isInplace } from "./activation.js";

/** `x · noise` with the noise fixed (graph node `RreluWithNoiseBackward0`, as PyTorch's). */
const rreluWithNoiseOp = defineUnaryOutputOp<{ noise: Tensor }>({
  name: "RreluWithNoise",
  forward(_ctx, [x], { noise }) {
    return ew.mul(x, noise);
  },
  backward(_ctx, [g], { noise }) {
    return [ew.mul(g, noise)];
  },
});

/**
 * PyTorch's `_rrelu_with_noise_train` noise: walking the input in row-major order, each `x <= 0` draws
 * `r ~ U(lower, upper)` (`uniform_real_distribution<double>`: 53 bits of `random64()`), the others get 1.
 * Only non-positive elements consume the stream, so the same seed gives PyTorch's slopes.
 */
function rreluNoise(x: Tensor, lower: number, upper: number): Tensor {
  const vals = x.toTypedArray();
  const noise = Tensor.empty(x.shape, x.dtype);
  const gen = defaultGenerator;
  for (let i = 0; i < vals.length; i++) {
    noise.buf[i] = vals[i] <= 0 ? gen.random64Low(53) * 2 ** -53 * (upper - lower) + lower : 1;
  }
  return noise;
}

/**
 * Randomized leaky ReLU (Xu et al. 2015), as `F.rrelu(input, lower=1/8, upper=1/3, training=False,
 * inplace=False)`. Training: every element with `x <= 0` is multiplied by its own slope drawn from
 * U(lower, upper) (the default generator), others pass unchanged; the gradient is the same per-element
 * factor. Eval: `leakyRelu(x, (lower + upper)/2)`.
 */
export function rrelu(input: Tensor, lower = 1 / 8, upper = 1 / 3, training = false, inplace: InplaceArg = false): Tensor {
  checkTensor(input, "rrelu");
  if (!(lower <= upper)) throw new RangeError("Lower bound should be less than or equal to the upper bound");
  if (!training) return leakyRelu(input, (lower + upper) / 2, inplace);
  const noise = noGrad(() => rreluNoise(input, lower, upper));
  const op = (x: Tensor): Tensor => rreluWithNoiseOp([x], { noise });
  return isInplace(inplace) ? applyInplace(input, "rrelu_", op) : op(input);
}

/** In-place `rrelu`, as `F.rrelu_`. */
export function rrelu_(input: Tensor, lower = 1 / 8, upper = 1 / 3, training = false): Tensor {
  return rrelu(input, lower, upper, training, true);
}
