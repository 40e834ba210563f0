import { longLivedTensor } from "../long-lived.js";
import { Tensor } from "../tensor.js";
import { type DType, type TypedArray, DTYPES, allocate, castScalar } from "../dtype.js";
import { numel } from "../layout.js";
import { fma32, fma64 } from "../fma.js";

export interface CreationOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

/** Nested arrays of numbers/booleans, a typed array, or a scalar: what `torch.tensor` accepts. */
export type NestedData = number | boolean | TypedArray | readonly NestedData[];

export function checkDtype(dtype: unknown, op: string): DType {
  if (!DTYPES.includes(dtype as DType)) {
    throw new TypeError(`${op}: unknown dtype ${JSON.stringify(dtype)} (expected one of ${DTYPES.join(", ")})`);
  }
  return dtype as DType;
}

function finish(t: Tensor, opts: CreationOptions): Tensor {
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

function typedDtype(a: TypedArray): DType {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int32Array) return "int32";
  return "uint8";
}

function inferShape(data: NestedData, op: string): number[] {
  const shape: number[] = [];
  let cur: NestedData = data;
  while (Array.isArray(cur) || ArrayBuffer.isView(cur)) {
    const arr = cur as ArrayLike<NestedData>;
    shape.push(arr.length);
    if (arr.length === 0) break;
    cur = arr[0];
  }
  if (typeof cur !== "number" && typeof cur !== "boolean" && !(Array.isArray(cur) && cur.length === 0)) {
    throw new TypeError(`${op}: could not infer dtype of ${cur === null ? "null" : typeof cur}`);
  }
  return shape;
}

/**
 * A tensor copied from nested arrays, a typed array or a scalar, as `torch.tensor(data)`.
 * Inferred dtype: bool for booleans, int64 for integers, float32 when any value is fractional or non-finite;
 * a typed array keeps its own type (Float32Array → float32, Float64Array → float64, …).
 *
 * @example
 * torch.tensor([[1, 2], [3, 4]], { dtype: "float32" }).shape // [2, 2]
 */
export function tensor(data: NestedData, opts: CreationOptions = {}): Tensor {
  if (data instanceof Tensor) {
    throw new TypeError("tensor: got a Tensor; use x.clone().detach() to copy a tensor");
  }
  const shape = inferShape(data, "tensor");
  const flat: number[] = [];
  let sawFloat = false;
  let sawBool = false;
  let sawNumber = false;
  let typed: DType | null = null;
  const walk = (d: NestedData, dim: number): void => {
    if (dim === shape.length) {
      if (typeof d === "boolean") {
        sawBool = true;
        flat.push(d ? 1 : 0);
      } else if (typeof d === "number") {
        sawNumber = true;
        if (!Number.isInteger(d)) sawFloat = true;
        flat.push(d);
      } else {
        throw new TypeError(`tensor: expected a number or boolean at dim ${dim}, got ${typeof d}`);
      }
      return;
    }
    if (!Array.isArray(d) && !ArrayBuffer.isView(d)) {
      throw new Error(`tensor: expected sequence of length ${shape[dim]} at dim ${dim} (got a scalar)`);
    }
    const arr = d as ArrayLike<NestedData>;
    if (arr.length !== shape[dim]) {
      throw new Error(`tensor: expected sequence of length ${shape[dim]} at dim ${dim} (got ${arr.length})`);
    }
    if (ArrayBuffer.isView(d) && dim === shape.length - 1) {
      typed ??= typedDtype(d as TypedArray);
      for (let i = 0; i < arr.length; i++) flat.push(arr[i] as number);
      sawNumber = true;
      return;
    }
    for (let i = 0; i < arr.length; i++) walk(arr[i], dim + 1);
  };
  walk(data, 0);
  if (sawBool && sawNumber) {
    // PyTorch promotes a mix of bools and numbers to the numbers' type.
    sawBool = false;
  }
  const inferred: DType = typed ?? (sawFloat ? "float32" : sawBool ? "bool" : flat.length === 0 ? "float32" : "int64");
  const dtype = opts.dtype === undefined ? inferred : checkDtype(opts.dtype, "tensor");
  if (flat.some((v) => !Number.isFinite(v)) && dtype !== "float32" && dtype !== "float64" && dtype !== "bool") {
    throw new RangeError(`tensor: cannot convert a non-finite value to integer dtype ${dtype}`);
  }
  const t = longLivedTensor(shape, dtype, "input");
  const buf = t.buf;
  for (let i = 0; i < flat.length; i++) buf[i] = castScalar(flat[i], dtype);
  return finish(t, opts);
}

