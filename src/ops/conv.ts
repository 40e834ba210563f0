import { Tensor } from "../tensor.js";
import { isFloating } from "../dtype.js";
import { convOutputSize, convTransposeOutputSize, formatShape } from "../layout.js";
import { backend } from "../backend/backend.js";
import type { ConvGeometry } from "../backend/interface/conv.js";
import { defineUnaryOutputOp } from "./define.js";
import { checkTensor } from "./util.js";
import { sum } from "./reduce.js";

/*
 * Three primitives, closed under differentiation (so double backward works):
 *   y  = conv(x, w)        vjp: gx = convᵀ(gy, w),  gw = convW(x, gy)
 *   gx = convᵀ(gy, w)      vjp: g_gy = conv(gz, w), gw = convW(gz, gy)
 *   gw = convW(x, gy)      vjp: gx = convᵀ(gy, ggw), g_gy = conv(x, ggw)
 * Each carries the spatial extent of its output explicitly, because it is not always recoverable from the
 * others (output padding, asymmetric 'same' padding). The transposed convolution is convᵀ itself.
 */

type WithSize = ConvGeometry & { readonly size: readonly number[] };

const withSize = (a: ConvGeometry, size: readonly number[]): WithSize => ({
  stride: a.stride,
  padding: a.padding,
  dilation: a.dilation,
  groups: a.groups,
  size: size.slice(),
});
const spatial = (t: Tensor): number[] => t.shape.slice(2);
const nonChannelDims = (t: Tensor): number[] => t.shape.map((_, i) => i).filter((i) => i !== 1);

type ConvPrimitive = (inputs: Tensor[], attrs: WithSize) => Tensor;

/** `y = bias + conv(x, w)` under a given node name; `size` is y's spatial extent. */
function makeForwardOp(name: string): ConvPrimitive {
  return defineUnaryOutputOp<WithSize>({
    name,
    forward(ctx, [x, w, b], a) {
      const y = Tensor.forOutput([x.shape[0], w.shape[0], ...a.size], x.dtype);
      backend().convForward(x, w, b ?? null, y, a);
      ctx.save(x, w);
      return y;
    },
    backward(ctx, [gy], a) {
      const [x, w] = ctx.saved;
      const n = ctx.needsInputGrad;
      return [
        n[0] ? convInputGradNested([gy, w], withSize(a, spatial(x))) : null,
        n[1] ? convWeightGradOp([x, gy], withSize(a, spatial(w))) : null,
        n[2] ? sum(gy, nonChannelDims(gy)) : null,
      ];
    },
  });
}

/** `convᵀ` under a given node name: the transposed convolution's forward, or conv's input gradient. */
function makeInputGradOp(name: string): ConvPrimitive {
  return defineUnaryOutputOp<WithSize>({
    name,
    forward(ctx, [gy, w, b], a) {
      const gx = Tensor.forOutput([gy.shape[0], w.shape[1] * a.groups, ...a.size], gy.dtype);
      backend().convBackwardInput(gy, w, b ?? null, gx, a);
      ctx.save(gy, w);
      return gx;
    },
    backward(ctx, [gz], a) {
      const [gy, w] = ctx.saved;
      const n = ctx.needsInputGrad;
      return [
        n[0] ? convForwardNested([gz, w], withSize(a, spatial(gy))) : null,
        n[1] ? convWeightGradOp([gz, gy], withSize(a, spatial(w))) : null,
        n[2] ? sum(gz, nonChannelDims(gz)) : null,
      ];
    },
  });
}
// Forward nodes are ConvolutionBackward0, as PyTorch's; the ops inside vjps take PyTorch's name for the
// double-backward node, ConvolutionBackwardBackward0.
const convForwardOp = makeForwardOp("Convolution");
const convForwardNested = makeForwardOp("ConvolutionBackward");
const convTransposeOp = makeInputGradOp("Convolution");
const convInputGradNested = makeInputGradOp("ConvolutionBackward");

/** `gw = convW(x, gy)`, the weight gradient; `size` is the kernel's spatial extent. */
const convWeightGradOp: ConvPrimitive = defineUnaryOutputOp<WithSize>({
  name: "ConvolutionBackward",
  forward(ctx, [x, gy], a) {
    const gw = Tensor.forOutput([gy.shape[1], x.shape[1] / a.groups, ...a.size], x.dtype);
    backend().convBackwardWeight(x, gy, gw, a);
    ctx.save(x, gy);
    return gw;
  },
  backward(ctx, [ggw], a): Array<Tensor | null> {
    const [x, gy] = ctx.saved;
    const n = ctx.needsInputGrad;
    return [
      n[0] ? convInputGradNested([gy, ggw], withSize(a, spatial(x))) : null,
      n[1] ? convForwardNested([x, ggw], withSize(a, spatial(gy))) : null,
    ];
  },
});

