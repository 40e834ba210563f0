import type { Optimizer } from "../optimizer.js";
import { LRScheduler } from "./lr-scheduler.js";
import type { LrLambda } from "./lambda-lr.js";

/**
 * Multiplies every group's learning rate by `lrLambda(epoch)` at each step (one function for all groups
 * or one per group), as `torch.optim.lr_scheduler.MultiplicativeLR`.
 *
 * @example
 * const sched = new optim.lrScheduler.MultiplicativeLR(opt, () => 0.95);
 */
export class MultiplicativeLR extends LRScheduler {
  lrLambdas: LrLambda[];

  constructor(optimizer: Optimizer<any, any>, lrLambda: LrLambda | readonly LrLambda[], opts: { lastEpoch?: number } = {}) {
    super(optimizer, opts.lastEpoch ?? -1);
    const n = optimizer.paramGroups.length;
    if (Array.isArray(lrLambda)) {
      if (lrLambda.length !== n) throw new Error(`MultiplicativeLR: Expected ${n} lr_lambdas, but got ${lrLambda.length}`);
      this.lrLambdas = lrLambda.slice();
    } else {
      this.lrLambdas = Array.from({ length: n }, () => lrLambda as LrLambda);
    }
    for (const f of this.lrLambdas) {
      if (typeof f !== "function") throw new TypeError(`MultiplicativeLR: lr_lambda should be a function, but got ${typeof f}`);
    }
    this._initialStep();
  }

  getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this._isInitial) return groups.map((g) => g.lr);
    return groups.map((g, i) => g.lr * this.lrLambdas[i](this.lastEpoch));
  }

  override stateDict(): Record<string, unknown> {
    return { ...super.stateDict(), lr_lambdas: this.lrLambdas.map(() => null) };
  }

  override loadStateDict(state: Record<string, unknown>): void {
    const { lr_lambdas: _ignored, ...rest } = state;
    super.loadStateDict(rest);
  }
}
