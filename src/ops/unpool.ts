/**
 * Max unpooling (`torch.nn.functional.max_unpool{1,2,3}d`): the partial inverse of max pooling, placing
 * each value at the position its index names and zeros elsewhere.
 */
import { Tensor } from "../tensor.js";
import { backend } from "../backend/backend.js";
import { formatShape } from "../layout.js";
import { defineUnaryOutputOp } from "./define.js";
import { checkTensor } from "./util.js";
import { squeeze, unsqueeze } from "./view.js";
import { poolGather } from "./pool-index.js";
import { type IntOrTuple, TORCH_TYPE_NAME, checkDtype, planeView, strideArg, tupleArg, view5 } from "./pool-args.js";

/** Options of `maxUnpool1d/2d/3d`. */
export interface MaxUnpoolOptions {
  /** The pooling's stride; default (undefined, null or `[]`): `kernelSize`. */
  stride?: IntOrTuple | null;
  /** The pooling's padding. Default 0. */
  padding?: IntOrTuple;
  /**
   * The exact output size (spatial dims, or with N and C in front, which are ignored), to undo the
   * rounding of the pooling's output size. Default: `(in − 1)·stride + kernelSize − 2·padding` per dim.
   */
  outputSize?: readonly number[] | null;
}

function makeUnpoolOp(nd: 2 | 3) {
  return defineUnaryOutputOp<{ size: number[]; op: string }>({
    name: `MaxUnpool${nd}D`,
    forward(ctx, [x, indices], { size, op }) {
      const out = Tensor.empty([...x.shape.slice(0, x.dim() - nd), ...size], x.dtype);
      // Writes, not adds: a repeated index keeps the last value written, as PyTorch's sequential kernel.
      const bad = backend().poolScatter(view5(x, nd), view5(indices, nd), planeView(out, nd), false);
      if (bad !== null) {
        throw new RangeError(`${op}: Found an invalid max index: ${bad} (output volumes are of size ${size.join("x")}`);
      }
      ctx.save(indices);
      return out;
    },
    backward(ctx, [grad]) {
      const [indices] = ctx.saved;
      return [poolGather(grad, indices, nd), null];
    },
  });
}

const OPS = { 2: makeUnpoolOp(2), 3: makeUnpoolOp(3) };

function pyList(v: readonly number[]): string {
  return `[${v.join(", ")}]`;
}

/**
 * `_unpool_output_size` (torch/nn/functional.py): the default size per spatial dim, or the requested one,
 * which must lie strictly between `default − stride` and `default + stride`.
 */
export function unpoolOutputSize(
  input: Tensor,
  kernel: readonly number[],
  stride: readonly number[],
  padding: readonly number[],
  outputSize: readonly number[] | null | undefined,
  op: string,
): number[] {
  const nd = kernel.length;
  const spatial = input.shape.slice(-nd);
  const def = kernel.map((k, d) => (spatial[d] - 1) * stride[d] + k - 2 * padding[d]);
  if (outputSize === undefined || outputSize === null) return def;
  let size = outputSize.slice();
  if (size.length === nd + 2) size = size.slice(2);
  if (size.length !== nd) {
    throw new RangeError(
      `${op}: output_size should be a sequence containing ${nd} or ${nd + 2} elements, but it has a length of '${size.length}'`,
    );
  }
  for (let d = 0; d < nd; d++) {
    const min = def[d] - stride[d];
    const max = def[d] + stride[d];
    if (!(min < size[d] && size[d] < max)) {
      throw new RangeError(`${op}: invalid output_size "${pyList(size)}" (dim ${d} must be between ${min} and ${max})`);
    }
  }
  return size;
}

/** The checks of `max_unpooling{2,3}d_forward_out_cpu`. */
function checkUnpool(x: Tensor, indices: Tensor, nd: number, op: string): void {
  checkTensor(x, op);
  checkTensor(indices, op, "indices");
  checkDtype(x, op, `max_unpool${nd}d`, false);
  if (indices.dtype !== "int64") {
    throw new TypeError(`${op}: elements in indices should be type int64 but got: ${TORCH_TYPE_NAME[indices.dtype]}`);
  }
  if (x.dim() !== nd + 1 && x.dim() !== nd + 2) {
    throw new RangeError(
      `${op}: Input to max_unpooling${nd}d should be a ${nd + 1}d or ${nd + 2}d Tensor, but got a tensor with ${x.dim()} dimensions.`,
    );
  }
  if (formatShape(x.shape) !== formatShape(indices.shape)) {
    throw new RangeError(
      `${op}: Expected shape of indices to be same as that of the input tensor (${formatShape(x.shape)}) ` +
        `but got indices tensor with shape: ${formatShape(indices.shape)}`,
    );
  }
  for (let i = 1; i < x.dim(); i++) {
    if (x.shape[i] === 0) {
      throw new RangeError(
        `${op}: Expected input to have non-zero size for non-batch dimensions, but got ${formatShape(x.shape)} ` +
          `with dimension ${i} being empty.`,
      );
    }
  }
}

