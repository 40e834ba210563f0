import type { Optimizer } from "../optimizer.js";
import { LRScheduler } from "./lr-scheduler.js";

/**
 * Multiplies every group's learning rate by `factor` for the first `totalIters` epochs, then restores it,
 * as `torch.optim.lr_scheduler.ConstantLR`. Defaults: factor 1/3, totalIters 5.
 *
 * @example
 * const sched = new optim.lrScheduler.ConstantLR(opt, { factor: 0.5, totalIters: 4 });
 */
export class ConstantLR extends LRScheduler {
  factor: number;
  totalIters: number;

  constructor(optimizer: Optimizer<any, any>, opts: { factor?: number; totalIters?: number; lastEpoch?: number } = {}) {
    const factor = opts.factor ?? 1 / 3;
    if (factor > 1 || factor < 0) throw new Error("ConstantLR: Constant multiplicative factor expected to be between 0 and 1.");
    super(optimizer, opts.lastEpoch ?? -1);
    this.factor = factor;
    this.totalIters = opts.totalIters ?? 5;
    this._initialStep();
  }

  getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((g) => g.lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * (1.0 / this.factor));
  }

  protected override closedFormLr(): number[] {
    const done = this.lastEpoch >= this.totalIters ? 1 : 0;
    return this.baseLrs.map((b) => b * (this.factor + done * (1 - this.factor)));
  }
}
