/**
 * Pooling modules: thin stateful wrappers over `nn.functional`'s pooling, with PyTorch's defaults
 * (`stride = kernelSize`) and `extra_repr`, plus two layers PyTorch lacks (StochasticPool2d, MixedPool2d).
 */
import type { Tensor } from "../../tensor.js";
import { Module } from "../module.js";
import * as F from "../functional/pool.js";
import type { AdaptiveSize, IntOrTuple } from "../functional/pool.js";
import type { Generator } from "../../random/generator.js";
import { pyBool, pyNumber, pyTuple } from "../repr.js";

/** Python's repr of an int-or-tuple attribute (`3`, `(2, 2)`, `(3,)`, `(None, 3)`). */
function repr(v: number | readonly (number | null)[] | null): string {
  if (v === null) return "None";
  if (typeof v === "number") return String(v);
  if (v.some((x) => x === null)) return v.length === 1 ? `(${v[0] ?? "None"},)` : `(${v.map((x) => x ?? "None").join(", ")})`;
  return pyTuple(v as number[]);
}

/** PyTorch's `_single` / `_pair` / `_triple`: an int or tuple as an `n`-tuple. */
function ntuple(v: IntOrTuple, n: number): number[] {
  return typeof v === "number" ? new Array<number>(n).fill(v) : v.length === 1 ? new Array<number>(n).fill(v[0]) : v.slice();
}

/** `stride=None` means the kernel size, stored as such (PyTorch's `self.stride = stride or kernel_size`). */
function strideOr(stride: IntOrTuple | null | undefined, kernelSize: IntOrTuple): IntOrTuple {
  return stride === undefined || stride === null || (Array.isArray(stride) && stride.length === 0) ? kernelSize : stride;
}

type WithIndices<O> = O extends { returnIndices: true } ? [Tensor, Tensor] : Tensor;

/** Constructor options of `MaxPool1d/2d/3d`. */
export interface MaxPoolModuleOptions {
  stride?: IntOrTuple | null;
  padding?: IntOrTuple;
  dilation?: IntOrTuple;
  returnIndices?: boolean;
  ceilMode?: boolean;
}

abstract class MaxPoolNd<O extends MaxPoolModuleOptions> extends Module {
  kernelSize: IntOrTuple;
  stride: IntOrTuple;
  padding: IntOrTuple;
  dilation: IntOrTuple;
  returnIndices: boolean;
  ceilMode: boolean;

  constructor(kernelSize: IntOrTuple, opts: O = {} as O) {
    super();
    this.kernelSize = kernelSize;
    this.stride = strideOr(opts.stride, kernelSize);
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    this.returnIndices = opts.returnIndices ?? false;
    this.ceilMode = opts.ceilMode ?? false;
  }

  protected get args() {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode, returnIndices: this.returnIndices };
  }

  override extraRepr(): string {
    return (
      `kernel_size=${repr(this.kernelSize)}, stride=${repr(this.stride)}, padding=${repr(this.padding)}, ` +
      `dilation=${repr(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`
    );
  }
}

/**
 * 1-d max pooling, as `torch.nn.MaxPool1d(kernel_size, stride=None, padding=0, dilation=1,
 * return_indices=False, ceil_mode=False)`; see `F.maxPool1d`.
 *
 * Shape: `(N, C, L)` or `(C, L)` → `(N, C, L_out)`,
 * `L_out = floor((L + 2·padding − dilation·(kernelSize − 1) − 1)/stride + 1)` (ceil with ceilMode).
 *
 * @example
 * new nn.MaxPool1d(2)(torch.tensor([[[1, 3, 2, 5]]], { dtype: "float32" })) // tensor([[[3, 5]]])
 */
export class MaxPool1d<O extends MaxPoolModuleOptions = MaxPoolModuleOptions> extends MaxPoolNd<O> {
  override forward(input: Tensor): WithIndices<O> {
    return F.maxPool1d(input, this.kernelSize, this.args) as WithIndices<O>;
  }
}

