/**
 * Batch and instance normalization modules (`torch/nn/modules/batchnorm.py`, `instancenorm.py`): the
 * shared `_NormBase` with its parameters and running-statistics buffers, and the forward logic that picks
 * batch or running statistics and the averaging factor.
 */
import { Tensor } from "../../tensor.js";
import type { DType } from "../../dtype.js";
import { empty, ones, tensor, zeros } from "../../ops/creation.js";
import { noGrad } from "../../autograd/grad-mode.js";
import { squeeze, unsqueeze } from "../../ops/view.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import * as init from "../init.js";
import { batchNorm, instanceNorm } from "../functional/normalization.js";
import { pyBool, pyFloat, pyNumber } from "../repr.js";

/** Options of the batch and instance norm modules (PyTorch's keyword arguments). */
export interface NormOptions {
  /** Added to the variance under the square root. Default 1e-5. */
  eps?: number;
  /** Weight of each new batch in the running averages; null averages all batches equally. Default 0.1. */
  momentum?: number | null;
  /** Learnable per-channel scale and shift. Default true (batch norm), false (instance norm). */
  affine?: boolean;
  /** Keep running averages for evaluation. Default true (batch norm), false (instance norm). */
  trackRunningStats?: boolean;
  dtype?: DType;
}

/**
 * `_NormBase`: `weight`/`bias` parameters (`(C)`, ones and zeros) when affine, and the buffers
 * `running_mean` (zeros), `running_var` (ones) and `num_batches_tracked` (int64 0) when tracking running
 * statistics; the buffers keep PyTorch's names in `stateDict()` and are also reachable in camelCase.
 */
export class NormBase extends Module {
  numFeatures: number;
  eps: number;
  momentum: number | null;
  affine: boolean;
  trackRunningStats: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;

  constructor(numFeatures: number, opts: NormOptions, defaults: { affine: boolean; trackRunningStats: boolean }) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures < 0) {
      throw new RangeError(`${new.target.name}: num_features must be a non-negative integer, got ${numFeatures}`);
    }
    this.numFeatures = numFeatures;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? defaults.affine;
    this.trackRunningStats = opts.trackRunningStats ?? defaults.trackRunningStats;
    const dtype = opts.dtype ?? "float32";
    if (this.affine) {
      this.weight = new Parameter(empty([numFeatures], { dtype }));
      this.bias = new Parameter(empty([numFeatures], { dtype }));
    } else {
      this.registerParameter("weight", null);
      this.registerParameter("bias", null);
    }
    if (this.trackRunningStats) {
      this.registerBuffer("running_mean", zeros([numFeatures], { dtype }));
      this.registerBuffer("running_var", ones([numFeatures], { dtype }));
      this.registerBuffer("num_batches_tracked", tensor(0, { dtype: "int64" }));
    } else {
      this.registerBuffer("running_mean", null);
      this.registerBuffer("running_var", null);
      this.registerBuffer("num_batches_tracked", null);
    }
    this.resetParameters();
  }

  /** The `running_mean` buffer. */
  get runningMean(): Tensor | null {
    return this._buffers.get("running_mean") ?? null;
  }
  set runningMean(t: Tensor | null) {
    this.registerBuffer("running_mean", t);
  }
  /** The `running_var` buffer. */
  get runningVar(): Tensor | null {
    return this._buffers.get("running_var") ?? null;
  }
  set runningVar(t: Tensor | null) {
    this.registerBuffer("running_var", t);
  }
  /** The `num_batches_tracked` buffer (int64, 0-d). */
  get numBatchesTracked(): Tensor | null {
    return this._buffers.get("num_batches_tracked") ?? null;
  }
  set numBatchesTracked(t: Tensor | null) {
    this.registerBuffer("num_batches_tracked", t);
  }

  /** Zeroes the running mean and batch count and sets the running variance to 1, as `reset_running_stats`. */
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    noGrad(() => {
      this.runningMean?.zero_();
      this.runningVar?.fill_(1);
      this.numBatchesTracked?.zero_();
    });
  }

  /** Resets the running statistics, then weight 1 and bias 0, as `reset_parameters`. */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.weight && this.bias) {
      init.ones_(this.weight);
      init.zeros_(this.bias);
    }
  }

  override extraRepr(): string {
    const m = this.momentum === null ? "None" : pyNumber(this.momentum);
    return (
      `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${m}, affine=${pyBool(this.affine)}, ` +
      `track_running_stats=${pyBool(this.trackRunningStats)}`
    );
  }

  /** PyTorch's state dicts before `num_batches_tracked` existed load with a count of 0. */
  override _loadFromStateDict(sd: Map<string, unknown>, prefix: string, missing: string[], unexpected: string[], errors: string[]): void {
    const key = `${prefix}num_batches_tracked`;
    if (this.trackRunningStats && !sd.has(key)) {
      sd = new Map(sd);
      sd.set(key, tensor(0, { dtype: "int64" }));
    }
    super._loadFromStateDict(sd, prefix, missing, unexpected, errors);
  }
}

