import type { Optimizer } from "../optimizer.js";
import { LRScheduler } from "./lr-scheduler.js";

/**
 * Decays every group's learning rate polynomially to zero over `totalIters` epochs, as
 * `torch.optim.lr_scheduler.PolynomialLR`: lr = initialLr · (1 − min(epoch, T)/T)^power when nothing
 * else changes it. Defaults: totalIters 5, power 1.0.
 *
 * @example
 * const sched = new optim.lrScheduler.PolynomialLR(opt, { totalIters: 100, power: 2 });
 */
export class PolynomialLR extends LRScheduler {
  totalIters: number;
  power: number;

  constructor(optimizer: Optimizer<any, any>, opts: { totalIters?: number; power?: number; lastEpoch?: number } = {}) {
    super(optimizer, opts.lastEpoch ?? -1);
    this.totalIters = opts.totalIters ?? 5;
    this.power = opts.power ?? 1.0;
    this._initialStep();
  }

  getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const { totalIters: T, lastEpoch: e } = this;
    if (this._isInitial || e > T) return groups.map((g) => g.lr);
    const decay = ((1.0 - e / T) / (1.0 - (e - 1) / T)) ** this.power;
    return groups.map((g) => g.lr * decay);
  }

  protected override closedFormLr(): number[] {
    const { totalIters: T, lastEpoch: e } = this;
    return this.baseLrs.map((b) => b * (1.0 - Math.min(T, e) / T) ** this.power);
  }
}
