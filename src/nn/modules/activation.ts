/**
 * Activation modules: thin stateful wrappers over `nn.functional`, with PyTorch's defaults and `extra_repr`.
 * Shape for all elementwise ones: input `(*)`, output `(*)`, same shape.
 */
import type { Tensor } from "../../tensor.js";
import { full } from "../../ops/creation.js";
import { noGrad } from "../../autograd/grad-mode.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import * as F from "../functional/activation.js";
import { type InplaceArg, isInplace } from "../functional/activation.js";
import { pyFloat, pyNumber, pyStr } from "../repr.js";

export * from "./softmax.js";
export * from "./maxout.js";

const inplaceRepr = (inplace: boolean, sep = ", "): string => (inplace ? `${sep}inplace=True` : "");

/**
 * `max(0, x)`, as `torch.nn.ReLU(inplace=False)`.
 *
 * @example
 * new nn.ReLU()(torch.tensor([-1.5, 2.5])) // tensor([0.0000, 2.5000])
 */
export class ReLU extends Module {
  inplace: boolean;
  constructor(inplace: InplaceArg = false) {
    super();
    this.inplace = isInplace(inplace);
  }
  override forward(input: Tensor): Tensor {
    return F.relu(input, this.inplace);
  }
  override extraRepr(): string {
    return inplaceRepr(this.inplace, "");
  }
}

/**
 * `clamp(x, minVal, maxVal)`, as `torch.nn.Hardtanh(min_val=-1.0, max_val=1.0, inplace=False)`.
 *
 * @example
 * new nn.Hardtanh()(torch.tensor([-2, 0.5, 3])) // tensor([-1.0000,  0.5000,  1.0000])
 */
export class Hardtanh extends Module {
  minVal: number;
  maxVal: number;
  inplace: boolean;
  constructor(minVal = -1, maxVal = 1, inplace: InplaceArg = false) {
    super();
    if (!(maxVal > minVal)) throw new Error(`Hardtanh: max_val must be greater than min_val (got min_val=${minVal}, max_val=${maxVal})`);
    this.minVal = minVal;
    this.maxVal = maxVal;
    this.inplace = isInplace(inplace);
  }
  override forward(input: Tensor): Tensor {
    return F.hardtanh(input, this.minVal, this.maxVal, this.inplace);
  }
  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}${inplaceRepr(this.inplace)}`;
  }
}

/**
 * `min(max(0, x), 6)`, as `torch.nn.ReLU6(inplace=False)` (a Hardtanh from 0 to 6).
 *
 * @example
 * new nn.ReLU6()(torch.tensor([-2, 0.5, 7])) // tensor([0.0000, 0.5000, 6.0000])
 */
export class ReLU6 extends Hardtanh {
  constructor(inplace: InplaceArg = false) {
    super(0, 6, inplace);
  }
  override extraRepr(): string {
    return inplaceRepr(this.inplace, "");
  }
}

/**
 * `x` for `x > 0`, else `negativeSlope·x`, as `torch.nn.LeakyReLU(negative_slope=0.01, inplace=False)`.
 *
 * @example
 * new nn.LeakyReLU(0.1)(torch.tensor([-2, 0.5, 3])) // tensor([-0.2000,  0.5000,  3.0000])
 */
export class LeakyReLU extends Module {
  negativeSlope: number;
  inplace: boolean;
  constructor(negativeSlope = 0.01, inplace: InplaceArg = false) {
    super();
    this.negativeSlope = negativeSlope;
    this.inplace = isInplace(inplace);
  }
  override forward(input: Tensor): Tensor {
    return F.leakyRelu(input, this.negativeSlope, this.inplace);
  }
  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}${inplaceRepr(this.inplace)}`;
  }
}

/**
 * Learnable leaky slope `a` (one, or one per channel on dim 1), as
 * `torch.nn.PReLU(num_parameters=1, init=0.25)`.
 *
 * Shape: input `(N, C, *)` (or any shape with one parameter); `numParameters` is 1 or C.
 *
 * @example
 * new nn.PReLU()(torch.tensor([-2, 0.5, 3])) // tensor([-0.5000,  0.5000,  3.0000], grad_fn=<PreluBackward0>)
 */
