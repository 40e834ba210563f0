import type { Optimizer } from "../optimizer.js";
import { LRScheduler } from "./lr-scheduler.js";

/**
 * Multiplies every group's learning rate by `gamma` at each milestone epoch (by γ^k when a milestone is
 * listed k times), as `torch.optim.lr_scheduler.MultiStepLR`. Defaults: gamma 0.1, lastEpoch −1.
 *
 * @example
 * const sched = new optim.lrScheduler.MultiStepLR(opt, [30, 80], { gamma: 0.1 });
 */
export class MultiStepLR extends LRScheduler {
  /** Milestone epoch → how many times it was listed (PyTorch's `Counter`). */
  milestones: Map<number, number>;
  gamma: number;

  constructor(optimizer: Optimizer<any, any>, milestones: Iterable<number>, opts: { gamma?: number; lastEpoch?: number } = {}) {
    super(optimizer, opts.lastEpoch ?? -1);
    this.milestones = new Map();
    for (const m of milestones) this.milestones.set(m, (this.milestones.get(m) ?? 0) + 1);
    this.gamma = opts.gamma ?? 0.1;
    this._initialStep();
  }

  getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const k = this.milestones.get(this.lastEpoch);
    if (k === undefined) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma ** k);
  }

  protected override closedFormLr(): number[] {
    let passed = 0;
    for (const [m, k] of this.milestones) if (m <= this.lastEpoch) passed += k;
    return this.baseLrs.map((b) => b * this.gamma ** passed);
  }

  override loadStateDict(state: Record<string, unknown>): void {
    super.loadStateDict(state);
    const m = state.milestones;
    if (m !== null && typeof m === "object" && !(m instanceof Map)) {
      this.milestones = new Map(Object.entries(m as Record<string, number>).map(([k, v]) => [Number(k), v]));
    }
  }
}
