import type { Tensor } from "../../tensor.js";
import { formatShape } from "../../layout.js";
import { convolution } from "../../ops/conv.js";
import { squeeze, unsqueeze } from "../../ops/view.js";
import { checkTensor } from "../../ops/util.js";

/** An int for every spatial dim, or one value per dim. */
type IntOrTuple = number | readonly number[];

/** Options of `conv1d`/`conv2d`/`conv3d` (PyTorch's keyword arguments). */
export interface ConvOptions {
  /** Default 1. */
  stride?: IntOrTuple;
  /**
   * Zero padding on both sides; default 0. `'valid'` is no padding; `'same'` pads so the output has the
   * input's size (stride 1 only), putting the odd element of an even total on the right, as PyTorch.
   */
  padding?: IntOrTuple | "same" | "valid";
  /** Spacing between kernel elements; default 1. */
  dilation?: IntOrTuple;
  /** Blocked connections from input to output channels; default 1 (`groups = Cin` is depthwise). */
  groups?: number;
}

/** Options of `convTranspose1d`/`2d`/`3d` (PyTorch's keyword arguments). */
export interface ConvTransposeOptions {
  /** Default 1. */
  stride?: IntOrTuple;
  /** `dilation·(kernelSize − 1) − padding` zeros are added to both sides of the input; default 0. */
  padding?: IntOrTuple;
  /** Extra size on one side of each output dim (disambiguates the output size when stride > 1); default 0. */
  outputPadding?: IntOrTuple;
  /** Default 1. */
  groups?: number;
  /** Default 1. */
  dilation?: IntOrTuple;
}

/** PyTorch's `batchify`: an unbatched input `[C, *S]` runs as a batch of one. */
function batchify(input: Tensor, dims: number, op: string): [Tensor, boolean] {
  checkTensor(input, op, "input");
  if (input.dim() === dims + 2) return [input, true];
  if (input.dim() === dims + 1) return [unsqueeze(input, 0), false];
  throw new Error(
    `Expected ${dims + 1}D (unbatched) or ${dims + 2}D (batched) input to ${op}, but got input of size: ` +
      formatShape(input.shape),
  );
}

const perDim = (v: IntOrTuple, i: number): number => (typeof v === "number" ? v : v.length === 1 ? v[0] : v[i]);

/**
 * `padding='same'` (`_convolution_mode`/`conv_padding_same` in aten/src/ATen/native/Convolution.cpp): total
 * padding d·(k−1) per dim, the smaller half before.
 */
function samePadding(weight: Tensor, opts: ConvOptions, op: string): { padding: number[]; paddingEnd: number[] } {
  const stride = opts.stride ?? 1;
  if ((typeof stride === "number" ? [stride] : stride).some((s) => s !== 1)) {
    throw new Error(`${op}: padding='same' is not supported for strided convolutions`);
  }
  if (weight.dim() < 3) throw new Error(`${op}: weight should have at least three dimensions`);
  const padding: number[] = [];
  const paddingEnd: number[] = [];
  weight.shape.slice(2).forEach((k, i) => {
    const total = perDim(opts.dilation ?? 1, i) * (k - 1);
    padding.push(Math.floor(total / 2));
    paddingEnd.push(total - Math.floor(total / 2));
  });
  return { padding, paddingEnd };
}

function convNd(dims: number, op: string, input: Tensor, weight: Tensor, bias: Tensor | null | undefined, opts: ConvOptions): Tensor {
  const [x, batched] = batchify(input, dims, op);
  checkTensor(weight, op, "weight");
  const pad = opts.padding ?? 0;
  let padding: IntOrTuple;
  let paddingEnd: number[] | undefined;
  if (pad === "same") ({ padding, paddingEnd } = samePadding(weight, opts, op));
  else if (pad === "valid") padding = 0;
  else if (typeof pad === "string") throw new Error(`${op}: Invalid padding string: '${String(pad)}'`);
  else padding = pad;
  const y = convolution(x, weight, bias, { stride: opts.stride, padding, paddingEnd, dilation: opts.dilation, groups: opts.groups }, op);
  return batched ? y : squeeze(y, 0);
}

function convTransposeNd(
  dims: number,
  op: string,
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null | undefined,
  opts: ConvTransposeOptions,
): Tensor {
  const [x, batched] = batchify(input, dims, op);
  if (typeof opts.padding === "string") {
    throw new TypeError(`${op}(): argument 'padding' must be tuple of ints, not str`);
  }
  const y = convolution(x, weight, bias, { ...opts, transposed: true }, op);
  return batched ? y : squeeze(y, 0);
}

