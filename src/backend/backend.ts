import type { CoreKernels } from "./interface/core.js";
import type { ReduceKernels } from "./interface/reduce.js";
import type { LinalgKernels } from "./interface/linalg.js";
import type { IndexingKernels } from "./interface/indexing.js";
import type { ConvKernels } from "./interface/conv.js";
import type { PoolKernels } from "./interface/pool.js";
import type { NormKernels } from "./interface/norm.js";
import type { LossKernels } from "./interface/loss.js";
import { cpuBackend } from "./cpu/index.js";

/**
 * The narrow interface every primitive calls. Kernels receive strided views (`View`) and write into an
 * output view the op allocated; they never allocate tensors or touch autograd.
 */
export interface Backend extends CoreKernels, ReduceKernels, LinalgKernels, IndexingKernels, ConvKernels, PoolKernels, NormKernels, LossKernels {
  readonly name: string;
  /** Thread control for backends that run kernels in parallel (`torch.setNumThreads`); absent when single-threaded. */
  setNumThreads?(n: number): void;
  getNumThreads?(): number;
  /**
   * Zero-filled float32 storage for a tensor that lives long and is read by many calls, where this
   * backend's kernels read it without a copy: a layer's weight (`"weight"`), or a tensor made from values
   * (`"input"`: torch.tensor, rand, randn), which has a smaller budget there since it may be made anew each
   * step. Null (or absent) for ordinary storage.
   */
  allocateLongLived?(n: number, use: LongLivedUse): Float32Array | null;
}

/** What a long-lived tensor is for (`Backend.allocateLongLived`). */
export type LongLivedUse = "weight" | "input";

let current: Backend = cpuBackend;

/** The backend primitives run on. */
export function backend(): Backend {
  return current;
}

/** Chooses the backend (e.g. a native or WebAssembly one); the CPU reference backend is the default. */
export function setBackend(b: Backend): void {
  current = b;
}
