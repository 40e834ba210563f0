/**
 * `torch.optim.Optimizer`: parameter groups, per-parameter state, `zeroGrad`, `stateDict`/`loadStateDict`.
 */
import { Tensor } from "../tensor.js";
import { isFloating } from "../dtype.js";
import { backend } from "../backend/backend.js";
import { enableGrad, noGrad } from "../autograd/grad-mode.js";
import { pyRepr, pyTypeName, toCamel, toSnake } from "./py-format.js";

/**
 * One parameter group: its parameters and the options that apply to them (camelCase: `lr`, `weightDecay`,
 * …). Schedulers add keys (`initialLr`, `maxLr`, …); any other key a user adds is kept.
 */
export interface ParamGroup {
  params: Tensor[];
  lr: number;
  [option: string]: unknown;
}

/** A parameter group as passed in: `params` may be one tensor or any iterable; missing options take the defaults. */
export interface ParamGroupInput {
  params: Tensor | Iterable<Tensor>;
  [option: string]: unknown;
}

/** What optimizers accept: parameters (e.g. `model.parameters()`) or a list of parameter groups. */
export type Params = Iterable<Tensor> | Iterable<ParamGroupInput>;

/**
 * PyTorch's optimizer state-dict layout: `state` keyed by the parameter's index (counted across groups in
 * order), `param_groups` with `params` as index lists, and every key in PyTorch's snake_case
 * (`weight_decay`, `momentum_buffer`, `exp_avg_sq`, `step`). Tensors are the live state (not copies),
 * as PyTorch's `state_dict()` returns them.
 */
export interface OptimizerStateDict {
  state: Record<number, Record<string, unknown>>;
  param_groups: Array<{ params: number[]; [option: string]: unknown }>;
}

/** A copy of a state value with its own storage; floating tensors other than `step` become `dtype`. */
function copyState(value: unknown, param: Tensor, key: string | null): unknown {
  if (value instanceof Tensor) {
    const dtype = key !== "step" && isFloating(param.dtype) && isFloating(value.dtype) ? param.dtype : value.dtype;
    const t = Tensor.empty(value.shape, dtype);
    backend().copy(value, t);
    return t;
  }
  if (Array.isArray(value)) return value.map((v) => copyState(v, param, null));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[toCamel(k)] = copyState(v, param, toCamel(k));
    return out;
  }
  return value;
}

function plainCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainCopy);
  if (value !== null && typeof value === "object" && !(value instanceof Tensor)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainCopy(v)]));
  }
  return value;
}

function isIterable(x: unknown): x is Iterable<unknown> {
  return x !== null && x !== undefined && typeof (x as any)[Symbol.iterator] === "function";
}

/**
 * Base class of all optimizers, as `torch.optim.Optimizer`.
 *
 * Constructed from parameters or from parameter groups `[{ params, lr, … }, …]` whose missing options
 * take the optimizer's defaults. `state` maps each parameter to its buffers (created on its first step).
 * Subclasses implement `updateGroup`, which runs under `noGrad`; `step(closure)` re-evaluates the loss
 * first when given a closure (with gradients enabled) and returns it.
 *
 * @example
 * const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad();
 * lossFn(model.call(x), y).backward();
 * opt.step();
 */
export abstract class Optimizer<O extends { lr: number } = { lr: number }, S extends object = Record<string, unknown>> {
  /** The options a group gets when it does not set them. */
  readonly defaults: O;
  /** Per-parameter state (momentum buffers, moment estimates, step counts), keyed by the parameter. */
  state: Map<Tensor, S> = new Map();
  paramGroups: Array<ParamGroup & O> = [];

  constructor(params: Params, defaults: O) {
    this.defaults = defaults;
    if (params instanceof Tensor || !isIterable(params)) {
      throw new TypeError(
        `${this.constructor.name}: params argument given to the optimizer should be an iterable of Tensors or ` +
          `dicts, but got ${pyTypeName(params)}`,
      );
    }
    const list = Array.from(params as Iterable<unknown>);
    if (list.length === 0) throw new Error(`${this.constructor.name}: optimizer got an empty parameter list`);
    const isGroup = (x: unknown): boolean =>
      x !== null && typeof x === "object" && !(x instanceof Tensor) && !Array.isArray(x) && "params" in x;
    const groups = isGroup(list[0]) ? (list as ParamGroupInput[]) : [{ params: list as Tensor[] }];
    for (const g of groups) this.addParamGroup(g);
  }

