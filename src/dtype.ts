/**
 * Data types and PyTorch's type promotion.
 *
 * Storage: float32 → Float32Array, float64 → Float64Array, int32 → Int32Array, uint8 and bool → Uint8Array.
 * int64 is stored in a Float64Array: every integer with |x| < 2^53 is exact, arithmetic stays on the fast
 * double path, and labels/indices never need BigInt. Values beyond 2^53 are not representable (documented
 * limitation; PyTorch's int64 range is wider).
 */
import { noteAllocated, REUSE_MIN_BYTES, takeFree } from "./storage-reuse.js";

export type DType = "float32" | "float64" | "int32" | "int64" | "uint8" | "bool";

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export const float32: DType = "float32";
export const float64: DType = "float64";
export const int32: DType = "int32";
export const int64: DType = "int64";
export const uint8: DType = "uint8";
export const bool: DType = "bool";
/** PyTorch aliases. */
export const float: DType = "float32";
export const double: DType = "float64";
export const long: DType = "int64";
export const int: DType = "int32";

export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "int64", "uint8", "bool"];

/**
 * Storage for `size` elements whose contents do not matter: every element is written before it is read
 * (a kernel's output). From `REUSE_MIN_BYTES` on, a freed gradient's buffer (storage-reuse.ts) or, when the
 * platform registered one, uninitialized memory (`torch-ts/node` registers Node's Buffer pool-less
 * allocator, as `torch.empty` is in PyTorch); zero-filled below that, where clearing costs less than the call.
 */
export function allocateForOutput(dtype: DType, size: number): TypedArray {
  const bytes = size * elementSize(dtype);
  if (bytes >= REUSE_MIN_BYTES) {
    const ab = takeFree(bytes) ?? (uninitialized === null ? null : uninitialized(bytes));
    if (ab !== null) {
      noteAllocated(ab);
      return viewOf(dtype, ab, size);
    }
  }
  return allocate(dtype, size);
}

let uninitialized: ((bytes: number) => ArrayBuffer) | null = null;

/** @internal Registered by the Node entry: returns an ArrayBuffer of exactly `bytes` bytes, contents undefined. */
export function setUninitializedAllocator(f: ((bytes: number) => ArrayBuffer) | null): void {
  uninitialized = f;
}

/** Zero-filled storage for `size` elements. */
export function allocate(dtype: DType, size: number): TypedArray {
  const bytes = size * elementSize(dtype);
  if (bytes < REUSE_MIN_BYTES) return zeroed(dtype, size);
  const reused = takeFree(bytes);
  const out = reused === null ? zeroed(dtype, size) : viewOf(dtype, reused, size).fill(0);
  noteAllocated(out.buffer as ArrayBuffer);
  return out;
}

function zeroed(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(size);
    case "float64":
    case "int64":
      return new Float64Array(size);
    case "int32":
      return new Int32Array(size);
    case "uint8":
    case "bool":
      return new Uint8Array(size);
  }
}

function viewOf(dtype: DType, ab: ArrayBuffer, size: number): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(ab, 0, size);
    case "float64":
    case "int64":
      return new Float64Array(ab, 0, size);
    case "int32":
      return new Int32Array(ab, 0, size);
    case "uint8":
    case "bool":
      return new Uint8Array(ab, 0, size);
  }
}

export function isFloating(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64";
}

export function isIntegral(dtype: DType, includeBool = false): boolean {
  return dtype === "int32" || dtype === "int64" || dtype === "uint8" || (includeBool && dtype === "bool");
}

/** Category order used by promotion: bool < integer < floating. */
function category(d: DType): number {
  return d === "bool" ? 0 : isFloating(d) ? 2 : 1;
}

const RANK: Record<DType, number> = { bool: 0, uint8: 1, int32: 2, int64: 3, float32: 4, float64: 5 };

/** `torch.promote_types` for the dtypes torch-ts has. */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  return RANK[a] >= RANK[b] ? a : b;
}

/** What a Python scalar operand of this kind is. */
export type ScalarKind = "bool" | "int" | "float";

export function scalarKind(v: number | boolean): ScalarKind {
  if (typeof v === "boolean") return "bool";
  return Number.isInteger(v) ? "int" : "float";
}

/**
 * Result dtype of an op between tensors and Python scalars (`torch.result_type`):
 * dimensioned tensors decide within their category; a 0-dim tensor or a scalar only wins when it is of a
 * higher category (a float scalar with an int tensor gives the default float dtype, float32).
 */
export function resultType(
  operands: Array<{ dtype: DType; shape: readonly number[] } | number | boolean>,
): DType {
  let dimRes: DType | null = null;
  let zeroRes: DType | null = null;
  let scalarCat = -1;
  for (const o of operands) {
    if (typeof o === "number" || typeof o === "boolean") {
      const k = scalarKind(o);
      scalarCat = Math.max(scalarCat, k === "bool" ? 0 : k === "int" ? 1 : 2);
    } else if (o.shape.length > 0) {
      dimRes = dimRes === null ? o.dtype : promoteTypes(dimRes, o.dtype);
    } else {
      zeroRes = zeroRes === null ? o.dtype : promoteTypes(zeroRes, o.dtype);
    }
  }
  let res: DType | null = dimRes;
  if (zeroRes !== null) {
    if (res === null || category(zeroRes) > category(res)) res = zeroRes;
  }
  if (scalarCat >= 0) {
    const scalarDefault: DType = scalarCat === 0 ? "bool" : scalarCat === 1 ? "int64" : "float32";
    if (res === null || scalarCat > category(res)) res = scalarDefault;
  }
  return res ?? "float32";
}

/** Converts a JS value to what storage of `dtype` holds (truncation toward zero for ints, as a C cast). */
export function castScalar(v: number, dtype: DType): number {
  switch (dtype) {
    case "float32":
      return Math.fround(v);
    case "float64":
      return v;
    case "int32":
      return v | 0;
    case "int64":
      return Math.trunc(v) + 0; // + 0 turns -0 (from truncating -0.5) into 0: integers have no sign of zero
    case "uint8":
      return ((Math.trunc(v) % 256) + 256) % 256;
    case "bool":
      return v !== 0 ? 1 : 0;
  }
}

/** Size in bytes of one element as PyTorch stores it (used for memory reports and checkpoints). */
export function elementSize(dtype: DType): number {
  switch (dtype) {
    case "float32":
    case "int32":
      return 4;
    case "float64":
    case "int64":
      return 8;
    case "uint8":
    case "bool":
      return 1;
  }
}