/**
 * 1-d convolution (cross-correlation) over `[N, Cin, L]` or unbatched `[Cin, L]`, as `F.conv1d`.
 *
 * Shape: weight `[Cout, Cin/groups, K]`, bias `[Cout]`; output `[N, Cout, Lout]` with
 * `Lout = floor((L + 2·padding − dilation·(K − 1) − 1) / stride) + 1`.
 *
 * @example
 * F.conv1d(torch.tensor([[[1, 2, 3, 4]]], { dtype: "float32" }), torch.ones([1, 1, 2])) // [[[3, 5, 7]]]
 */
export function conv1d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  return convNd(1, "conv1d", input, weight, bias, opts);
}

/**
 * 2-d convolution (cross-correlation) over `[N, Cin, H, W]` or unbatched `[Cin, H, W]`, as `F.conv2d`.
 *
 * Shape: weight `[Cout, Cin/groups, kH, kW]`, bias `[Cout]`; output `[N, Cout, Hout, Wout]` with
 * `Hout = floor((H + 2·padding[0] − dilation[0]·(kH − 1) − 1) / stride[0]) + 1` (W likewise).
 *
 * @example
 * F.conv2d(torch.ones([1, 3, 5, 5]), torch.ones([6, 3, 3, 3]), null, { padding: 1 }).shape // [1, 6, 5, 5]
 */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  return convNd(2, "conv2d", input, weight, bias, opts);
}

/**
 * 3-d convolution (cross-correlation) over `[N, Cin, D, H, W]` or unbatched `[Cin, D, H, W]`, as `F.conv3d`.
 *
 * Shape: weight `[Cout, Cin/groups, kD, kH, kW]`, bias `[Cout]`; each output extent is
 * `floor((S + 2·padding − dilation·(k − 1) − 1) / stride) + 1`.
 *
 * @example
 * F.conv3d(torch.ones([1, 2, 4, 4, 4]), torch.ones([3, 2, 2, 2, 2])).shape // [1, 3, 3, 3, 3]
 */
export function conv3d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  return convNd(3, "conv3d", input, weight, bias, opts);
}

/**
 * 1-d transposed convolution (the gradient of `conv1d` w.r.t. its input), as `F.conv_transpose1d`.
 *
 * Shape: input `[N, Cin, L]` or `[Cin, L]`; weight `[Cin, Cout/groups, K]`; bias `[Cout]`; output length
 * `(L − 1)·stride − 2·padding + dilation·(K − 1) + outputPadding + 1`.
 *
 * @example
 * F.convTranspose1d(torch.ones([1, 1, 2]), torch.ones([1, 1, 2]), null, { stride: 2 }) // [[[1, 1, 1, 1]]]
 */
export function convTranspose1d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTransposeOptions = {}): Tensor {
  return convTransposeNd(1, "convTranspose1d", input, weight, bias, opts);
}

/**
 * 2-d transposed convolution, as `F.conv_transpose2d`.
 *
 * Shape: input `[N, Cin, H, W]` or `[Cin, H, W]`; weight `[Cin, Cout/groups, kH, kW]`; bias `[Cout]`;
 * `Hout = (H − 1)·stride[0] − 2·padding[0] + dilation[0]·(kH − 1) + outputPadding[0] + 1` (W likewise).
 *
 * @example
 * F.convTranspose2d(torch.ones([1, 3, 4, 4]), torch.ones([3, 1, 3, 3]), null, { stride: 2 }).shape // [1, 1, 9, 9]
 */
export function convTranspose2d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTransposeOptions = {}): Tensor {
  return convTransposeNd(2, "convTranspose2d", input, weight, bias, opts);
}

/**
 * 3-d transposed convolution, as `F.conv_transpose3d`.
 *
 * Shape: input `[N, Cin, D, H, W]` or `[Cin, D, H, W]`; weight `[Cin, Cout/groups, kD, kH, kW]`; each output
 * extent is `(S − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1`.
 *
 * @example
 * F.convTranspose3d(torch.ones([1, 2, 2, 2, 2]), torch.ones([2, 1, 2, 2, 2])).shape // [1, 1, 3, 3, 3]
 */
export function convTranspose3d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTransposeOptions = {}): Tensor {
  return convTransposeNd(3, "convTranspose3d", input, weight, bias, opts);
}
