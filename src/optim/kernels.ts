/**
 * The optimizers' update loops: one pass over flat typed arrays per parameter, generated per dtype.
 *
 * Rounding: for float32 every PyTorch op in the update is rounded to float32 where PyTorch rounds it, so a
 * step reproduces PyTorch's CPU arithmetic bit for bit (checked against PyTorch 1.13 on 10⁵ random
 * values per op): scalars are converted to float32 first; `add_(x, alpha)` is one fused multiply-add
 * (`R(a + α·x)`, one rounding: the float product is exact in float64); `addcmul_(x, y, value)` is
 * `R(a + R(v·x)·y)`; `addcdiv_(x, y, value)` is `R(a + R(R(v·x)/y))`; `mul_`, `sqrt`, `/ scalar` and
 * `add_(scalar)` round once each. The loop source is generated per dtype with `Math.fround` spliced in
 * (float64 needs none): a rounding function passed as an argument makes V8's call sites polymorphic
 * and the loop 5× slower.
 */
import { Tensor } from "../tensor.js";
import type { DType } from "../dtype.js";
import { backend } from "../backend/backend.js";

export type FloatArray = Float32Array | Float64Array;

/** How a kernel source rounds an expression to the parameter's dtype. */
export type Rounder = (expr: string) => string;

const compiled = new Map<string, (...args: any[]) => void>();

/**
 * Compiles (once per `key` and dtype) a loop `function(args) { body }`; `body(R)` writes the source with
 * `R(expr)` wherever PyTorch rounds to the tensor dtype.
 */
export function kernel(key: string, dtype: DType, args: string, body: (R: Rounder) => string): (...args: any[]) => void {
  const k = `${key}|${dtype}`;
  let fn = compiled.get(k);
  if (!fn) {
    const R: Rounder = dtype === "float32" ? (e) => `Math.fround(${e})` : (e) => `(${e})`;
    fn = new Function(args, body(R)) as (...args: any[]) => void;
    compiled.set(k, fn);
  }
  return fn;
}

/** A Python float scalar as PyTorch hands it to a kernel on a tensor of `dtype` (`scalar.to<scalar_t>()`). */
export function scalar(x: number, dtype: DType): number {
  return dtype === "float32" ? Math.fround(x) : x;
}

/** The elements of a contiguous tensor as a typed array sharing its storage, or null if it is strided. */
function flat(t: Tensor): FloatArray | null {
  if (!t.isContiguous()) return null;
  return (t.buf as FloatArray).subarray(t.offset, t.offset + t.numel());
}

function contiguousCopy(t: Tensor): Tensor {
  const c = Tensor.empty(t.shape, t.dtype);
  backend().copy(t, c);
  return c;
}

/**
 * Runs one parameter's update on flat arrays: `run(param, grad, buffers)`, all of the parameter's length.
 * Strided operands go through contiguous copies (written back for the parameter and the buffers). Every
 * written tensor's version is bumped, as PyTorch's in-place ops do.
 */
export function updateFlat(
  op: string,
  param: Tensor,
  grad: Tensor,
  buffers: readonly Tensor[],
  run: (p: FloatArray, g: FloatArray, bufs: FloatArray[]) => void,
): void {
  if (param.dtype !== "float32" && param.dtype !== "float64") {
    throw new TypeError(`${op}: can only optimize floating-point parameters, got a parameter of dtype ${param.dtype}`);
  }
  const n = param.numel();
  if (grad.numel() !== n) {
    throw new Error(`${op}: a gradient has ${grad.numel()} elements but its parameter has ${n}`);
  }
  const writeBack: Array<[Tensor, Tensor]> = [];
  const writable = (t: Tensor): FloatArray => {
    const f = flat(t);
    if (f) return f;
    const c = contiguousCopy(t);
    writeBack.push([c, t]);
    return c.buf as FloatArray;
  };
  const p = writable(param);
  const g = flat(grad) ?? (contiguousCopy(grad).buf as FloatArray);
  const bufs = buffers.map(writable);
  run(p, g, bufs);
  for (const [c, t] of writeBack) backend().copy(c, t);
  param._bumpVersion();
  for (const b of buffers) b._bumpVersion();
}
