/**
 * Fractional max pooling (Graham 2014, `torch.nn.functional.fractional_max_pool2d`): pseudo-random window
 * starts so that the output size may be any fraction of the input.
 */
import { Tensor } from "../tensor.js";
import { backend } from "../backend/backend.js";
import { formatShape } from "../layout.js";
import { defineOp } from "./define.js";
import { checkTensor } from "./util.js";
import { to } from "./cast.js";
import { poolScatterAdd } from "./pool-index.js";
import { checkDtype, tupleArg, view5 } from "./pool-args.js";
import type { Generator } from "../random/generator.js";
import { uniformTensor } from "./pool-random.js";

/** Options of `fractionalMaxPool2d`: exactly one of `outputSize` and `outputRatio`. */
export interface FractionalMaxPoolOptions {
  /** Output `[H_out, W_out]` (or one int for both). */
  outputSize?: number | readonly number[] | null;
  /** Output size as a fraction of the input: `H_out = trunc(H·ratio)`. */
  outputRatio?: number | readonly number[] | null;
  /** Also return the flat plane indices of the maxima. Default false. */
  returnIndices?: boolean;
  /**
   * The random samples `(N, C, 2)` in [0, 1) (`[…, 0]` places the W windows, `[…, 1]` the H windows),
   * as PyTorch's `_random_samples`; drawn from `generator` when omitted.
   */
  _randomSamples?: Tensor | null;
  /** Source of the samples when `_randomSamples` is omitted (default: the global generator). */
  generator?: Generator | null;
}

const fractionalOp = defineOp<{ kernel: [number, number]; size: [number, number] }>({
  name: "FractionalMaxPool2D",
  forward(ctx, [x, samples], { kernel, size }) {
    const shape = [...x.shape.slice(0, x.dim() - 2), ...size];
    const out = Tensor.empty(shape, x.dtype);
    const indices = Tensor.empty(shape, "int64");
    const s = samples.dtype === x.dtype ? samples : to(samples, x.dtype);
    backend().fractionalMaxPool(view5(x, 2), s, kernel, x.dtype === "float32", view5(out, 2), view5(indices, 2));
    ctx.save(indices);
    ctx.inShape = x.shape.slice();
    return [out, indices];
  },
  backward(ctx, [grad]) {
    const [indices] = ctx.saved;
    return [poolScatterAdd(grad, indices, ctx.inShape as number[], 2), null];
  },
});

type FractionalResult<O> = O extends { returnIndices: true } ? [Tensor, Tensor] : Tensor;

/**
 * 2-d fractional max pooling of `(N, C, H, W)` or `(C, H, W)` with a `kernelSize` window, as
 * `F.fractional_max_pool2d`. Per plane, window starts along a dim are
 * `trunc((i + u)·α) − trunc(u·α)` with `α = (L − k)/(out − 1)` and the last start `L − k` (u from the
 * random samples; float32 inputs use float32 arithmetic, as PyTorch). Max rules as `maxPool2d`.
 *
 * Shape: `outputSize`, or `trunc(H·ratio)`, `trunc(W·ratio)` with `outputRatio`; needs
 * `out + k − 1 ≤ L`. Pass the same `_randomSamples` to reproduce PyTorch's result exactly.
 *
 * @example
 * const u = torch.tensor([[[0.5, 0.5]]], { dtype: "float32" });
 * F.fractionalMaxPool2d(x, 2, { outputSize: [3, 3], _randomSamples: u }) // for x of shape [1, 1, H, W]
 */
export function fractionalMaxPool2d<O extends FractionalMaxPoolOptions>(input: Tensor, kernelSize: number | readonly number[], opts: O): FractionalResult<O>;
export function fractionalMaxPool2d(input: Tensor, kernelSize: number | readonly number[], opts: FractionalMaxPoolOptions): Tensor | [Tensor, Tensor] {
  const op = "fractionalMaxPool2d";
  checkTensor(input, op);
  const { outputRatio } = opts;
  let { outputSize } = opts;
  if ((outputSize === undefined || outputSize === null) && (outputRatio === undefined || outputRatio === null)) {
    throw new TypeError(`${op}: fractional_max_pool2d requires specifying either an output_size or an output_ratio`);
  }
  const kernel = tupleArg(kernelSize, 2, op, "kernelSize");
  if (kernel.some((k) => k <= 0)) throw new RangeError(`${op}: kernelSize must be greater than zero, but got ${formatShape(kernel)}`);
  if (input.dim() !== 3 && input.dim() !== 4) {
    throw new RangeError(`${op}: Expected 3D or 4D tensor, but got: ${formatShape(input.shape)}`);
  }
  const [H, W] = input.shape.slice(-2);
  if (outputSize === undefined || outputSize === null) {
    const r = typeof outputRatio === "number" ? [outputRatio, outputRatio] : (outputRatio as readonly number[]);
    if (r.length !== 2) throw new RangeError(`${op}: outputRatio must be one number or two, but got ${JSON.stringify(outputRatio)}`);
    outputSize = [Math.trunc(H * r[0]), Math.trunc(W * r[1])];
  }
  const size = tupleArg(outputSize, 2, op, "outputSize");
  checkDtype(input, op, "fractional_max_pool2d", false);
  for (let i = input.dim() - 3; i < input.dim(); i++) {
    if (input.shape[i] === 0) {
      throw new RangeError(
        `${op}: Expected input to have non-zero size for non-batch dimensions, but got${formatShape(input.shape)} with dimension ${i} being empty.`,
      );
    }
  }
  if (size[0] < 0 || size[1] < 0) throw new RangeError(`${op}: output size must be non-negative, but got ${formatShape(size)}`);
  if (size[0] + kernel[0] - 1 > H) throw new RangeError(`${op}: pool height ${kernel[0]} too large relative to input height ${H}`);
  if (size[1] + kernel[1] - 1 > W) throw new RangeError(`${op}: pool width ${kernel[1]} too large relative to input width ${W}`);
  const N = input.dim() === 4 ? input.shape[0] : 1;
  const C = input.shape[input.dim() - 3];
  let samples = opts._randomSamples ?? null;
  if (samples === null) {
    samples = uniformTensor([N, C, 2], input.dtype, opts.generator ?? null);
  } else {
    checkTensor(samples, op, "_randomSamples");
    if (formatShape(samples.shape) !== formatShape([N, C, 2])) {
      throw new RangeError(`${op}: expected _randomSamples of shape ${formatShape([N, C, 2])}, but got ${formatShape(samples.shape)}`);
    }
    if (samples.dtype !== "float32" && samples.dtype !== "float64") {
      throw new TypeError(`${op}: expected floating point _randomSamples, but got ${samples.dtype}`);
    }
  }
  const [out, indices] = fractionalOp([input, samples], { kernel: [kernel[0], kernel[1]], size: [size[0], size[1]] });
  return opts.returnIndices ? [out, indices] : out;
}

/** `fractionalMaxPool2d` with `returnIndices: true`, as `F.fractional_max_pool2d_with_indices`. */
export function fractionalMaxPool2dWithIndices(
  input: Tensor,
  kernelSize: number | readonly number[],
  opts: Omit<FractionalMaxPoolOptions, "returnIndices">,
): [Tensor, Tensor] {
  return fractionalMaxPool2d(input, kernelSize, { ...opts, returnIndices: true as const });
}
