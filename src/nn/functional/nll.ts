/**
 * `nll_loss` and `cross_entropy`: a negative log-likelihood primitive over class indices (PyTorch's
 * `nll_loss_nd`, `aten/src/ATen/native/LossNLL.cpp`); cross entropy with class indices as one fused
 * primitive (log-softmax + NLL), and its probability-target and label-smoothing forms composed from public
 * ops as `cross_entropy_loss` composes them.
 */
import { Tensor } from "../../tensor.js";
import { isFloating } from "../../dtype.js";
import { formatShape, shapeEquals } from "../../layout.js";
import { backend } from "../../backend/backend.js";
import type { LossReduction } from "../../backend/interface/loss.js";
import { defineUnaryOutputOp } from "../../ops/define.js";
import { add, div, eq, exp, logicalNot, mul, neg, sub, where } from "../../ops/elementwise.js";
import { sum } from "../../ops/reduce.js";
import { contiguous, reshape, view } from "../../ops/view.js";
import { maskedFill, indexSelect } from "../../ops/gather-scatter.js";
import { to } from "../../ops/cast.js";
import { isGradEnabled, noGrad } from "../../autograd/grad-mode.js";
import { checkTensor } from "../../ops/util.js";
import { torchTypeName } from "../../ops/reduce-util.js";
import { logSoftmax } from "./softmax.js";
import { type ReductionOptions, checkNotDifferentiable, reduce, reductionOf } from "./loss-util.js";

/** Options of `nllLoss` (PyTorch's keyword arguments; the deprecated `size_average`/`reduce` are not taken). */
export interface NllLossOptions extends ReductionOptions {
  /** Per-class rescaling `[C]`, constant (no gradient). Default none (all 1). */
  weight?: Tensor | null;
  /** Targets with this value contribute neither loss nor weight. Default -100. */
  ignoreIndex?: number;
}

/** Options of `crossEntropy`. */
export interface CrossEntropyOptions extends NllLossOptions {
  /** ε in [0, 1]: targets become (1 − ε)·target + ε/C. Default 0. */
  labelSmoothing?: number;
}

interface NllAttrs {
  /** Targets as a contiguous `[N, D]` view. */
  target: Tensor;
  weight: Tensor | null;
  ignoreIndex: number;
  reduction: LossReduction;
  /** The input as `[N, C, D]`, and the unreduced output's shape. */
  dims: [number, number, number];
  outShape: number[];
  op: string;
}

type AdjointAttrs = NllAttrs & { totalWeight: number; inShape: number[] };

interface NllOps {
  forward: (inputs: Tensor[], attrs: NllAttrs) => Tensor;
  /** The adjoint in the input (linear in the gradient). */
  adjoint: (inputs: Tensor[], attrs: AdjointAttrs) => Tensor;
}

function makeNll(name: "NllLoss" | "NllLoss2D"): NllOps {
  const forwardOp: (inputs: Tensor[], attrs: NllAttrs) => Tensor = defineUnaryOutputOp<NllAttrs>({
    name,
    forward(ctx, [x], a) {
      const x3 = reshape(x, a.dims);
      const none = a.reduction === "none";
      const out = Tensor.empty(none ? [a.dims[0], a.dims[2]] : [], x.dtype);
      const total = Tensor.empty([], "float64");
      const bad = backend().nllLoss(x3, a.target, a.weight, a.ignoreIndex, a.reduction, out, total);
      if (bad !== null) throw new RangeError(`${a.op}: Target ${bad} is out of bounds.`);
      ctx.totalWeight = total.buf[0];
      ctx.inShape = x.shape.slice();
      return none ? reshape(out, a.outShape) : out;
    },
    backward(ctx, [g], a) {
      return [backwardOp([g], { ...a, totalWeight: ctx.totalWeight as number, inShape: ctx.inShape as number[] })];
    },
  });
  // The loss is linear in the input: the adjoint's own vjp is the forward applied to the incoming gradient.
  const backwardOp = defineUnaryOutputOp<AdjointAttrs>({
    name: `${name}Backward`,
    forward(_ctx, [g], a) {
      const gi = Tensor.empty(a.dims, g.dtype);
      const g2 = a.reduction === "none" ? reshape(g, [a.dims[0], a.dims[2]]) : g;
      backend().nllLossBackward(g2, a.target, a.weight, a.ignoreIndex, a.reduction, a.totalWeight, gi);
      return reshape(gi, a.inShape);
    },
    backward(_ctx, [gg], a) {
      return [forwardOp([gg], a)];
    },
  });
  return { forward: forwardOp, adjoint: backwardOp };
}

const NLL = { NllLoss: makeNll("NllLoss"), NllLoss2D: makeNll("NllLoss2D") };
const CE = { NllLoss: makeCrossEntropy("NllLoss"), NllLoss2D: makeCrossEntropy("NllLoss2D") };

