import type { Optimizer } from "../optimizer.js";
import { LRScheduler } from "./lr-scheduler.js";

/** A learning-rate multiplier as a function of the epoch. */
export type LrLambda = (epoch: number) => number;

/**
 * Sets every group's learning rate to its initial rate times `lrLambda(epoch)`, as
 * `torch.optim.lr_scheduler.LambdaLR`. `lrLambda` is one function for all groups or one per group.
 * The functions are not part of the state dict (PyTorch saves only callable objects' attributes).
 *
 * @example
 * const sched = new optim.lrScheduler.LambdaLR(opt, (epoch) => 0.95 ** epoch);
 */
export class LambdaLR extends LRScheduler {
  lrLambdas: LrLambda[];

  constructor(optimizer: Optimizer<any, any>, lrLambda: LrLambda | readonly LrLambda[], opts: { lastEpoch?: number } = {}) {
    super(optimizer, opts.lastEpoch ?? -1);
    const n = optimizer.paramGroups.length;
    if (Array.isArray(lrLambda)) {
      if (lrLambda.length !== n) throw new Error(`LambdaLR: Expected ${n} lr_lambdas, but got ${lrLambda.length}`);
      this.lrLambdas = lrLambda.slice();
    } else {
      this.lrLambdas = Array.from({ length: n }, () => lrLambda as LrLambda);
    }
    for (const f of this.lrLambdas) {
      if (typeof f !== "function") throw new TypeError(`LambdaLR: lr_lambda should be a function, but got ${typeof f}`);
    }
    this._initialStep();
  }

  getLr(): number[] {
    return this.baseLrs.map((b, i) => b * this.lrLambdas[i](this.lastEpoch));
  }

  override stateDict(): Record<string, unknown> {
    return { ...super.stateDict(), lr_lambdas: this.lrLambdas.map(() => null) };
  }

  override loadStateDict(state: Record<string, unknown>): void {
    const { lr_lambdas: _ignored, ...rest } = state;
    super.loadStateDict(rest);
  }
}
