/**
 * Loss modules: thin wrappers over `nn.functional`'s losses that hold the options, as
 * `torch/nn/modules/loss.py`. Class weights are buffers (`weight`, `pos_weight` in `stateDict()`), so they
 * follow `module.to(dtype)`. Losses print as `CrossEntropyLoss()`: PyTorch gives them no `extra_repr`.
 */
import { Tensor } from "../../tensor.js";
import { Module } from "../module.js";
import * as F from "../functional/loss.js";
import type { LossReduction } from "../functional/loss.js";

/** `_Loss`: the `reduction` every loss has ('mean' by default; checked when the loss runs, as PyTorch). */
export class Loss extends Module {
  reduction: LossReduction;
  constructor(opts: { reduction?: LossReduction } = {}) {
    super();
    this.reduction = opts.reduction ?? "mean";
  }
}

/** The options of a weighted loss, or its weight alone (PyTorch's first positional argument). */
export type WeightedLossArg<O extends { weight?: Tensor | null }> = O | Tensor;

function weightedOptions<O extends { weight?: Tensor | null }>(arg: WeightedLossArg<O> | undefined): O {
  return arg instanceof Tensor ? ({ weight: arg } as O) : (arg ?? ({} as O));
}

/** `_WeightedLoss`: a loss with an optional per-class `weight` buffer. */
export class WeightedLoss extends Loss {
  declare weight: Tensor | null;
  constructor(arg?: WeightedLossArg<{ weight?: Tensor | null; reduction?: LossReduction }>) {
    const opts = weightedOptions(arg);
    super(opts);
    this.registerBuffer("weight", opts.weight ?? null);
  }
}

/**
 * Mean absolute error, as `torch.nn.L1Loss(reduction='mean')`. See `F.l1Loss`.
 *
 * Shape: input `(*)`, target `(*)`; output scalar, or `(*)` with `reduction: 'none'`.
 */
export class L1Loss extends Loss {
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, { reduction: this.reduction });
  }
}

/**
 * Mean squared error, as `torch.nn.MSELoss(reduction='mean')`. See `F.mseLoss`.
 *
 * Shape: input `(*)`, target `(*)`; output scalar, or `(*)` with `reduction: 'none'`.
 *
 * @example
 * new nn.MSELoss()(torch.tensor([1, 2], { dtype: "float32" }), torch.tensor([2, 4], { dtype: "float32" })) // tensor(2.5000)
 */
export class MSELoss extends Loss {
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}

/**
 * Negative log-likelihood of class indices, as `torch.nn.NLLLoss(weight=None, ignore_index=-100,
 * reduction='mean')`. See `F.nllLoss`.
 *
 * Shape: input `(N, C)`, `(C)` or `(N, C, d₁, …)`; target `(N)`, `()` or `(N, d₁, …)`.
 */
export class NLLLoss extends WeightedLoss {
  ignoreIndex: number;
  constructor(arg?: WeightedLossArg<{ weight?: Tensor | null; ignoreIndex?: number; reduction?: LossReduction }>) {
    const opts = weightedOptions(arg);
    super(opts);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/**
 * Cross entropy of logits against class indices or probabilities, as `torch.nn.CrossEntropyLoss(
 * weight=None, ignore_index=-100, reduction='mean', label_smoothing=0.0)`. See `F.crossEntropy`.
 *
 * Shape: input `(N, C)`, `(C)` or `(N, C, d₁, …)`; target `(N)`, `()`, `(N, d₁, …)` of int64 indices, or
 * the input's shape of probabilities; output scalar, or `(N, d₁, …)` with `reduction: 'none'`.
 *
 * The class weights may be given alone, as PyTorch's first positional argument: `new CrossEntropyLoss(w)`.
 *
 * @example
 * const lossFn = new nn.CrossEntropyLoss();
 * lossFn(torch.tensor([[0.1, 0.2, 0.3]]), torch.tensor([1])) // tensor(1.1019)
 */
export class CrossEntropyLoss extends WeightedLoss {
  ignoreIndex: number;
  labelSmoothing: number;
  constructor(arg?: WeightedLossArg<{ weight?: Tensor | null; ignoreIndex?: number; reduction?: LossReduction; labelSmoothing?: number }>) {
    const opts = weightedOptions(arg);
    super(opts);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
    });
  }
}