  /**
   * Adds a parameter group (e.g. layers unfrozen while fine-tuning), as `add_param_group`. Its missing
   * options take the defaults; a parameter may belong to one group only.
   */
  addParamGroup(group: ParamGroupInput): void {
    const name = this.constructor.name;
    if (group === null || typeof group !== "object" || group instanceof Tensor || Array.isArray(group)) {
      throw new TypeError(`${name}: param group must be a dict, got ${pyTypeName(group)}`);
    }
    const raw: unknown = group.params;
    let params: unknown[];
    if (raw instanceof Tensor) params = [raw];
    else if (raw instanceof Set) {
      throw new TypeError(
        `${name}: optimizer parameters need to be organized in ordered collections, but the ordering of ` +
          "tensors in sets will change between runs. Please use a list instead.",
      );
    } else if (isIterable(raw)) params = Array.from(raw);
    else throw new TypeError(`${name}: a param group needs 'params' (a Tensor or an iterable of Tensors), got ${pyTypeName(raw)}`);
    for (const p of params) {
      if (!(p instanceof Tensor)) {
        throw new TypeError(`${name}: optimizer can only optimize Tensors, but one of the params is ${pyTypeName(p)}`);
      }
      if (!(p.isLeaf || p.retainsGrad)) throw new Error(`${name}: can't optimize a non-leaf Tensor`);
    }
    for (const key of Object.keys(group)) {
      const camel = toCamel(key);
      if (camel !== key && camel in (this.defaults as object) && !(key in (this.defaults as object))) {
        throw new Error(`${name}: unknown option '${key}' in a parameter group; did you mean '${camel}'?`);
      }
    }
    const full: Record<string, unknown> = { ...group, params };
    for (const [k, v] of Object.entries(this.defaults)) if (!(k in full)) full[k] = Array.isArray(v) ? v.slice() : v;
    if (new Set(params).size !== params.length) {
      console.warn(
        `${name}: optimizer contains a parameter group with duplicate parameters; in future, this will cause an ` +
          "error; see github.com/pytorch/pytorch/issues/40967 for more information",
      );
    }
    const seen = new Set<Tensor>();
    for (const g of this.paramGroups) for (const p of g.params) seen.add(p);
    if (params.some((p) => seen.has(p as Tensor))) {
      throw new Error(`${name}: some parameters appear in more than one parameter group`);
    }
    this.paramGroups.push(full as ParamGroup & O);
  }

