import { Tensor } from "../../tensor.js";
import type { DType } from "../../dtype.js";
import { convTransposeOutputSize } from "../../layout.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { longLivedTensor } from "../../long-lived.js";
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from "../init.js";
import { pyTuple } from "../repr.js";
import { pad } from "../../ops/pad.js";
import { checkTensor } from "../../ops/util.js";
import { conv1d, conv2d, conv3d, convTranspose1d, convTranspose2d, convTranspose3d } from "../functional/conv.js";

type IntOrTuple = number | readonly number[];

/** How a convolution module pads its input: implicit zeros, or an explicit `pad` in another mode first. */
export type ConvPaddingMode = "zeros" | "reflect" | "replicate" | "circular";

/** Options of `Conv1d`/`Conv2d`/`Conv3d`, PyTorch's keyword arguments with their defaults. */
export interface ConvModuleOptions {
  /** Default 1. */
  stride?: IntOrTuple;
  /** Default 0; `'same'` (stride 1 only) or `'valid'` as in `F.conv2d`. */
  padding?: IntOrTuple | "same" | "valid";
  /** Default 1. */
  dilation?: IntOrTuple;
  /** Default 1; must divide both channel counts. */
  groups?: number;
  /** Add a learnable bias; default true. */
  bias?: boolean;
  /** Default 'zeros'. */
  paddingMode?: ConvPaddingMode;
  /** dtype of weight and bias; default float32. */
  dtype?: DType;
}

/** Options of `ConvTranspose1d`/`2d`/`3d`, PyTorch's keyword arguments with their defaults. */
export interface ConvTransposeModuleOptions {
  /** Default 1. */
  stride?: IntOrTuple;
  /** Default 0. */
  padding?: IntOrTuple;
  /** Default 0; must be smaller than stride or dilation (checked when the module runs, as in PyTorch). */
  outputPadding?: IntOrTuple;
  /** Default 1. */
  groups?: number;
  /** Default true. */
  bias?: boolean;
  /** Default 1. */
  dilation?: IntOrTuple;
  /** Only 'zeros' is supported, as in PyTorch. */
  paddingMode?: "zeros";
  /** Default float32. */
  dtype?: DType;
}

const PADDING_MODES: readonly ConvPaddingMode[] = ["zeros", "reflect", "replicate", "circular"];

/** `_single`/`_pair`/`_triple`: an int repeated, or a tuple of exactly `n` ints. */
function ntuple(v: IntOrTuple, n: number, cls: string, name: string): number[] {
  const list = typeof v === "number" ? new Array<number>(n).fill(v) : Array.from(v);
  if (list.length !== n || list.some((x) => typeof x !== "number" || !Number.isInteger(x))) {
    throw new TypeError(`${cls}: ${name} must be an int or a tuple of ${n} ints, got ${JSON.stringify(v)}`);
  }
  return list;
}

/**
 * What `Conv*d` and `ConvTranspose*d` share (`torch.nn.modules.conv._ConvNd`): argument checks, the weight
 * and bias parameters, their initialization and the printed form.
 */
export abstract class ConvNd extends Module {
  declare inChannels: number;
  declare outChannels: number;
  declare kernelSize: number[];
  declare stride: number[];
  declare padding: number[] | "same" | "valid";
  declare dilation: number[];
  declare transposed: boolean;
  declare outputPadding: number[];
  declare groups: number;
  declare paddingMode: ConvPaddingMode;
  /** `[Cout, Cin/groups, *K]`, or `[Cin, Cout/groups, *K]` when transposed. */
  declare weight: Parameter;
  /** `[Cout]`, or null without bias. */
  declare bias: Parameter | null;
  /** `pad`'s argument for a non-zeros padding mode: per dim from the last, [before, after]. */
  declare protected reversedPaddingRepeatedTwice: number[];