/**
 * Cross entropy of logits with class indices as one primitive: the kernel takes the log-softmax of the
 * target class only and keeps log Σ exp per row, and the backward is one pass, softmax − one-hot. It is
 * named as PyTorch's top node (`NllLossBackward0`, as printed with a loss), though PyTorch records a
 * LogSoftmax node under it. A recorded backward (`createGraph`) is composed from the NLL adjoint and the
 * log-softmax vjp in public ops, so second derivatives work.
 */
function makeCrossEntropy(name: "NllLoss" | "NllLoss2D"): (inputs: Tensor[], attrs: NllAttrs & { classDim: number }) => Tensor {
  return defineUnaryOutputOp<NllAttrs & { classDim: number }>({
    name,
    forward(ctx, [x], a) {
      const x3 = reshape(x, a.dims);
      const none = a.reduction === "none";
      const out = Tensor.empty(none ? [a.dims[0], a.dims[2]] : [], x.dtype);
      const total = Tensor.empty([], "float64");
      const lse = Tensor.empty([a.dims[0], a.dims[2]], "float64");
      const bad = backend().crossEntropyLoss(x3, a.target, a.weight, a.ignoreIndex, a.reduction, out, total, lse);
      if (bad !== null) throw new RangeError(`${a.op}: Target ${bad} is out of bounds.`);
      ctx.totalWeight = total.buf[0];
      ctx.lse = lse;
      if (ctx.needsInputGrad[0]) ctx.save(x);
      return none ? reshape(out, a.outShape) : out;
    },
    backward(ctx, [g], a) {
      const [x] = ctx.saved;
      const totalWeight = ctx.totalWeight as number;
      if (isGradEnabled()) {
        const gNll = NLL[name].adjoint([g], { ...a, totalWeight, inShape: x.shape.slice() });
        const y = logSoftmax(x, a.classDim);
        return [sub(gNll, mul(exp(y), sum(gNll, a.classDim, true)))];
      }
      const gi = Tensor.empty(a.dims, x.dtype);
      const g2 = a.reduction === "none" ? reshape(g, [a.dims[0], a.dims[2]]) : g;
      backend().crossEntropyLossBackward(g2, reshape(x, a.dims), ctx.lse as Tensor, a.target, a.weight, a.ignoreIndex, a.reduction, totalWeight, gi);
      return [reshape(gi, x.shape)];
    },
  });
}

const shape = (t: Tensor): string => formatShape(t.shape);

/**
 * The shape rules of `nll_loss_nd` and of the 1-d/2-d (`nll_loss`) and spatial (`nll_loss2d`) kernels,
 * with PyTorch's messages, then the dtype checks its kernels make. Returns the op's attributes.
 */
function planNll(op: string, input: Tensor, target: Tensor, weight: Tensor | null, ignoreIndex: number, reduction: LossReduction): [keyof typeof NLL, NllAttrs] {
  const nd = input.dim();
  if (nd < 1) throw new Error(`${op}: Expected 1 or more dimensions (got ${nd})`);
  const tb = target.dim() === 0 ? 0 : target.shape[0];
  if (nd !== 1 && input.shape[0] !== tb) {
    throw new Error(`${op}: Expected input batch_size (${input.shape[0]}) to match target batch_size (${tb}).`);
  }
  const C = input.shape[1] ?? input.shape[0];
  let name: keyof typeof NLL = "NllLoss2D";
  let N: number;
  let D: number;
  let outShape: number[];
  let t = target;
  if (nd <= 2) {
    name = "NllLoss";
    if (target.dim() > 1) throw new Error(`${op}: 0D or 1D target tensor expected, multi-target not supported`);
    const noBatch = nd === 1 && target.dim() === 0;
    if (!noBatch && input.shape[0] !== target.shape[0]) {
      throw new Error(`${op}: size mismatch (got input: ${shape(input)}, target: ${shape(target)})`);
    }
    const c = input.shape[nd - 1];
    if (weight && (weight.dim() !== 1 || weight.numel() !== c)) {
      throw new Error(`${op}: weight tensor should be defined either for all ${c} classes or no classes but got weight tensor of shape: ${shape(weight)}`);
    }
    N = nd === 2 ? input.shape[0] : 1;
    D = 1;
    outShape = nd === 2 ? [N] : [];
    // An unbatched input reads only the first target, as PyTorch's kernel does for a 1-d target too.
    if (nd === 1) t = noGrad(() => reshape(target, [-1]).narrow(0, 0, 1));
  } else {
    const spatial = input.shape.slice(2);
    if (nd === 4) {
      if (target.dim() !== 3) {
        throw new Error(`${op}: only batches of spatial targets supported (3D tensors) but got targets of dimension: ${target.dim()}`);
      }
      if (weight && weight.numel() !== C) throw new Error(`${op}: weight tensor should be defined either for all or no classes`);
      if (!shapeEquals(target.shape.slice(1), spatial)) {
        throw new Error(`${op}: size mismatch (got input: ${shape(input)} , target: ${shape(target)}`);
      }
    } else {
      if (!shapeEquals(target.shape.slice(1), spatial)) {
        throw new Error(`${op}: Expected target size ${formatShape([input.shape[0], ...spatial])}, got ${shape(target)}`);
      }
      if (weight && weight.numel() !== C) throw new Error(`${op}: weight tensor should be defined either for all or no classes`);
    }
    N = input.shape[0];
    D = spatial.reduce((a, b) => a * b, 1);
    outShape = [N, ...spatial];
  }
  if (!isFloating(input.dtype)) {
    const kernel = name === "NllLoss" ? "nll_loss_out_frame" : "nll_loss2d_forward_out_frame";
    throw new TypeError(`${op}: "${kernel}" not implemented for '${torchTypeName(input.dtype)}'`);
  }
  if (target.dtype !== "int64" && target.dtype !== "uint8") {
    throw new TypeError(`${op}: expected scalar type Long but found ${torchTypeName(target.dtype)}`);
  }
  if (weight && weight.dtype !== input.dtype) {
    throw new TypeError(`${op}: expected scalar type ${torchTypeName(input.dtype)} but found ${torchTypeName(weight.dtype)}`);
  }
  const target2 = noGrad(() => contiguous(reshape(t, [N, D])));
  return [name, { target: target2, weight: weight ? weight.detach() : null, ignoreIndex, reduction, dims: [N, C, D], outShape, op }];
}

