import type { Optimizer } from "../optimizer.js";
import { LRScheduler } from "./lr-scheduler.js";

/** LinearLR's options. */
export interface LinearLROptions {
  /** Multiplier of the first epoch, in (0, 1] [1/3]. */
  startFactor?: number;
  /** Multiplier reached after `totalIters` epochs, in [0, 1] [1.0]. */
  endFactor?: number;
  /** Epochs over which the multiplier moves linearly [5]. */
  totalIters?: number;
  lastEpoch?: number;
}

/**
 * Scales every group's learning rate by a factor moving linearly from `startFactor` to `endFactor` over
 * `totalIters` epochs (a warm-up when start < end), as `torch.optim.lr_scheduler.LinearLR`:
 * lr = initialLr · (s + (e − s) · min(epoch, T) / T) when nothing else changes it.
 * Defaults: startFactor 1/3, endFactor 1.0, totalIters 5.
 *
 * @example
 * const warmup = new optim.lrScheduler.LinearLR(opt, { startFactor: 0.05, totalIters: 40 });
 */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;

  constructor(optimizer: Optimizer<any, any>, opts: LinearLROptions = {}) {
    const startFactor = opts.startFactor ?? 1 / 3;
    const endFactor = opts.endFactor ?? 1.0;
    // PyTorch 2.x's bounds (1.13 allowed a start factor of 0, which divides by zero below).
    if (startFactor > 1 || startFactor <= 0) {
      throw new Error("LinearLR: Starting multiplicative factor expected to be greater than 0 and less or equal to 1.");
    }
    if (endFactor > 1 || endFactor < 0) {
      throw new Error("LinearLR: Ending multiplicative factor expected to be between 0 and 1.");
    }
    super(optimizer, opts.lastEpoch ?? -1);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = opts.totalIters ?? 5;
    this._initialStep();
  }

  getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const { startFactor: s, endFactor: e, totalIters: T, lastEpoch: k } = this;
    if (k === 0) return groups.map((g) => g.lr * s);
    if (this._isInitial || k > T) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * (1 + (e - s) / (T * s + (k - 1) * (e - s))));
  }

  protected override closedFormLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: T, lastEpoch: k } = this;
    return this.baseLrs.map((b) => b * (s + ((e - s) * Math.min(T, k)) / T));
  }
}
