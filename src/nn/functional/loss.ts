/**
 * Loss functions of `torch.nn.functional`. The cross-entropy family lives in `nll.ts`; here are the
 * elementwise and embedding losses. Most are compositions of public ops written as PyTorch's ATen or Python
 * code writes them (so autograd gives PyTorch's gradients, double backward included); the binary cross
 * entropies are primitives because PyTorch's gradients there are not those of its forward formulas (BCE
 * clamps 1/(x(1−x)) at 1e12 while its forward clamps the logs at −100).
 */
import { Tensor } from "../../tensor.js";
import { isFloating, resultType } from "../../dtype.js";
import { broadcastShapes, formatShape, shapeEquals } from "../../layout.js";
import { backend } from "../../backend/backend.js";
import type { ElementwiseDescriptor } from "../../backend/interface/core.js";
import { defineUnaryOutputOp } from "../../ops/define.js";
import * as ew from "../../ops/elementwise.js";
import { amax, amin } from "../../ops/extrema.js";
import { sum } from "../../ops/reduce.js";
import { clone, expand, unsqueeze } from "../../ops/view.js";
import { to } from "../../ops/cast.js";
import { maskedFill } from "../../ops/gather-scatter.js";
import { noGrad } from "../../autograd/grad-mode.js";
import { checkTensor } from "../../ops/util.js";
import { torchTypeName } from "../../ops/reduce-util.js";
import { logsigmoid } from "./activation.js";
import { torchSize } from "../repr.js";
import {
  type LossReduction,
  type ReductionOptions,
  checkNotDifferentiable,
  checkPair,
  reduce,
  reductionOf,
  warnBroadcast,
} from "./loss-util.js";

export * from "./nll.js";
export { type LossReduction, type ReductionOptions } from "./loss-util.js";

const { abs, add, clamp, div, exp, log, mul, neg, rsub, sub, square, where } = ew;

/**
 * Mean squared error `(xᵢ − yᵢ)²`, as `F.mse_loss(input, target, reduction='mean')`. Input and target
 * broadcast (with PyTorch's warning when their shapes differ).
 *
 * Shape: input `(*)`, target `(*)`; output scalar, or the broadcast shape with `reduction: 'none'`.
 *
 * @example
 * F.mseLoss(torch.tensor([1, 2, 3], { dtype: "float32" }), torch.tensor([1, 2, 5], { dtype: "float32" })) // tensor(1.3333)
 */
export function mseLoss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  checkPair("mseLoss", "mse_cpu", input, target);
  warnBroadcast("mseLoss", input, target);
  return reduce(square(sub(input, target)), reductionOf(opts.reduction));
}

/**
 * Mean absolute error `|xᵢ − yᵢ|`, as `F.l1_loss(input, target, reduction='mean')` (gradient 0 where
 * xᵢ = yᵢ). Input and target broadcast.
 *
 * Shape: input `(*)`, target `(*)`; output scalar, or the broadcast shape with `reduction: 'none'`.
 */
export function l1Loss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  checkPair("l1Loss", null, input, target);
  warnBroadcast("l1Loss", input, target);
  const reduction = reductionOf(opts.reduction);
  const d = abs(sub(input, target));
  if (reduction === "mean" && !isFloating(d.dtype)) {
    throw new TypeError(
      `l1Loss: mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${torchTypeName(d.dtype)}`,
    );
  }
  return reduce(d, reduction);
}

/** Options of `smoothL1Loss`. */
export interface SmoothL1LossOptions extends ReductionOptions {
  /** Where the loss changes from quadratic to linear (≥ 0; 0 is the L1 loss). Default 1. */
  beta?: number;
}

/**
 * `0.5·d²/β` for `d = |xᵢ − yᵢ| < β`, else `d − 0.5·β`, as
 * `F.smooth_l1_loss(input, target, reduction='mean', beta=1.0)`; β = 0 is the L1 loss.
 *
 * Shape: input `(*)`, target `(*)`; output scalar, or the broadcast shape with `reduction: 'none'`.
 */
