import { Tensor } from "../tensor.js";
import { type DType, isFloating } from "../dtype.js";
import { shapeEquals } from "../layout.js";
import { noGrad } from "../autograd/grad-mode.js";
import { to as castTo } from "../ops/cast.js";
import { Parameter } from "./parameter.js";
import { addIndent, torchSize } from "./repr.js";

/** `stateDict()`'s result: dotted names (`features.0.weight`) to detached tensors, in registration order. */
export type StateDict = Record<string, Tensor>;

/** What `loadStateDict` reports (and, with `strict`, refuses). */
export interface IncompatibleKeys {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** `hook(module, args)`: may return replacement args (an array, or one value for a single argument). */
export type ForwardPreHook = (module: Module, args: any[]) => unknown;
/** `hook(module, args, output)`: may return a replacement output. */
export type ForwardHook = (module: Module, args: any[], output: any) => unknown;

/** Returned by the `register*Hook` methods; `remove()` unregisters the hook. */
export class RemovableHandle {
  constructor(
    private readonly hooks: Map<number, unknown>,
    readonly id: number,
  ) {}
  remove(): void {
    this.hooks.delete(this.id);
  }
}

let nextHookId = 0;

/** `torch.typename`-like names for error messages (`torch.FloatTensor`, `int`, `str`, `Linear`). */
export function typeName(v: unknown): string {
  if (v instanceof Tensor) {
    const names: Record<DType, string> = {
      float32: "Float",
      float64: "Double",
      int32: "Int",
      int64: "Long",
      uint8: "Byte",
      bool: "Bool",
    };
    return `torch.${names[v.dtype]}Tensor`;
  }
  if (v === null || v === undefined) return "NoneType";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "string") return "str";
  if (typeof v === "boolean") return "bool";
  if (Array.isArray(v)) return "list";
  return (v as object).constructor?.name ?? typeof v;
}

/**
 * Intercepts attribute writes, as PyTorch's `Module.__setattr__`: a `Parameter` or `Module` assigned to
 * any attribute (including a class field, which is a property definition) is registered in order.
 */
const HANDLER: ProxyHandler<Module> = {
  set(target, key, value, receiver) {
    if (typeof key === "string" && target._setattr(key, value)) return true;
    return Reflect.set(target, key, value, receiver);
  },
  defineProperty(target, key, desc) {
    if (typeof key === "string" && "value" in desc && target._setattr(key, desc.value)) return true;
    return Reflect.defineProperty(target, key, desc);
  },
  deleteProperty(target, key) {
    if (typeof key === "string") {
      target._parameters.delete(key);
      target._buffers.delete(key);
      target._nonPersistentBuffers.delete(key);
      target._modules.delete(key);
    }
    return Reflect.deleteProperty(target, key);
  },
};

