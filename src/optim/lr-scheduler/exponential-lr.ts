import type { Optimizer } from "../optimizer.js";
import { LRScheduler } from "./lr-scheduler.js";

/**
 * Multiplies every group's learning rate by `gamma` every epoch, as
 * `torch.optim.lr_scheduler.ExponentialLR`: lr = initialLr · γ^epoch when nothing else changes it.
 *
 * @example
 * const sched = new optim.lrScheduler.ExponentialLR(opt, 0.95);
 */
export class ExponentialLR extends LRScheduler {
  gamma: number;

  constructor(optimizer: Optimizer<any, any>, gamma: number, opts: { lastEpoch?: number } = {}) {
    super(optimizer, opts.lastEpoch ?? -1);
    this.gamma = gamma;
    this._initialStep();
  }

  getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    // PyTorch 2.x: the constructor's step keeps the rates (1.13 tested lastEpoch === 0: same when not resuming).
    if (this._isInitial) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
}