export function smoothL1Loss(input: Tensor, target: Tensor, opts: SmoothL1LossOptions = {}): Tensor {
  checkPair("smoothL1Loss", "smooth_l1_cpu", input, target);
  warnBroadcast("smoothL1Loss", input, target);
  const reduction = reductionOf(opts.reduction);
  const beta = opts.beta ?? 1;
  if (beta < 0) throw new RangeError("smoothL1Loss: smooth_l1_loss does not support negative values for beta.");
  const d = abs(sub(input, target));
  if (beta === 0) return reduce(d, reduction);
  return reduce(where(ew.lt(d, beta), div(mul(square(d), 0.5), beta), sub(d, 0.5 * beta)), reduction);
}

/** Options of `huberLoss`. */
export interface HuberLossOptions extends ReductionOptions {
  /** Where the loss changes from quadratic to linear (> 0). Default 1. */
  delta?: number;
}

/**
 * `0.5·d²` for `d = |xᵢ − yᵢ| < δ`, else `δ·(d − 0.5·δ)`, as
 * `F.huber_loss(input, target, reduction='mean', delta=1.0)`.
 *
 * Shape: input `(*)`, target `(*)`; output scalar, or the broadcast shape with `reduction: 'none'`.
 */
export function huberLoss(input: Tensor, target: Tensor, opts: HuberLossOptions = {}): Tensor {
  checkPair("huberLoss", "huber_cpu", input, target);
  warnBroadcast("huberLoss", input, target);
  const reduction = reductionOf(opts.reduction);
  const delta = opts.delta ?? 1;
  if (!(delta > 0)) throw new RangeError("huberLoss: huber_loss does not support non-positive values for delta.");
  const d = abs(sub(input, target));
  return reduce(where(ew.lt(d, delta), mul(square(d), 0.5), mul(sub(d, 0.5 * delta), delta)), reduction);
}

const BCE: ElementwiseDescriptor = {
  name: "binary_cross_entropy",
  arity: 2,
  // PyTorch clamps each log at −100 so that x = 0 or 1 gives a finite loss.
  expr: "(b - 1) * Math.max(Math.log1p(-a), -100) - b * Math.max(Math.log(a), -100)",
};

const BCE_EPSILON = Math.fround(1e-12);

interface BceAttrs {
  weight: Tensor | null;
  reduction: LossReduction;
}

/** Multiplies by the (constant) weight, then divides by N for `mean`: the last steps of every BCE vjp. */
function finishGrad(g: Tensor, weight: Tensor | null, reduction: LossReduction, n: number): Tensor {
  const w = weight ? mul(g, weight) : g;
  return reduction === "mean" ? div(w, n) : w;
}

const bceOp = defineUnaryOutputOp<BceAttrs>({
  name: "BinaryCrossEntropy",
  forward(ctx, [x, t], { weight, reduction }) {
    const l = Tensor.empty(x.shape, x.dtype);
    backend().map(BCE, [x, t], l);
    if (ctx.needsInputGrad.some(Boolean)) ctx.save(x, t);
    return reduce(weight ? mul(l, weight) : l, reduction);
  },
  backward(ctx, [g], { weight, reduction }) {
    const [x, t] = ctx.saved;
    const n = x.numel();
    // ∂/∂x = (x − y)/max(x(1 − x), ε): PyTorch's EPSILON keeps x = 0 or 1 finite; it is the float 1e-12
    // (9.99999996e-13) even for double inputs.
    const gx = ctx.needsInputGrad[0] ? finishGrad(mul(g, div(sub(x, t), clamp(mul(rsub(x, 1), x), BCE_EPSILON))), weight, reduction, n) : null;
    // ∂/∂y = −logit(x) = −log(x/(1 − x)).
    const gt = ctx.needsInputGrad[1] ? finishGrad(mul(g, neg(log(div(x, rsub(x, 1))))), weight, reduction, n) : null;
    return [gx, gt];
  },
});