/**
 * 2-d max pooling, as `torch.nn.MaxPool2d(kernel_size, stride=None, padding=0, dilation=1,
 * return_indices=False, ceil_mode=False)`; see `F.maxPool2d` (padding acts as −∞, first maximum wins,
 * NaN propagates; indices are flat `h·W + w` for `MaxUnpool2d`).
 *
 * Shape: `(N, C, H, W)` or `(C, H, W)` → `(N, C, H_out, W_out)`,
 * `H_out = floor((H + 2·padding − dilation·(kernelSize − 1) − 1)/stride + 1)` (ceil with ceilMode; a
 * last window starting in the right padding is dropped).
 *
 * @example
 * const pool = new nn.MaxPool2d(3); // MaxPool2d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False)
 * pool(torch.ones([64, 3, 32, 32])).shape // [64, 3, 10, 10]
 * const [y, indices] = new nn.MaxPool2d([2, 2], { stride: [2, 2], returnIndices: true }).call(x);
 */
export class MaxPool2d<O extends MaxPoolModuleOptions = MaxPoolModuleOptions> extends MaxPoolNd<O> {
  override forward(input: Tensor): WithIndices<O> {
    return F.maxPool2d(input, this.kernelSize, this.args) as WithIndices<O>;
  }
}

/**
 * 3-d max pooling, as `torch.nn.MaxPool3d(kernel_size, stride=None, padding=0, dilation=1,
 * return_indices=False, ceil_mode=False)`; see `F.maxPool3d`.
 *
 * Shape: `(N, C, D, H, W)` or `(C, D, H, W)` → `(N, C, D_out, H_out, W_out)`, each as in MaxPool2d.
 *
 * @example
 * new nn.MaxPool3d(2)(torch.ones([1, 1, 4, 4, 4])).shape // [1, 1, 2, 2, 2]
 */
export class MaxPool3d<O extends MaxPoolModuleOptions = MaxPoolModuleOptions> extends MaxPoolNd<O> {
  override forward(input: Tensor): WithIndices<O> {
    return F.maxPool3d(input, this.kernelSize, this.args) as WithIndices<O>;
  }
}

/** Constructor options of `AvgPool2d/3d`. */
export interface AvgPoolModuleOptions {
  stride?: IntOrTuple | null;
  padding?: IntOrTuple;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

/**
 * 1-d average pooling, as `torch.nn.AvgPool1d(kernel_size, stride=None, padding=0, ceil_mode=False,
 * count_include_pad=True)`; see `F.avgPool1d`. Like PyTorch it stores its sizes as 1-tuples.
 *
 * Shape: `(N, C, L)` or `(C, L)` → `(N, C, L_out)`, `L_out = floor((L + 2·padding − kernelSize)/stride + 1)`.
 *
 * @example
 * new nn.AvgPool1d(3, { stride: 2 }).toString() // "AvgPool1d(kernel_size=(3,), stride=(2,), padding=(0,))"
 */
export class AvgPool1d extends Module {
  kernelSize: number[];
  stride: number[];
  padding: number[];
  ceilMode: boolean;
  countIncludePad: boolean;

  constructor(kernelSize: IntOrTuple, opts: Omit<AvgPoolModuleOptions, "divisorOverride"> = {}) {
    super();
    this.kernelSize = ntuple(kernelSize, 1);
    this.stride = ntuple(strideOr(opts.stride, kernelSize), 1);
    this.padding = ntuple(opts.padding ?? 0, 1);
    this.ceilMode = opts.ceilMode ?? false;
    this.countIncludePad = opts.countIncludePad ?? true;
  }

  override forward(input: Tensor): Tensor {
    return F.avgPool1d(input, this.kernelSize, {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
    });
  }

  override extraRepr(): string {
    return `kernel_size=${repr(this.kernelSize)}, stride=${repr(this.stride)}, padding=${repr(this.padding)}`;
  }
}

abstract class AvgPoolNd extends Module {
  kernelSize: IntOrTuple;
  stride: IntOrTuple;
  padding: IntOrTuple;
  ceilMode: boolean;
  countIncludePad: boolean;
  divisorOverride: number | null;

  constructor(kernelSize: IntOrTuple, opts: AvgPoolModuleOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = strideOr(opts.stride, kernelSize);
    this.padding = opts.padding ?? 0;
    this.ceilMode = opts.ceilMode ?? false;
    this.countIncludePad = opts.countIncludePad ?? true;
    this.divisorOverride = opts.divisorOverride ?? null;
  }