function nll(op: string, input: Tensor, target: Tensor, weight: Tensor | null, ignoreIndex: number, reduction: LossReduction): Tensor {
  checkNotDifferentiable(op, "nll_loss_forward", "weight", weight);
  const [name, attrs] = planNll(op, input, target, weight, ignoreIndex, reduction);
  return NLL[name].forward([input], attrs);
}

function lossArgs(op: string, input: unknown, target: unknown, opts: NllLossOptions): { weight: Tensor | null; ignoreIndex: number; reduction: LossReduction } {
  checkTensor(input, op);
  checkTensor(target, op, "target");
  const weight = opts.weight ?? null;
  if (weight !== null) checkTensor(weight, op, "weight");
  const ignoreIndex = opts.ignoreIndex ?? -100;
  if (!Number.isInteger(ignoreIndex)) throw new TypeError(`${op}: ignoreIndex must be an integer, got ${ignoreIndex}`);
  return { weight, ignoreIndex, reduction: reductionOf(opts.reduction) };
}

/**
 * The negative log-likelihood of class-index targets given log-probabilities, as
 * `F.nll_loss(input, target, weight=None, ignore_index=-100, reduction='mean')`:
 * `lₙ = −w[yₙ]·input[n, yₙ]`; `mean` divides Σ lₙ by Σ w[yₙ] over non-ignored targets (NaN when none).
 *
 * Shape: input `(N, C)`, `(C)` or `(N, C, d₁, …, d_K)`; target `(N)`, `()` or `(N, d₁, …, d_K)` of int64
 * (or uint8) class indices in [0, C); output scalar, or the target's shape with `reduction: 'none'`.
 *
 * @example
 * F.nllLoss(torch.tensor([[-1, -2], [-3, -0.5]]), torch.tensor([0, 1])) // tensor(0.7500)
 */
export function nllLoss(input: Tensor, target: Tensor, opts: NllLossOptions = {}): Tensor {
  const { weight, ignoreIndex, reduction } = lossArgs("nllLoss", input, target, opts);
  return nll("nllLoss", input, target, weight, ignoreIndex, reduction);
}

