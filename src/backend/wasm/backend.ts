import type { Backend } from "../backend.js";
import { cpuBackend } from "../cpu/index.js";
import { wasmConvKernels } from "./conv.js";
import { wasmLinalgKernels } from "./gemm.js";
import { WasmHeap, type WasmExports } from "./heap.js";
import { wasmMapKernels } from "./map.js";
import { wasmPoolKernels } from "./pool.js";
import { wasmReduceKernels } from "./reduce.js";
import { ResidentArena } from "./resident.js";
import { wasmExports, wasmModule } from "./registry.js";
import { WasmPool } from "./workers.js";

/**
 * The WebAssembly SIMD backend: float32 GEMM, convolutions (forward and both gradients), max pooling
 * forward, average pooling forward and backward, the relu/sigmoid maps and the channel sums of bias
 * gradients on the kernels of wasm/kernels.c, split across threads (setNumThreads; one per core by default
 * where memory can be shared) where that pays; every other kernel, and every dtype but float32, runs on
 * the js backend's reference kernels. Portable: the same module runs in Node and in browsers.
 */
export function createWasmBackend(ex: WasmExports): Backend {
  const heap = new WasmHeap(ex);
  const pool = new WasmPool(wasmExports() === ex ? wasmModule() : null, heap);
  const arena = new ResidentArena(heap);
  return {
    ...cpuBackend,
    name: "wasm",
    setNumThreads: (n) => pool.setNumThreads(n),
    getNumThreads: () => pool.numThreads,
    allocateLongLived: (n, use) => arena.alloc(n, use),
    ...wasmLinalgKernels(heap, pool),
    ...wasmConvKernels(heap, pool),
    ...wasmPoolKernels(heap, pool),
    ...wasmMapKernels(heap, pool),
    ...wasmReduceKernels(heap, pool),
  };
}