function args(nd: number, kernelSize: IntOrTuple, opts: MaxUnpoolOptions, op: string) {
  const kernel = tupleArg(kernelSize, nd, op, "kernelSize");
  return { kernel, stride: strideArg(opts.stride, kernel, op), padding: tupleArg(opts.padding ?? 0, nd, op, "padding") };
}

/**
 * 1-d max unpooling of `(N, C, L)` or `(C, L)` with the indices of `maxPool1d`, as `F.max_unpool1d`.
 *
 * `out[n, c, indices[n, c, l]] = input[n, c, l]`, zeros elsewhere.
 * Shape: `L_out = (L − 1)·stride + kernelSize − 2·padding`, or `outputSize`. Defaults: stride =
 * kernelSize, padding 0. The gradient gathers at the indices.
 *
 * @example
 * F.maxUnpool1d(torch.tensor([[[3, 5]]], { dtype: "float32" }), torch.tensor([[[1, 3]]]), 2) // tensor([[[0, 3, 0, 5]]])
 */
export function maxUnpool1d(input: Tensor, indices: Tensor, kernelSize: IntOrTuple, opts: MaxUnpoolOptions = {}): Tensor {
  const op = "maxUnpool1d";
  checkTensor(input, op);
  checkTensor(indices, op, "indices");
  const a = args(1, kernelSize, opts, op);
  const size = unpoolOutputSize(input, a.kernel, a.stride, a.padding, opts.outputSize, op);
  if (input.dim() !== 2 && input.dim() !== 3) {
    throw new RangeError(`${op}: Input to max_unpooling1d should be a 2d or 3d Tensor, but got a tensor with ${input.dim()} dimensions.`);
  }
  // PyTorch runs the 2-d kernel on (…, L, 1): indices are positions along L.
  const x2 = unsqueeze(input, -1);
  const i2 = unsqueeze(indices, -1);
  checkUnpool(x2, i2, 2, op);
  return squeeze(OPS[2]([x2, i2], { size: [size[0], 1], op }), -1);
}

/**
 * 2-d max unpooling of `(N, C, H, W)` or `(C, H, W)` with the flat plane indices of `maxPool2d`, as
 * `F.max_unpool2d`: `out[n, c].flatten()[indices[n, c, h, w]] = input[n, c, h, w]`, zeros elsewhere (a
 * repeated index keeps the last value). An index outside the output plane is an error.
 *
 * Shape: `H_out = (H − 1)·stride − 2·padding + kernelSize` per dim, or `outputSize`, which must lie
 * strictly within `stride` of that default. Defaults: stride = kernelSize, padding 0.
 *
 * @example
 * const [y, i] = F.maxPool2d(x, 2, { returnIndices: true });
 * F.maxUnpool2d(y, i, 2, { outputSize: x.shape }) // x's maxima in place, zeros elsewhere
 */
export function maxUnpool2d(input: Tensor, indices: Tensor, kernelSize: IntOrTuple, opts: MaxUnpoolOptions = {}): Tensor {
  const op = "maxUnpool2d";
  checkTensor(input, op);
  const a = args(2, kernelSize, opts, op);
  const size = unpoolOutputSize(input, a.kernel, a.stride, a.padding, opts.outputSize, op);
  checkUnpool(input, indices, 2, op);
  return OPS[2]([input, indices], { size, op });
}

/**
 * 3-d max unpooling of `(N, C, D, H, W)` or `(C, D, H, W)` with the indices of `maxPool3d`, as
 * `F.max_unpool3d`. Same rules as `maxUnpool2d`; the stride must be positive.
 *
 * @example
 * const [y, i] = F.maxPool3d(x, 2, { returnIndices: true });
 * F.maxUnpool3d(y, i, 2).shape // x.shape when every dim of x is even
 */
export function maxUnpool3d(input: Tensor, indices: Tensor, kernelSize: IntOrTuple, opts: MaxUnpoolOptions = {}): Tensor {
  const op = "maxUnpool3d";
  checkTensor(input, op);
  const a = args(3, kernelSize, opts, op);
  const size = unpoolOutputSize(input, a.kernel, a.stride, a.padding, opts.outputSize, op);
  checkUnpool(input, indices, 3, op);
  if (a.stride.some((s) => s <= 0)) {
    throw new RangeError(`${op}: strides should be greater than zero, but got stride: ${pyList(a.stride)}`);
  }
  return OPS[3]([input, indices], { size, op });
}
