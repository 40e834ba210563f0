import { Tensor } from "../../tensor.js";
import { Module, typeName } from "../module.js";
import { Parameter } from "../parameter.js";
import { addIndent } from "../repr.js";

/** Python's index rule: `-n <= i < n`, negatives count from the end. */
function absIndex(i: number, n: number, what = "index"): number {
  if (!Number.isInteger(i)) throw new TypeError(`${what} must be an integer, got ${i}`);
  if (i < -n || i >= n) throw new RangeError(`index ${i} is out of range`);
  return i < 0 ? i + n : i;
}

/** Replaces all children by `entries` (used where PyTorch rebuilds `_modules` to keep numbering). */
function resetModules(m: Module, entries: Array<[string, Module | null]>): void {
  for (const k of [...m._modules.keys()]) delete (m as any)[k];
  for (const [k, v] of entries) m.addModule(k, v);
}

function checkModule(m: unknown, op: string): Module {
  if (!(m instanceof Module)) throw new TypeError(`${op}: module should be of type: nn.Module (got ${typeName(m)})`);
  return m;
}

/**
 * Modules applied in order, each output feeding the next, as `torch.nn.Sequential`. Children are named
 * `"0"`, `"1"`, … or by the keys of a `Map`/record given as the only argument.
 *
 * Indexing: `get(i)`/`at(i)` (negative counts from the end), `slice(a, b)` (a Sequential keeping the
 * names), `set`, `append`, `insert`, `extend`, `pop`, `length`, and iteration over the modules.
 *
 * @example
 * const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
 * model.call(torch.randn([3, 4])).shape; // [3, 2]
 */
export class Sequential extends Module {
  constructor(...args: Module[] | [Map<string, Module> | Record<string, Module>]) {
    super();
    const first = args[0] as unknown;
    if (args.length === 1 && !(first instanceof Module) && first !== null && typeof first === "object") {
      const entries = first instanceof Map ? [...first] : Object.entries(first as Record<string, Module>);
      for (const [k, m] of entries) this.addModule(k, checkModule(m, "Sequential"));
    } else {
      args.forEach((m, i) => this.addModule(String(i), checkModule(m, "Sequential")));
    }
  }

  /** Number of modules, as `len(seq)`. */
  override get length(): number {
    return this._modules.size;
  }

  /**
   * The module at `idx` (negative counts from the end), as `seq[idx]`. Typed `any` unless you name the
   * type: `seq.get<nn.Linear>(0).weight`.
   */
  get<T extends Module = any>(idx: number): T {
    const vals = [...this._modules.values()];
    return vals[absIndex(idx, vals.length)] as T;
  }

  /** Alias of `get`. */
  at<T extends Module = any>(idx: number): T {
    return this.get<T>(idx);
  }

  /** A Sequential of the modules in `[start, end)` keeping their names, as `seq[start:end]`. */
  slice(start?: number, end?: number): Sequential {
    return new Sequential(new Map([...this._modules].slice(start, end) as Array<[string, Module]>));
  }

  /** Replaces the module at `idx`, as `seq[idx] = module`. */
  set(idx: number, module: Module): void {
    const keys = [...this._modules.keys()];
    (this as any)[keys[absIndex(idx, keys.length)]] = checkModule(module, "Sequential.set");
  }

  /** Removes the module at `idx` and renumbers, as `del seq[idx]` (PyTorch 2.x). */
  delete(idx: number): void {
    const entries = [...this._modules];
    entries.splice(absIndex(idx, entries.length), 1);
    resetModules(this, entries.map(([, m], i) => [String(i), m]));
  }

  /** Removes and returns the module at `idx`. */
  pop(idx: number): Module {
    const m: Module = this.get(idx);
    this.delete(idx);
    return m;
  }

  /** Adds `module` at the end (named by the current length); returns this. */
  append(module: Module): this {
    this.addModule(String(this.length), checkModule(module, "Sequential.append"));
    return this;
  }

  /** Inserts `module` before `index` (`-n <= index <= n`), shifting later numbered entries; returns this. */
  insert(index: number, module: Module): this {
    checkModule(module, "Sequential.insert");
    const n = this.length;
    if (!(index >= -n && index <= n)) throw new RangeError(`Index out of range: ${index}`);
    const at = index < 0 ? index + n : index;
    const vals = [...this._modules.values()];
    vals.splice(at, 0, module);
    resetModules(this, vals.map((m, i) => [String(i), m]));
    return this;
  }

  /** Appends every module of `modules`; returns this. */
  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  *[Symbol.iterator](): IterableIterator<Module> {
    for (const m of this._modules.values()) if (m) yield m;
  }

  /** Feeds `input` through every module in order. */
  override forward(input: any): any {
    let x = input;
    for (const m of this) x = m.call(x);
    return x;
  }
}