/** Options of `convolution`, as `torch.convolution`'s arguments after `bias`. */
export interface ConvolutionOptions {
  /** Default 1. An int applies to every spatial dim. */
  stride?: number | readonly number[];
  /** Zero padding on both sides of each spatial dim; default 0. */
  padding?: number | readonly number[];
  /**
   * torch-ts extension: zero padding after each spatial dim when it differs from `padding` (what
   * `padding='same'` needs for even kernels; PyTorch pads a copy of the input instead). Not transposed.
   */
  paddingEnd?: readonly number[];
  /** Default 1. */
  dilation?: number | readonly number[];
  /** Default false. */
  transposed?: boolean;
  /** Extra size added to one side of each output dim of a transposed convolution; default 0. */
  outputPadding?: number | readonly number[];
  /** Default 1. */
  groups?: number;
}

/** `expand_param_if_needed` (aten/src/ATen/native/Convolution.cpp): an int or a list of 1 or `dims` values. */
function expandParam(v: number | readonly number[], name: string, dims: number, op: string): number[] {
  const list = typeof v === "number" ? [v] : Array.from(v);
  for (const x of list) {
    if (typeof x !== "number" || !Number.isInteger(x)) {
      throw new TypeError(`${op}: argument '${name}' must be tuple of ints, but found element ${String(x)}`);
    }
  }
  if (list.length === 1) return new Array<number>(dims).fill(list[0]);
  if (list.length !== dims) {
    throw new Error(
      `${op}: expected ${name} to be a single integer value or a list of ${dims} values to match the convolution ` +
        `dimensions, but got ${name}=${formatShape(list)}`,
    );
  }
  return list;
}

const TORCH_TYPE: Record<string, string> = { float32: "float", float64: "double" };

/** `slow_conv_transpose` names its per-dim values height/width (depth for 3-d; 1-d runs as 2-d). */
function perDim(name: string, values: readonly number[], fill: number, sep: string): string {
  const v = values.length === 1 ? [fill, values[0]] : values;
  const labels = v.length === 3 ? ["depth", "height", "width"] : ["height", "width"];
  return v.map((x, i) => `${name}_${labels[i]}: ${x}`).join(sep);
}

/** The same view PyTorch reports for 1-d problems, which it runs as 2-d ones (a unit height). */
function as2d(shape: readonly number[]): number[] {
  return shape.length === 3 ? [shape[0], shape[1], 1, shape[2]] : shape.slice();
}

/**
 * N-d convolution or transposed convolution of a batched input, as `torch.convolution` (the op under
 * `nn.functional.conv*` and `conv_transpose*`), with ATen's argument checks and messages.
 *
 * Shape: input `[N, Cin, *S]`; weight `[Cout, Cin/groups, *K]` (transposed: `[Cin, Cout/groups, *K]`);
 * bias `[Cout]`. Output `[N, Cout, *O]` with `O = floor((S + 2p − d(K−1) − 1)/s) + 1`, or for the transposed
 * convolution `O = (S−1)s − 2p + d(K−1) + outputPadding + 1`.
 *
 * @example
 * convolution(torch.ones([1, 1, 4]), torch.ones([1, 1, 2]), null, { stride: 2 }) // [[[2, 2]]]
 */