  protected constructor(
    dims: number,
    inChannels: number,
    outChannels: number,
    kernelSize: IntOrTuple,
    opts: ConvModuleOptions & { outputPadding?: IntOrTuple },
    transposed: boolean,
  ) {
    super();
    const cls = this._getName();
    const groups = opts.groups ?? 1;
    const paddingMode = opts.paddingMode ?? "zeros";
    const padding = opts.padding ?? 0;
    const stride = ntuple(opts.stride ?? 1, dims, cls, "stride");
    if (!Number.isInteger(groups) || groups <= 0) throw new Error(`${cls}: groups must be a positive integer`);
    if (inChannels % groups !== 0) throw new Error(`${cls}: in_channels must be divisible by groups`);
    if (outChannels % groups !== 0) throw new Error(`${cls}: out_channels must be divisible by groups`);
    if (typeof padding === "string") {
      if (padding !== "same" && padding !== "valid") {
        throw new Error(`${cls}: Invalid padding string '${String(padding)}', should be one of {'same', 'valid'}`);
      }
      if (padding === "same" && stride.some((s) => s !== 1)) {
        throw new Error(`${cls}: padding='same' is not supported for strided convolutions`);
      }
    }
    if (!PADDING_MODES.includes(paddingMode)) {
      throw new Error(
        `${cls}: padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, but got ` +
          `padding_mode='${String(paddingMode)}'`,
      );
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = ntuple(kernelSize, dims, cls, "kernel_size");
    this.stride = stride;
    this.padding = typeof padding === "string" ? padding : ntuple(padding, dims, cls, "padding");
    this.dilation = ntuple(opts.dilation ?? 1, dims, cls, "dilation");
    this.transposed = transposed;
    this.outputPadding = ntuple(opts.outputPadding ?? 0, dims, cls, "output_padding");
    this.groups = groups;
    this.paddingMode = paddingMode;
    const rev = new Array<number>(2 * dims).fill(0);
    for (let i = 0; i < dims; i++) {
      const d = dims - 1 - i;
      if (this.padding === "same") {
        const total = this.dilation[d] * (this.kernelSize[d] - 1);
        rev[2 * i] = Math.floor(total / 2);
        rev[2 * i + 1] = total - Math.floor(total / 2);
      } else if (this.padding !== "valid") {
        rev[2 * i] = rev[2 * i + 1] = this.padding[d];
      }
    }
    this.reversedPaddingRepeatedTwice = rev;
    const dtype = opts.dtype ?? "float32";
    const wShape = transposed
      ? [inChannels, outChannels / groups, ...this.kernelSize]
      : [outChannels, inChannels / groups, ...this.kernelSize];
    this.weight = new Parameter(longLivedTensor(wShape, dtype, "weight"));
    if (opts.bias ?? true) this.bias = new Parameter(longLivedTensor([outChannels], dtype, "weight"));
    else this.registerParameter("bias", null);
    this.resetParameters();
  }

  /**
   * PyTorch's default init: `kaiming_uniform_(weight, a=√5)`, i.e. U(±1/√fan_in) with
   * fan_in = weight.size(1)·prod(kernelSize) (so `(Cout/groups)·prod(k)` for a transposed convolution, whose
   * weight is `[Cin, Cout/groups, *k]`), and bias ~ U(±1/√fan_in) (pytorch/pytorch#15314).
   */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const [fanIn] = calculateFanInAndFanOut(this.weight);
      if (fanIn !== 0) {
        const bound = 1 / Math.sqrt(fanIn);
        uniform_(this.bias, -bound, bound);
      }
    }
  }

  /** `Conv*d` forward: explicit padding in the padding mode, or the functional's implicit zeros. */
  protected convolve(fn: typeof conv2d, input: Tensor): Tensor {
    const opts = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode !== "zeros") {
      const padded = pad(checkTensor(input, this._getName(), "input"), this.reversedPaddingRepeatedTwice, this.paddingMode);
      return fn(padded, this.weight, this.bias, { ...opts, padding: 0 });
    }
    return fn(input, this.weight, this.bias, { ...opts, padding: this.padding });
  }

  /** The arguments that differ from the defaults, as PyTorch prints them. */
  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (typeof this.padding === "string") s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.outputPadding.some((p) => p !== 0)) s += `, output_padding=${pyTuple(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=False";
    if (this.paddingMode !== "zeros") s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}


/**
 * Applies a 1-d convolution over `[N, Cin, L]` (or unbatched `[Cin, L]`), as `torch.nn.Conv1d`.
 *
 * Shape: output `[N, Cout, Lout]`, `Lout = floor((L + 2·padding − dilation·(kernelSize − 1) − 1) / stride) + 1`.
 * Weight `[Cout, Cin/groups, kernelSize]`, bias `[Cout]`, both ~ U(±1/√(Cin/groups·kernelSize)).
 *
 * @example
 * const conv = new nn.Conv1d(16, 33, 3, { stride: 2 });
 * conv.call(torch.randn([20, 16, 50])).shape // [20, 33, 24]
 */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: ConvModuleOptions = {}) {
    super(1, inChannels, outChannels, kernelSize, opts, false);
  }
  override forward(input: Tensor): Tensor {
    return this.convolve(conv1d, input);
  }
}

/**
 * Applies a 2-d convolution over `[N, Cin, H, W]` (or unbatched `[Cin, H, W]`), as `torch.nn.Conv2d`.
 *
 * Shape: output `[N, Cout, Hout, Wout]` with
 * `Hout = floor((H + 2·padding[0] − dilation[0]·(kernelSize[0] − 1) − 1) / stride[0]) + 1` (W likewise).
 * Weight `[Cout, Cin/groups, kH, kW]`, bias `[Cout]`, both ~ U(±1/√(Cin/groups·kH·kW)).
 *
 * @example
 * const conv = new nn.Conv2d(3, 6, 3);
 * String(conv) // "Conv2d(3, 6, kernel_size=(3, 3), stride=(1, 1))"
 * conv.call(torch.randn([64, 3, 32, 32])).shape // [64, 6, 30, 30]
 */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: ConvModuleOptions = {}) {
    super(2, inChannels, outChannels, kernelSize, opts, false);
  }
  override forward(input: Tensor): Tensor {
    return this.convolve(conv2d, input);
  }
}

/**
 * Applies a 3-d convolution over `[N, Cin, D, H, W]` (or unbatched `[Cin, D, H, W]`), as `torch.nn.Conv3d`.
 *
 * Shape: each output extent is `floor((S + 2·padding − dilation·(k − 1) − 1) / stride) + 1`.
 * Weight `[Cout, Cin/groups, kD, kH, kW]`, bias `[Cout]`.
 *
 * @example
 * new nn.Conv3d(4, 2, 3, { padding: 1 }).call(torch.randn([1, 4, 5, 5, 5])).shape // [1, 2, 5, 5, 5]
 */
export class Conv3d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: ConvModuleOptions = {}) {
    super(3, inChannels, outChannels, kernelSize, opts, false);
  }
  override forward(input: Tensor): Tensor {
    return this.convolve(conv3d, input);
  }
}

/**
 * `ConvTranspose*d`'s `_output_padding` (torch/nn/modules/conv.py): the output padding that yields
 * `outputSize` (all dims, or only the spatial ones), which must lie within the sizes the stride can reach.
 */
function outputPaddingFor(m: ConvNd, dims: number, input: Tensor, outputSize?: readonly number[] | null): number[] {
  if (outputSize === undefined || outputSize === null) return m.outputPadding;
  const cls = `ConvTranspose${dims}D`;
  const nonSpatial = input.dim() === dims + 2 ? 2 : 1;
  let size = Array.from(outputSize);
  if (size.length === nonSpatial + dims) size = size.slice(nonSpatial);
  if (size.length !== dims) {
    throw new Error(
      `${cls}: for ${input.dim()}D input, output_size must have ${dims} or ${nonSpatial + dims} elements ` +
        `(got ${outputSize.length})`,
    );
  }
  const spatial = input.shape.slice(nonSpatial);
  const padding = m.padding as number[];
  const min = spatial.map((s, d) => convTransposeOutputSize(s, m.kernelSize[d], m.stride[d], padding[d], m.dilation[d], 0));
  const max = min.map((v, d) => v + m.stride[d] - 1);
  if (size.some((s, d) => s < min[d] || s > max[d])) {
    throw new Error(
      `${cls}: requested an output size of [${size.join(", ")}], but valid sizes range from [${min.join(", ")}] ` +
        `to [${max.join(", ")}] (for an input of [${spatial.join(", ")}])`,
    );
  }
  return size.map((s, d) => s - min[d]);
}

/** What the three transposed modules share: only zeros padding, and the `outputSize` argument. */
export abstract class ConvTransposeNd extends ConvNd {
  protected constructor(dims: number, inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: ConvTransposeModuleOptions) {
    if ((opts.paddingMode ?? "zeros") !== "zeros") {
      throw new Error(`ConvTranspose${dims}d: Only "zeros" padding mode is supported for ConvTranspose${dims}d`);
    }
    super(dims, inChannels, outChannels, kernelSize, opts, true);
  }

  protected run(dims: number, fn: typeof convTranspose2d, input: Tensor, outputSize?: readonly number[] | null): Tensor {
    checkTensor(input, this._getName(), "input");
    const outputPadding = outputPaddingFor(this, dims, input, outputSize);
    return fn(input, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding as number[],
      outputPadding,
      groups: this.groups,
      dilation: this.dilation,
    });
  }
}

/**
 * A 1-d transposed convolution (the gradient of `Conv1d` w.r.t. its input), as `torch.nn.ConvTranspose1d`.
 *
 * Shape: `[N, Cin, L]` → `[N, Cout, Lout]`,
 * `Lout = (L − 1)·stride − 2·padding + dilation·(kernelSize − 1) + outputPadding + 1`; `forward(x, outputSize)`
 * picks the output padding that gives `outputSize`. Weight `[Cin, Cout/groups, kernelSize]`.
 *
 * @example
 * new nn.ConvTranspose1d(4, 2, 3, { stride: 2 }).call(torch.randn([1, 4, 5])).shape // [1, 2, 11]
 */
export class ConvTranspose1d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: ConvTransposeModuleOptions = {}) {
    super(1, inChannels, outChannels, kernelSize, opts);
  }
  override forward(input: Tensor, outputSize?: readonly number[] | null): Tensor {
    return this.run(1, convTranspose1d, input, outputSize);
  }
}

/**
 * A 2-d transposed convolution (upsampling), as `torch.nn.ConvTranspose2d`.
 *
 * Shape: `[N, Cin, H, W]` → `[N, Cout, Hout, Wout]`,
 * `Hout = (H − 1)·stride[0] − 2·padding[0] + dilation[0]·(kernelSize[0] − 1) + outputPadding[0] + 1`.
 * Weight `[Cin, Cout/groups, kH, kW]` ~ U(±1/√(Cout/groups·kH·kW)).
 *
 * @example
 * const up = new nn.ConvTranspose2d(3, 1, 3, { stride: 2 });
 * up.call(torch.randn([1, 3, 5, 5])).shape // [1, 1, 11, 11]
 * up.call(torch.randn([1, 3, 5, 5]), [12, 12]).shape // [1, 1, 12, 12]
 */
export class ConvTranspose2d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: ConvTransposeModuleOptions = {}) {
    super(2, inChannels, outChannels, kernelSize, opts);
  }
  override forward(input: Tensor, outputSize?: readonly number[] | null): Tensor {
    return this.run(2, convTranspose2d, input, outputSize);
  }
}

/**
 * A 3-d transposed convolution, as `torch.nn.ConvTranspose3d`.
 *
 * Shape: `[N, Cin, D, H, W]` → `[N, Cout, Dout, Hout, Wout]`, each extent
 * `(S − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1`.
 *
 * @example
 * new nn.ConvTranspose3d(2, 2, 2, { stride: 2 }).call(torch.randn([1, 2, 3, 3, 3])).shape // [1, 2, 6, 6, 6]
 */
export class ConvTranspose3d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: ConvTransposeModuleOptions = {}) {
    super(3, inChannels, outChannels, kernelSize, opts);
  }
  override forward(input: Tensor, outputSize?: readonly number[] | null): Tensor {
    return this.run(3, convTranspose3d, input, outputSize);
  }
}
