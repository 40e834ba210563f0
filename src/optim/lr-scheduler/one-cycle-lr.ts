import type { Optimizer, ParamGroup } from "../optimizer.js";
import { pyNumber, toCamel } from "../py-format.js";
import { LRScheduler, perGroup } from "./lr-scheduler.js";

/** OneCycleLR's options (defaults in brackets). Give `totalSteps`, or `epochs` and `stepsPerEpoch`. */
export interface OneCycleLROptions {
  /** Steps in the cycle. */
  totalSteps?: number;
  /** With `stepsPerEpoch`: totalSteps = epochs · stepsPerEpoch. */
  epochs?: number;
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the rate [0.3]. */
  pctStart?: number;
  /** "cos" or "linear" annealing ["cos"]. */
  annealStrategy?: "cos" | "linear";
  /** Cycle momentum (SGD's `momentum`, or β₁ of Adam-like `betas`) inversely to the rate [true]. */
  cycleMomentum?: boolean;
  /** Momentum at the rate's peak [0.85], per group or for all. */
  baseMomentum?: number | number[];
  /** Momentum at the start and end [0.95], per group or for all. */
  maxMomentum?: number | number[];
  /** initialLr = maxLr / divFactor [25]. */
  divFactor?: number;
  /** minLr = initialLr / finalDivFactor [1e4]. */
  finalDivFactor?: number;
  /** Three phases (up, back down to initialLr, then annihilation to minLr) instead of fastai's two [false]. */
  threePhase?: boolean;
  /** Index of the last batch when resuming [−1]. */
  lastEpoch?: number;
}

/** A phase: where it ends and which group keys (PyTorch's names) hold its start and end values. */
interface Phase {
  endStep: number;
  startLr: string;
  endLr: string;
  startMomentum: string;
  endMomentum: string;
}

function phase(endStep: number, startLr: string, endLr: string, startMomentum: string, endMomentum: string): Phase {
  return { endStep, startLr, endLr, startMomentum, endMomentum };
}

/**
 * The 1cycle policy (Smith & Topin, "Super-Convergence", 2017), as `torch.optim.lr_scheduler.OneCycleLR`:
 * the rate rises from maxLr/divFactor to maxLr over `pctStart` of the steps, then anneals to
 * initialLr/finalDivFactor; momentum cycles the other way between maxMomentum and baseMomentum. Step it
 * after every batch. Adds `initialLr`, `maxLr`, `minLr` (and `maxMomentum`, `baseMomentum`) to the groups.
 *
 * @example
 * const sched = new optim.lrScheduler.OneCycleLR(opt, 0.01, { stepsPerEpoch: 100, epochs: 10 });
 */
