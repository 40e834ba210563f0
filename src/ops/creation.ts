import { Tensor } from "../tensor.js";
import { type DType, type TypedArray, DTYPES, allocate, castScalar } from "../dtype.js";
import { numel } from "../layout.js";

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
  const buf = allocate(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) buf[i] = castScalar(flat[i], dtype);
  return finish(new Tensor(buf, dtype, shape), opts);
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
