import { Tensor } from "../../tensor.js";
import { type DType, isFloating } from "../../dtype.js";
import { normalizeDim } from "../../layout.js";
import { defineUnaryOutputOp } from "../../ops/define.js";
import * as ew from "../../ops/elementwise.js";
import { sum } from "../../ops/reduce.js";
import { amax } from "../../ops/extrema.js";
import { to } from "../../ops/cast.js";
import { reshape } from "../../ops/view.js";
import { checkTensor } from "../../ops/util.js";
import { torchTypeName } from "../../ops/reduce-util.js";

const warned = new Set<string>();

/**
 * PyTorch's `_get_softmax_dim` for `dim=None`: dim 0 for 0-, 1- and 3-d inputs, else 1, with a deprecation
 * warning (printed once per function).
 */
export function legacySoftmaxDim(name: string, ndim: number): number {
  if (!warned.has(name)) {
    warned.add(name);
    console.warn(
      `Implicit dimension choice for ${name} has been deprecated. Change the call to include dim=X as an argument.`,
    );
  }
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

// Both subtract the max along dim first, so large logits (1e4) neither overflow nor lose the small ones.
const softmaxOp = defineUnaryOutputOp<{ dim: number }>({
  name: "Softmax",
  forward(ctx, [x], { dim }) {
    const e = ew.exp(ew.sub(x, amax(x, dim, true)));
    const y = ew.div(e, sum(e, dim, true));
    if (ctx.needsInputGrad[0]) ctx.save(y);
    return y;
  },
  backward(ctx, [g], { dim }) {
    const [y] = ctx.saved;
    return [ew.mul(y, ew.sub(g, sum(ew.mul(g, y), dim, true)))];
  },
});

const logSoftmaxOp = defineUnaryOutputOp<{ dim: number }>({
  name: "LogSoftmax",
  forward(ctx, [x], { dim }) {
    const shifted = ew.sub(x, amax(x, dim, true));
    const y = ew.sub(shifted, ew.log(sum(ew.exp(shifted), dim, true)));
    if (ctx.needsInputGrad[0]) ctx.save(y);
    return y;
  },
  backward(ctx, [g], { dim }) {
    const [y] = ctx.saved;
    return [ew.sub(g, ew.mul(ew.exp(y), sum(g, dim, true)))];
  },
});

function run(
  name: string,
  kernel: string,
  op: (inputs: Tensor[], attrs: { dim: number }) => Tensor,
  input: Tensor,
  dim: number | null | undefined,
  dtype: DType | undefined,
): Tensor {
  checkTensor(input, name);
  const x = dtype !== undefined ? to(input, dtype) : input;
  if (!isFloating(x.dtype)) throw new TypeError(`"${kernel}" not implemented for '${torchTypeName(x.dtype)}'`);
  const d = normalizeDim(dim ?? legacySoftmaxDim(name, x.dim()), x.dim(), name);
  if (x.numel() === 0) return op([x], { dim: d });
  if (x.dim() === 0) return reshape(op([reshape(x, [1])], { dim: 0 }), []);
  return op([x], { dim: d });
}

/**
 * `exp(xᵢ)/Σⱼ exp(xⱼ)` along `dim`, computed stably (max subtracted first), as
 * `F.softmax(input, dim, dtype=None)`. `dim` null/omitted uses PyTorch's legacy choice with a warning.
 *
 * @example
 * F.softmax(torch.tensor([[1, 2, 3]], { dtype: "float32" }), 1) // tensor([[0.0900, 0.2447, 0.6652]])
 */
export function softmax(input: Tensor, dim?: number | null, opts: { dtype?: DType } = {}): Tensor {
  return run("softmax", "softmax_lastdim_kernel_impl", softmaxOp, input, dim, opts.dtype);
}

/**
 * `xᵢ − log Σⱼ exp(xⱼ)` along `dim` (stable for large logits), as `F.log_softmax(input, dim, dtype=None)`.
 */
export function logSoftmax(input: Tensor, dim?: number | null, opts: { dtype?: DType } = {}): Tensor {
  return run("log_softmax", "log_softmax_lastdim_kernel_impl", logSoftmaxOp, input, dim, opts.dtype);
}

/** `softmax(−x)` along `dim`, as `F.softmin(input, dim, dtype=None)`. */
export function softmin(input: Tensor, dim?: number | null, opts: { dtype?: DType } = {}): Tensor {
  checkTensor(input, "softmin");
  const x = opts.dtype !== undefined ? to(input, opts.dtype) : input;
  const d = dim ?? legacySoftmaxDim("softmin", x.dim());
  return softmax(ew.neg(x), d);
}