/**
 * Base class for all layers and models, as `torch.nn.Module`.
 *
 * Subclass it, declare layers and parameters as fields (or assign them in the constructor) and write
 * `forward`; assigned `Module`s and `Parameter`s are registered automatically, in assignment order, under
 * their attribute names (plain arrays of modules are not: use `ModuleList`). Run a module as in PyTorch,
 * `model(x)` (hooks, then `forward`; typed `any`), or `model.call(x)` (the same, typed by your `forward`),
 * or `model.forward(x)` (no hooks).
 *
 * Trap: TypeScript fields declared without an initializer (`weight: Parameter;`) are defined as `undefined`
 * after `super()` returns; such an `undefined` never unregisters anything.
 *
 * @example
 * class Tudui extends nn.Module {
 *   relu1 = new nn.ReLU();
 *   sigmoid1 = new nn.Sigmoid();
 *   forward(x: Tensor): Tensor {
 *     return this.sigmoid1.call(x);
 *   }
 * }
 * const model = new Tudui();
 * model.namedChildren().map(([n]) => n); // ["relu1", "sigmoid1"]
 * const y = model(torch.randn([2, 3]));
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Module {
  /** Whether the module is in training mode (`train()` / `eval()`). */
  declare training: boolean;
  /** @internal */ declare readonly _parameters: Map<string, Parameter | null>;
  /** @internal */ declare readonly _buffers: Map<string, Tensor | null>;
  /** @internal */ declare readonly _nonPersistentBuffers: Set<string>;
  /** @internal */ declare readonly _modules: Map<string, Module | null>;
  /** @internal */ declare readonly _forwardHooks: Map<number, ForwardHook>;
  /** @internal */ declare readonly _forwardPreHooks: Map<number, ForwardPreHook>;
  /** @internal the object behind the proxy (writes to it bypass registration). */
  declare readonly _raw: Module;

  constructor() {
    // The instance is a function (so `model(x)` works as in PyTorch) whose prototype is the subclass's;
    // an arrow function has no own `prototype`, and its `name`/`length` are dropped so fields may use them.
    const self = ((...args: any[]): any => (proxy as any).call(...args)) as unknown as Module;
    delete (self as { name?: string }).name;
    delete (self as { length?: number }).length;
    Object.setPrototypeOf(self, new.target.prototype);
    const hidden = (value: unknown, writable = false): PropertyDescriptor => ({ value, writable, enumerable: false, configurable: true });
    Object.defineProperties(self, {
      training: hidden(true, true),
      _parameters: hidden(new Map()),
      _buffers: hidden(new Map()),
      _nonPersistentBuffers: hidden(new Set()),
      _modules: hidden(new Map()),
      _forwardHooks: hidden(new Map()),
      _forwardPreHooks: hidden(new Map()),
      _raw: hidden(self),
    });
    // Subclass fields are defined on whatever the base constructor returns: the proxy sees them all.
    const proxy = new Proxy(self, HANDLER);
    return proxy;
  }

  /** The computation; subclasses override it. Call the module with `call` to run hooks too. */
  forward(..._args: any[]): any {
    throw new Error(`Module [${this._getName()}] is missing the required "forward" function`);
  }

  /** Runs forward pre-hooks, `forward`, then forward hooks, as calling `module(x)` in PyTorch. */
  call<T extends Module>(this: T, ...args: Parameters<T["forward"]>): ReturnType<T["forward"]> {
    let a: any[] = args;
    for (const hook of this._forwardPreHooks.values()) {
      const r = hook(this, a);
      if (r !== undefined) a = Array.isArray(r) ? r : [r];
    }
    let out = (this.forward as (...xs: any[]) => any)(...a);
    for (const hook of this._forwardHooks.values()) {
      const r = hook(this, a, out);
      if (r !== undefined) out = r;
    }
    return out;
  }

  /** Registers `hook(module, args)` to run before `forward` (its non-undefined result replaces the args). */
  registerForwardPreHook(hook: ForwardPreHook): RemovableHandle {
    const id = nextHookId++;
    this._forwardPreHooks.set(id, hook);
    return new RemovableHandle(this._forwardPreHooks, id);
  }

  /** Registers `hook(module, args, output)` to run after `forward` (its non-undefined result replaces the output). */
  registerForwardHook(hook: ForwardHook): RemovableHandle {
    const id = nextHookId++;
    this._forwardHooks.set(id, hook);
    return new RemovableHandle(this._forwardHooks, id);
  }

  /** @internal `__setattr__`: registers or updates `value` under `name`; false when it is a plain attribute. */
  _setattr(name: string, value: unknown): boolean {
    if (value instanceof Parameter) {
      this._buffers.delete(name);
      this._nonPersistentBuffers.delete(name);
      this._modules.delete(name);
      this._store(this._parameters, name, value);
      return true;
    }
    if (this._parameters.has(name)) {
      if (value === undefined) return true;
      if (value !== null) {
        throw new TypeError(`cannot assign '${typeName(value)}' as parameter '${name}' (torch.nn.Parameter or None expected)`);
      }
      this._store(this._parameters, name, null);
      return true;
    }
    if (value instanceof Module) {
      this._parameters.delete(name);
      this._buffers.delete(name);
      this._nonPersistentBuffers.delete(name);
      this._store(this._modules, name, value);
      return true;
    }
    if (this._modules.has(name)) {
      if (value === undefined) return true;
      if (value !== null) {
        throw new TypeError(`cannot assign '${typeName(value)}' as child module '${name}' (torch.nn.Module or None expected)`);
      }
      this._store(this._modules, name, null);
      return true;
    }
    if (this._buffers.has(name)) {
      if (value === undefined) return true;
      if (value !== null && !(value instanceof Tensor)) {
        throw new TypeError(`cannot assign '${typeName(value)}' as buffer '${name}' (torch.Tensor or None expected)`);
      }
      this._store(this._buffers, name, value);
      return true;
    }
    return false;
  }

  private _store<V>(map: Map<string, V>, name: string, value: V): void {
    map.set(name, value);
    Reflect.defineProperty(this._raw, name, { value, writable: true, enumerable: true, configurable: true });
  }

  /** `hasattr(self, name)` for registration checks; an `undefined` own field (a bare TS declaration) does not count. */
  private _hasAttr(name: string): boolean {
    if (!(name in this._raw)) return false;
    const own = Object.getOwnPropertyDescriptor(this._raw, name);
    return !(own && "value" in own && own.value === undefined);
  }

  /**
   * Adds a parameter (or `null`, a declared-but-absent parameter such as a disabled bias) under `name`,
   * as `register_parameter`.
   */
  registerParameter(name: string, param: Parameter | null): void {
    if (typeof name !== "string") throw new TypeError(`parameter name should be a string. Got ${typeName(name)}`);
    if (name.includes(".")) throw new Error(`parameter name can't contain "."`);
    if (name === "") throw new Error(`parameter name can't be empty string ""`);
    if (this._hasAttr(name) && !this._parameters.has(name)) throw new Error(`attribute '${name}' already exists`);
    if (param === null || param === undefined) {
      this._store(this._parameters, name, null);
      return;
    }
    if (!(param instanceof Parameter)) {
      throw new TypeError(`cannot assign '${typeName(param)}' object to parameter '${name}' (torch.nn.Parameter or None required)`);
    }
    if (param.gradFn !== null) {
      throw new Error(
        `Cannot assign non-leaf Tensor to parameter '${name}'. Model parameters must be created explicitly. ` +
          `To express '${name}' as a function of another Tensor, compute the value in the forward() method.`,
      );
    }
    this._store(this._parameters, name, param);
  }

  /**
   * Adds a tensor that is state but not a parameter (running statistics), as `register_buffer`. Persistent
   * buffers (the default) appear in `stateDict()`.
   */
  registerBuffer(name: string, tensor: Tensor | null, opts: { persistent?: boolean } = {}): void {
    if (typeof name !== "string") throw new TypeError(`buffer name should be a string. Got ${typeName(name)}`);
    if (name.includes(".")) throw new Error(`buffer name can't contain "."`);
    if (name === "") throw new Error(`buffer name can't be empty string ""`);
    if (this._hasAttr(name) && !this._buffers.has(name)) throw new Error(`attribute '${name}' already exists`);
    if (tensor !== null && tensor !== undefined && !(tensor instanceof Tensor)) {
      throw new TypeError(`cannot assign '${typeName(tensor)}' object to buffer '${name}' (torch Tensor or None required)`);
    }
    this._store(this._buffers, name, tensor ?? null);
    if (opts.persistent ?? true) this._nonPersistentBuffers.delete(name);
    else this._nonPersistentBuffers.add(name);
  }

  /** Adds a child module under `name`, as `add_module`. */
  addModule(name: string, module: Module | null): void {
    if (module !== null && !(module instanceof Module)) throw new TypeError(`${typeName(module)} is not a Module subclass`);
    if (typeof name !== "string") throw new TypeError(`module name should be a string. Got ${typeName(name)}`);
    if (this._hasAttr(name) && !this._modules.has(name)) throw new Error(`attribute '${name}' already exists`);
    if (name.includes(".")) throw new Error(`module name can't contain ".", got: ${name}`);
    if (name === "") throw new Error(`module name can't be empty string ""`);
    this._parameters.delete(name);
    this._buffers.delete(name);
    this._store(this._modules, name, module);
  }

  /** Alias of `addModule`, as `register_module`. */
  registerModule(name: string, module: Module | null): void {
    this.addModule(name, module);
  }

  /** This module and all below it with dotted names (`""` for this one), each once, parents first. */
  namedModules(memo?: Set<Module>, prefix = "", removeDuplicate = true): Array<[string, Module]> {
    const seen = memo ?? new Set<Module>();
    const out: Array<[string, Module]> = [];
    const rec = (m: Module, p: string): void => {
      if (removeDuplicate) {
        if (seen.has(m)) return;
        seen.add(m);
      }
      out.push([p, m]);
      for (const [name, child] of m._modules) {
        if (child) rec(child, p ? `${p}.${name}` : name);
      }
    };
    rec(this, prefix);
    return out;
  }

  /** This module and all below it, as `modules()`. */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Direct children with their names (each module once), as `named_children()`. */
  namedChildren(): Array<[string, Module]> {
    const seen = new Set<Module>();
    const out: Array<[string, Module]> = [];
    for (const [name, m] of this._modules) {
      if (m && !seen.has(m)) {
        seen.add(m);
        out.push([name, m]);
      }
    }
    return out;
  }

  /** Direct children, as `children()`. */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  private _namedMembers<T extends Tensor>(
    members: (m: Module) => Iterable<[string, T | null]>,
    prefix: string,
    recurse: boolean,
    removeDuplicate: boolean,
  ): Array<[string, T]> {
    const memo = new Set<Tensor>();
    const mods: Array<[string, Module]> = recurse ? this.namedModules(undefined, prefix, removeDuplicate) : [[prefix, this]];
    const out: Array<[string, T]> = [];
    for (const [mp, m] of mods) {
      for (const [k, v] of members(m)) {
        if (v === null || memo.has(v)) continue;
        if (removeDuplicate) memo.add(v);
        out.push([mp ? `${mp}.${k}` : k, v]);
      }
    }
    return out;
  }

  /** Parameters with dotted names (shared ones once), as `named_parameters(prefix, recurse, remove_duplicate)`. */
  namedParameters(prefix = "", recurse = true, removeDuplicate = true): Array<[string, Parameter]> {
    return this._namedMembers((m) => m._parameters, prefix, recurse, removeDuplicate);
  }

  /** All parameters (each once), what an optimizer takes, as `parameters()`. */
  parameters(recurse = true): Parameter[] {
    return this.namedParameters("", recurse).map(([, p]) => p);
  }

  /** Buffers (persistent or not) with dotted names, as `named_buffers()`. */
  namedBuffers(prefix = "", recurse = true, removeDuplicate = true): Array<[string, Tensor]> {
    return this._namedMembers((m) => m._buffers, prefix, recurse, removeDuplicate);
  }

  /** All buffers, as `buffers()`. */
  buffers(recurse = true): Tensor[] {
    return this.namedBuffers("", recurse).map(([, b]) => b);
  }

  /** Sets training mode here and below (affects Dropout, BatchNorm, RReLU); returns this. */
  train(mode = true): this {
    if (typeof mode !== "boolean") throw new TypeError("training mode is expected to be boolean");
    this.training = mode;
    for (const m of this._modules.values()) m?.train(mode);
    return this;
  }

  /** `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Sets `requiresGrad` on every parameter (freezing with `false`); returns this. */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /**
   * Clears parameter gradients, as `zero_grad(set_to_none=True)` (PyTorch 2.x default): `setToNone: false`
   * zeroes them in place instead.
   */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    const setToNone = opts.setToNone ?? true;
    for (const p of this.parameters()) {
      if (p.grad === null) continue;
      if (setToNone) {
        p.grad = null;
      } else {
        p.grad = p.grad.gradFn !== null ? p.grad.detach() : p.grad;
        if (p.grad.requiresGrad) p.grad.requiresGrad_(false);
        noGrad(() => p.grad!.zero_());
      }
    }
  }

  /** Calls `fn` on every submodule (children first) and this one, as `apply`; the usual init hook. */
  apply(fn: (m: Module) => void): this {
    for (const m of this.children()) m.apply(fn);
    fn(this);
    return this;
  }

  /** @internal replaces every parameter's data (keeping the Parameter object), gradient and buffer by `fn`. */
  _apply(fn: (t: Tensor) => Tensor): this {
    for (const m of this.children()) m._apply(fn);
    noGrad(() => {
      for (const p of this._parameters.values()) {
        if (!p) continue;
        p.data = fn(p.detach());
        if (p.grad) p.grad = fn(p.grad);
      }
      for (const [k, b] of this._buffers) {
        if (b) this._store(this._buffers, k, fn(b));
      }
    });
    return this;
  }

  /**
   * Casts floating-point parameters and buffers to `dtype` in place, as `module.to(dtype)`; `"cpu"` is
   * accepted (the only device). Returns this.
   */
  to(arg: DType | "cpu" | { dtype?: DType; device?: string }): this {
    const opts = typeof arg === "string" ? (arg === "cpu" ? { device: "cpu" } : { dtype: arg as DType }) : arg;
    if (opts.device !== undefined && opts.device !== "cpu") {
      throw new Error(`to: device '${opts.device}' is not available (torch-ts runs on the CPU)`);
    }
    const dtype = opts.dtype;
    if (dtype === undefined) return this;
    if (!isFloating(dtype)) {
      throw new TypeError(`nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=torch.${dtype}`);
    }
    return this._apply((t) => (isFloating(t.dtype) && t.dtype !== dtype ? castTo(t, dtype) : t));
  }

  /** Floating-point parameters and buffers to float64. */
  double(): this {
    return this.to("float64");
  }

  /** Floating-point parameters and buffers to float32. */
  float(): this {
    return this.to("float32");
  }

  /** No-op (torch-ts runs on the CPU); returns this. */
  cpu(): this {
    return this;
  }

  /**
   * Parameters and persistent buffers by dotted name, detached (sharing storage) unless `keepVars`, as
   * `state_dict()`. Shared tensors appear under every name that reaches them.
   */
  stateDict(opts: { prefix?: string; keepVars?: boolean; destination?: StateDict } = {}): StateDict {
    const dest: StateDict = opts.destination ?? {};
    const prefix = opts.prefix ?? "";
    const keep = opts.keepVars ?? false;
    for (const [k, p] of this._parameters) if (p) dest[prefix + k] = keep ? p : p.detach();
    for (const [k, b] of this._buffers) {
      if (b && !this._nonPersistentBuffers.has(k)) dest[prefix + k] = keep ? b : b.detach();
    }
    for (const [k, m] of this._modules) {
      if (m) m.stateDict({ destination: dest, prefix: `${prefix}${k}.`, keepVars: keep });
    }
    return dest;
  }

  /**
   * Copies tensors from `stateDict` into parameters and persistent buffers, as `load_state_dict`. With
   * `strict` (default) missing or unexpected keys throw PyTorch's report; shape mismatches always throw.
   */
  loadStateDict(stateDict: StateDict | Map<string, Tensor>, opts: { strict?: boolean } = {}): IncompatibleKeys {
    if (stateDict === null || typeof stateDict !== "object" || stateDict instanceof Tensor || Array.isArray(stateDict)) {
      throw new TypeError(`Expected state_dict to be dict-like, got ${typeName(stateDict)}.`);
    }
    const strict = opts.strict ?? true;
    const sd = stateDict instanceof Map ? stateDict : new Map(Object.entries(stateDict));
    const missing: string[] = [];
    const unexpected: string[] = [];
    const errors: string[] = [];
    const load = (m: Module, prefix: string): void => {
      m._loadFromStateDict(sd, prefix, missing, unexpected, errors);
      for (const [k, child] of m._modules) if (child) load(child, `${prefix}${k}.`);
    };
    load(this, "");
    if (strict) {
      if (unexpected.length) errors.unshift(`Unexpected key(s) in state_dict: ${unexpected.map((k) => `"${k}"`).join(", ")}. `);
      if (missing.length) errors.unshift(`Missing key(s) in state_dict: ${missing.map((k) => `"${k}"`).join(", ")}. `);
    }
    if (errors.length) {
      throw new Error(`Error(s) in loading state_dict for ${this._getName()}:\n\t${errors.join("\n\t")}`);
    }
    return { missingKeys: missing, unexpectedKeys: unexpected };
  }

  /** @internal this module's own entries of a state dict (PyTorch's `_load_from_state_dict`). */
  _loadFromStateDict(sd: Map<string, unknown>, prefix: string, missing: string[], unexpected: string[], errors: string[]): void {
    const local = new Map<string, Tensor>();
    for (const [k, p] of this._parameters) if (p) local.set(k, p);
    for (const [k, b] of this._buffers) if (b && !this._nonPersistentBuffers.has(k)) local.set(k, b);
    for (const [name, param] of local) {
      const key = prefix + name;
      if (!sd.has(key)) {
        missing.push(key);
        continue;
      }
      const raw = sd.get(key);
      if (!(raw instanceof Tensor)) {
        errors.push(
          `While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint but received ${typeName(raw)}`,
        );
        continue;
      }
      let input: Tensor = raw;
      // PyTorch's backward-compatibility rule: a 1-element 1-d entry loads into a 0-d parameter.
      if (param.dim() === 0 && input.dim() === 1) input = input._viewAs([], [], input.offset);
      if (!shapeEquals(input.shape, param.shape)) {
        errors.push(
          `size mismatch for ${key}: copying a param with shape ${torchSize(input.shape)} from checkpoint, ` +
            `the shape in current model is ${torchSize(param.shape)}.`,
        );
        continue;
      }
      const src = input;
      try {
        noGrad(() => param.copy_(src));
      } catch (e) {
        errors.push(
          `While copying the parameter named "${key}", whose dimensions in the model are ${torchSize(param.shape)} and ` +
            `whose dimensions in the checkpoint are ${torchSize(src.shape)}, an exception occurred : ${(e as Error).message}.`,
        );
      }
    }
    for (const key of sd.keys()) {
      if (!key.startsWith(prefix)) continue;
      const inputName = key.slice(prefix.length).split(".")[0];
      if (!this._modules.has(inputName) && !local.has(inputName)) unexpected.push(key);
    }
  }

  /** The submodule at a dotted path (`"features.0"`), as `get_submodule`. */
  getSubmodule(target: string): Module {
    if (target === "") return this;
    let mod: Module = this;
    for (const item of target.split(".")) {
      const next = mod._modules.get(item);
      if (!mod._modules.has(item)) throw new Error(`${mod._getName()} has no attribute \`${item}\``);
      if (!(next instanceof Module)) throw new Error(`\`${item}\` is not an nn.Module`);
      mod = next;
    }
    return mod;
  }

  /** The parameter at a dotted path (`"features.0.weight"`), as `get_parameter`. */
  getParameter(target: string): Parameter {
    const i = target.lastIndexOf(".");
    const mod = this.getSubmodule(i < 0 ? "" : target.slice(0, i));
    const name = target.slice(i + 1);
    if (!mod._parameters.has(name)) throw new Error(`${mod._getName()} has no attribute \`${name}\``);
    const p = mod._parameters.get(name);
    if (!(p instanceof Parameter)) throw new Error(`\`${name}\` is not an nn.Parameter`);
    return p;
  }

  /** The class name shown by `toString`. */
  _getName(): string {
    return this.constructor.name;
  }

  /** The module's own settings for `toString` (`in_features=3, out_features=4, bias=True`); "" by default. */
  extraRepr(): string {
    return "";
  }

  /** The module tree exactly as PyTorch's `repr(module)` / `print(model)`. */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split("\n") : [];
    const childLines: string[] = [];
    for (const [k, m] of this._modules) childLines.push(`(${k}): ${addIndent(m ? m.toString() : "None", 2)}`);
    const lines = [...extraLines, ...childLines];
    let s = `${this._getName()}(`;
    if (lines.length) {
      if (extraLines.length === 1 && childLines.length === 0) s += extraLines[0];
      else s += `\n  ${lines.join("\n  ")}\n`;
    }
    return `${s})`;
  }

  /** `console.log(model)` prints the tree. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

// Declaration merging gives instances the call signature of the function the constructor returns.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Module {
  (...args: any[]): any;
}
