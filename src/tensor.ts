import { type DType, type TypedArray, allocate, allocateForOutput, castScalar, isFloating } from "./dtype.js";
import { contiguousStrides, isContiguous, numel, type Shape } from "./layout.js";
import { AccumulateGrad, type Node } from "./autograd/node.js";
import { isGradEnabled } from "./autograd/grad-mode.js";

/** Shared by a storage and all its views: bumped by every in-place write (autograd's saved-tensor check). */
export interface VersionCounter {
  value: number;
}

/**
 * A strided view over a typed array: the unit every backend kernel works on.
 * Element (i0, i1, …) lives at `buf[offset + Σ ik·strides[k]]`.
 */
export interface View {
  readonly buf: TypedArray;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

/**
 * An n-dimensional array with autograd, as `torch.Tensor`.
 *
 * Views (`view`, `permute`, `narrow`, indexing, …) share `buf` with their base. Memory is the garbage
 * collector's job: there is no `dispose()`.
 */
export class Tensor implements View {
  /** The storage (shared by views). Read it through `toTypedArray()` unless you handle strides. */
  buf: TypedArray;
  dtype: DType;
  shape: number[];
  strides: number[];
  offset: number;
  /** @internal */ _version: VersionCounter;
  /** @internal */ _requiresGrad = false;
  /** Accumulated gradient of a leaf (or of a non-leaf after `retainGrad()`). */
  grad: Tensor | null = null;
  /** The backward node that produced this tensor; null for leaves. */
  gradFn: Node | null = null;
  /** @internal which output of `gradFn` this tensor is. */
  _outputNr = 0;
  /** @internal the leaf's AccumulateGrad node, shared by all uses of the leaf. */
  _gradAccumulator: AccumulateGrad | null = null;
  /** @internal the tensor this one views (the root of a chain of views), if any; in-place writes through the view reach it. */
  _base: Tensor | null = null;

  constructor(
    buf: TypedArray,
    dtype: DType,
    shape: readonly number[],
    strides?: readonly number[],
    offset = 0,
    version?: VersionCounter,
  ) {
    this.buf = buf;
    this.dtype = dtype;
    this.shape = shape.slice();
    this.strides = strides ? strides.slice() : contiguousStrides(shape);
    this.offset = offset;
    this._version = version ?? { value: 0 };
  }

  /** A fresh contiguous tensor of `shape` (zero-filled). */
  static empty(shape: Shape, dtype: DType = "float32"): Tensor {
    return new Tensor(allocate(dtype, numel(shape)), dtype, shape);
  }

  /**
   * @internal A fresh contiguous tensor for a kernel that writes every element before anything reads it
   * (elementwise maps, convolutions, GEMM with beta = 0, pooling forward): not zero-filled on Node.
   */
  static forOutput(shape: Shape, dtype: DType = "float32"): Tensor {
    return new Tensor(allocateForOutput(dtype, numel(shape)), dtype, shape);
  }

  /** A view of this tensor's storage with other geometry (autograd-agnostic; ops wrap it). */
  _viewAs(shape: readonly number[], strides: readonly number[], offset: number): Tensor {
    const t = new Tensor(this.buf, this.dtype, shape, strides, offset, this._version);
    t._base = this._base ?? this;
    return t;
  }

  get requiresGrad(): boolean {
    return this._requiresGrad;
  }

  set requiresGrad(v: boolean) {
    this.requiresGrad_(v);
  }

  /** Sets `requiresGrad` on a leaf (in place, returns this). */
  requiresGrad_(v = true): this {
    if (!v && this.gradFn !== null) {
      throw new Error(
        "requiresGrad_: you can only change requires_grad flags of leaf variables. If you want to use a " +
          "computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().",
      );
    }
    if (v && !isFloating(this.dtype)) {
      throw new Error(`requiresGrad_: only Tensors of floating point dtype can require gradients (got ${this.dtype})`);
    }
    this._requiresGrad = v;
    return this;
  }

