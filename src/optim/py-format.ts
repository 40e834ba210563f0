/**
 * Python's spelling of values, for error messages and reprs that quote PyTorch's (`Invalid learning rate:
 * -0.1`, `betas: (0.9, 0.999)`), and the snake_case ↔ camelCase key mapping of state dicts.
 */
import { Tensor } from "../tensor.js";
import type { DType } from "../dtype.js";

/**
 * A number as Python's `repr(float)` writes it: shortest round-trip digits, exponent form below 1e-4 and
 * from 1e16 (`1e-05`, not JS's `0.00001`). Integral values print without a fraction, as the ints PyTorch's
 * defaults mostly are.
 */
export function pyNumber(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return String(x);
  const ax = Math.abs(x);
  if (ax >= 1e-4 && ax < 1e16) return String(x);
  const [mant, exp] = x.toExponential().split("e");
  const e = Number(exp);
  return `${mant}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

/** A value as Python's `repr` writes it: booleans `True`/`False`, null `None`, arrays as tuples. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return pyNumber(v);
  if (typeof v === "string") return `'${v}'`;
  if (Array.isArray(v)) return `(${v.map(pyRepr).join(", ")}${v.length === 1 ? "," : ""})`;
  if (v instanceof Tensor) return v.toString();
  return String(v);
}

const TENSOR_NAMES: Record<DType, string> = {
  float32: "Float",
  float64: "Double",
  int32: "Int",
  int64: "Long",
  uint8: "Byte",
  bool: "Bool",
};

/** `torch.typename(v)`: `torch.FloatTensor`, `int`, `float`, `str`, `NoneType`, or the class name. */
export function pyTypeName(v: unknown): string {
  if (v instanceof Tensor) return `torch.${TENSOR_NAMES[v.dtype]}Tensor`;
  if (v === null || v === undefined) return "NoneType";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "string") return "str";
  if (typeof v === "boolean") return "bool";
  if (Array.isArray(v)) return "list";
  return (v as object).constructor?.name ?? typeof v;
}

/** `weightDecay` → `weight_decay`, `_stepCount` → `_step_count` (PyTorch's state-dict keys). */
export function toSnake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** `weight_decay` → `weightDecay`; a leading underscore stays (`_step_count` → `_stepCount`). */
export function toCamel(key: string): string {
  return key.replace(/(?<=[a-z0-9])_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