/** Options of `binaryCrossEntropy`. */
export interface BCELossOptions extends ReductionOptions {
  /** Rescales each element's loss; broadcast to the input's shape; constant (no gradient). */
  weight?: Tensor | null;
}

/**
 * Binary cross entropy of probabilities, as `F.binary_cross_entropy(input, target, weight=None,
 * reduction='mean')`: `lᵢ = −wᵢ·(yᵢ·log xᵢ + (1 − yᵢ)·log(1 − xᵢ))`, each log clamped at −100. Every
 * input must lie in [0, 1].
 *
 * Shape: input `(*)`, target of the same shape; output scalar, or `(*)` with `reduction: 'none'`.
 *
 * @example
 * F.binaryCrossEntropy(torch.tensor([0.8, 0.1]), torch.tensor([1, 0], { dtype: "float32" })) // tensor(0.1643)
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: BCELossOptions = {}): Tensor {
  const op = "binaryCrossEntropy";
  checkTensor(input, op);
  checkTensor(target, op, "target");
  const reduction = reductionOf(opts.reduction);
  if (!shapeEquals(target.shape, input.shape)) {
    throw new Error(
      `${op}: Using a target size (${torchSize(target.shape)}) that is different to the input size (${torchSize(input.shape)}) ` +
        "is deprecated. Please ensure they have the same size.",
    );
  }
  let weight = opts.weight ?? null;
  if (weight) weight = expand(checkTensor(weight, op, "weight").detach(), broadcastShapes(target.shape, weight.shape));
  checkNotDifferentiable(op, "binary_cross_entropy", "weight", opts.weight);
  if (!isFloating(input.dtype)) throw new TypeError(`${op}: "binary_cross_entropy" not implemented for '${torchTypeName(input.dtype)}'`);
  if (target.dtype !== input.dtype) {
    throw new TypeError(`${op}: Found dtype ${torchTypeName(target.dtype)} but expected ${torchTypeName(input.dtype)}`);
  }
  // max/min propagate NaN, so one comparison each also refuses NaN inputs, as PyTorch's check does.
  if (input.numel() > 0 && !noGrad(() => amin(input).item() >= 0 && amax(input).item() <= 1)) {
    throw new RangeError(`${op}: all elements of input should be between 0 and 1`);
  }
  return bceOp([input, target], { weight, reduction });
}

interface BceLogitsAttrs extends BceAttrs {
  posWeight: Tensor | null;
}

const bceLogitsOp = defineUnaryOutputOp<BceLogitsAttrs>({
  name: "BinaryCrossEntropyWithLogits",
  forward(ctx, [x, t], { weight, posWeight, reduction }) {
    // PyTorch's stable form: with m = max(−x, 0), log(1 + e^−x) = log(e^−m + e^(−x−m)) + m.
    const m = clamp(neg(x), 0);
    const softplus = add(log(add(exp(neg(m)), exp(sub(neg(x), m)))), m);
    let l: Tensor;
    if (posWeight) {
      const logWeight = add(mul(sub(posWeight, 1), t), 1);
      l = add(mul(rsub(t, 1), x), mul(logWeight, softplus));
    } else {
      l = add(mul(rsub(t, 1), x), softplus);
    }
    if (weight) l = mul(l, weight);
    if (!shapeEquals(l.shape, x.shape)) {
      throw new Error(`binaryCrossEntropyWithLogits: output with shape ${formatShape(x.shape)} doesn't match the broadcast shape ${formatShape(l.shape)}`);
    }
    if (ctx.needsInputGrad.some(Boolean)) ctx.save(x, t);
    return reduce(l, reduction);
  },
  backward(ctx, [g], { weight, posWeight, reduction }) {
    const [x, t] = ctx.saved;
    const n = x.numel();
    let gx: Tensor | null = null;
    let gt: Tensor | null = null;
    if (ctx.needsInputGrad[0]) {
      let d: Tensor;
      if (posWeight) {
        const pt = mul(posWeight, t);
        d = sub(mul(sub(add(pt, 1), t), ew.sigmoid(x)), pt);
      } else {
        d = sub(ew.sigmoid(x), t);
      }
      gx = finishGrad(mul(d, g), weight, reduction, n);
    }
    if (ctx.needsInputGrad[1]) {
      const d = posWeight ? sub(logsigmoid(neg(x)), mul(logsigmoid(x), posWeight)) : neg(x);
      gt = finishGrad(mul(d, g), weight, reduction, n);
    }
    return [gx, gt];
  },
});

/** Options of `binaryCrossEntropyWithLogits`. */
export interface BCEWithLogitsLossOptions extends BCELossOptions {
  /** Weight of positive examples per class, broadcast along the last dim; constant. Default none. */
  posWeight?: Tensor | null;
}