/**
 * A list of modules registered as children (`"0"`, `"1"`, …), as `torch.nn.ModuleList`. It has no
 * `forward`: iterate over it in your own.
 *
 * @example
 * const layers = new nn.ModuleList([new nn.Linear(4, 4), new nn.Linear(4, 4)]);
 * for (const l of layers) x = l.call(x);
 */
export class ModuleList extends Module {
  constructor(modules?: Iterable<Module>) {
    super();
    if (modules) this.extend(modules);
  }

  override get length(): number {
    return this._modules.size;
  }

  /** The module at `idx` (negative counts from the end); typed `any` unless named (`get<nn.Linear>(0)`). */
  get<T extends Module = any>(idx: number): T {
    return this._modules.get(String(absIndex(idx, this.length))) as T;
  }

  /** Alias of `get`. */
  at<T extends Module = any>(idx: number): T {
    return this.get<T>(idx);
  }

  /** A new ModuleList (renumbered from 0) of the modules in `[start, end)`. */
  slice(start?: number, end?: number): ModuleList {
    return new ModuleList([...this].slice(start, end));
  }

  /** Replaces the module at `idx`. */
  set(idx: number, module: Module): void {
    (this as any)[String(absIndex(idx, this.length))] = checkModule(module, "ModuleList.set");
  }

  /** Removes the module at `idx` and renumbers the rest. */
  delete(idx: number): void {
    const vals = [...this._modules.values()];
    vals.splice(absIndex(idx, vals.length), 1);
    resetModules(this, vals.map((m, i) => [String(i), m]));
  }

  /** Removes and returns the module at `idx`. */
  pop(idx: number): Module {
    const m: Module = this.get(idx);
    this.delete(idx);
    return m;
  }

  /** Adds `module` at the end; returns this. */
  append(module: Module): this {
    this.addModule(String(this.length), checkModule(module, "ModuleList.append"));
    return this;
  }

  /** Appends every module of `modules`; returns this. */
  extend(modules: Iterable<Module>): this {
    if (modules === null || typeof (modules as any)[Symbol.iterator] !== "function") {
      throw new TypeError(`ModuleList.extend should be called with an iterable, but got ${typeName(modules)}`);
    }
    for (const m of modules) this.append(m);
    return this;
  }

  /** Inserts `module` before `index`, as `list.insert`. */
  insert(index: number, module: Module): void {
    checkModule(module, "ModuleList.insert");
    const vals = [...this._modules.values()];
    const n = vals.length;
    const at = index < 0 ? Math.max(0, index + n) : Math.min(index, n);
    vals.splice(at, 0, module);
    resetModules(this, vals.map((m, i) => [String(i), m]));
  }

  *[Symbol.iterator](): IterableIterator<Module> {
    for (const m of this._modules.values()) if (m) yield m;
  }

  /**
   * PyTorch 2.x's repr, which folds runs of identical children: `(0-2): 3 x Linear(...)` (1.13 lists each).
   */
  override toString(): string {
    const reprs = [...this._modules.values()].map((m) => (m ? m.toString() : "None"));
    if (reprs.length === 0) return `${this._getName()}()`;
    const lines: string[] = [];
    let start = 0;
    for (let i = 1; i <= reprs.length; i++) {
      if (i < reprs.length && reprs[i] === reprs[start]) continue;
      const end = i - 1;
      const local = start === end ? `(${start}): ${reprs[start]}` : `(${start}-${end}): ${end - start + 1} x ${reprs[start]}`;
      lines.push(addIndent(local, 2));
      start = i;
    }
    return `${this._getName()}(\n  ${lines.join("\n  ")}\n)`;
  }
}

/**
 * Modules by name, registered as children in insertion order, as `torch.nn.ModuleDict`. Give a `Map` (or
 * `[key, module]` pairs) when keys look like integers: a plain object lists those first.
 *
 * @example
 * const heads = new nn.ModuleDict({ cls: new nn.Linear(8, 10), box: new nn.Linear(8, 4) });
 * heads.get("cls").call(x);
 */
export class ModuleDict extends Module {
  constructor(modules?: Map<string, Module> | Record<string, Module> | Iterable<[string, Module]>) {
    super();
    if (modules) this.update(modules);
  }

  override get length(): number {
    return this._modules.size;
  }

  /** The module under `key` (typed `any` unless named); throws when absent (Python's `KeyError`). */
  get<T extends Module = any>(key: string): T {
    if (!this._modules.has(key)) throw new Error(`ModuleDict: KeyError: '${key}'`);
    return this._modules.get(key) as T;
  }

  /** Adds or replaces the module under `key`. */
  set(key: string, module: Module): void {
    this.addModule(key, checkModule(module, "ModuleDict.set"));
  }

  has(key: string): boolean {
    return this._modules.has(key);
  }

  /** Removes the module under `key`. */
  delete(key: string): void {
    this.get(key);
    delete (this as any)[key];
  }