  /** True for tensors not produced by a recorded op (user-created, or requiresGrad false). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** Number of dimensions. */
  dim(): number {
    return this.shape.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  numel(): number {
    return numel(this.shape);
  }

  /** `size()` → the shape; `size(d)` → its length along `d` (negative counts from the end). */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return this.shape.slice();
    const n = this.shape.length;
    if (dim < -n || dim >= n) {
      throw new RangeError(`size: Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
    }
    return this.shape[dim < 0 ? dim + n : dim];
  }

  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number {
    if (dim === undefined) return this.strides.slice();
    return this.strides[dim < 0 ? dim + this.strides.length : dim];
  }

  isContiguous(): boolean {
    return isContiguous(this.shape, this.strides);
  }

  isFloatingPoint(): boolean {
    return isFloating(this.dtype);
  }

  /** The current version of the storage (incremented by in-place ops). */
  get version(): number {
    return this._version.value;
  }

  /** Reads element (i0, i1, …) — slow, for tests and printing. */
  _get(index: readonly number[]): number {
    let p = this.offset;
    for (let i = 0; i < index.length; i++) p += index[i] * this.strides[i];
    return this.buf[p];
  }

  /** The value of a one-element tensor, as `tensor.item()`. */
  item(): number {
    if (this.numel() !== 1) {
      throw new Error(`item: a Tensor with ${this.numel()} elements cannot be converted to Scalar`);
    }
    const v = this.buf[this.offset];
    return this.dtype === "bool" ? v : v;
  }

  /** The values as nested arrays (booleans for bool tensors), as `tensor.tolist()`. */
  tolist(): any {
    const rec = (dim: number, off: number): any => {
      if (dim === this.shape.length) {
        const v = this.buf[off];
        return this.dtype === "bool" ? v !== 0 : v;
      }
      const out = new Array(this.shape[dim]);
      for (let i = 0; i < this.shape[dim]; i++) out[i] = rec(dim + 1, off + i * this.strides[dim]);
      return out;
    };
    return rec(0, this.offset);
  }

  /**
   * The elements in row-major order as a typed array of the storage type. Returns the storage itself
   * (no copy) when this tensor is contiguous and covers it exactly; a copy otherwise.
   */
  toTypedArray(): TypedArray {
    const n = this.numel();
    if (this.isContiguous() && this.offset === 0 && this.buf.length === n) return this.buf;
    const out = allocate(this.dtype, n);
    stridedGather(this, out);
    return out;
  }

  /**
   * A tensor sharing storage but detached from the graph, as `tensor.detach()`. It is no view for autograd:
   * in-place writes through it bump the shared version but never reach the original's history.
   */
  detach(): Tensor {
    return new Tensor(this.buf, this.dtype, this.shape, this.strides, this.offset, this._version);
  }

  /** `tensor.data`: the detached tensor sharing storage. */
  get data(): Tensor {
    return this.detach();
  }

  /**
   * `tensor.data = other`: this tensor now uses `other`'s storage, shape and dtype (as in PyTorch, the
   * autograd history and requires-grad flag are kept; it is how the seeds set `linear.weight.data`).
   */
  set data(other: Tensor) {
    if (!(other instanceof Tensor)) throw new TypeError("data: assigned value must be a Tensor");
    this.buf = other.buf;
    this.dtype = other.dtype;
    this.shape = other.shape.slice();
    this.strides = other.strides.slice();
    this.offset = other.offset;
    this._version = other._version;
    if (this._gradAccumulator) this._gradAccumulator.outputMeta = [{ shape: this.shape.slice(), dtype: this.dtype }];
  }

  /** Keeps `.grad` for a non-leaf tensor after backward, as `retain_grad()`. */
  retainGrad(): void {
    if (!this._requiresGrad) throw new Error("retainGrad: can't retain_grad on Tensor that has requires_grad=False");
    if (this.gradFn === null) return; // leaves always keep their grad
    (this.gradFn.retained ??= new Map()).set(this._outputNr, this);
  }

  get retainsGrad(): boolean {
    return this.gradFn?.retained?.get(this._outputNr) === this;
  }

  /** @internal the edge autograd follows from this tensor, or null if it does not require grad. */
  _edge(): { node: Node; outputNr: number } | null {
    if (!this._requiresGrad) return null;
    if (this.gradFn) return { node: this.gradFn, outputNr: this._outputNr };
    this._gradAccumulator ??= new AccumulateGrad(this);
    return { node: this._gradAccumulator, outputNr: 0 };
  }

  /** @internal errors for an in-place write to this tensor under the current grad mode. */
  _checkInplace(op: string): void {
    if (!isGradEnabled()) return;
    if (this._requiresGrad && this.gradFn === null) {
      throw new Error(`${op}: a leaf Variable that requires grad is being used in an in-place operation.`);
    }
    const base = this._base;
    if (base !== null && base.buf === this.buf && base._requiresGrad && base.gradFn === null) {
      throw new Error(`${op}: a view of a leaf Variable that requires grad is being used in an in-place operation.`);
    }
  }

  /** @internal marks the storage as modified. */
  _bumpVersion(): void {
    this._version.value++;
  }

  /** Writes a JS number into every element (internal helper for creation functions). */
  _fillRaw(v: number): void {
    const c = castScalar(v, this.dtype);
    if (this.isContiguous()) {
      this.buf.fill(c, this.offset, this.offset + this.numel());
    } else {
      forEachOffset(this, (p) => (this.buf[p] = c));
    }
  }
}

/** Calls `fn` with the storage offset of every element, row-major (slow path for odd layouts). */
export function forEachOffset(v: View, fn: (p: number) => void): void {
  const nd = v.shape.length;
  const n = numel(v.shape);
  if (n === 0) return;
  if (nd === 0) {
    fn(v.offset);
    return;
  }
  const idx = new Array<number>(nd).fill(0);
  let p = v.offset;
  for (let k = 0; k < n; k++) {
    fn(p);
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++;
      p += v.strides[d];
      if (idx[d] < v.shape[d]) break;
      p -= v.strides[d] * v.shape[d];
      idx[d] = 0;
    }
  }
}

/** Copies a strided view into a contiguous array (row-major); the innermost dim runs as a plain loop. */
export function stridedGather(v: View, out: TypedArray): void {
  const nd = v.shape.length;
  const n = numel(v.shape);
  if (n === 0) return;
  const buf = v.buf;
  if (nd === 0) {
    out[0] = buf[v.offset];
    return;
  }
  const inner = v.shape[nd - 1];
  const step = v.strides[nd - 1];
  const idx = new Array<number>(nd).fill(0);
  let p = v.offset;
  for (let i = 0; i < n; i += inner) {
    for (let j = 0, q = p; j < inner; j++, q += step) out[i + j] = buf[q];
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      p += v.strides[d];
      if (idx[d] < v.shape[d]) break;
      p -= v.strides[d] * v.shape[d];
      idx[d] = 0;
    }
  }
}

export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}