/**
 * Binary cross entropy of logits, stable for large |x|, as `F.binary_cross_entropy_with_logits(input,
 * target, weight=None, reduction='mean', pos_weight=None)`:
 * `lᵢ = −wᵢ·(pᵢ·yᵢ·log σ(xᵢ) + (1 − yᵢ)·log(1 − σ(xᵢ)))`, p the positive weight (1 without).
 *
 * Shape: input `(*)`, target of the same shape; output scalar, or `(*)` with `reduction: 'none'`.
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, opts: BCEWithLogitsLossOptions = {}): Tensor {
  const op = "binaryCrossEntropyWithLogits";
  checkTensor(input, op);
  checkTensor(target, op, "target");
  const reduction = reductionOf(opts.reduction);
  if (!shapeEquals(target.shape, input.shape)) {
    throw new Error(`${op}: Target size (${torchSize(target.shape)}) must be the same as input size (${torchSize(input.shape)})`);
  }
  checkNotDifferentiable(op, "binary_cross_entropy_with_logits", "weight", opts.weight);
  checkNotDifferentiable(op, "binary_cross_entropy_with_logits", "pos_weight", opts.posWeight);
  if (!isFloating(input.dtype) && !isFloating(target.dtype)) {
    throw new TypeError(`${op}: result type Float can't be cast to the desired output type ${torchTypeName(input.dtype)}`);
  }
  const weight = opts.weight ? checkTensor(opts.weight, op, "weight").detach() : null;
  const posWeight = opts.posWeight ? checkTensor(opts.posWeight, op, "posWeight").detach() : null;
  return bceLogitsOp([input, target], { weight, posWeight, reduction });
}

const XLOGY: ElementwiseDescriptor = { name: "xlogy", arity: 2, expr: "(b !== b ? b : a === 0 ? 0 : a * Math.log(b))" };

/** `x·log(y)` with 0·log(y) = 0 (NaN y stays NaN), PyTorch's `xlogy`, for operands of one shape. */
const xlogy: (inputs: Tensor[], attrs: undefined) => Tensor = defineUnaryOutputOp<undefined>({
  name: "Xlogy",
  forward(ctx, [x, y]) {
    const out = Tensor.empty(x.shape, resultType([x, y]));
    backend().map(XLOGY, [x, y], out);
    if (ctx.needsInputGrad.some(Boolean)) ctx.save(x, y);
    return out;
  },
  backward(ctx, [g]) {
    const [x, y] = ctx.saved;
    // As derivatives.yaml: ∂x = g·xlogy(x ≠ 0, y), ∂y = g·x/y (so 0/0 = NaN at x = y = 0, as PyTorch).
    const gx = ctx.needsInputGrad[0] ? mul(g, xlogy([to(ew.ne(x, 0), x.dtype), y], undefined)) : null;
    const gy = ctx.needsInputGrad[1] ? mul(g, div(x, y)) : null;
    return [gx, gy];
  },
});