  /**
   * Resets the gradients of all optimized parameters, as `zero_grad(set_to_none=True)` (PyTorch 2.x's
   * default): `.grad` becomes null, so parameters without a new gradient are skipped by the next step.
   * With `setToNone: false` the gradients are detached and filled with zeros in place.
   */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    const setToNone = opts.setToNone ?? true;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        let g = p.grad;
        if (g === null) continue;
        if (setToNone) {
          p.grad = null;
          continue;
        }
        if (g.gradFn !== null) p.grad = g = g.detach();
        else g.requiresGrad_(false);
        backend().fill(g, 0);
        g._bumpVersion();
      }
    }
  }

  /**
   * One optimization step over every group. `closure` re-evaluates the model and returns the loss (some
   * optimizers need it); it runs with gradients enabled and its result is returned. Parameters whose
   * `.grad` is null are skipped.
   */
  step<L = unknown>(closure?: () => L): L | undefined {
    const loss = closure === undefined ? undefined : enableGrad(closure);
    noGrad(() => {
      for (const group of this.paramGroups) this.updateGroup(group);
    });
    return loss;
  }

  /** Updates the parameters of one group from their gradients (runs under `noGrad`). */
  protected abstract updateGroup(group: ParamGroup & O): void;

  /** The state of `p`, created by `init` on first use. */
  protected stateOf(p: Tensor, init: () => S): S {
    let s = this.state.get(p);
    if (s === undefined || Object.keys(s).length === 0) {
      s = init();
      this.state.set(p, s);
    }
    return s;
  }

  /** The state as PyTorch's `state_dict()` lays it out (see `OptimizerStateDict`); tensors are not copied. */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    let start = 0;
    const groups = this.paramGroups.map((g) => {
      const packed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(g)) if (k !== "params") packed[toSnake(k)] = plainCopy(v);
      g.params.forEach((p, i) => {
        if (!index.has(p)) index.set(p, start + i);
      });
      start += g.params.length;
      return { ...packed, params: g.params.map((p) => index.get(p)!) };
    });
    const state: Record<number, Record<string, unknown>> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      state[i] = Object.fromEntries(Object.entries(s).map(([k, v]) => [toSnake(k), v]));
    }
    return { state, param_groups: groups };
  }

  /**
   * Loads a state dict from `stateDict()` (or PyTorch's, same layout), as `load_state_dict`: groups must
   * match in number and size; state tensors are copied, floating ones (except `step`) cast to their
   * parameter's dtype; group options come from the saved groups.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const name = this.constructor.name;
    const saved = stateDict?.param_groups;
    if (!Array.isArray(saved) || stateDict.state === null || typeof stateDict.state !== "object") {
      throw new TypeError(`${name}: loadStateDict expects an object with 'state' and 'param_groups'`);
    }
    if (saved.length !== this.paramGroups.length) {
      throw new Error(`${name}: loaded state dict has a different number of parameter groups`);
    }
    if (this.paramGroups.some((g, i) => g.params.length !== saved[i].params.length)) {
      throw new Error(`${name}: loaded state dict contains a parameter group that doesn't match the size of optimizer's group`);
    }
    const idMap = new Map<number, Tensor>();
    saved.forEach((sg, i) => sg.params.forEach((id, j) => idMap.set(id, this.paramGroups[i].params[j])));
    const state = new Map<Tensor, S>();
    for (const [k, v] of Object.entries(stateDict.state)) {
      const p = idMap.get(Number(k));
      if (p !== undefined) state.set(p, copyState(v, p, null) as S);
    }
    const groups = this.paramGroups.map((g, i) => {
      const ng: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(saved[i])) if (k !== "params") ng[toCamel(k)] = plainCopy(v);
      for (const [k, v] of Object.entries(this.defaults)) if (!(k in ng)) ng[k] = plainCopy(v);
      ng.params = g.params;
      return ng as ParamGroup & O;
    });
    this.state = state;
    this.paramGroups = groups;
  }

  /** PyTorch's repr: the class name, then each group's options sorted by (snake_case) name. */
  toString(): string {
    let s = `${this.constructor.name} (`;
    this.paramGroups.forEach((g, i) => {
      s += `\nParameter Group ${i}\n`;
      const entries = Object.entries(g)
        .filter(([k]) => k !== "params")
        .map(([k, v]) => [toSnake(k), v] as const)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const [k, v] of entries) s += `    ${k}: ${pyRepr(v)}\n`;
    });
    return `${s})`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** Reads and increments a `step` count kept as a 0-dim float32 tensor (PyTorch ≥ 1.12) or a number. */
export function incrementStep(state: { step: Tensor | number }): number {
  const s = state.step;
  if (typeof s === "number") {
    state.step = s + 1;
    return s + 1;
  }
  // float32, as PyTorch's `torch.tensor(0.)`: the count is exact up to 2^24 steps.
  s.buf[s.offset] += 1;
  s._bumpVersion();
  return s.buf[s.offset];
}

/** A fresh 0-dim float32 step counter, as `torch.tensor(0.)`. */
export function zeroStep(): Tensor {
  return Tensor.empty([], "float32");
}

/** Throws PyTorch's `Invalid <what> value: <v>` unless `ok`. */
export function check(ok: boolean, cls: string, message: string): void {
  if (!ok) throw new Error(`${cls}: ${message}`);
}
