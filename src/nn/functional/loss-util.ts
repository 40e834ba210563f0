/**
 * What every loss shares: the `reduction` argument (PyTorch's `_Reduction.get_enum`) and folding the
 * per-element losses.
 */
import type { Tensor } from "../../tensor.js";
import { isFloating } from "../../dtype.js";
import { shapeEquals } from "../../layout.js";
import type { LossReduction } from "../../backend/interface/loss.js";
import { mean, sum } from "../../ops/reduce.js";
import { checkTensor } from "../../ops/util.js";
import { torchTypeName } from "../../ops/reduce-util.js";
import { torchSize } from "../repr.js";
import { isGradEnabled } from "../../autograd/grad-mode.js";

export type { LossReduction };

/** The `reduction` option of every loss: `'none'`, `'mean'` (default) or `'sum'`. */
export interface ReductionOptions {
  reduction?: LossReduction;
}

/** Checks `reduction` as PyTorch does: anything else is a ValueError naming the value. */
export function reductionOf(reduction: unknown): LossReduction {
  const r = reduction ?? "mean";
  if (r !== "none" && r !== "mean" && r !== "sum") throw new Error(`${String(r)} is not a valid value for reduction`);
  return r;
}

/** `loss` itself, its mean or its sum (PyTorch's `apply_loss_reduction`). */
export function reduce(loss: Tensor, reduction: LossReduction): Tensor {
  return reduction === "none" ? loss : reduction === "mean" ? mean(loss) : sum(loss);
}

const warned = new Set<string>();

/**
 * PyTorch's UserWarning when an elementwise loss is about to broadcast its target against its input
 * (printed once per loss, as Python's default warning filter does per call site).
 */
export function warnBroadcast(op: string, input: Tensor, target: Tensor): void {
  if (shapeEquals(input.shape, target.shape) || warned.has(op)) return;
  warned.add(op);
  console.warn(
    `${op}: Using a target size (${torchSize(target.shape)}) that is different to the input size ` +
      `(${torchSize(input.shape)}). This will likely lead to incorrect results due to broadcasting. ` +
      "Please ensure they have the same size.",
  );
}

/** Checks both operands are tensors and refuses integer operands with the kernel name PyTorch reports. */
export function checkPair(op: string, kernel: string | null, input: unknown, target: unknown, names = ["input", "target"]): void {
  checkTensor(input, op, names[0]);
  checkTensor(target, op, names[1]);
  const a = input as Tensor;
  const b = target as Tensor;
  if (kernel !== null && !isFloating(a.dtype) && !isFloating(b.dtype)) {
    throw new TypeError(`${op}: "${kernel}" not implemented for '${torchTypeName(a.dtype === "bool" ? b.dtype : a.dtype)}'`);
  }
}

/** PyTorch refuses a gradient for loss weights it treats as constants. */
export function checkNotDifferentiable(op: string, pyName: string, arg: string, t: Tensor | null | undefined): void {
  if (t && t.requiresGrad && isGradEnabled()) {
    throw new Error(
      `${op}: The function '${pyName}' is not differentiable with respect to argument '${arg}'. This input cannot have requires_grad True.`,
    );
  }
}