/** Options of `klDiv`. */
export interface KLDivLossOptions {
  /** `'mean'` (default; divides by every element), `'batchmean'` (by the batch size), `'sum'`, `'none'`. */
  reduction?: LossReduction | "batchmean";
  /** Whether the target holds log-probabilities. Default false. */
  logTarget?: boolean;
}

let warnedKlMean = false;

/**
 * Kullback–Leibler divergence with log-probability input, as `F.kl_div(input, target, reduction='mean',
 * log_target=False)`: `lᵢ = yᵢ·(log yᵢ − xᵢ)` (0 where yᵢ = 0), or `e^{yᵢ}·(yᵢ − xᵢ)` with `logTarget`.
 * `'mean'` warns as PyTorch does: `'batchmean'` is the mathematical KL divergence.
 *
 * Shape: input `(*)`, target `(*)` broadcastable; output scalar, or the broadcast shape with `'none'`.
 */
export function klDiv(input: Tensor, target: Tensor, opts: KLDivLossOptions = {}): Tensor {
  checkPair("klDiv", null, input, target);
  const r = opts.reduction ?? "mean";
  if (r === "mean" && !warnedKlMean) {
    warnedKlMean = true;
    console.warn(
      "klDiv: reduction: 'mean' divides the total loss by both the batch size and the support size." +
        "'batchmean' divides only by the batch size, and aligns with the KL div math definition." +
        "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
    );
  }
  const reduction = r === "batchmean" ? "sum" : reductionOf(r);
  let l: Tensor;
  if (opts.logTarget) {
    l = mul(exp(target), sub(target, input));
  } else {
    const shape = broadcastShapes(input.shape, target.shape);
    const t = shapeEquals(target.shape, shape) ? target : expand(target, shape);
    l = sub(xlogy([t, t], undefined), mul(target, input));
  }
  const out = reduce(l, reduction);
  return r === "batchmean" && input.dim() !== 0 ? div(out, input.shape[0]) : out;
}

/** Options of the margin losses. */
export interface MarginLossOptions extends ReductionOptions {
  margin?: number;
}

function sameDims(op: string, input1: Tensor, input2: Tensor, target: Tensor): void {
  if (input1.dim() !== input2.dim() || input1.dim() !== target.dim()) {
    throw new Error(
      `${op}: margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: ${torchSize(input1.shape)}, ` +
        `input2: ${torchSize(input2.shape)}, target: ${torchSize(target.shape)} `,
    );
  }
}

/**
 * `max(0, −yᵢ·(x1ᵢ − x2ᵢ) + margin)` for targets ±1, as `F.margin_ranking_loss(input1, input2, target,
 * margin=0, reduction='mean')`.
 *
 * Shape: input1, input2, target `(N)` or `()` (same number of dims, broadcastable); output scalar or `(N)`.
 */
export function marginRankingLoss(input1: Tensor, input2: Tensor, target: Tensor, opts: MarginLossOptions = {}): Tensor {
  const op = "marginRankingLoss";
  checkTensor(input1, op, "input1");
  checkTensor(input2, op, "input2");
  checkTensor(target, op, "target");
  const reduction = reductionOf(opts.reduction);
  sameDims(op, input1, input2, target);
  return reduce(clamp(add(mul(neg(target), sub(input1, input2)), opts.margin ?? 0), 0), reduction);
}

/**
 * `xᵢ` where `yᵢ = 1` and `max(0, margin − xᵢ)` where `yᵢ = −1`, as `F.hinge_embedding_loss(input,
 * target, margin=1.0, reduction='mean')`.
 *
 * Shape: input `(*)`, target of the same shape; output scalar, or `(*)` with `reduction: 'none'`.
 */
export function hingeEmbeddingLoss(input: Tensor, target: Tensor, opts: MarginLossOptions = {}): Tensor {
  checkPair("hingeEmbeddingLoss", null, input, target);
  const reduction = reductionOf(opts.reduction);
  const marginClamp = clamp(rsub(input, opts.margin ?? 1), 0);
  const outMargin = where(ew.ne(target, 1), marginClamp, 0);
  const outSelf = where(ew.ne(target, -1), input, 0);
  return reduce(add(outMargin, outSelf), reduction);
}

