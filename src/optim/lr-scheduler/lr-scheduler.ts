/**
 * `torch.optim.lr_scheduler.LRScheduler`: the base of the epoch-driven schedulers, and the state-dict
 * conversion they share with `ReduceLROnPlateau`.
 */
import { Optimizer, type ParamGroup } from "../optimizer.js";
import { pyTypeName, toCamel, toSnake } from "../py-format.js";

/** PyTorch attribute names that snake_case conversion does not produce. */
const PY_NAME: Record<string, string> = { TMax: "T_max" };
const TS_NAME: Record<string, string> = { T_max: "TMax" };

function exportValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(exportValue);
  if (v instanceof Map) return Object.fromEntries(Array.from(v, ([k, x]) => [String(k), exportValue(x)]));
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [toSnake(k), exportValue(x)]));
  }
  return v;
}

function importValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(importValue);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [toCamel(k), importValue(x)]));
  }
  return v;
}

/**
 * A scheduler's state as PyTorch's `state_dict()`: every attribute but the optimizer (and functions),
 * under PyTorch's snake_case names (`base_lrs`, `last_epoch`, `_step_count`, `_last_lr`, `T_max`, …).
 */
export function schedulerStateDict(obj: object, skip: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === "optimizer" || skip.includes(k) || typeof v === "function") continue;
    out[PY_NAME[k] ?? toSnake(k)] = exportValue(v);
  }
  return out;
}

/** Restores attributes from `schedulerStateDict`'s layout (PyTorch's `__dict__.update`); unknown keys are ignored. */
export function loadSchedulerState(obj: object, state: Record<string, unknown>, skip: readonly string[] = []): void {
  for (const [k, v] of Object.entries(state)) {
    const name = TS_NAME[k] ?? toCamel(k);
    if (skip.includes(name) || !(name in obj) || typeof (obj as any)[name] === "function") continue;
    (obj as any)[name] = importValue(v);
  }
}

/** `x mod m` with the sign of `m`, as Python's `%`. */
export function pyMod(x: number, m: number): number {
  return ((x % m) + m) % m;
}

/** `optimizer` itself, or PyTorch's `TypeError: <type> is not an Optimizer`. */
export function checkOptimizer(optimizer: unknown): Optimizer<any, any> {
  if (!(optimizer instanceof Optimizer)) throw new TypeError(`${pyTypeName(optimizer)} is not an Optimizer`);
  return optimizer;
}

const EPOCH_DEPRECATION_WARNING =
  "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where possible. " +
  "Please use `scheduler.step()` to step the scheduler. During the deprecation, if epoch is different from " +
  "None, the closed form is used instead of the new chainable form, where available.";

/**
 * Base class of the learning-rate schedulers, as `torch.optim.lr_scheduler.LRScheduler`.
 *
 * On construction (`lastEpoch = -1`) every group's `initialLr` is set to its `lr` unless present, and
 * `baseLrs` records them; resuming (`lastEpoch ≥ 0`) requires `initialLr` in every group. Each `step()`
 * advances `lastEpoch` and writes `getLr()` into the groups' `lr`. Call it after `optimizer.step()`.
 *
 * Subclasses compute the next rates in `getLr()` (chainable form: from the groups' current `lr`) and
 * must call `this._initialStep()` at the end of their constructor, once their own fields are set
 * (PyTorch's base constructor does it, but TypeScript sets subclass fields only after `super()`).
 */
export abstract class LRScheduler {
  optimizer: Optimizer<any, any>;
  /** The groups' `initialLr`. */
  baseLrs: number[];
  /** The index of the last epoch (or batch) stepped; −1 before the first step. */
  lastEpoch: number;
  /** @internal */ _stepCount = 0;
  /** @internal */ _lastLr: number[] = [];
  /** @internal true during the step the constructor performs. */
  _isInitial = false;
  /** @internal */ _getLrCalledWithinStep = false;

  constructor(optimizer: Optimizer<any, any>, lastEpoch = -1) {
    this.optimizer = checkOptimizer(optimizer);
    const groups: ParamGroup[] = optimizer.paramGroups;
    if (lastEpoch === -1) {
      for (const g of groups) if (!("initialLr" in g)) g.initialLr = g.lr;
    } else {
      groups.forEach((g, i) => {
        if (!("initialLr" in g)) {
          throw new Error(`${this.constructor.name}: param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`);
        }
      });
    }
    this.baseLrs = groups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  /** The first step, taken by the constructor: sets the rates of epoch `lastEpoch + 1`. */
  protected _initialStep(): void {
    this._stepCount = 0;
    this._isInitial = true;
    try {
      this.step();
    } finally {
      this._isInitial = false;
    }
  }

  /** The rates computed by the last `step()`, one per group, as `get_last_lr()`. */
  getLastLr(): number[] {
    return this._lastLr.slice();
  }

  /**
   * The rates for the epoch `step()` has just entered, in chainable form (from the groups' current `lr`).
   * Subclasses implement it; read the current rates with `getLastLr()`.
   */
  abstract getLr(): number[];

  /** The closed-form rates for `lastEpoch`, used by the deprecated `step(epoch)` where a scheduler has one. */
  protected closedFormLr(): number[] | null {
    return null;
  }

  /** Advances one epoch (or jumps to `epoch`, deprecated, in closed form) and sets the groups' `lr`. */
  step(epoch?: number): void {
    this._stepCount += 1;
    this._getLrCalledWithinStep = true;
    let values: number[];
    try {
      if (epoch === undefined) {
        this.lastEpoch += 1;
        values = this.getLr();
      } else {
        console.warn(EPOCH_DEPRECATION_WARNING);
        this.lastEpoch = epoch;
        values = this.closedFormLr() ?? this.getLr();
      }
    } finally {
      this._getLrCalledWithinStep = false;
    }
    const groups: ParamGroup[] = this.optimizer.paramGroups;
    groups.forEach((g, i) => {
      if (i < values.length) g.lr = values[i];
    });
    this._lastLr = groups.map((g) => g.lr);
  }

  /** The scheduler's state (every attribute but the optimizer), under PyTorch's names. */
  stateDict(): Record<string, unknown> {
    return schedulerStateDict(this);
  }

  /** Restores `stateDict()`'s state. */
  loadStateDict(state: Record<string, unknown>): void {
    loadSchedulerState(this, state);
  }
}

/** A per-group value given once for all groups or as one value per group. */
export function perGroup<T>(name: string, optimizer: Optimizer<any, any>, value: T | readonly T[]): T[] {
  const n = optimizer.paramGroups.length;
  if (Array.isArray(value)) {
    if (value.length !== n) throw new Error(`expected ${n} values for ${name}, got ${value.length}`);
    return value.slice();
  }
  return Array.from({ length: n }, () => value as T);
}