  protected get args(): F.AvgPoolOptions {
    return {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
      divisorOverride: this.divisorOverride,
    };
  }

  override extraRepr(): string {
    return `kernel_size=${repr(this.kernelSize)}, stride=${repr(this.stride)}, padding=${repr(this.padding)}`;
  }
}

/**
 * 2-d average pooling, as `torch.nn.AvgPool2d(kernel_size, stride=None, padding=0, ceil_mode=False,
 * count_include_pad=True, divisor_override=None)`; see `F.avgPool2d` for the divisor rule.
 *
 * Shape: `(N, C, H, W)` or `(C, H, W)` → `(N, C, H_out, W_out)`,
 * `H_out = floor((H + 2·padding − kernelSize)/stride + 1)` (ceil with ceilMode).
 *
 * @example
 * new nn.AvgPool2d([2, 2], { stride: [2, 2], divisorOverride: 3 })(torch.ones([1, 1, 4, 4])) // all 4/3
 */
export class AvgPool2d extends AvgPoolNd {
  override forward(input: Tensor): Tensor {
    return F.avgPool2d(input, this.kernelSize, this.args);
  }
}

/**
 * 3-d average pooling, as `torch.nn.AvgPool3d(kernel_size, stride=None, padding=0, ceil_mode=False,
 * count_include_pad=True, divisor_override=None)`; see `F.avgPool3d`.
 *
 * Shape: `(N, C, D, H, W)` or `(C, D, H, W)` → `(N, C, D_out, H_out, W_out)`, each as in AvgPool2d.
 *
 * @example
 * new nn.AvgPool3d(2)(torch.ones([1, 1, 2, 4, 4])).shape // [1, 1, 1, 2, 2]
 */
export class AvgPool3d extends AvgPoolNd {
  override forward(input: Tensor): Tensor {
    return F.avgPool3d(input, this.kernelSize, this.args);
  }
}

abstract class MaxUnpoolNd extends Module {
  kernelSize: number[];
  stride: number[];
  padding: number[];

  constructor(nd: number, kernelSize: IntOrTuple, opts: { stride?: IntOrTuple | null; padding?: IntOrTuple } = {}) {
    super();
    this.kernelSize = ntuple(kernelSize, nd);
    this.stride = ntuple(strideOr(opts.stride, kernelSize), nd);
    this.padding = ntuple(opts.padding ?? 0, nd);
  }

  protected args(outputSize: readonly number[] | null | undefined): F.MaxUnpoolOptions {
    return { stride: this.stride, padding: this.padding, outputSize };
  }