/**
 * `log(1 + exp(−yᵢ·xᵢ))` for targets ±1, as `F.soft_margin_loss(input, target, reduction='mean')`.
 *
 * Shape: input `(*)`, target of the same shape; output scalar, or `(*)` with `reduction: 'none'`.
 */
export function softMarginLoss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  checkPair("softMarginLoss", "soft_margin_loss", input, target);
  checkNotDifferentiable("softMarginLoss", "soft_margin_loss", "target", target);
  return reduce(ew.log1p(exp(mul(neg(input), target))), reductionOf(opts.reduction));
}

/** Options of `multilabelSoftMarginLoss`. */
export interface MultiLabelSoftMarginLossOptions extends ReductionOptions {
  /** Per-class weight `[C]`. Default none. */
  weight?: Tensor | null;
}

/**
 * One-vs-all logistic loss averaged over classes, as `F.multilabel_soft_margin_loss(input, target,
 * weight=None, reduction='mean')`: `lₙ = −(1/C)·Σ_c w_c·(y·log σ(x) + (1 − y)·log σ(−x))`.
 *
 * Shape: input `(N, C)` or `(C)`, target of the same shape with 0/1 entries; output scalar or `(N)`.
 */
export function multilabelSoftMarginLoss(input: Tensor, target: Tensor, opts: MultiLabelSoftMarginLossOptions = {}): Tensor {
  checkPair("multilabelSoftMarginLoss", null, input, target);
  const reduction = reductionOf(opts.reduction);
  let l = neg(add(mul(target, logsigmoid(input)), mul(rsub(target, 1), logsigmoid(neg(input)))));
  if (opts.weight) l = mul(l, opts.weight);
  const classDim = input.dim() - 1;
  return reduce(div(sum(l, classDim), input.shape[classDim]), reduction);
}

/**
 * `1 − cos(x1ₙ, x2ₙ)` where `yₙ = 1` and `max(0, cos(x1ₙ, x2ₙ) − margin)` where `yₙ = −1`, as
 * `F.cosine_embedding_loss(input1, input2, target, margin=0, reduction='mean')`; the squared norms get
 * 1e-12 added, as PyTorch's EPSILON.
 *
 * Shape: inputs `(N, D)` with target `(N)`, or inputs `(D)` with a 0-d target; output scalar or `(N)`.
 */
export function cosineEmbeddingLoss(input1: Tensor, input2: Tensor, target: Tensor, opts: MarginLossOptions = {}): Tensor {
  const op = "cosineEmbeddingLoss";
  checkTensor(input1, op, "input1");
  checkTensor(input2, op, "input2");
  checkTensor(target, op, "target");
  const reduction = reductionOf(opts.reduction);
  const td = target.dim();
  if (td > 1) throw new Error(`${op}: 0D or 1D target tensor expected, multi-target not supported`);
  if (td === 1 && (input1.dim() !== 2 || input2.dim() !== 2)) {
    throw new Error(`${op}: 1D target tensor expects 2D input tensors, but found inputs with sizes ${formatShape(input1.shape)} and ${formatShape(input2.shape)}.`);
  }
  if (td === 0 && (input1.dim() !== 1 || input2.dim() !== 1)) {
    throw new Error(`${op}: 0D target tensor expects 1D input tensors, but found inputs with sizes ${formatShape(input1.shape)} and ${formatShape(input2.shape)}.`);
  }
  const EPSILON = 1e-12;
  const prodSum = sum(mul(input1, input2), td);
  const mag1 = add(sum(mul(input1, input1), td), EPSILON);
  const mag2 = add(sum(mul(input2, input2), td), EPSILON);
  const cos = div(prodSum, ew.sqrt(mul(mag1, mag2)));
  const pos = rsub(cos, 1);
  const negPart = clamp(sub(cos, opts.margin ?? 0), 0);
  const out = add(where(ew.eq(target, 1), pos, 0), where(ew.eq(target, -1), negPart, 0));
  return reduce(out, reduction);
}