/** `_BatchNorm`: the forward shared by BatchNorm1d/2d/3d. */
export class BatchNormBase extends NormBase {
  constructor(numFeatures: number, opts: NormOptions = {}) {
    super(numFeatures, opts, { affine: true, trackRunningStats: true });
  }

  /** Checks the input's rank (each subclass its own). */
  protected checkInputDim(_input: Tensor): void {}

  override forward(input: Tensor): Tensor {
    this.checkInputDim(input);
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.numBatchesTracked) {
      const count = this.numBatchesTracked;
      noGrad(() => count.add_(1));
      // momentum null: the cumulative moving average, each batch weighted 1/(batches so far).
      if (this.momentum === null) factor = 1 / count.item();
    }
    const bnTraining = this.training ? true : this.runningMean === null && this.runningVar === null;
    const useBuffers = !this.training || this.trackRunningStats;
    return batchNorm(input, useBuffers ? this.runningMean : null, useBuffers ? this.runningVar : null, {
      weight: this.weight,
      bias: this.bias,
      training: bnTraining,
      momentum: factor,
      eps: this.eps,
    });
  }
}

function rankError(m: Module, allowed: string, input: Tensor): Error {
  return new Error(`${m._getName()}: expected ${allowed} input (got ${input.dim()}D input)`);
}

/**
 * Batch normalization over `(N, C)` or `(N, C, L)`, as `torch.nn.BatchNorm1d(num_features, eps=1e-05,
 * momentum=0.1, affine=True, track_running_stats=True)`: `y = (x − E[x])/√(Var[x] + eps)·γ + β` per
 * channel. Training normalizes with the batch's biased variance and updates the running mean and the
 * running (unbiased) variance by `momentum`; evaluation uses the running statistics.
 *
 * Shape: input `(N, C)` or `(N, C, L)`; output like input.
 *
 * @example
 * const bn = new nn.BatchNorm1d(3);
 * bn(torch.randn([8, 3])).shape // [8, 3]; bn.runningMean moved 10% towards the batch mean
 */
export class BatchNorm1d extends BatchNormBase {
  protected override checkInputDim(input: Tensor): void {
    if (input.dim() !== 2 && input.dim() !== 3) throw rankError(this, "2D or 3D", input);
  }
}

/**
 * Batch normalization over `(N, C, H, W)`, as `torch.nn.BatchNorm2d(num_features, eps=1e-05,
 * momentum=0.1, affine=True, track_running_stats=True)`. See `BatchNorm1d`.
 *
 * Shape: input `(N, C, H, W)`; output like input.
 */
export class BatchNorm2d extends BatchNormBase {
  protected override checkInputDim(input: Tensor): void {
    if (input.dim() !== 4) throw rankError(this, "4D", input);
  }
}

/**
 * Batch normalization over `(N, C, D, H, W)`, as `torch.nn.BatchNorm3d(num_features, eps=1e-05,
 * momentum=0.1, affine=True, track_running_stats=True)`. See `BatchNorm1d`.
 *
 * Shape: input `(N, C, D, H, W)`; output like input.
 */