export class PReLU extends Module {
  numParameters: number;
  init: number;
  declare weight: Parameter;
  constructor(numParameters = 1, init = 0.25) {
    super();
    this.numParameters = numParameters;
    this.init = init;
    this.weight = new Parameter(full([numParameters], init, { dtype: "float32" }));
  }
  /** Refills the slopes with `init`. */
  resetParameters(): void {
    noGrad(() => this.weight.fill_(this.init));
  }
  override forward(input: Tensor): Tensor {
    return F.prelu(input, this.weight);
  }
  override extraRepr(): string {
    return `num_parameters=${this.numParameters}`;
  }
}

/**
 * Randomized leaky ReLU: in training each non-positive element gets a slope drawn from U(lower, upper); in
 * eval the slope is `(lower + upper)/2`, as `torch.nn.RReLU(lower=1/8, upper=1/3, inplace=False)`.
 *
 * @example
 * new nn.RReLU().eval()(torch.tensor([-2, 0.5, 3])) // tensor([-0.4583,  0.5000,  3.0000])
 */
export class RReLU extends Module {
  lower: number;
  upper: number;
  inplace: boolean;
  constructor(lower = 1 / 8, upper = 1 / 3, inplace: InplaceArg = false) {
    super();
    this.lower = lower;
    this.upper = upper;
    this.inplace = isInplace(inplace);
  }
  override forward(input: Tensor): Tensor {
    return F.rrelu(input, this.lower, this.upper, this.training, this.inplace);
  }
  override extraRepr(): string {
    return `lower=${pyFloat(this.lower)}, upper=${pyFloat(this.upper)}${inplaceRepr(this.inplace)}`;
  }
}

/**
 * `x` for `x > 0`, else `α(eˣ − 1)`, as `torch.nn.ELU(alpha=1.0, inplace=False)`.
 *
 * @example
 * new nn.ELU()(torch.tensor([-2, 0.5, 3])) // tensor([-0.8647,  0.5000,  3.0000])
 */