/** Options of `poissonNllLoss`. */
export interface PoissonNLLLossOptions extends ReductionOptions {
  /** The input is log λ (default true); otherwise λ itself. */
  logInput?: boolean;
  /** Add the Stirling approximation term `y·log y − y + 0.5·log(2πy)` (for y > 1). Default false. */
  full?: boolean;
  /** Added to λ before the log when `logInput` is false. Default 1e-8. */
  eps?: number;
}

/**
 * Poisson negative log-likelihood, as `F.poisson_nll_loss(input, target, log_input=True, full=False,
 * eps=1e-8, reduction='mean')`: `e^x − y·x` (log input) or `x − y·log(x + eps)`.
 *
 * Shape: input `(*)`, target broadcastable; output scalar, or the broadcast shape with `'none'`.
 */
export function poissonNllLoss(input: Tensor, target: Tensor, opts: PoissonNLLLossOptions = {}): Tensor {
  checkPair("poissonNllLoss", null, input, target);
  const r = opts.reduction ?? "mean";
  if (r !== "none" && r !== "mean" && r !== "sum") throw new Error(`poissonNllLoss: ${String(r)} is not valid`);
  let l = (opts.logInput ?? true) ? sub(exp(input), mul(target, input)) : sub(input, mul(target, log(add(input, opts.eps ?? 1e-8))));
  if (opts.full) {
    const stirling = add(sub(mul(target, log(target)), target), mul(log(mul(target, 2 * Math.PI)), 0.5));
    l = add(l, maskedFill(stirling, ew.le(target, 1), 0));
  }
  return reduce(l, r);
}

/** Options of `gaussianNllLoss`. */
export interface GaussianNLLLossOptions extends ReductionOptions {
  /** Add the constant `0.5·log(2π)`. Default false. */
  full?: boolean;
  /** Lower clamp of the variance (the clamp passes gradients through). Default 1e-6. */
  eps?: number;
}

/**
 * Gaussian negative log-likelihood with predicted variance, as `F.gaussian_nll_loss(input, target, var,
 * full=False, eps=1e-6, reduction='mean')`: `0.5·(log max(var, eps) + (x − y)²/max(var, eps))`.
 *
 * Shape: input `(N, *)`, target like input, var like input or with its last dim 1 or dropped.
 */
export function gaussianNllLoss(input: Tensor, target: Tensor, variance: Tensor, opts: GaussianNLLLossOptions = {}): Tensor {
  const op = "gaussianNllLoss";
  checkPair(op, null, input, target);
  checkTensor(variance, op, "var");
  let v = variance;
  if (!shapeEquals(v.shape, input.shape)) {
    const lead = input.shape.slice(0, -1);
    if (shapeEquals(lead, v.shape)) v = unsqueeze(v, -1);
    else if (!(shapeEquals(lead, v.shape.slice(0, -1)) && v.shape[v.dim() - 1] === 1)) throw new Error(`${op}: var is of incorrect size`);
  }
  const r = opts.reduction ?? "mean";
  if (r !== "none" && r !== "mean" && r !== "sum") throw new Error(`${op}: ${String(r)} is not valid`);
  if (noGrad(() => ew.lt(v, 0).any().item())) throw new RangeError(`${op}: var has negative entry/entries`);
  // As PyTorch: the clamp is applied in place without recording, so the gradient flows as if unclamped.
  v = clone(v);
  const vv = v;
  noGrad(() => vv.clamp_(opts.eps ?? 1e-6));
  let l = mul(add(log(v), div(square(sub(input, target)), v)), 0.5);
  if (opts.full) l = add(l, 0.5 * Math.log(2 * Math.PI));
  return reduce(l, r);
}