export class BatchNorm3d extends BatchNormBase {
  protected override checkInputDim(input: Tensor): void {
    if (input.dim() !== 5) throw rankError(this, "5D", input);
  }
}

/** `_InstanceNorm`: per-instance statistics; an unbatched input gets a batch dim of 1. */
export class InstanceNormBase extends NormBase {
  /** Rank of an unbatched input. */
  protected readonly noBatchDim: number = 0;

  constructor(numFeatures: number, opts: NormOptions = {}) {
    super(numFeatures, opts, { affine: false, trackRunningStats: false });
  }

  protected checkInputDim(_input: Tensor): void {}

  override forward(input: Tensor): Tensor {
    this.checkInputDim(input);
    if (input.dim() === this.noBatchDim) return squeeze(this.apply1(unsqueeze(input, 0)), 0);
    return this.apply1(input);
  }

  private apply1(input: Tensor): Tensor {
    return instanceNorm(input, {
      runningMean: this.runningMean,
      runningVar: this.runningVar,
      weight: this.weight,
      bias: this.bias,
      useInputStats: this.training || !this.trackRunningStats,
      momentum: this.momentum ?? 0.1,
      eps: this.eps,
    });
  }

  /** As PyTorch: running statistics in a checkpoint for a module that does not track them are an error. */
  override _loadFromStateDict(sd: Map<string, unknown>, prefix: string, missing: string[], unexpected: string[], errors: string[]): void {
    if (!this.trackRunningStats) {
      const keys = ["running_mean", "running_var"].map((n) => prefix + n).filter((k) => sd.has(k));
      if (keys.length) {
        const klass = this._getName();
        errors.push(
          `Unexpected running stats buffer(s) ${keys.map((k) => `"${k}"`).join(" and ")} for ${klass} with ` +
            "track_running_stats=False. If state_dict is a checkpoint saved before 0.4.0, this may be expected because " +
            `${klass} does not track running stats by default since 0.4.0. Please remove these keys from state_dict. If ` +
            `the running stats are actually needed, instead set track_running_stats=True in ${klass} to enable them. See ` +
            `the documentation of ${klass} for details.`,
        );
        sd = new Map(sd);
        for (const k of keys) sd.delete(k);
      }
    }
    super._loadFromStateDict(sd, prefix, missing, unexpected, errors);
  }
}

/**
 * Instance normalization over `(N, C, L)` or unbatched `(C, L)`, as `torch.nn.InstanceNorm1d(
 * num_features, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)`: each (sample,
 * channel) row normalized by its own mean and biased variance.
 *
 * Shape: input `(N, C, L)` or `(C, L)`; output like input.
 */
export class InstanceNorm1d extends InstanceNormBase {
  protected override readonly noBatchDim = 2;
  protected override checkInputDim(input: Tensor): void {
    if (input.dim() !== 2 && input.dim() !== 3) throw rankError(this, "2D or 3D", input);
  }
}

/**
 * Instance normalization over `(N, C, H, W)` or unbatched `(C, H, W)`, as `torch.nn.InstanceNorm2d(
 * num_features, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)`.
 *
 * Shape: input `(N, C, H, W)` or `(C, H, W)`; output like input.
 */
export class InstanceNorm2d extends InstanceNormBase {
  protected override readonly noBatchDim = 3;
  protected override checkInputDim(input: Tensor): void {
    if (input.dim() !== 3 && input.dim() !== 4) throw rankError(this, "3D or 4D", input);
  }
}

/**
 * Instance normalization over `(N, C, D, H, W)` or unbatched `(C, D, H, W)`, as
 * `torch.nn.InstanceNorm3d(num_features, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)`.
 *
 * Shape: input `(N, C, D, H, W)` or `(C, D, H, W)`; output like input.
 */
export class InstanceNorm3d extends InstanceNormBase {
  protected override readonly noBatchDim = 4;
  protected override checkInputDim(input: Tensor): void {
    if (input.dim() !== 4 && input.dim() !== 5) throw rankError(this, "4D or 5D", input);
  }
}
