import type { Optimizer, ParamGroup } from "../optimizer.js";
import { LRScheduler } from "./lr-scheduler.js";

/**
 * Steps several chainable schedulers of one optimizer together, as
 * `torch.optim.lr_scheduler.ChainedScheduler`: each `step()` calls every scheduler's `step()` in order,
 * so their factors compose (e.g. a warm-up `ConstantLR` with an `ExponentialLR` decay).
 *
 * @example
 * const sched = new optim.lrScheduler.ChainedScheduler([
 *   new optim.lrScheduler.ConstantLR(opt, { factor: 0.1, totalIters: 2 }),
 *   new optim.lrScheduler.ExponentialLR(opt, 0.9),
 * ]);
 */
export class ChainedScheduler {
  optimizer: Optimizer<any, any>;
  /** @internal */ _schedulers: LRScheduler[];
  /** @internal */ _lastLr: number[];

  constructor(schedulers: readonly LRScheduler[], optimizer?: Optimizer<any, any>) {
    if (schedulers.length < 1) {
      throw new Error("ChainedScheduler: ChainedScheduler expects at least one scheduler to be chained, but got no scheduler.");
    }
    const opt = optimizer ?? schedulers[0].optimizer;
    schedulers.forEach((s, i) => {
      if (!(s instanceof LRScheduler)) {
        throw new TypeError(`ChainedScheduler: ChainedScheduler at index ${i} should be an LRScheduler (ReduceLROnPlateau needs a metric)`);
      }
      if (s.optimizer !== opt) {
        throw new Error(
          `ChainedScheduler: ChainedScheduler expects all schedulers to belong to the same optimizer, but got ` +
            `scheduler ${s.constructor.name} at index ${i} with a different optimizer`,
        );
      }
    });
    this.optimizer = opt;
    this._schedulers = schedulers.slice();
    this._lastLr = opt.paramGroups.map((g: ParamGroup) => g.lr);
  }

  /** Steps every scheduler, in order. */
  step(): void {
    for (const s of this._schedulers) s.step();
    this._lastLr = this.optimizer.paramGroups.map((g: ParamGroup) => g.lr);
  }

  /** The rates after the last `step()`. */
  getLastLr(): number[] {
    return this._lastLr.slice();
  }

  /** `{ _last_lr, _schedulers: [each scheduler's state dict] }`, as PyTorch. */
  stateDict(): Record<string, unknown> {
    return { _last_lr: this._lastLr.slice(), _schedulers: this._schedulers.map((s) => s.stateDict()) };
  }

  /** Restores `stateDict()`'s state into the same schedulers. */
  loadStateDict(state: Record<string, unknown>): void {
    const inner = state._schedulers as Array<Record<string, unknown>>;
    if (Array.isArray(state._last_lr)) this._lastLr = (state._last_lr as number[]).slice();
    inner.forEach((s, i) => this._schedulers[i].loadStateDict(s));
  }
}
