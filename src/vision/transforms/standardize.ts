/**
 * Per-image normalizations (linear min-max scaling and z-score standardization), the two most common
 * "归一化" methods besides histogram equalization (`equalize`). Unlike `Normalize`, whose mean and std are
 * dataset constants, these use each image's own statistics.
 */
import { Tensor } from "../../tensor.js";
import { isFloating } from "../../dtype.js";
import { add, div, eq, maximum, mul, sqrt, sub, where } from "../../ops/elementwise.js";
import { amax, amin } from "../../ops/extrema.js";
import { mean } from "../../ops/reduce.js";
import { Transform } from "./transform.js";
import { describe } from "./tensor-image.js";
import { pyFloat } from "./scalar.js";

export interface MinMaxOptions {
  /** Output range `[lo, hi]` (default [0, 1]). */
  range?: readonly [number, number];
  /** Scale each channel by its own min and max instead of the whole image's (default false). */
  perChannel?: boolean;
}

export interface ZScoreOptions {
  /** Standardize each channel with its own mean and std instead of the whole image's (default false). */
  perChannel?: boolean;
}

function checkImage(x: unknown, op: string): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: input should be a float Tensor of shape (…, C, H, W). Got ${describe(x)}`);
  if (!isFloating(x.dtype)) throw new TypeError(`${op}: input tensor should be a float tensor. Got ${x.dtype} (convert with convertImageDtype)`);
  if (x.dim() < 3) throw new Error(`${op}: expected a tensor image of size (…, C, H, W). Got shape [${x.shape.join(", ")}]`);
  return x;
}

function statDims(perChannel: boolean | undefined): number[] {
  return perChannel ? [-2, -1] : [-3, -2, -1];
}

/** The shared implementation of `minMaxNormalize` and `MinMaxNormalize`. */
export function minMaxImpl(x: Tensor, opts: MinMaxOptions, op: string): Tensor {
  checkImage(x, op);
  const [lo, hi] = opts.range ?? [0, 1];
  if (typeof lo !== "number" || typeof hi !== "number" || !(lo <= hi)) throw new RangeError(`${op}: range should be [lo, hi] with lo <= hi, got ${JSON.stringify(opts.range)}`);
  const dims = statDims(opts.perChannel);
  const mn = amin(x, dims, true);
  const span = sub(amax(x, dims, true), mn);
  // A constant image has no range to stretch: it maps to `lo` instead of 0/0.
  const flat = eq(span, 0);
  const unit = div(sub(x, mn), where(flat, pyFloat(1, span), span));
  return add(mul(unit, pyFloat(hi - lo, x)), pyFloat(lo, x));
}

/**
 * Linear (min-max) normalization of each image to `range` (default [0, 1]):
 * out = (x − min) / (max − min) · (hi − lo) + lo, with min and max over each image's (C, H, W) — or over each
 * channel's (H, W) with `perChannel`. A constant image maps to `lo`. Differentiable.
 *
 * @example
 * minMaxNormalize(torch.tensor([[[2, 4, 6]]], { dtype: "float32" })) // [[[0, 0.5, 1]]]
 */
export function minMaxNormalize(x: Tensor, opts: MinMaxOptions = {}): Tensor {
  return minMaxImpl(x, opts, "minMaxNormalize");
}

/** The shared implementation of `zScoreNormalize` and `ZScoreNormalize`. */
export function zScoreImpl(x: Tensor, opts: ZScoreOptions, op: string): Tensor {
  checkImage(x, op);
  const dims = statDims(opts.perChannel);
  const n = dims.reduce((p, d) => p * x.shape[x.dim() + d], 1);
  const m = mean(x, dims, true);
  const centered = sub(x, m);
  const std = sqrt(mean(mul(centered, centered), dims, true));
  // tf.image.per_image_standardization's floor on the std: a constant image divides by 1/√N, not by 0.
  const adjusted = maximum(std, pyFloat(1 / Math.sqrt(n), std));
  return div(centered, adjusted);
}

/**
 * Z-score standardization of each image: out = (x − mean) / max(std, 1/√N), with mean and the population
 * std (divide by N) over each image's N = C·H·W values — or over each channel's H·W with `perChannel`.
 * The 1/√N floor is TensorFlow's `per_image_standardization`; it only matters for (near-)constant images.
 * Differentiable.
 *
 * @example
 * zScoreNormalize(torch.tensor([[[1, 3]]], { dtype: "float32" })) // [[[-1, 1]]]
 */
export function zScoreNormalize(x: Tensor, opts: ZScoreOptions = {}): Tensor {
  return zScoreImpl(x, opts, "zScoreNormalize");
}

/** Min-max scales each image to a range; see `minMaxNormalize`. */
export class MinMaxNormalize extends Transform<Tensor, Tensor> {
  constructor(readonly options: MinMaxOptions = {}) {
    super();
    const [lo, hi] = options.range ?? [0, 1];
    if (!(lo <= hi)) throw new RangeError(`MinMaxNormalize: range should be [lo, hi] with lo <= hi, got ${JSON.stringify(options.range)}`);
  }
  forward(x: Tensor): Tensor {
    return minMaxImpl(x, this.options, "MinMaxNormalize");
  }
  override extraRepr(): string {
    const [lo, hi] = this.options.range ?? [0, 1];
    return `range=[${lo}, ${hi}]${this.options.perChannel ? ", per_channel=True" : ""}`;
  }
}

/** Standardizes each image to zero mean and unit std; see `zScoreNormalize`. */
export class ZScoreNormalize extends Transform<Tensor, Tensor> {
  constructor(readonly options: ZScoreOptions = {}) {
    super();
  }
  forward(x: Tensor): Tensor {
    return zScoreImpl(x, this.options, "ZScoreNormalize");
  }
  override extraRepr(): string {
    return this.options.perChannel ? "per_channel=True" : "";
  }
}
