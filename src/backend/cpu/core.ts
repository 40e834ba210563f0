import type { View } from "../../tensor.js";
import type { CoreKernels, ElementwiseDescriptor } from "../interface/core.js";
import { isContiguous, numel } from "../../layout.js";
import { coalesce, compileMap, type CompiledMap } from "./compile-map.js";

const compiled = new Map<string, CompiledMap>();

function kernelFor(desc: ElementwiseDescriptor): CompiledMap {
  const key = `${desc.arity}:${desc.expr}`;
  let k = compiled.get(key);
  if (!k) {
    try {
      k = compileMap(desc.expr, desc.arity);
    } catch (e) {
      throw new Error(`cpu backend: cannot compile the kernel of '${desc.name}' (${desc.expr}): ${String(e)}`);
    }
    compiled.set(key, k);
  }
  return k;
}

/**
 * int64 lives in a Float64Array: results are truncated like a C cast, and `+ 0` turns the -0 that float
 * arithmetic can produce (neg(0), -1 * 0) into the 0 integers have.
 */
function forInt64(desc: ElementwiseDescriptor): ElementwiseDescriptor {
  return { name: `${desc.name}_int64`, arity: desc.arity, expr: `(Math.trunc(${desc.expr}) + 0)` };
}

function run(desc: ElementwiseDescriptor, inputs: readonly View[], out: View, p0: number, p1: number): void {
  if (numel(out.shape) === 0) return;
  if (out.dtype === "int64") desc = forInt64(desc);
  const c = coalesce(out.shape, [out.strides, ...inputs.map((v) => v.strides)]);
  kernelFor(desc)(
    out.buf,
    out.offset,
    c.strides[0],
    inputs.map((v) => v.buf),
    inputs.map((v) => v.offset),
    c.strides.slice(1),
    c.shape,
    p0,
    p1,
  );
}

const IDENTITY: ElementwiseDescriptor = { name: "copy", arity: 1, expr: "a" };

/** Integer storage truncates on store; bool storage needs 0/1, which `a !== 0` gives for any source. */
const TO_BOOL: ElementwiseDescriptor = { name: "copy_to_bool", arity: 1, expr: "a !== 0 ? 1 : 0" };

export const coreKernels: CoreKernels = {
  map(desc, inputs, out, params) {
    run(desc, inputs, out, params?.[0] ?? 0, params?.[1] ?? 0);
  },
  copy(src, dst) {
    // Same dtype, both row-major: one memcpy (TypedArray.set) instead of a compiled loop.
    if (src.dtype === dst.dtype && src.buf !== dst.buf && isContiguous(src.shape, src.strides) && isContiguous(dst.shape, dst.strides)) {
      const n = numel(dst.shape);
      // An empty view may carry any offset, even one past its storage.
      if (n > 0) dst.buf.set(src.buf.subarray(src.offset, src.offset + n), dst.offset);
      return;
    }
    // int64 destinations are truncated by `run` itself.
    run(dst.dtype === "bool" && src.dtype !== "bool" ? TO_BOOL : IDENTITY, [src], dst, 0, 0);
  },
  fill(dst, value) {
    run({ name: "fill", arity: 1, expr: "p0" }, [dst], dst, value, 0);
  },
};
