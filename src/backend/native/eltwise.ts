import type { View } from "../../tensor.js";
import type { CoreKernels, ElementwiseDescriptor } from "../interface/core.js";
import type { ReduceKernels } from "../interface/reduce.js";
import { cpuBackend } from "../cpu/index.js";
import { coalesce } from "../cpu/compile-map.js";
import type { NativeAddon } from "./addon.js";
import type { Attempt } from "./attempt.js";
import { hasNegativeStride, isDense } from "./dense.js";

/**
 * The elementwise expressions the addon runs natively (native/src/eltwise.cc `Op`), by arity and the exact
 * js expression of src/ops/elementwise.ts: a descriptor whose expression is not listed (or changes) runs
 * on the js backend, so a mismatch costs speed, never correctness.
 */
const OPS = new Map<string, number>([
  ["1:-a", 0],
  ["1:Math.abs(a)", 1],
  ["1:Math.exp(a)", 2],
  ["1:Math.log(a)", 3],
  ["1:Math.sqrt(a)", 4],
  ["1:Math.tanh(a)", 5],
  ["1:(a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a)))", 6],
  ["1:(a > 0 ? a : a !== a ? a : 0)", 7],
  ["1:a * a", 8],
  ["1:1 / a", 9],
  ["2:a + b", 10],
  ["2:a - b", 11],
  ["2:a * b", 12],
  ["2:a / b", 13],
  ["2:a * (1 - b) * b", 15],
  ["2:a * (1 - b * b)", 16],
]);

/** The addon's code of a same-dtype strided copy. */
const COPY = 14;

/** The addon's code for a descriptor, or undefined when the js backend runs it. */
export function nativeMapOp(desc: ElementwiseDescriptor): number | undefined {
  return OPS.get(`${desc.arity}:${desc.expr}`);
}

/**
 * Below this many elements the js loop is faster: a native call costs about 1.5 µs, what the js loop takes
 * for ~500 float32 multiplies (measured: 256 elements 1.9 vs 1.2 µs, 1024 elements 1.5 vs 3.6 µs).
 */
const MIN_NATIVE = 512;

/** `[nd, shape, then per operand: offset, strides]`, as eltwise.cc `read_walk` reads it. */
function walk(shape: readonly number[], views: readonly View[], strides: readonly (readonly number[])[]): Float64Array {
  const nd = shape.length;
  const g = new Float64Array(1 + nd + views.length * (1 + nd));
  g[0] = nd;
  for (let d = 0; d < nd; d++) g[1 + d] = shape[d];
  views.forEach((v, k) => {
    const at = 1 + nd + k * (1 + nd);
    g[at] = v.offset;
    for (let d = 0; d < nd; d++) g[at + 1 + d] = strides[k][d];
  });
  return g;
}

function numel(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** An output written where an input is read at other positions: the sequential js order is the defined one. */
function overlaps(out: View, input: View): boolean {
  return out.buf === input.buf && (out.offset !== input.offset || out.strides.some((s, i) => s !== input.strides[i]));
}

export function nativeCoreKernels(addon: NativeAddon, attempt: Attempt): Pick<CoreKernels, "map" | "copy"> {
  return {
    copy(src, dst) {
      const dtype = dst.dtype;
      // A dense copy is one memcpy on the calling thread (the js backend's): memory-bound, so a second
      // thread gains little and, on a busy machine, waits for a core.
      if (
        src.dtype !== dtype || (dtype !== "float32" && dtype !== "float64") || src.buf === dst.buf ||
        numel(dst.shape) < MIN_NATIVE || hasNegativeStride(src) || hasNegativeStride(dst) || (isDense(src) && isDense(dst))
      ) {
        return cpuBackend.copy(src, dst);
      }
      attempt(
        "copy",
        () => `[${src.shape.join(", ")}] ${dtype}`,
        () => {
          const c = coalesce(dst.shape, [dst.strides, src.strides]);
          addon.map(COPY, dst.buf as Float32Array, src.buf as Float32Array, null, walk(c.shape, [dst, src], c.strides));
        },
        () => cpuBackend.copy(src, dst),
      );
    },
    map(desc, inputs, out, params) {
      const op = nativeMapOp(desc);
      const dtype = out.dtype;
      if (
        op === undefined || (params !== undefined && params.length > 0) || (dtype !== "float32" && dtype !== "float64") ||
        numel(out.shape) < MIN_NATIVE || hasNegativeStride(out) ||
        inputs.some((v) => v.dtype !== dtype || hasNegativeStride(v) || overlaps(out, v))
      ) {
        return cpuBackend.map(desc, inputs, out, params);
      }
      attempt(
        `map (${desc.name})`,
        () => `output [${out.shape.join(", ")}] ${dtype}`,
        () => {
          const c = coalesce(out.shape, [out.strides, ...inputs.map((v) => v.strides)]);
          const g = walk(c.shape, [out, ...inputs], c.strides);
          addon.map(op, out.buf as Float32Array, inputs[0].buf as Float32Array, (inputs[1]?.buf ?? null) as Float32Array | null, g);
        },
        () => cpuBackend.map(desc, inputs, out, params),
      );
    },
  };
}

export function nativeReduceKernels(addon: NativeAddon, attempt: Attempt): Pick<ReduceKernels, "reduce"> {
  return {
    reduce(kind, x, dims, out) {
      const dtype = x.dtype;
      if (
        (kind !== "sum" && kind !== "mean") || (dtype !== "float32" && dtype !== "float64") || out.dtype !== dtype ||
        numel(x.shape) < MIN_NATIVE || hasNegativeStride(x) || hasNegativeStride(out)
      ) {
        return cpuBackend.reduce(kind, x, dims, out);
      }
      attempt(
        `reduce (${kind})`,
        () => `input [${x.shape.join(", ")}] ${dtype}, dims [${dims.join(", ")}]`,
        () => {
          const keptDims: number[] = [];
          const redDims: number[] = [];
          for (let d = 0; d < x.shape.length; d++) (dims.includes(d) ? redDims : keptDims).push(d);
          const pick = (ds: number[], a: readonly number[]): number[] => ds.map((d) => a[d]);
          const kept = coalesce(pick(keptDims, x.shape), [pick(keptDims, out.strides), pick(keptDims, x.strides)]);
          const red = coalesce(pick(redDims, x.shape), [redDims.map(() => 0), pick(redDims, x.strides)]);
          const zero = { ...x, offset: 0 };
          addon.reduceSum(
            x.buf as Float32Array,
            out.buf as Float32Array,
            kind === "mean",
            walk(kept.shape, [out, x], kept.strides),
            walk(red.shape, [zero, zero], red.strides),
          );
        },
        () => cpuBackend.reduce(kind, x, dims, out),
      );
    },
  };
}
