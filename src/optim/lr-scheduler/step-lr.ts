import type { Optimizer } from "../optimizer.js";
import { LRScheduler } from "./lr-scheduler.js";

/**
 * Multiplies every group's learning rate by `gamma` every `stepSize` epochs, as
 * `torch.optim.lr_scheduler.StepLR`: lr = initialLr · γ^⌊epoch / stepSize⌋ when nothing else changes it.
 * Defaults: gamma 0.1, lastEpoch −1.
 *
 * @example
 * const sched = new optim.lrScheduler.StepLR(opt, 30, { gamma: 0.1 }); // 0.05 → 0.005 at epoch 30
 */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;

  constructor(optimizer: Optimizer<any, any>, stepSize: number, opts: { gamma?: number; lastEpoch?: number } = {}) {
    super(optimizer, opts.lastEpoch ?? -1);
    this.stepSize = stepSize;
    this.gamma = opts.gamma ?? 0.1;
    this._initialStep();
  }

  getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}
