import { Tensor } from "../../tensor.js";
import type { Optimizer, ParamGroup } from "../optimizer.js";
import { checkOptimizer, loadSchedulerState, schedulerStateDict } from "./lr-scheduler.js";

/** ReduceLROnPlateau's options (defaults in brackets). */
export interface ReduceLROnPlateauOptions {
  /** "min": reduce when the metric stops decreasing; "max": when it stops increasing ["min"]. */
  mode?: "min" | "max";
  /** new lr = lr · factor, < 1 [0.1]. */
  factor?: number;
  /** Epochs without improvement tolerated before reducing [10]. */
  patience?: number;
  /** Minimum change that counts as an improvement [1e-4]. */
  threshold?: number;
  /** "rel": best·(1 ∓ threshold); "abs": best ∓ threshold ["rel"]. */
  thresholdMode?: "rel" | "abs";
  /** Epochs to wait after a reduction before counting bad epochs again [0]. */
  cooldown?: number;
  /** Lower bound of the rates, for all groups or per group [0]. */
  minLr?: number | number[];
  /** Reductions smaller than this are skipped [1e-8]. */
  eps?: number;
}

/**
 * Reduces the learning rate when a metric has stopped improving, as
 * `torch.optim.lr_scheduler.ReduceLROnPlateau`: after more than `patience` epochs without an improvement
 * (by `threshold`, relative or absolute), every group's lr becomes max(lr·factor, minLr) (unless that
 * changes it by less than `eps`), then `cooldown` epochs pass before bad epochs count again.
 *
 * @example
 * const sched = new optim.lrScheduler.ReduceLROnPlateau(opt, { mode: "min", patience: 5 });
 * sched.step(valLoss);
 */
export class ReduceLROnPlateau {
  optimizer: Optimizer<any, any>;
  factor: number;
  minLrs: number[];
  /** The scalar `minLr`, used again if groups are added (null when given per group). */
  defaultMinLr: number | null;
  patience: number;
  cooldown: number;
  cooldownCounter = 0;
  mode: "min" | "max" = "min";
  threshold = 1e-4;
  thresholdMode: "rel" | "abs" = "rel";
  best = Infinity;
  numBadEpochs = 0;
  modeWorse = Infinity;
  eps: number;
  lastEpoch = 0;
  /** @internal */ _lastLr: number[];

  constructor(optimizer: Optimizer<any, any>, opts: ReduceLROnPlateauOptions = {}) {
    const factor = opts.factor ?? 0.1;
    if (factor >= 1.0) throw new Error("ReduceLROnPlateau: Factor should be < 1.0.");
    this.factor = factor;
    this.optimizer = checkOptimizer(optimizer);
    const n = optimizer.paramGroups.length;
    const minLr = opts.minLr ?? 0;
    if (Array.isArray(minLr)) {
      if (minLr.length !== n) throw new Error(`ReduceLROnPlateau: expected ${n} min_lrs, got ${minLr.length}`);
      this.defaultMinLr = null;
      this.minLrs = minLr.slice();
    } else {
      this.defaultMinLr = minLr;
      this.minLrs = Array.from({ length: n }, () => minLr);
    }
    this.patience = opts.patience ?? 10;
    this.cooldown = opts.cooldown ?? 0;
    this.eps = opts.eps ?? 1e-8;
    this._lastLr = optimizer.paramGroups.map((g: ParamGroup) => g.lr);
    this.initIsBetter(opts.mode ?? "min", opts.threshold ?? 1e-4, opts.thresholdMode ?? "rel");
    this.reset();
  }

  private reset(): void {
    this.best = this.modeWorse;
    this.cooldownCounter = 0;
    this.numBadEpochs = 0;
  }

  private initIsBetter(mode: string, threshold: number, thresholdMode: string): void {
    if (mode !== "min" && mode !== "max") throw new Error(`ReduceLROnPlateau: mode ${mode} is unknown!`);
    if (thresholdMode !== "rel" && thresholdMode !== "abs") {
      throw new Error(`ReduceLROnPlateau: threshold mode ${thresholdMode} is unknown!`);
    }
    this.modeWorse = mode === "min" ? Infinity : -Infinity;
    this.mode = mode;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
  }

  /** Whether a reduction's cooldown is running. */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /** Whether metric `a` improves on `best` by the threshold. */
  isBetter(a: number, best: number): boolean {
    if (this.mode === "min" && this.thresholdMode === "rel") return a < best * (1 - this.threshold);
    if (this.mode === "min") return a < best - this.threshold;
    if (this.thresholdMode === "rel") return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }

  /** Records this epoch's metric (a number or a one-element tensor) and reduces the rates if it plateaued. */
  step(metrics: number | Tensor, epoch?: number): void {
    const current = metrics instanceof Tensor ? metrics.item() : Number(metrics);
    this.lastEpoch = epoch ?? this.lastEpoch + 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad epochs in cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this._lastLr = this.optimizer.paramGroups.map((g: ParamGroup) => g.lr);
  }

  private reduceLr(): void {
    const groups: ParamGroup[] = this.optimizer.paramGroups;
    if (groups.length !== this.minLrs.length) {
      if (this.defaultMinLr === null) {
        throw new Error(
          `ReduceLROnPlateau: The number of param groups in the \`optimizer\` (${groups.length}) differs from when ` +
            `\`ReduceLROnPlateau\` was initialized (${this.minLrs.length}), usually due to a new param group being ` +
            "added to the optimizer. Please modify the `min_lrs` field to match the length of the `optimizer` param groups.",
        );
      }
      this.minLrs = groups.map(() => this.defaultMinLr as number);
    }
    groups.forEach((g, i) => {
      const old = g.lr;
      const next = Math.max(old * this.factor, this.minLrs[i]);
      if (old - next > this.eps) g.lr = next;
    });
  }

  /** The rates after the last `step()` (the groups' rates at construction before any). */
  getLastLr(): number[] {
    return this._lastLr.slice();
  }

  /** The scheduler's state under PyTorch's names (`best`, `num_bad_epochs`, `cooldown_counter`, …). */
  stateDict(): Record<string, unknown> {
    return schedulerStateDict(this);
  }

  /** Restores `stateDict()`'s state (mode and threshold re-validated, as PyTorch). */
  loadStateDict(state: Record<string, unknown>): void {
    loadSchedulerState(this, state);
    this.initIsBetter(this.mode, this.threshold, this.thresholdMode);
  }
}
