import type { Optimizer } from "../optimizer.js";
import { LRScheduler, pyMod } from "./lr-scheduler.js";

/**
 * Cosine annealing from each group's initial rate down to `etaMin` over `TMax` epochs (and back up over
 * the next `TMax`, without restarts), as `torch.optim.lr_scheduler.CosineAnnealingLR`, in PyTorch's
 * recursive form:
 *
 *     η_t = η_min + (η_{t−1} − η_min) · (1 + cos(πt/T_max)) / (1 + cos(π(t−1)/T_max))
 *
 * which equals η_min + ½(η_max − η_min)(1 + cos(πt/T_max)) when nothing else changes the rate (the
 * denominator's zero at t − 1 ≡ T_max mod 2T_max takes PyTorch's additive step instead).
 * Defaults: etaMin 0, lastEpoch −1.
 *
 * @example
 * const sched = new optim.lrScheduler.CosineAnnealingLR(opt, 100, { etaMin: 1e-5 });
 */
export class CosineAnnealingLR extends LRScheduler {
  TMax: number;
  etaMin: number;

  constructor(optimizer: Optimizer<any, any>, TMax: number, opts: { etaMin?: number; lastEpoch?: number } = {}) {
    super(optimizer, opts.lastEpoch ?? -1);
    this.TMax = TMax;
    this.etaMin = opts.etaMin ?? 0;
    this._initialStep();
  }

  getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const { TMax: T, etaMin, lastEpoch: e } = this;
    if (this._isInitial) return groups.map((g) => g.lr);
    if (this._stepCount === 1 && e > 0) {
      return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((e * Math.PI) / T))) / 2);
    }
    if (pyMod(e - 1 - T, 2 * T) === 0) {
      return groups.map((g, i) => g.lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return groups.map(
      (g) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (g.lr - etaMin) + etaMin,
    );
  }

  protected override closedFormLr(): number[] {
    const { TMax: T, etaMin, lastEpoch: e } = this;
    return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((Math.PI * e) / T))) / 2);
  }
}
