import type { View } from "../../tensor.js";
import type { LinalgKernels } from "../interface/linalg.js";
import { cpuBackend } from "../cpu/index.js";
import { allFloat32, isDense, numel, type Staged, type WasmHeap } from "./heap.js";
import { splitRange, type WasmPool } from "./workers.js";

/**
 * float32 batched GEMM on the wasm `sgemm` (packed 4x8 f32x4 micro-kernel, wasm/kernels.c): a, b and out
 * are copied into wasm memory as the storage spans they cover, so transposed, sliced and batch-broadcast
 * operands keep their strides and need no gather; the result is copied back. Other dtypes, and views with
 * negative strides, run on the js backend (which accumulates in double).
 */
export function wasmLinalgKernels(heap: WasmHeap, pool: WasmPool | null = null): LinalgKernels {
  return {
    gemm(a, b, out, alpha, beta) {
      if (!allFloat32(a, b, out)) return cpuBackend.gemm(a, b, out, alpha, beta);
      const [batch, M, N] = out.shape;
      const K = a.shape[2];
      if (batch === 0 || M === 0 || N === 0) return;
      const threads = pool === null ? 1 : pool.prepare();
      heap.reset();
      const readOut = beta !== 0;
      const dense = isDense(out);
      // A dense output that is overwritten needs no copy in; anything else keeps its values (gaps, beta).
      const c = dense && !readOut ? { ptr: heap.alloc(numel(out.shape)), strides: [M * N, N, 1] } : heap.putCopy(out);
      const readAB = alpha !== 0 && K !== 0;
      const sa = readAB ? heap.put(a) : { ptr: 0, strides: [0, 0, 0] };
      const sb = readAB ? heap.put(b) : { ptr: 0, strides: [0, 0, 0] };
      const ex = heap.ex;
      const split = threads > 1 && readAB && M >= 2 * MR && M * N * K >= MIN_SPLIT_MNK;
      for (let t = 0; t < batch; t++) {
        if (split) {
          splitGemm(pool!, threads, sa, sb, c, t, M, N, K, alpha, beta);
          continue;
        }
        ex.sgemm(
          M, N, K, alpha,
          sa.ptr + 4 * t * sa.strides[0], sa.strides[1], sa.strides[2],
          sb.ptr + 4 * t * sb.strides[0], sb.strides[1], sb.strides[2],
          beta,
          c.ptr + 4 * t * c.strides[0], c.strides[1], c.strides[2],
        );
      }
      writeBack(heap, c, out);
    },
  };
}

/** Copies a staged output back into its view (the whole span when it was staged with its strides). */
export function writeBack(heap: WasmHeap, c: { ptr: number; strides: number[] }, out: View): void {
  if (isDense(out)) {
    heap.take(c.ptr, out);
    return;
  }
  // Staged by `put`: either its own span (same strides) or a dense gather; copy element by element.
  const f32 = heap.f32;
  cpuBackend.copy({ buf: f32, dtype: "float32", shape: out.shape, strides: c.strides, offset: c.ptr >> 2 }, out);
}

/**
 * Smallest product worth splitting (M·N·K multiply-adds, ~80 µs on one thread). Every thread packs all of
 * B, so LeNet's Linear layers (0.6–3 M multiply-adds) measured 1.1–4× slower on two threads than on one.
 */
export const MIN_SPLIT_MNK = 1 << 22;
/** Rows per block are a multiple of the micro-tile height, so each thread's C elements are computed as on one thread. */
const MR = 4;

/** The row blocks of an M-row product on `threads` threads (first block: the caller's). */
export function rowBlocks(M: number, threads: number): Array<[number, number]> {
  const out = splitRange(M, threads, MR);
  // A last block under MR rows would take sgemm's small-matrix path: fold it into the one before.
  if (out.length > 1 && out[out.length - 1][1] - out[out.length - 1][0] < MR) out[out.length - 2][1] = out.pop()![1];
  return out;
}

/**
 * One product of the batch split into row blocks across the pool (see workers.ts): every thread runs sgemm
 * on its rows of A and C, in place in the shared memory, all reading the same B.
 */
function splitGemm(
  pool: WasmPool, threads: number, sa: Staged, sb: Staged, c: Staged, t: number,
  M: number, N: number, K: number, alpha: number, beta: number,
): void {
  const a = sa.ptr + 4 * t * sa.strides[0];
  const b = sb.ptr + 4 * t * sb.strides[0];
  const cc = c.ptr + 4 * t * c.strides[0];
  pool.run(
    rowBlocks(M, threads).map(([m0, m1]) => ({
      kernel: "sgemm",
      args: [
        m1 - m0, N, K, alpha,
        a + 4 * m0 * sa.strides[1], sa.strides[1], sa.strides[2],
        b, sb.strides[1], sb.strides[2],
        beta, cc + 4 * m0 * c.strides[1], c.strides[1], c.strides[2],
      ],
    })),
  );
}
