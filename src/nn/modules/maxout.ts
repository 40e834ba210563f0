import type { Tensor } from "../../tensor.js";
import { empty } from "../../ops/creation.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { maxout } from "../functional/maxout.js";
import { linear } from "../functional/linear.js";
import * as init from "../init.js";
import { pyBool } from "../repr.js";

/**
 * Maxout units, in two forms:
 *
 * - `new Maxout(groupSize = 2, { dim = 1 })`: the maximum over consecutive groups of `groupSize` channels
 *   (ConvNetJS's MaxoutLayer), shape `(N, C, *) → (N, ⌊C/groupSize⌋, *)`;
 * - `new Maxout(inFeatures, outFeatures, pieces, { bias = true })`: a linear maxout layer
 *   `hₒ = maxⱼ (x Wₒⱼᵀ + bₒⱼ)` (Goodfellow et al. 2013) whose `outFeatures·pieces` affine pieces are
 *   consecutive (`o·pieces + j`) and initialized as `nn.Linear`'s; shape `(*, in) → (*, out)`.
 *
 * Not in PyTorch (pytorch/pytorch#805).
 *
 * @example
 * new nn.Maxout(2)(torch.randn([8, 6, 4, 4])).shape // [8, 3, 4, 4]
 * new nn.Maxout(10, 4, 3)(torch.randn([8, 10])).shape // [8, 4]
 */
export class Maxout extends Module {
  groupSize: number;
  dim: number;
  inFeatures: number | null = null;
  outFeatures: number | null = null;
  declare weight: Parameter | null;
  declare bias: Parameter | null;

  constructor(groupSize?: number, opts?: { dim?: number });
  constructor(inFeatures: number, outFeatures: number, pieces: number, opts?: { bias?: boolean });
  constructor(a = 2, b?: number | { dim?: number }, c?: number, d?: { bias?: boolean }) {
    super();
    if (typeof b === "number") {
      if (c === undefined) throw new TypeError("Maxout: a linear maxout takes (inFeatures, outFeatures, pieces)");
      this.inFeatures = a;
      this.outFeatures = b;
      this.groupSize = c;
      this.dim = -1;
      this.weight = new Parameter(empty([b * c, a]));
      if (d?.bias ?? true) this.bias = new Parameter(empty([b * c]));
      else this.registerParameter("bias", null);
      this.resetParameters();
    } else {
      this.groupSize = a;
      this.dim = b?.dim ?? 1;
      this.registerParameter("weight", null);
      this.registerParameter("bias", null);
    }
  }

  /** The linear form's init, as `nn.Linear`'s: kaiming_uniform(a=√5) and bias U(±1/√in). */
  resetParameters(): void {
    if (!this.weight) return;
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const bound = this.inFeatures! > 0 ? 1 / Math.sqrt(this.inFeatures!) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }

  override forward(input: Tensor): Tensor {
    const x = this.weight ? linear(input, this.weight, this.bias) : input;
    return maxout(x, this.groupSize, this.dim);
  }

  override extraRepr(): string {
    if (this.weight) {
      return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, pieces=${this.groupSize}, bias=${pyBool(this.bias !== null)}`;
    }
    return `group_size=${this.groupSize}, dim=${this.dim}`;
  }
}