  override extraRepr(): string {
    return `kernel_size=${repr(this.kernelSize)}, stride=${repr(this.stride)}, padding=${repr(this.padding)}`;
  }
}

/**
 * Partial inverse of MaxPool1d, as `torch.nn.MaxUnpool1d(kernel_size, stride=None, padding=0)`; see
 * `F.maxUnpool1d`. `forward(input, indices, outputSize?)`.
 *
 * Shape: `(N, C, L)` → `(N, C, (L − 1)·stride − 2·padding + kernelSize)`, or `outputSize`.
 *
 * @example
 * const [y, i] = new nn.MaxPool1d(2, { returnIndices: true }).call(x);
 * new nn.MaxUnpool1d(2).call(y, i)
 */
export class MaxUnpool1d extends MaxUnpoolNd {
  constructor(kernelSize: IntOrTuple, opts: { stride?: IntOrTuple | null; padding?: IntOrTuple } = {}) {
    super(1, kernelSize, opts);
  }
  override forward(input: Tensor, indices: Tensor, outputSize?: readonly number[] | null): Tensor {
    return F.maxUnpool1d(input, indices, this.kernelSize, this.args(outputSize));
  }
}

/**
 * Partial inverse of MaxPool2d, as `torch.nn.MaxUnpool2d(kernel_size, stride=None, padding=0)`: the
 * pooled values go back to the positions `indices` names, zeros elsewhere; see `F.maxUnpool2d`.
 * `forward(input, indices, outputSize?)`; pass the pooled input's shape as `outputSize` when the pooling
 * rounded its output size down.
 *
 * Shape: `(N, C, H, W)` → `(N, C, H_out, W_out)`, `H_out = (H − 1)·stride − 2·padding + kernelSize`.
 *
 * @example
 * const pool = new nn.MaxPool2d([2, 2], { stride: [2, 2], returnIndices: true });
 * const [y, indices] = pool.call(img);
 * const img2 = new nn.MaxUnpool2d([2, 2], { stride: [2, 2] }).call(torch.randnLike(y), indices);
 */
export class MaxUnpool2d extends MaxUnpoolNd {
  constructor(kernelSize: IntOrTuple, opts: { stride?: IntOrTuple | null; padding?: IntOrTuple } = {}) {
    super(2, kernelSize, opts);
  }
  override forward(input: Tensor, indices: Tensor, outputSize?: readonly number[] | null): Tensor {
    return F.maxUnpool2d(input, indices, this.kernelSize, this.args(outputSize));
  }
}

/**
 * Partial inverse of MaxPool3d, as `torch.nn.MaxUnpool3d(kernel_size, stride=None, padding=0)`; see
 * `F.maxUnpool3d`. `forward(input, indices, outputSize?)`.
 *
 * Shape: `(N, C, D, H, W)` → `(N, C, D_out, H_out, W_out)`, each as in MaxUnpool2d.
 *
 * @example
 * new nn.MaxUnpool3d(2).toString() // "MaxUnpool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2), padding=(0, 0, 0))"
 */
export class MaxUnpool3d extends MaxUnpoolNd {
  constructor(kernelSize: IntOrTuple, opts: { stride?: IntOrTuple | null; padding?: IntOrTuple } = {}) {
    super(3, kernelSize, opts);
  }
  override forward(input: Tensor, indices: Tensor, outputSize?: readonly number[] | null): Tensor {
    return F.maxUnpool3d(input, indices, this.kernelSize, this.args(outputSize));
  }
}

abstract class AdaptivePoolNd extends Module {
  outputSize: AdaptiveSize;
  constructor(outputSize: AdaptiveSize) {
    super();
    this.outputSize = typeof outputSize === "number" ? outputSize : outputSize.slice();
  }
  override extraRepr(): string {
    return `output_size=${repr(this.outputSize)}`;
  }
}

/**
 * Adaptive average pooling to a fixed length, as `torch.nn.AdaptiveAvgPool1d(output_size)`; see
 * `F.adaptiveAvgPool1d`. Shape: `(N, C, L)` → `(N, C, outputSize)`.
 *
 * @example
 * new nn.AdaptiveAvgPool1d(1)(torch.ones([2, 3, 7])).shape // [2, 3, 1]
 */
export class AdaptiveAvgPool1d extends AdaptivePoolNd {
  constructor(outputSize: number | readonly number[]) {
    super(outputSize);
  }
  override forward(input: Tensor): Tensor {
    return F.adaptiveAvgPool1d(input, this.outputSize as number | number[]);
  }
}

/**
 * Adaptive average pooling to a fixed size, as `torch.nn.AdaptiveAvgPool2d(output_size)` (an int, or
 * `[H_out, W_out]` with `null` keeping the input's size); window i spans `[floor(i·L/out), ceil((i+1)·L/out))`.
 * `new AdaptiveAvgPool2d(1)` is global average pooling.
 *
 * Shape: `(N, C, H, W)` or `(C, H, W)` → `(N, C, H_out, W_out)`.
 *
 * @example
 * const gap = new nn.AdaptiveAvgPool2d(1); // global average pooling
 * gap(torch.ones([8, 512, 7, 7])).shape // [8, 512, 1, 1]
 */
export class AdaptiveAvgPool2d extends AdaptivePoolNd {
  override forward(input: Tensor): Tensor {
    return F.adaptiveAvgPool2d(input, this.outputSize);
  }
}

/**
 * Adaptive average pooling over D, H, W, as `torch.nn.AdaptiveAvgPool3d(output_size)`.
 *
 * Shape: `(N, C, D, H, W)` or `(C, D, H, W)` → `(N, C, D_out, H_out, W_out)`.
 *
 * @example
 * new nn.AdaptiveAvgPool3d([1, null, 2])(torch.ones([1, 2, 3, 4, 5])).shape // [1, 2, 1, 4, 2]
 */
export class AdaptiveAvgPool3d extends AdaptivePoolNd {
  override forward(input: Tensor): Tensor {
    return F.adaptiveAvgPool3d(input, this.outputSize);
  }
}

abstract class AdaptiveMaxPoolNd<O extends { returnIndices?: boolean }> extends AdaptivePoolNd {
  returnIndices: boolean;
  constructor(outputSize: AdaptiveSize, opts: O = {} as O) {
    super(outputSize);
    this.returnIndices = opts.returnIndices ?? false;
  }
}

/**
 * Adaptive max pooling, as `torch.nn.AdaptiveMaxPool1d(output_size, return_indices=False)`.
 * Shape: `(N, C, L)` → `(N, C, outputSize)`.
 *
 * @example
 * new nn.AdaptiveMaxPool1d(2)(torch.tensor([[[1, 5, 2, 4, 3]]], { dtype: "float32" })) // tensor([[[5, 4]]])
 */
export class AdaptiveMaxPool1d<O extends { returnIndices?: boolean } = { returnIndices?: boolean }> extends AdaptiveMaxPoolNd<O> {
  constructor(outputSize: number | readonly number[], opts?: O) {
    super(outputSize, opts);
  }
  override forward(input: Tensor): WithIndices<O> {
    return F.adaptiveMaxPool1d(input, this.outputSize as number | number[], { returnIndices: this.returnIndices }) as WithIndices<O>;
  }
}

/**
 * Adaptive max pooling, as `torch.nn.AdaptiveMaxPool2d(output_size, return_indices=False)`.
 * Shape: `(N, C, H, W)` or `(C, H, W)` → `(N, C, H_out, W_out)`.
 *
 * @example
 * new nn.AdaptiveMaxPool2d([2, null])(torch.ones([1, 3, 5, 6])).shape // [1, 3, 2, 6]
 */
export class AdaptiveMaxPool2d<O extends { returnIndices?: boolean } = { returnIndices?: boolean }> extends AdaptiveMaxPoolNd<O> {
  override forward(input: Tensor): WithIndices<O> {
    return F.adaptiveMaxPool2d(input, this.outputSize, { returnIndices: this.returnIndices }) as WithIndices<O>;
  }
}

/**
 * Adaptive max pooling over D, H, W, as `torch.nn.AdaptiveMaxPool3d(output_size, return_indices=False)`.
 *
 * @example
 * new nn.AdaptiveMaxPool3d(1)(torch.ones([2, 4, 3, 3, 3])).shape // [2, 4, 1, 1, 1]
 */
export class AdaptiveMaxPool3d<O extends { returnIndices?: boolean } = { returnIndices?: boolean }> extends AdaptiveMaxPoolNd<O> {
  override forward(input: Tensor): WithIndices<O> {
    return F.adaptiveMaxPool3d(input, this.outputSize, { returnIndices: this.returnIndices }) as WithIndices<O>;
  }
}

abstract class LPPoolNd extends Module {
  normType: number;
  kernelSize: IntOrTuple;
  stride: IntOrTuple | null;
  ceilMode: boolean;
  constructor(normType: number, kernelSize: IntOrTuple, opts: { stride?: IntOrTuple | null; ceilMode?: boolean } = {}) {
    super();
    this.normType = normType;
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? null;
    this.ceilMode = opts.ceilMode ?? false;
  }
  override extraRepr(): string {
    return `norm_type=${pyNumber(this.normType)}, kernel_size=${repr(this.kernelSize)}, stride=${repr(this.stride)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

/**
 * 1-d power-average pooling `(Σ_window x^p)^(1/p)`, as `torch.nn.LPPool1d(norm_type, kernel_size,
 * stride=None, ceil_mode=False)`; see `F.lpPool1d`.
 *
 * Shape: `(N, C, L)` → `(N, C, floor((L − kernelSize)/stride + 1))`.
 *
 * @example
 * new nn.LPPool1d(2, 2)(torch.tensor([[[3, 4]]], { dtype: "float32" })) // tensor([[[5]]])
 */
export class LPPool1d extends LPPoolNd {
  override forward(input: Tensor): Tensor {
    return F.lpPool1d(input, this.normType, this.kernelSize as number, { stride: this.stride, ceilMode: this.ceilMode });
  }
}

/**
 * 2-d power-average pooling `(Σ_window x^p)^(1/p)`, as `torch.nn.LPPool2d(norm_type, kernel_size,
 * stride=None, ceil_mode=False)`; see `F.lpPool2d`.
 *
 * Shape: `(N, C, H, W)` → `(N, C, H_out, W_out)`, `H_out = floor((H − kernelSize)/stride + 1)`.
 *
 * @example
 * new nn.LPPool2d(2, 3, { stride: 2 }).toString() // "LPPool2d(norm_type=2, kernel_size=3, stride=2, ceil_mode=False)"
 */
export class LPPool2d extends LPPoolNd {
  override forward(input: Tensor): Tensor {
    return F.lpPool2d(input, this.normType, this.kernelSize, { stride: this.stride, ceilMode: this.ceilMode });
  }
}

/** Constructor options of `FractionalMaxPool2d`: exactly one of outputSize and outputRatio. */
export interface FractionalMaxPoolModuleOptions {
  outputSize?: IntOrTuple | null;
  outputRatio?: number | readonly number[] | null;
  returnIndices?: boolean;
  /** Fixed samples `(N, C, 2)` (a buffer, as PyTorch's `_random_samples`). */
  _randomSamples?: Tensor | null;
  /** Seeded source of the samples drawn at every call when `_randomSamples` is not set. */
  generator?: Generator | null;
}

/**
 * Fractional max pooling (Graham 2014), as `torch.nn.FractionalMaxPool2d(kernel_size, output_size=None,
 * output_ratio=None, return_indices=False, _random_samples=None)`; see `F.fractionalMaxPool2d`. New
 * samples are drawn at every call unless `_randomSamples` is fixed.
 *
 * Shape: `(N, C, H, W)` or `(C, H, W)` → `(N, C, H_out, W_out)` with `outputSize`, or
 * `H_out = trunc(H·outputRatio)`.
 *
 * @example
 * new nn.FractionalMaxPool2d(3, { outputRatio: 0.5 })(torch.ones([2, 3, 10, 10])).shape // [2, 3, 5, 5]
 */
export class FractionalMaxPool2d<O extends FractionalMaxPoolModuleOptions = FractionalMaxPoolModuleOptions> extends Module {
  kernelSize: number[];
  outputSize: number[] | null;
  outputRatio: number[] | null;
  returnIndices: boolean;
  generator: Generator | null;
  declare _random_samples: Tensor | null;

  constructor(kernelSize: IntOrTuple, opts: O = {} as O) {
    super();
    this.kernelSize = ntuple(kernelSize, 2);
    this.returnIndices = opts.returnIndices ?? false;
    this.generator = opts.generator ?? null;
    this.registerBuffer("_random_samples", opts._randomSamples ?? null);
    const size = opts.outputSize ?? null;
    const ratio = opts.outputRatio ?? null;
    this.outputSize = size === null ? null : ntuple(size, 2);
    this.outputRatio = ratio === null ? null : typeof ratio === "number" ? [ratio, ratio] : ratio.slice();
    if (size === null && ratio === null) {
      throw new TypeError("FractionalMaxPool2d requires specifying either an output size, or a pooling ratio");
    }
    if (size !== null && ratio !== null) throw new TypeError("only one of output_size and output_ratio may be specified");
    if (this.outputRatio !== null && !this.outputRatio.every((r) => r > 0 && r < 1)) {
      throw new RangeError(`output_ratio must be between 0 and 1 (got ${repr(ratio as number | number[])})`);
    }
  }

  override forward(input: Tensor): WithIndices<O> {
    return F.fractionalMaxPool2d(input, this.kernelSize, {
      outputSize: this.outputSize,
      outputRatio: this.outputRatio,
      returnIndices: this.returnIndices,
      _randomSamples: this._random_samples,
      generator: this.generator,
    }) as WithIndices<O>;
  }
}

/**
 * Stochastic pooling (Zeiler & Fergus 2013; not in PyTorch). In training each window outputs one of its
 * activations, drawn with probability proportional to its value (`p_i = relu(a_i)/Σ relu(a)`), and the
 * gradient flows to that activation only; in evaluation (`eval()`) it outputs the probability-weighted
 * average `Σ p_i·a_i`. Meant for non-negative inputs (after ReLU); a window without positive activations
 * acts as max pooling. Draws come from `generator` (seeded) or the global generator. See
 * `F.stochasticPool2d`.
 *
 * Shape: `(N, C, H, W)` or `(C, H, W)` → `(N, C, H_out, W_out)`, `H_out = floor((H − kernelSize)/stride + 1)`.
 *
 * @example
 * const pool = new nn.StochasticPool2d(2, { generator: new torch.Generator().manualSeed(0) });
 * pool(torch.relu(x)); // a random activation per window
 * pool.eval()(torch.relu(x)); // Σ a² / Σ a per window
 */
export class StochasticPool2d extends Module {
  kernelSize: IntOrTuple;
  stride: IntOrTuple;
  generator: Generator | null;

  constructor(kernelSize: IntOrTuple, opts: { stride?: IntOrTuple | null; generator?: Generator | null } = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = strideOr(opts.stride, kernelSize);
    this.generator = opts.generator ?? null;
  }

  override forward(input: Tensor): Tensor {
    return F.stochasticPool2d(input, this.kernelSize, { stride: this.stride, training: this.training, generator: this.generator });
  }

  override extraRepr(): string {
    return `kernel_size=${repr(this.kernelSize)}, stride=${repr(this.stride)}`;
  }
}

/** Constructor options of `MixedPool2d`. */
export interface MixedPoolModuleOptions {
  stride?: IntOrTuple | null;
  padding?: IntOrTuple;
  ceilMode?: boolean;
  /** Probability of max pooling per training call, and max pooling's weight in evaluation. Default 0.5. */
  maxProbability?: number;
  generator?: Generator | null;
}

/**
 * Mixed pooling (Yu et al. 2014; not in PyTorch): in training every call picks max pooling with
 * probability `maxProbability` (default 0.5), else average pooling (count_include_pad), like dropout
 * for the pooling type; in evaluation it returns the expectation,
 * `maxProbability·MaxPool2d(x) + (1 − maxProbability)·AvgPool2d(x)`. See `F.mixedPool2d`.
 *
 * Shape: `(N, C, H, W)` or `(C, H, W)` → `(N, C, H_out, W_out)` as MaxPool2d (dilation 1).
 *
 * @example
 * const pool = new nn.MixedPool2d(2, { generator: new torch.Generator().manualSeed(0) });
 * pool.eval()(torch.tensor([[[[1, 3], [0, 4]]]], { dtype: "float32" })) // tensor([[[[3]]]])
 */
export class MixedPool2d extends Module {
  kernelSize: IntOrTuple;
  stride: IntOrTuple;
  padding: IntOrTuple;
  ceilMode: boolean;
  maxProbability: number;
  generator: Generator | null;

  constructor(kernelSize: IntOrTuple, opts: MixedPoolModuleOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = strideOr(opts.stride, kernelSize);
    this.padding = opts.padding ?? 0;
    this.ceilMode = opts.ceilMode ?? false;
    this.maxProbability = opts.maxProbability ?? 0.5;
    if (!(this.maxProbability >= 0 && this.maxProbability <= 1)) {
      throw new RangeError(`MixedPool2d: maxProbability must be in [0, 1], but got ${this.maxProbability}`);
    }
    this.generator = opts.generator ?? null;
  }

  override forward(input: Tensor): Tensor {
    return F.mixedPool2d(input, this.kernelSize, {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      maxProbability: this.maxProbability,
      training: this.training,
      generator: this.generator,
    });
  }

  override extraRepr(): string {
    return (
      `kernel_size=${repr(this.kernelSize)}, stride=${repr(this.stride)}, padding=${repr(this.padding)}, ` +
      `ceil_mode=${pyBool(this.ceilMode)}, max_probability=${pyNumber(this.maxProbability)}`
    );
  }
}
