import type { View } from "../../tensor.js";
import type { CoreKernels, ElementwiseDescriptor } from "../interface/core.js";
import { cpuBackend } from "../cpu/index.js";
import { isDense, numel, type WasmHeap } from "./heap.js";
import { splitRange, type Job, type WasmPool } from "./workers.js";

/*
 * Dense float32 elementwise maps on the wasm kernels, for the rows of src/ops/elementwise.ts whose
 * expression they reproduce (matched by name and expression text, so an edited row falls back to the js
 * backend rather than diverge): relu (exact), sigmoid_backward (double, rounded once: exact) and sigmoid
 * (double with wasm's own exp, which test/wasm-backend.test.ts checks against Math.exp's result),
 * split across the worker threads above a measured size.
 */

/** Below this many elements the js loop is as fast as the copies in and out. */
const MIN_ELEMENTS = 256;

type Kernel = "map_relu" | "map_sigmoid" | "map_sigmoid_backward";

/**
 * `split`: from this many elements per thread a map is cut into one contiguous range per thread. Waking a
 * worker costs ~45 µs on the 2-core machine measured, which sigmoid (~2.5 ns an element) earns back from
 * 2^15 on; relu and sigmoid_backward are bound by the copies in and out, which stay on the caller, and gain
 * only on megabyte tensors. Every element is computed the same way whatever the cut.
 */
const ROWS: Record<string, { expr: string; kernel: Kernel; split: number }> = {
  relu: { expr: "(a > 0 ? a : a !== a ? a : 0)", kernel: "map_relu", split: 1 << 19 },
  sigmoid: { expr: "(a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a)))", kernel: "map_sigmoid", split: 1 << 15 },
  sigmoid_backward: { expr: "a * (1 - b) * b", kernel: "map_sigmoid_backward", split: 1 << 18 },
};

/** Whether every view is float32, row-major dense and of `shape`. */
function denseFloat32(views: readonly View[], shape: readonly number[]): boolean {
  for (const v of views) {
    if (v.dtype !== "float32" || !isDense(v) || v.shape.length !== shape.length) return false;
    for (let i = 0; i < shape.length; i++) if (v.shape[i] !== shape[i]) return false;
  }
  return true;
}

export function wasmMapKernels(heap: WasmHeap, pool: WasmPool | null = null): Pick<CoreKernels, "map"> {
  const ex = heap.ex;
  return {
    map(desc: ElementwiseDescriptor, inputs, out, params) {
      const row = ROWS[desc.name];
      const n = numel(out.shape);
      if (row === undefined || row.expr !== desc.expr || n < MIN_ELEMENTS || !denseFloat32([out, ...inputs], out.shape)) {
        return cpuBackend.map(desc, inputs, out, params);
      }
      const threads = pool === null || n < 2 * row.split ? 1 : Math.min(pool.prepare(), Math.floor(n / row.split));
      heap.reset();
      const ptrs = inputs.map((v) => heap.put(v).ptr);
      const po = heap.alloc(n);
      if (threads <= 1) {
        if (row.kernel === "map_sigmoid_backward") ex.map_sigmoid_backward(ptrs[0], ptrs[1], po, n);
        else ex[row.kernel](ptrs[0], po, n);
      } else {
        // Ranges of whole 16-element groups (64 bytes: no two threads write one cache line).
        const jobs: Job[] = splitRange(n, threads, 16).map(([a, b]) => ({
          kernel: row.kernel,
          args: [...ptrs.map((p) => p + 4 * a), po + 4 * a, b - a],
        }));
        pool!.run(jobs);
      }
      heap.take(po, out);
    },
  };
}