function sizeArgs(op: string, args: Array<number | readonly number[] | CreationOptions | undefined>): {
  shape: number[];
  opts: CreationOptions;
} {
  let opts: CreationOptions = {};
  const rest = args.filter((a) => a !== undefined);
  if (rest.length && typeof rest[rest.length - 1] === "object" && !Array.isArray(rest[rest.length - 1])) {
    opts = rest.pop() as CreationOptions;
  }
  const shape = (rest.length === 1 && Array.isArray(rest[0]) ? (rest[0] as number[]) : (rest as number[])).slice();
  for (const s of shape) {
    if (typeof s !== "number" || !Number.isInteger(s) || s < 0) {
      throw new RangeError(`${op}: Trying to create tensor with negative or non-integer dimension ${String(s)}: ${JSON.stringify(shape)}`);
    }
  }
  if (opts.dtype !== undefined) checkDtype(opts.dtype, op);
  return { shape, opts };
}

type SizeArgs = Array<number | readonly number[] | CreationOptions | undefined>;

/** Zero-filled tensor, as `torch.zeros(*size, dtype=…)`. */
export function zeros(...args: SizeArgs): Tensor {
  const { shape, opts } = sizeArgs("zeros", args);
  return finish(Tensor.empty(shape, opts.dtype ?? "float32"), opts);
}

/** One-filled tensor, as `torch.ones`. */
export function ones(...args: SizeArgs): Tensor {
  const { shape, opts } = sizeArgs("ones", args);
  const t = Tensor.empty(shape, opts.dtype ?? "float32");
  t.buf.fill(1);
  return finish(t, opts);
}

/**
 * Uninitialized in PyTorch; zero-filled here (typed arrays are always initialized), as `torch.empty`.
 */
export function empty(...args: SizeArgs): Tensor {
  const { shape, opts } = sizeArgs("empty", args);
  return finish(Tensor.empty(shape, opts.dtype ?? "float32"), opts);
}

/** Tensor filled with `value`, as `torch.full(size, value)`; dtype inferred from the value like PyTorch. */
export function full(size: readonly number[], value: number | boolean, opts: CreationOptions = {}): Tensor {
  const { shape } = sizeArgs("full", [size]);
  const dtype =
    opts.dtype ?? (typeof value === "boolean" ? "bool" : Number.isInteger(value) ? "int64" : "float32");
  checkDtype(dtype, "full");
  const t = Tensor.empty(shape, dtype);
  t.buf.fill(castScalar(Number(value), dtype));
  return finish(t, opts);
}

const like = (x: Tensor, opts: CreationOptions): { shape: number[]; opts: CreationOptions } => ({
  shape: x.shape.slice(),
  opts: { dtype: opts.dtype ?? x.dtype, requiresGrad: opts.requiresGrad },
});

export function zerosLike(x: Tensor, opts: CreationOptions = {}): Tensor {
  const l = like(x, opts);
  return zeros(l.shape, l.opts);
}
export function onesLike(x: Tensor, opts: CreationOptions = {}): Tensor {
  const l = like(x, opts);
  return ones(l.shape, l.opts);
}
export function emptyLike(x: Tensor, opts: CreationOptions = {}): Tensor {
  const l = like(x, opts);
  return empty(l.shape, l.opts);
}
export function fullLike(x: Tensor, value: number | boolean, opts: CreationOptions = {}): Tensor {
  const l = like(x, opts);
  return full(l.shape, value, l.opts);
}

/** Wraps an existing typed array without copying (shape defaults to 1-d), like `torch.from_numpy`. */
export function fromTypedArray(data: TypedArray, shape?: readonly number[], dtype?: DType): Tensor {
  const dt = dtype ?? typedDtype(data);
  const s = shape ?? [data.length];
  if (numel(s) !== data.length) {
    throw new Error(`fromTypedArray: shape ${JSON.stringify(s)} needs ${numel(s)} elements but the array has ${data.length}`);
  }
  const storage = allocate(dt, 0).constructor as new (b: ArrayBufferLike, o: number, l: number) => TypedArray;
  if (!(data instanceof storage)) {
    throw new TypeError(`fromTypedArray: dtype ${dt} is stored in ${storage.name}, got ${data.constructor.name}`);
  }
  return new Tensor(data, dt, s);
}