/**
 * Cross entropy between logits and class indices or class probabilities, as
 * `F.cross_entropy(input, target, weight=None, ignore_index=-100, reduction='mean', label_smoothing=0.0)`:
 * `logSoftmax(input, classDim)` then NLL. A target of the input's shape holds probabilities:
 * `lₙ = −Σ_c w_c·yₙ,c·log softmax(xₙ)_c`, and `mean` divides by the number of samples, not by weights.
 * With label smoothing ε, class-index losses are `(1 − ε)·nll + ε/C·Σ_c w_c·(−log softmax(xₙ)_c)`; for
 * `mean` the smoothing term is divided by the number of counted targets (without weights) or by their
 * weights (with), like the NLL term.
 *
 * Shape: input `(N, C)`, `(C)` or `(N, C, d₁, …)`; target `(N)`, `()`, `(N, d₁, …)` of int64 indices, or
 * the input's shape of floats; output scalar, or `(N, d₁, …)` with `reduction: 'none'`.
 *
 * @example
 * F.crossEntropy(torch.tensor([[2, 0, 1]], { dtype: "float32" }), torch.tensor([0])) // tensor(0.4076)
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const op = "crossEntropy";
  const { weight, ignoreIndex, reduction } = lossArgs(op, input, target, opts);
  const ls = opts.labelSmoothing ?? 0;
  if (typeof ls !== "number" || Number.isNaN(ls)) throw new TypeError(`${op}: labelSmoothing must be a number, got ${String(ls)}`);
  const classDim = input.dim() === 1 ? 0 : 1;
  if (shapeEquals(input.shape, target.shape)) {
    if (!isFloating(target.dtype)) {
      throw new TypeError(`${op}: Expected floating point type for target with class probabilities, got ${torchTypeName(target.dtype)}`);
    }
    if (ignoreIndex >= 0) throw new Error(`${op}: ignore_index is not supported for floating point target`);
    checkSmoothing(op, ls);
    return probabilityTarget(op, input, target, weight, reduction, ls, classDim);
  }
  if (ls > 0) {
    checkSmoothing(op, ls);
    return smoothedIndexTarget(op, input, target, weight, reduction, ignoreIndex, ls, classDim);
  }
  checkNotDifferentiable(op, "nll_loss_forward", "weight", weight);
  // log_softmax's dtype check comes first in PyTorch, then nll_loss_nd's shape checks.
  if (!isFloating(input.dtype)) {
    throw new TypeError(`${op}: "log_softmax_lastdim_kernel_impl" not implemented for '${torchTypeName(input.dtype)}'`);
  }
  const [name, attrs] = planNll(op, input, target, weight, ignoreIndex, reduction);
  return CE[name]([input], { ...attrs, classDim });
}

function checkSmoothing(op: string, ls: number): void {
  if (ls > 1) throw new RangeError(`${op}: label_smoothing must be between 0.0 and 1.0. Got: ${ls}`);
}

/** The weight as `[1, C, 1, …]` so it broadcasts along the class dim (a plain `[C]` for unbatched input). */
function classWeight(weight: Tensor, input: Tensor): Tensor {
  if (input.dim() <= 1) return weight;
  const s = input.shape.map(() => 1);
  s[1] = weight.shape[0];
  return view(weight, s);
}

/** `cross_entropy_loss_prob_target`. */
function probabilityTarget(op: string, input: Tensor, target: Tensor, weight: Tensor | null, reduction: LossReduction, ls: number, classDim: number): Tensor {
  const C = input.shape[classDim];
  if (weight && (weight.dim() !== 1 || weight.numel() !== C)) {
    throw new Error(`${op}: cross_entropy: weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: ${shape(weight)}`);
  }
  const logp = logSoftmax(input, classDim);
  const t = ls > 0 ? add(mul(target, 1 - ls), ls / C) : target;
  let prod = mul(logp, t);
  if (weight) prod = mul(prod, classWeight(weight, input));
  switch (reduction) {
    case "none":
      return neg(sum(prod, classDim));
    case "sum":
      return neg(sum(prod));
    case "mean":
      // Divides by the number of samples (elements over classes); an empty batch gives NaN.
      return div(neg(sum(prod)), input.numel() / C);
  }
}

/** `cross_entropy_loss_label_smoothing`. */
function smoothedIndexTarget(
  op: string,
  input: Tensor,
  target: Tensor,
  weight: Tensor | null,
  reduction: LossReduction,
  ignoreIndex: number,
  ls: number,
  classDim: number,
): Tensor {
  const C = input.shape[classDim];
  const logp = logSoftmax(input, classDim);
  const nllLossValue = nll(op, logp, target, weight, ignoreIndex, reduction);
  const ignored = eq(target, ignoreIndex);
  let smooth = weight ? neg(sum(mul(logp, classWeight(weight, input)), classDim)) : neg(sum(logp, classDim));
  smooth = maskedFill(smooth, ignored, 0);
  let ret: Tensor;
  if (reduction === "mean") {
    if (weight) {
      // PyTorch normalizes by the weights of the counted targets, like the NLL term.
      const safe = noGrad(() => to(reshape(where(ignored, 0, target), [-1]), "int64"));
      const w = noGrad(() => where(reshape(ignored, [-1]), 0, indexSelect(weight.detach(), 0, safe)));
      ret = div(sum(smooth), sum(w));
    } else {
      // Divided by the number of counted targets (a sum of ones: 0/0 = NaN when all are ignored).
      ret = div(sum(smooth), sum(logicalNot(ignored), undefined, false, { dtype: smooth.dtype }));
    }
  } else {
    ret = reduce(smooth, reduction);
  }
  return add(mul(nllLossValue, 1 - ls), mul(ret, ls / C));
}