/**
 * Binary cross entropy of probabilities, as `torch.nn.BCELoss(weight=None, reduction='mean')`. See
 * `F.binaryCrossEntropy`.
 *
 * Shape: input `(*)` in [0, 1], target of the same shape; output scalar, or `(*)` with `'none'`.
 */
export class BCELoss extends WeightedLoss {
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/**
 * Binary cross entropy of logits (sigmoid fused, stable), as `torch.nn.BCEWithLogitsLoss(weight=None,
 * reduction='mean', pos_weight=None)`. See `F.binaryCrossEntropyWithLogits`.
 *
 * Shape: input `(*)`, target of the same shape; output scalar, or `(*)` with `reduction: 'none'`.
 */
export class BCEWithLogitsLoss extends Loss {
  declare weight: Tensor | null;
  constructor(arg?: WeightedLossArg<{ weight?: Tensor | null; reduction?: LossReduction; posWeight?: Tensor | null }>) {
    const opts = weightedOptions(arg);
    super(opts);
    this.registerBuffer("weight", opts.weight ?? null);
    this.registerBuffer("pos_weight", opts.posWeight ?? null);
  }
  /** The `pos_weight` buffer under its camelCase name. */
  get posWeight(): Tensor | null {
    return this._buffers.get("pos_weight") ?? null;
  }
  set posWeight(t: Tensor | null) {
    this.registerBuffer("pos_weight", t);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.posWeight, reduction: this.reduction });
  }
}

/**
 * Smooth L1 loss, as `torch.nn.SmoothL1Loss(reduction='mean', beta=1.0)`. See `F.smoothL1Loss`.
 *
 * Shape: input `(*)`, target `(*)`; output scalar, or `(*)` with `reduction: 'none'`.
 */