/**
 * The k-th value of PyTorch's CPU range loop: `cpu_serial_kernel_vec` writes 2·W-element blocks through
 * `Vectorized::arange(base, step)`, re-deriving `base` every W elements (W = 32 bytes / element size), and
 * the remainder one element at a time. `head(i)` is the loop's scalar formula, `lane(base, j)` a vector
 * lane; reproducing the blocking is what makes the rounding, and so the values, equal PyTorch's. (With
 * several threads PyTorch restarts the blocking at each thread's chunk of a range over 32768 elements; this
 * follows its single-threaded loop.)
 */
function rangeLoop(out: TypedArray, n: number, width: number, head: (i: number) => number, lane: (base: number, j: number) => number): void {
  const blocked = Math.floor(n / (2 * width)) * 2 * width;
  for (let i = 0; i < blocked; i += width) {
    const base = head(i);
    for (let j = 0; j < width; j++) out[i + j] = lane(base, j);
  }
  for (let i = blocked; i < n; i++) out[i] = head(i);
}

/** Vector width (elements per 256-bit register) of PyTorch's AVX2 kernels. */
const VEC_WIDTH: Record<DType, number> = { float32: 8, float64: 4, int32: 8, int64: 4, uint8: 32, bool: 32 };

function formatBound(v: number): string {
  return Number.isNaN(v) ? "nan" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : String(v);
}

/**
 * Values from `start` (default 0) up to but excluding `end` in steps of `step` (default 1), as
 * `torch.arange(start, end, step)`; length ⌈(end − start) / step⌉. Dtype: int64 when every argument is an
 * integer, else float32 (JavaScript cannot tell `5.0` from `5`: pass `{ dtype: "float32" }` for floats).
 *
 * @example
 * torch.arange(5) // tensor([0, 1, 2, 3, 4])
 * torch.arange(1, 2.5, 0.5) // tensor([1.0000, 1.5000, 2.0000])
 */
export function arange(end: number, opts?: CreationOptions): Tensor;
export function arange(start: number, end: number, opts?: CreationOptions): Tensor;
export function arange(start: number, end: number, step?: number, opts?: CreationOptions): Tensor;
export function arange(...args: Array<number | CreationOptions | undefined>): Tensor {
  const opts: CreationOptions = typeof args[args.length - 1] === "object" ? (args.pop() as CreationOptions) : {};
  const nums = args.filter((a): a is number => a !== undefined);
  for (const v of nums) {
    if (typeof v !== "number") throw new TypeError(`arange: expected numbers, got ${typeof v}`);
  }
  if (nums.length < 1 || nums.length > 3) throw new TypeError(`arange: expected 1 to 3 numbers, got ${nums.length}`);
  const [start, end, step] = nums.length === 1 ? [0, nums[0], 1] : [nums[0], nums[1], nums[2] ?? 1];
  const inferred: DType = nums.every((v) => Number.isInteger(v)) ? "int64" : "float32";
  const dtype = checkDtype(opts.dtype ?? inferred, "arange");
  if (dtype === "bool") throw new TypeError(`arange: "arange_cpu" not implemented for 'Bool'`);
  const floating = dtype === "float32" || dtype === "float64";
  // Integer outputs accumulate in int64, so PyTorch truncates the arguments first (step 0.5 → 0).
  const [xs, xe, xstep] = floating ? [start, end, step] : [Math.trunc(start), Math.trunc(end), Math.trunc(step)];
  let size: number;
  if (dtype === "int64") {
    const sgn = Math.sign(xstep);
    size = Math.trunc((xe - xs + xstep - sgn) / xstep);
  } else {
    size = Math.ceil((end - start) / step);
  }
  if (!(xstep > 0 || xstep < 0)) throw new RangeError("arange: step must be nonzero");
  if (!Number.isFinite(xs) || !Number.isFinite(xe)) {
    throw new RangeError(`arange: unsupported range: ${formatBound(xs)} -> ${formatBound(xe)}`);
  }
  if (!((xstep > 0 && xe >= xs) || (xstep < 0 && xe <= xs))) {
    throw new RangeError("arange: upper bound and larger bound inconsistent with step sign");
  }
  if (!(size >= 0 && size <= Number.MAX_SAFE_INTEGER)) throw new RangeError("arange: invalid size, possible overflow?");
  const t = Tensor.empty([size], dtype);
  if (floating) {
    // Computed in double with fused multiply-adds (as PyTorch's build), rounded to the dtype per element.
    const round = dtype === "float32" ? Math.fround : (v: number): number => v;
    rangeLoop(
      t.buf,
      size,
      VEC_WIDTH[dtype],
      (i) => round(fma64(xstep, i, xs)),
      (base, j) => round(fma64(j, xstep, base)),
    );
  } else {
    // `+ 0` turns a truncated -0 into the 0 an int64 holds.
    for (let i = 0; i < size; i++) t.buf[i] = castScalar(xs + xstep * i, dtype) + 0;
  }
  return finish(t, opts);
}

