/**
 * Normalization modules (`torch/nn/modules/normalization.py`): LayerNorm, GroupNorm, LocalResponseNorm;
 * the batch and instance norms are in `batchnorm.ts`.
 */
import type { Tensor } from "../../tensor.js";
import type { DType } from "../../dtype.js";
import { empty } from "../../ops/creation.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import * as init from "../init.js";
import { groupNorm, layerNorm, localResponseNorm } from "../functional/normalization.js";
import { pyBool, pyFloat, pyTuple } from "../repr.js";

export * from "./batchnorm.js";

/**
 * Layer normalization over the trailing `normalizedShape` dims, as `torch.nn.LayerNorm(normalized_shape,
 * eps=1e-05, elementwise_affine=True)`: each sample's block normalized by its own mean and biased
 * variance, then an elementwise scale (ones) and shift (zeros) of `normalizedShape`.
 *
 * Shape: input `(*, ...normalizedShape)`; output like input.
 *
 * @example
 * const ln = new nn.LayerNorm(4);
 * ln(torch.randn([2, 3, 4])).shape // [2, 3, 4]
 */
export class LayerNorm extends Module {
  normalizedShape: number[];
  eps: number;
  elementwiseAffine: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], opts: { eps?: number; elementwiseAffine?: boolean; dtype?: DType } = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape.slice();
    this.eps = opts.eps ?? 1e-5;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    const dtype = opts.dtype ?? "float32";
    if (this.elementwiseAffine) {
      this.weight = new Parameter(empty(this.normalizedShape, { dtype }));
      this.bias = new Parameter(empty(this.normalizedShape, { dtype }));
    } else {
      this.registerParameter("weight", null);
      this.registerParameter("bias", null);
    }
    this.resetParameters();
  }

  /** Weight 1, bias 0. */
  resetParameters(): void {
    if (this.weight && this.bias) {
      init.ones_(this.weight);
      init.zeros_(this.bias);
    }
  }

  override forward(input: Tensor): Tensor {
    return layerNorm(input, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

/**
 * Group normalization, as `torch.nn.GroupNorm(num_groups, num_channels, eps=1e-05, affine=True)`: the
 * channels split into `numGroups` groups normalized per sample, then a per-channel scale (ones) and shift
 * (zeros).
 *
 * Shape: input `(N, C, *)` with C = `numChannels`; output like input.
 */
export class GroupNorm extends Module {
  numGroups: number;
  numChannels: number;
  eps: number;
  affine: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;

  constructor(numGroups: number, numChannels: number, opts: { eps?: number; affine?: boolean; dtype?: DType } = {}) {
    super();
    if (numChannels % numGroups !== 0) throw new Error("GroupNorm: num_channels must be divisible by num_groups");
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = opts.eps ?? 1e-5;
    this.affine = opts.affine ?? true;
    const dtype = opts.dtype ?? "float32";
    if (this.affine) {
      this.weight = new Parameter(empty([numChannels], { dtype }));
      this.bias = new Parameter(empty([numChannels], { dtype }));
    } else {
      this.registerParameter("weight", null);
      this.registerParameter("bias", null);
    }
    this.resetParameters();
  }

  /** Weight 1, bias 0. */
  resetParameters(): void {
    if (this.weight && this.bias) {
      init.ones_(this.weight);
      init.zeros_(this.bias);
    }
  }

  override forward(input: Tensor): Tensor {
    return groupNorm(input, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}`;
  }
}

/**
 * Local response normalization across channels, as `torch.nn.LocalResponseNorm(size, alpha=0.0001,
 * beta=0.75, k=1.0)`. See `F.localResponseNorm`.
 *
 * Shape: input `(N, C, *)`; output like input.
 */
export class LocalResponseNorm extends Module {
  size: number;
  alpha: number;
  beta: number;
  k: number;
  constructor(size: number, opts: { alpha?: number; beta?: number; k?: number } = {}) {
    super();
    this.size = size;
    this.alpha = opts.alpha ?? 1e-4;
    this.beta = opts.beta ?? 0.75;
    this.k = opts.k ?? 1;
  }
  override forward(input: Tensor): Tensor {
    return localResponseNorm(input, this.size, { alpha: this.alpha, beta: this.beta, k: this.k });
  }
  override extraRepr(): string {
    return `${this.size}, alpha=${pyFloat(this.alpha)}, beta=${pyFloat(this.beta)}, k=${pyFloat(this.k)}`;
  }
}