export class SmoothL1Loss extends Loss {
  beta: number;
  constructor(opts: { reduction?: LossReduction; beta?: number } = {}) {
    super(opts);
    this.beta = opts.beta ?? 1;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/**
 * Huber loss, as `torch.nn.HuberLoss(reduction='mean', delta=1.0)`. See `F.huberLoss`.
 *
 * Shape: input `(*)`, target `(*)`; output scalar, or `(*)` with `reduction: 'none'`.
 */
export class HuberLoss extends Loss {
  delta: number;
  constructor(opts: { reduction?: LossReduction; delta?: number } = {}) {
    super(opts);
    this.delta = opts.delta ?? 1;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/**
 * Kullback–Leibler divergence, as `torch.nn.KLDivLoss(reduction='mean', log_target=False)`. See `F.klDiv`.
 *
 * Shape: input `(*)` of log-probabilities, target `(*)`; output scalar, or `(*)` with `'none'`.
 */
export class KLDivLoss extends Module {
  reduction: LossReduction | "batchmean";
  logTarget: boolean;
  constructor(opts: { reduction?: LossReduction | "batchmean"; logTarget?: boolean } = {}) {
    super();
    this.reduction = opts.reduction ?? "mean";
    this.logTarget = opts.logTarget ?? false;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}

/**
 * Ranking hinge `max(0, −y·(x1 − x2) + margin)`, as `torch.nn.MarginRankingLoss(margin=0.0,
 * reduction='mean')`. See `F.marginRankingLoss`.
 *
 * Shape: input1 `(N)`, input2 `(N)`, target `(N)` of ±1; output scalar, or `(N)` with `'none'`.
 */
export class MarginRankingLoss extends Loss {
  margin: number;
  constructor(opts: { margin?: number; reduction?: LossReduction } = {}) {
    super(opts);
    this.margin = opts.margin ?? 0;
  }
  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return F.marginRankingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

/**
 * Hinge embedding loss, as `torch.nn.HingeEmbeddingLoss(margin=1.0, reduction='mean')`. See
 * `F.hingeEmbeddingLoss`.
 *
 * Shape: input `(*)`, target of the same shape with ±1; output scalar, or `(*)` with `'none'`.
 */
export class HingeEmbeddingLoss extends Loss {
  margin: number;
  constructor(opts: { margin?: number; reduction?: LossReduction } = {}) {
    super(opts);
    this.margin = opts.margin ?? 1;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.hingeEmbeddingLoss(input, target, { margin: this.margin, reduction: this.reduction });
  }
}

/**
 * Two-class logistic loss `log(1 + exp(−y·x))`, as `torch.nn.SoftMarginLoss(reduction='mean')`.
 *
 * Shape: input `(*)`, target of the same shape with ±1; output scalar, or `(*)` with `'none'`.
 */
export class SoftMarginLoss extends Loss {
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.softMarginLoss(input, target, { reduction: this.reduction });
  }
}

/**
 * One-vs-all multi-label loss, as `torch.nn.MultiLabelSoftMarginLoss(weight=None, reduction='mean')`.
 *
 * Shape: input `(N, C)`, target `(N, C)` of 0/1; output scalar, or `(N)` with `'none'`.
 */
export class MultiLabelSoftMarginLoss extends WeightedLoss {
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.multilabelSoftMarginLoss(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/**
 * Cosine similarity loss for pairs, as `torch.nn.CosineEmbeddingLoss(margin=0.0, reduction='mean')`.
 * See `F.cosineEmbeddingLoss`.
 *
 * Shape: input1 `(N, D)`, input2 `(N, D)`, target `(N)` of ±1; output scalar, or `(N)` with `'none'`.
 */
export class CosineEmbeddingLoss extends Loss {
  margin: number;
  constructor(opts: { margin?: number; reduction?: LossReduction } = {}) {
    super(opts);
    this.margin = opts.margin ?? 0;
  }
  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return F.cosineEmbeddingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

/**
 * Poisson negative log-likelihood, as `torch.nn.PoissonNLLLoss(log_input=True, full=False, eps=1e-8,
 * reduction='mean')`. See `F.poissonNllLoss`.
 *
 * Shape: input `(*)`, target `(*)`; output scalar, or `(*)` with `'none'`.
 */
export class PoissonNLLLoss extends Loss {
  logInput: boolean;
  full: boolean;
  eps: number;
  constructor(opts: { logInput?: boolean; full?: boolean; eps?: number; reduction?: LossReduction } = {}) {
    super(opts);
    this.logInput = opts.logInput ?? true;
    this.full = opts.full ?? false;
    this.eps = opts.eps ?? 1e-8;
  }
  override forward(logInput: Tensor, target: Tensor): Tensor {
    return F.poissonNllLoss(logInput, target, { logInput: this.logInput, full: this.full, eps: this.eps, reduction: this.reduction });
  }
}

/**
 * Gaussian negative log-likelihood, as `torch.nn.GaussianNLLLoss(full=False, eps=1e-6,
 * reduction='mean')`. See `F.gaussianNllLoss`.
 *
 * Shape: input `(N, *)`, target like input, var like input or with its last dim 1 or dropped.
 */
export class GaussianNLLLoss extends Loss {
  full: boolean;
  eps: number;
  constructor(opts: { full?: boolean; eps?: number; reduction?: LossReduction } = {}) {
    super(opts);
    this.full = opts.full ?? false;
    this.eps = opts.eps ?? 1e-6;
  }
  override forward(input: Tensor, target: Tensor, variance: Tensor): Tensor {
    return F.gaussianNllLoss(input, target, variance, { full: this.full, eps: this.eps, reduction: this.reduction });
  }
}