/**
 * `steps` values evenly spaced from `start` to `end` inclusive, as `torch.linspace(start, end, steps)`.
 * Default dtype float32. PyTorch computes the first half forward from `start` and the second half backward
 * from `end`, so both endpoints are exact.
 *
 * @example
 * torch.linspace(0, 1, 5) // tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
 */
export function linspace(start: number, end: number, steps: number, opts: CreationOptions = {}): Tensor {
  if (!Number.isInteger(steps)) throw new TypeError(`linspace: steps must be an integer, got ${steps}`);
  if (steps < 0) throw new RangeError("linspace: number of steps must be non-negative");
  const dtype = checkDtype(opts.dtype ?? "float32", "linspace");
  if (dtype === "bool") throw new TypeError(`linspace: "linspace_cpu" not implemented for 'Bool'`);
  const t = Tensor.empty([steps], dtype);
  if (steps === 1) {
    t.buf[0] = castScalar(start, dtype);
  } else if (steps > 1) {
    const halfway = Math.floor(steps / 2);
    if (dtype === "float32" || dtype === "float64") {
      // scalar_t arithmetic: the anchors use fused multiply-adds, the vector lanes plain `base + j·step`.
      const single = dtype === "float32";
      const r = single ? Math.fround : (v: number): number => v;
      const fma = single ? fma32 : fma64;
      const s = r(start);
      const e = r(end);
      const step = r(r(e - s) / (steps - 1));
      rangeLoop(
        t.buf,
        steps,
        VEC_WIDTH[dtype],
        (i) => (i < halfway ? fma(step, r(i), s) : fma(-step, r(steps - i - 1), e)),
        (base, j) => r(base + r(j * step)),
      );
    } else {
      // Integer outputs: a double step from the truncated endpoints; each value truncated back (`+ 0`: no -0).
      const s = Math.trunc(start);
      const e = Math.trunc(end);
      const step = (e - s) / (steps - 1);
      rangeLoop(
        t.buf,
        steps,
        VEC_WIDTH[dtype],
        (i) => castScalar(i < halfway ? fma64(step, i, s) : fma64(-step, steps - i - 1, e), dtype) + 0,
        (base, j) => castScalar(base + j * step, dtype) + 0,
      );
    }
  }
  return finish(t, opts);
}

/**
 * The n×m identity (ones on the main diagonal), as `torch.eye(n, m=n)`. Default dtype float32.
 *
 * @example
 * torch.eye(2) // tensor([[1., 0.], [0., 1.]])
 */
export function eye(n: number, m?: number | CreationOptions, opts: CreationOptions = {}): Tensor {
  if (typeof m === "object") {
    opts = m;
    m = undefined;
  }
  const cols = m ?? n;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`eye: n must be greater or equal to 0, got ${n}`);
  if (!Number.isInteger(cols) || cols < 0) throw new RangeError(`eye: m must be greater or equal to 0, got ${cols}`);
  const t = Tensor.empty([n, cols], checkDtype(opts.dtype ?? "float32", "eye"));
  for (let i = 0; i < Math.min(n, cols); i++) t.buf[i * cols + i] = 1;
  return finish(t, opts);
}