export class ELU extends Module {
  alpha: number;
  inplace: boolean;
  constructor(alpha = 1, inplace: InplaceArg = false) {
    super();
    this.alpha = alpha;
    this.inplace = isInplace(inplace);
  }
  override forward(input: Tensor): Tensor {
    return F.elu(input, this.alpha, this.inplace);
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${inplaceRepr(this.inplace)}`;
  }
}

/**
 * `max(0, x) + min(0, α(e^{x/α} − 1))`, as `torch.nn.CELU(alpha=1.0, inplace=False)`.
 *
 * @example
 * new nn.CELU(2)(torch.tensor([-2, 0.5, 3])) // tensor([-1.2642,  0.5000,  3.0000])
 */
export class CELU extends ELU {
  override forward(input: Tensor): Tensor {
    return F.celu(input, this.alpha, this.inplace);
  }
}

/**
 * Scaled ELU with PyTorch's fixed constants, as `torch.nn.SELU(inplace=False)`.
 *
 * @example
 * new nn.SELU()(torch.tensor([-2, 0.5, 3])) // tensor([-1.5202,  0.5254,  3.1521])
 */
export class SELU extends Module {
  inplace: boolean;
  constructor(inplace: InplaceArg = false) {
    super();
    this.inplace = isInplace(inplace);
  }
  override forward(input: Tensor): Tensor {
    return F.selu(input, this.inplace);
  }
  override extraRepr(): string {
    return inplaceRepr(this.inplace, "");
  }
}

/**
 * `x·Φ(x)` or its tanh approximation, as `torch.nn.GELU(approximate='none')`.
 *
 * @example
 * new nn.GELU({ approximate: "tanh" })(torch.tensor([-2, 0.5, 3])) // tensor([-0.0454,  0.3457,  2.9964])
 */
export class GELU extends Module {
  approximate: "none" | "tanh";
  constructor(approximate: "none" | "tanh" | { approximate?: "none" | "tanh" } = "none") {
    super();
    this.approximate = typeof approximate === "string" ? approximate : (approximate.approximate ?? "none");
    if (this.approximate !== "none" && this.approximate !== "tanh") {
      throw new Error("approximate argument must be either none or tanh.");
    }
  }
  override forward(input: Tensor): Tensor {
    return F.gelu(input, this.approximate);
  }
  override extraRepr(): string {
    return `approximate=${pyStr(this.approximate)}`;
  }
}

/**
 * `x·σ(x)`, as `torch.nn.SiLU(inplace=False)`.
 *
 * @example
 * new nn.SiLU()(torch.tensor([-2, 0.5, 3])) // tensor([-0.2384,  0.3112,  2.8577])
 */
export class SiLU extends Module {
  inplace: boolean;
  constructor(inplace: InplaceArg = false) {
    super();
    this.inplace = isInplace(inplace);
  }
  override forward(input: Tensor): Tensor {
    return F.silu(input, this.inplace);
  }
  override extraRepr(): string {
    return inplaceRepr(this.inplace, "");
  }
}

/**
 * `x·tanh(softplus(x))`, as `torch.nn.Mish(inplace=False)`.
 *
 * @example
 * new nn.Mish()(torch.tensor([-2, 0.5, 3])) // tensor([-0.2525,  0.3752,  2.9865])
 */
export class Mish extends SiLU {
  override forward(input: Tensor): Tensor {
    return F.mish(input, this.inplace);
  }
}

/**
 * `x·σ(βx)` with a learnable β (Ramachandran et al. 2017, "Searching for Activation Functions"): one β, or
 * one per channel (dim 1) like PReLU. Not in torch.nn; `trainable: false` keeps β fixed (β = 1 is SiLU).
 *
 * @example
 * new nn.Swish()(torch.tensor([-2, 0.5, 3])) // tensor([-0.2384,  0.3112,  2.8577], grad_fn=<MulBackward0>)
 */
export class Swish extends Module {
  numParameters: number;
  trainable: boolean;
  /** The fixed β when not trainable. */
  betaValue: number;
  declare beta: Parameter | null;
  constructor(beta = 1, opts: { trainable?: boolean; numParameters?: number } = {}) {
    super();
    this.betaValue = beta;
    this.trainable = opts.trainable ?? true;
    this.numParameters = opts.numParameters ?? 1;
    if (this.trainable) this.beta = new Parameter(full([this.numParameters], beta, { dtype: "float32" }));
    else this.registerParameter("beta", null);
  }
  override forward(input: Tensor): Tensor {
    if (!this.beta) return F.swish(input, this.betaValue);
    // Per-channel β broadcasts along dim 1, as PReLU's weight does.
    const b = this.numParameters === 1 ? this.beta.reshape([]) : this.beta.reshape([1, this.numParameters, ...new Array<number>(Math.max(input.dim() - 2, 0)).fill(1)]);
    return F.swish(input, b);
  }
  override extraRepr(): string {
    return this.trainable ? `num_parameters=${this.numParameters}` : `beta=${pyFloat(this.betaValue)}`;
  }
}

/**
 * `log(1 + e^{βx})/β`, linear above `threshold`, as `torch.nn.Softplus(beta=1.0, threshold=20.0)`
 * (printed as 2.x prints it, `beta=1.0, threshold=20.0`; 1.13 printed the int defaults `beta=1, threshold=20`).
 *
 * @example
 * new nn.Softplus()(torch.tensor([-2, 0.5, 3])) // tensor([0.1269, 0.9741, 3.0486])
 */
export class Softplus extends Module {
  beta: number;
  threshold: number;
  constructor(beta = 1, threshold = 20) {
    super();
    this.beta = beta;
    this.threshold = threshold;
  }
  override forward(input: Tensor): Tensor {
    return F.softplus(input, this.beta, this.threshold);
  }
  override extraRepr(): string {
    return `beta=${pyFloat(this.beta)}, threshold=${pyFloat(this.threshold)}`;
  }
}

/**
 * `value` where `x <= threshold`, else `x`, as `torch.nn.Threshold(threshold, value, inplace=False)`.
 *
 * @example
 * new nn.Threshold(0.1, 20)(torch.tensor([-2, 0.5, 3])) // tensor([20.0000,  0.5000,  3.0000])
 */
export class Threshold extends Module {
  threshold: number;
  value: number;
  inplace: boolean;
  constructor(threshold: number, value: number, inplace: InplaceArg = false) {
    super();
    this.threshold = threshold;
    this.value = value;
    this.inplace = isInplace(inplace);
  }
  override forward(input: Tensor): Tensor {
    return F.threshold(input, this.threshold, this.value, this.inplace);
  }
  override extraRepr(): string {
    return `threshold=${pyNumber(this.threshold)}, value=${pyNumber(this.value)}${inplaceRepr(this.inplace)}`;
  }
}

/**
 * Shrinks toward zero by `lambd`, as `torch.nn.Softshrink(lambd=0.5)`.
 *
 * @example
 * new nn.Softshrink()(torch.tensor([-2, 0.5, 3])) // tensor([-1.5000,  0.0000,  2.5000])
 */
export class Softshrink extends Module {
  lambd: number;
  constructor(lambd = 0.5) {
    super();
    this.lambd = lambd;
  }
  override forward(input: Tensor): Tensor {
    return F.softshrink(input, this.lambd);
  }
  override extraRepr(): string {
    return pyFloat(this.lambd);
  }
}

/**
 * Zeroes `|x| <= lambd`, as `torch.nn.Hardshrink(lambd=0.5)`.
 *
 * @example
 * new nn.Hardshrink()(torch.tensor([-2, 0.5, 3])) // tensor([-2.,  0.,  3.])
 */
export class Hardshrink extends Softshrink {
  override forward(input: Tensor): Tensor {
    return F.hardshrink(input, this.lambd);
  }
}

/**
 * `σ(x) = 1/(1 + e^{−x})`, as `torch.nn.Sigmoid()`.
 *
 * @example
 * new nn.Sigmoid()(torch.tensor([-2, 0.5, 3])) // tensor([0.1192, 0.6225, 0.9526])
 */
export class Sigmoid extends Module {
  override forward(input: Tensor): Tensor {
    return F.sigmoid(input);
  }
}

/**
 * `tanh(x)`, as `torch.nn.Tanh()`.
 *
 * @example
 * new nn.Tanh()(torch.tensor([-2, 0.5, 3])) // tensor([-0.9640,  0.4621,  0.9951])
 */
export class Tanh extends Module {
  override forward(input: Tensor): Tensor {
    return F.tanh(input);
  }
}

/**
 * `x/(1 + |x|)`, as `torch.nn.Softsign()`.
 *
 * @example
 * new nn.Softsign()(torch.tensor([-2, 0.5, 3])) // tensor([-0.6667,  0.3333,  0.7500])
 */
export class Softsign extends Module {
  override forward(input: Tensor): Tensor {
    return F.softsign(input);
  }
}

/**
 * `x − tanh(x)`, as `torch.nn.Tanhshrink()`.
 *
 * @example
 * new nn.Tanhshrink()(torch.tensor([-2, 0.5, 3])) // tensor([-1.0360,  0.0379,  2.0049])
 */
export class Tanhshrink extends Module {
  override forward(input: Tensor): Tensor {
    return F.tanhshrink(input);
  }
}

/**
 * `log σ(x)`, as `torch.nn.LogSigmoid()`.
 *
 * @example
 * new nn.LogSigmoid()(torch.tensor([-2, 0.5, 3])) // tensor([-2.1269, -0.4741, -0.0486])
 */
export class LogSigmoid extends Module {
  override forward(input: Tensor): Tensor {
    return F.logsigmoid(input);
  }
}

/**
 * `relu6(x + 3)/6`, as `torch.nn.Hardsigmoid(inplace=False)` (PyTorch prints no settings for it).
 *
 * @example
 * new nn.Hardsigmoid()(torch.tensor([-2, 0.5, 3])) // tensor([0.1667, 0.5833, 1.0000])
 */
export class Hardsigmoid extends Module {
  inplace: boolean;
  constructor(inplace: InplaceArg = false) {
    super();
    this.inplace = isInplace(inplace);
  }
  override forward(input: Tensor): Tensor {
    return F.hardsigmoid(input, this.inplace);
  }
}

/**
 * `x·relu6(x + 3)/6`, as `torch.nn.Hardswish(inplace=False)`.
 *
 * @example
 * new nn.Hardswish()(torch.tensor([-2, 0.5, 3])) // tensor([-0.3333,  0.2917,  3.0000])
 */
export class Hardswish extends Hardsigmoid {
  override forward(input: Tensor): Tensor {
    return F.hardswish(input, this.inplace);
  }
}

/**
 * Gated linear unit `a·σ(b)` over the halves of `dim`, as `torch.nn.GLU(dim=-1)`.
 *
 * Shape: `(*, 2N, *) → (*, N, *)`.
 *
 * @example
 * new nn.GLU()(torch.tensor([1, -2, 0, 3], { dtype: "float32" })) // tensor([ 0.5000, -1.9051])
 */
export class GLU extends Module {
  dim: number;
  constructor(dim = -1) {
    super();
    this.dim = dim;
  }
  override forward(input: Tensor): Tensor {
    return F.glu(input, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