export function convolution(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null | undefined,
  opts: ConvolutionOptions = {},
  op = "convolution",
): Tensor {
  checkTensor(input, op, "input");
  checkTensor(weight, op, "weight");
  if (bias !== null && bias !== undefined) checkTensor(bias, op, "bias");
  const b = bias ?? null;
  const transposed = opts.transposed ?? false;
  const groups = opts.groups ?? 1;
  const k = weight.dim();
  if (k < 3) throw new Error(`${op}: weight should have at least three dimensions`);
  if (!Number.isInteger(groups) || groups <= 0) throw new Error(`${op}: non-positive groups is not supported`);
  const dims = k - 2;
  const stride = expandParam(opts.stride ?? 1, "stride", dims, op);
  const padding = expandParam(opts.padding ?? 0, "padding", dims, op);
  const dilation = expandParam(opts.dilation ?? 1, "dilation", dims, op);
  const outputPadding = expandParam(opts.outputPadding ?? 0, "output_padding", dims, op);
  const paddingEnd = opts.paddingEnd ? expandParam(opts.paddingEnd, "padding", dims, op) : padding;
  if (padding.some((p) => p < 0) || paddingEnd.some((p) => p < 0)) throw new Error(`${op}: negative padding is not supported`);
  if (outputPadding.some((p) => p < 0)) throw new Error(`${op}: negative output_padding is not supported`);
  if (stride.some((s) => s <= 0)) throw new Error(`${op}: non-positive stride is not supported`);
  const ws = weight.shape;
  if (input.dim() !== k) {
    throw new Error(
      `${op}: Expected ${k}-dimensional input for ${k}-dimensional weight ${formatShape(ws)}, but got ` +
        `${input.dim()}-dimensional input of size ${formatShape(input.shape)} instead`,
    );
  }
  if (ws[0] < groups) {
    throw new Error(
      `${op}: Given groups=${groups}, expected weight to be at least ${groups} at dimension 0, but got weight of ` +
        `size ${formatShape(ws)} instead`,
    );
  }
  if (ws[0] % groups !== 0) {
    // PyTorch's message has the doubled brackets.
    throw new Error(
      `${op}: Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight ` +
        `of size [${formatShape(ws)}] instead`,
    );
  }
  const S = spatial(input);
  const K = ws.slice(2);
  if (K.some((kk) => kk <= 0)) {
    throw new Error(`${op}: kernel size should be greater than zero, but got ${perDim("kernel", K, 1, " ")}`);
  }
  if (!transposed) {
    if (input.shape[1] !== ws[1] * groups) {
      throw new Error(
        `${op}: Given groups=${groups}, weight of size ${formatShape(ws)}, expected input${formatShape(input.shape)} ` +
          `to have ${ws[1] * groups} channels, but got ${input.shape[1]} channels instead`,
      );
    }
    if (b && (b.dim() !== 1 || b.shape[0] !== ws[0])) {
      throw new Error(
        `${op}: Given weight of size ${formatShape(ws)}, expected bias to be 1-dimensional with ${ws[0]} elements, ` +
          `but got bias of size ${formatShape(b.shape)} instead`,
      );
    }
    const padded = S.map((s, i) => s + padding[i] + paddingEnd[i]);
    const effective = K.map((kk, i) => dilation[i] * (kk - 1) + 1);
    if (padded.some((p, i) => p < effective[i])) {
      throw new Error(
        `${op}: Calculated padded input size per channel: (${padded.join(" x ")}). Kernel size: ` +
          `(${effective.join(" x ")}). Kernel size can't be greater than actual input size`,
      );
    }
  } else {
    if (input.shape[1] !== ws[0]) {
      throw new Error(
        `${op}: Given transposed=1, weight of size ${formatShape(ws)}, expected input${formatShape(input.shape)} ` +
          `to have ${ws[0]} channels, but got ${input.shape[1]} channels instead`,
      );
    }
    if (b && (b.dim() !== 1 || b.shape[0] !== ws[1] * groups)) {
      throw new Error(
        `${op}: Given transposed=1, weight of size ${formatShape(ws)}, expected bias to be 1-dimensional with ` +
          `${ws[1] * groups} elements, but got bias of size ${formatShape(b.shape)} instead`,
      );
    }
  }
  if (input.numel() === 0 && input.shape[0] !== 0 && input.shape[1] !== 0) {
    throw new Error(
      `${op}: Only zero batch or zero channel inputs are supported, but got input shape: ${formatShape(as2d(input.shape))}`,
    );
  }
  if (!transposed && dilation.some((d) => d <= 0)) throw new Error(`${op}: non-positive dilation is not supported`);
  let size: number[];
  if (transposed) {
    if (dilation.some((d) => d <= 0)) {
      throw new Error(`${op}: dilation should be greater than zero, but got ${perDim("dilation", dilation, 1, ", ")}`);
    }
    if (outputPadding.some((p, i) => !(p < stride[i] || p < dilation[i]))) {
      throw new Error(
        `${op}: output padding must be smaller than either stride or dilation, but got ` +
          `${perDim("output_padding", outputPadding, 0, " ")} ${perDim("stride", stride, 1, " ")} ` +
          `${perDim("dilation", dilation, 1, " ")}`,
      );
    }
    size = S.map((s, i) => convTransposeOutputSize(s, K[i], stride[i], padding[i], dilation[i], outputPadding[i]));
    if (size.some((o) => o < 1)) {
      throw new Error(
        `${op}: Given input size per channel: (${as2d(input.shape).slice(2).join(" x ")}). Calculated output size ` +
          `per channel: (${as2d([0, 0, ...size]).slice(2).join(" x ")}). Output size is too small`,
      );
    }
  } else {
    // An asymmetric padding is a symmetric one of `padding` around an input longer by the difference.
    size = S.map((s, i) => convOutputSize(s + paddingEnd[i] - padding[i], K[i], stride[i], padding[i], dilation[i]));
  }
  checkDtypes(input, weight, b, op);
  const attrs = withSize({ stride, padding, dilation, groups }, size);
  const inputs = b ? [input, weight, b] : [input, weight];
  return transposed ? convTransposeOp(inputs, attrs) : convForwardOp(inputs, attrs);
}

function checkDtypes(input: Tensor, weight: Tensor, bias: Tensor | null, op: string): void {
  if (!isFloating(input.dtype)) {
    throw new TypeError(
      `${op}: convolution is implemented for float32 and float64 only, but got input of dtype ${input.dtype}`,
    );
  }
  const name = (t: Tensor): string => TORCH_TYPE[t.dtype] ?? t.dtype;
  if (weight.dtype !== input.dtype) {
    throw new TypeError(`${op}: Input type (${name(input)}) and weight type (${name(weight)}) should be the same`);
  }
  if (bias && bias.dtype !== input.dtype) {
    throw new TypeError(`${op}: Input type (${name(input)}) and bias type (${name(bias)}) should be the same`);
  }
}