  /** Removes and returns the module under `key`. */
  pop(key: string): Module {
    const m: Module = this.get(key);
    this.delete(key);
    return m;
  }

  clear(): void {
    for (const k of [...this._modules.keys()]) delete (this as any)[k];
  }

  keys(): string[] {
    return [...this._modules.keys()];
  }

  values(): Module[] {
    return [...this._modules.values()] as Module[];
  }

  items(): Array<[string, Module]> {
    return [...this._modules] as Array<[string, Module]>;
  }

  /** Adds every entry of a Map, a record, a ModuleDict or `[key, module]` pairs. */
  update(modules: Map<string, Module> | Record<string, Module> | Iterable<[string, Module]> | ModuleDict): void {
    let entries: Array<[string, Module]>;
    if (modules instanceof ModuleDict) entries = modules.items();
    else if (modules instanceof Map) entries = [...modules];
    else if (typeof (modules as any)[Symbol.iterator] === "function") entries = [...(modules as Iterable<[string, Module]>)];
    else entries = Object.entries(modules as Record<string, Module>);
    for (const [k, m] of entries) this.set(k, m);
  }

  /** Iterates over the keys, as a Python dict. */
  *[Symbol.iterator](): IterableIterator<string> {
    yield* this._modules.keys();
  }
}

/**
 * A list of parameters registered under `"0"`, `"1"`, …, as `torch.nn.ParameterList`. Plain tensors are
 * wrapped in `Parameter`.
 *
 * @example
 * const ps = new nn.ParameterList([torch.randn([2, 3]), torch.randn([3])]);
 * ps.length; // 2
 */
export class ParameterList extends Module {
  constructor(values?: Iterable<Tensor>) {
    super();
    if (values) this.extend(values);
  }

  override get length(): number {
    return this._parameters.size;
  }

  /** The parameter at `idx` (negative counts from the end). */
  get(idx: number): Parameter {
    return this._parameters.get(String(absIndex(idx, this.length))) as Parameter;
  }

  /** Alias of `get`. */
  at(idx: number): Parameter {
    return this.get(idx);
  }

  /** Replaces the parameter at `idx`. */
  set(idx: number, param: Tensor): void {
    const k = String(absIndex(idx, this.length));
    (this as any)[k] = param instanceof Parameter ? param : new Parameter(param);
  }

  /** Adds a parameter at the end; returns this. */
  append(param: Tensor): this {
    if (!(param instanceof Tensor)) throw new TypeError(`ParameterList.append: expected a Tensor, got ${typeName(param)}`);
    this.registerParameter(String(this.length), param instanceof Parameter ? param : new Parameter(param));
    return this;
  }

  extend(values: Iterable<Tensor>): this {
    for (const v of values) this.append(v);
    return this;
  }

  *[Symbol.iterator](): IterableIterator<Parameter> {
    for (const p of this._parameters.values()) if (p) yield p;
  }

  override extraRepr(): string {
    return [...this]
      .map((p, k) => `  (${k}): Parameter containing: [torch.${p.dtype} of size ${p.shape.join("x")}]`)
      .join("\n");
  }
}

/**
 * Parameters by name, as `torch.nn.ParameterDict`. Plain tensors are wrapped in `Parameter`.
 *
 * @example
 * const pd = new nn.ParameterDict({ scale: torch.ones([3]) });
 */
export class ParameterDict extends Module {
  constructor(values?: Map<string, Tensor> | Record<string, Tensor>) {
    super();
    if (values) {
      for (const [k, v] of values instanceof Map ? [...values] : Object.entries(values)) this.set(k, v);
    }
  }

  override get length(): number {
    return this._parameters.size;
  }

  get(key: string): Parameter {
    const p = this._parameters.get(key);
    if (!p) throw new Error(`ParameterDict: KeyError: '${key}'`);
    return p;
  }

  set(key: string, value: Tensor): void {
    if (!(value instanceof Tensor)) throw new TypeError(`ParameterDict.set: expected a Tensor, got ${typeName(value)}`);
    const p = value instanceof Parameter ? value : new Parameter(value);
    if (this._parameters.has(key)) (this as any)[key] = p;
    else this.registerParameter(key, p);
  }

  has(key: string): boolean {
    return this._parameters.has(key);
  }

  delete(key: string): void {
    this.get(key);
    delete (this as any)[key];
  }

  keys(): string[] {
    return [...this._parameters.keys()];
  }

  values(): Parameter[] {
    return [...this._parameters.values()] as Parameter[];
  }

  items(): Array<[string, Parameter]> {
    return [...this._parameters] as Array<[string, Parameter]>;
  }

  *[Symbol.iterator](): IterableIterator<string> {
    yield* this._parameters.keys();
  }

  override extraRepr(): string {
    return this.items()
      .map(([k, p]) => `  (${k}): Parameter containing: [torch.${p.dtype} of size ${p.shape.join("x")}]`)
      .join("\n");
  }
}
