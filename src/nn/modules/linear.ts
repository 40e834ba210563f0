import type { Tensor } from "../../tensor.js";
import type { DType } from "../../dtype.js";
import { empty } from "../../ops/creation.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { longLivedTensor } from "../../long-lived.js";
import { bilinear, linear } from "../functional/linear.js";
import * as init from "../init.js";
import { pyBool } from "../repr.js";

/** `bias` positionally (`new Linear(3, 4, false)`) or as options. */
export type LinearOptions = boolean | { bias?: boolean; dtype?: DType };

function linearOptions(o: LinearOptions | undefined): { bias: boolean; dtype: DType } {
  if (typeof o === "boolean") return { bias: o, dtype: "float32" };
  return { bias: o?.bias ?? true, dtype: o?.dtype ?? "float32" };
}

/**
 * `y = x Wᵀ + b`, as `torch.nn.Linear(in_features, out_features, bias=True, dtype=None)`.
 *
 * Weight `(out, in)` and bias `(out)` start as in PyTorch: kaiming_uniform(a=√5), i.e. U(±1/√in), and
 * U(±1/√in) for the bias.
 *
 * Shape: input `(*, in)`, output `(*, out)`.
 *
 * @example
 * const fc = new nn.Linear(3, 4);
 * fc(torch.randn([2, 3])).shape // [2, 4]
 */
export class Linear extends Module {
  inFeatures: number;
  outFeatures: number;
  declare weight: Parameter;
  declare bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, opts?: LinearOptions) {
    super();
    for (const [n, v] of [["in_features", inFeatures], ["out_features", outFeatures]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new RangeError(`Linear: ${n} must be a non-negative integer, got ${v}`);
    }
    const { bias, dtype } = linearOptions(opts);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = new Parameter(longLivedTensor([outFeatures, inFeatures], dtype, "weight"));
    if (bias) this.bias = new Parameter(longLivedTensor([outFeatures], dtype, "weight"));
    else this.registerParameter("bias", null);
    this.resetParameters();
  }

  /**
   * PyTorch's init: kaiming_uniform(a=√5) gives U(±1/√fanIn) (pytorch/pytorch#57109); the bias uses the
   * same bound.
   */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }

  override forward(input: Tensor): Tensor {
    return linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/**
 * `yₖ = x₁ᵀ Aₖ x₂ + bₖ`, as `torch.nn.Bilinear(in1_features, in2_features, out_features, bias=True)`.
 * Weight `(out, in1, in2)` and bias start as U(±1/√in1).
 *
 * Shape: inputs `(*, in1)` and `(*, in2)`, output `(*, out)`.
 */
export class Bilinear extends Module {
  in1Features: number;
  in2Features: number;
  outFeatures: number;
  declare weight: Parameter;
  declare bias: Parameter | null;

  constructor(in1Features: number, in2Features: number, outFeatures: number, opts?: LinearOptions) {
    super();
    const { bias, dtype } = linearOptions(opts);
    this.in1Features = in1Features;
    this.in2Features = in2Features;
    this.outFeatures = outFeatures;
    this.weight = new Parameter(empty([outFeatures, in1Features, in2Features], { dtype }));
    if (bias) this.bias = new Parameter(empty([outFeatures], { dtype }));
    else this.registerParameter("bias", null);
    this.resetParameters();
  }

  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.weight.shape[1]);
    init.uniform_(this.weight, -bound, bound);
    if (this.bias) init.uniform_(this.bias, -bound, bound);
  }

  override forward(input1: Tensor, input2: Tensor): Tensor {
    return bilinear(input1, input2, this.weight, this.bias);
  }

  override extraRepr(): string {
    return (
      `in1_features=${this.in1Features}, in2_features=${this.in2Features}, ` +
      `out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`
    );
  }
}