export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  _schedulePhases: Phase[];
  _annealFuncType: "cos" | "linear";
  cycleMomentum: boolean;
  useBeta1: boolean;

  constructor(optimizer: Optimizer<any, any>, maxLr: number | number[], opts: OneCycleLROptions = {}) {
    const { totalSteps, epochs, stepsPerEpoch } = opts;
    let total: number;
    if (totalSteps !== undefined && totalSteps !== null) {
      if (!(totalSteps > 0) || !Number.isInteger(totalSteps)) {
        throw new Error(`OneCycleLR: Expected positive integer total_steps, but got ${pyNumber(totalSteps)}`);
      }
      total = totalSteps;
    } else if (epochs !== undefined && stepsPerEpoch !== undefined) {
      if (!Number.isInteger(epochs) || epochs <= 0) throw new Error(`OneCycleLR: Expected positive integer epochs, but got ${pyNumber(epochs)}`);
      if (!Number.isInteger(stepsPerEpoch) || stepsPerEpoch <= 0) {
        throw new Error(`OneCycleLR: Expected positive integer steps_per_epoch, but got ${pyNumber(stepsPerEpoch)}`);
      }
      total = epochs * stepsPerEpoch;
    } else {
      throw new Error("OneCycleLR: You must define either total_steps OR (epochs AND steps_per_epoch)");
    }
    const pctStart = opts.pctStart ?? 0.3;
    if (!(pctStart >= 0 && pctStart <= 1)) {
      throw new Error(`OneCycleLR: Expected float between 0 and 1 pct_start, but got ${pyNumber(pctStart)}`);
    }
    const anneal = opts.annealStrategy ?? "cos";
    if (anneal !== "cos" && anneal !== "linear") {
      throw new Error(`OneCycleLR: anneal_strategy must be one of 'cos' or 'linear', instead got ${String(anneal)}`);
    }
    const lastEpoch = opts.lastEpoch ?? -1;
    const cycleMomentum = opts.cycleMomentum ?? true;
    const defaults = optimizer?.defaults as Record<string, unknown> | undefined;
    if (cycleMomentum && defaults && !("momentum" in defaults) && !("betas" in defaults)) {
      throw new Error("OneCycleLR: optimizer must support momentum or beta1 with `cycle_momentum` option enabled");
    }
    super(optimizer, lastEpoch);
    const groups: ParamGroup[] = optimizer.paramGroups;
    this.totalSteps = total;
    this._schedulePhases = opts.threePhase
      ? [
          phase(pctStart * total - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
          phase(2 * pctStart * total - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
          phase(total - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
        ]
      : [
          phase(pctStart * total - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
          phase(total - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
        ];
    this._annealFuncType = anneal;
    const maxLrs = perGroup("max_lr", optimizer, maxLr);
    const divFactor = opts.divFactor ?? 25;
    const finalDivFactor = opts.finalDivFactor ?? 1e4;
    if (lastEpoch === -1) {
      groups.forEach((g, i) => {
        g.initialLr = maxLrs[i] / divFactor;
        g.maxLr = maxLrs[i];
        g.minLr = (g.initialLr as number) / finalDivFactor;
      });
      // PyTorch sets initial_lr before its base constructor reads it; here the base ran first.
      this.baseLrs = groups.map((g) => g.initialLr as number);
    }
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = cycleMomentum && "betas" in (defaults ?? {});
    if (cycleMomentum) {
      const maxMomentums = perGroup("max_momentum", optimizer, opts.maxMomentum ?? 0.95);
      const baseMomentums = perGroup("base_momentum", optimizer, opts.baseMomentum ?? 0.85);
      if (lastEpoch === -1) {
        groups.forEach((g, i) => {
          if (this.useBeta1) g.betas = [maxMomentums[i], ...(g.betas as number[]).slice(1)];
          else g.momentum = maxMomentums[i];
          g.maxMomentum = maxMomentums[i];
          g.baseMomentum = baseMomentums[i];
        });
      }
    }
    this._initialStep();
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this._annealFuncType === "cos") return end + ((start - end) / 2.0) * (Math.cos(Math.PI * pct) + 1);
    return (end - start) * pct + start;
  }

  getLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps) {
      throw new Error(`OneCycleLR: Tried to step ${step} times. The specified number of total steps is ${this.totalSteps}`);
    }
    const groups: ParamGroup[] = this.optimizer.paramGroups;
    const phases = this._schedulePhases;
    const value = (g: ParamGroup, key: string): number => g[toCamel(key)] as number;
    return groups.map((g) => {
      let start = 0;
      let lr = NaN;
      for (let i = 0; i < phases.length; i++) {
        const ph = phases[i];
        if (step <= ph.endStep || i === phases.length - 1) {
          const pct = (step - start) / (ph.endStep - start);
          lr = this.anneal(value(g, ph.startLr), value(g, ph.endLr), pct);
          if (this.cycleMomentum) {
            const m = this.anneal(value(g, ph.startMomentum), value(g, ph.endMomentum), pct);
            if (this.useBeta1) g.betas = [m, ...(g.betas as number[]).slice(1)];
            else g.momentum = m;
          }
          break;
        }
        start = ph.endStep;
      }
      return lr;
    });
  }
}
