import type { View } from "../../tensor.js";
import type { LinalgKernels } from "../interface/linalg.js";
import { cpuBackend } from "../cpu/index.js";
import { allFloat32, isDense, numel, type Staged, type WasmHeap } from "./heap.js";
import { MIN_SPLIT_MNK, rowBlocks, type WasmPool } from "./workers.js";

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
      heap.reset();
      const readOut = beta !== 0;
      const dense = isDense(out);
      // A dense output that is overwritten needs no copy in; anything else keeps its values (gaps, beta).
      const c = dense && !readOut ? { ptr: heap.alloc(numel(out.shape)), strides: [M * N, N, 1] } : heap.put(out);
      const readAB = alpha !== 0 && K !== 0;
      const sa = readAB ? heap.put(a) : { ptr: 0, strides: [0, 0, 0] };
      const sb = readAB ? heap.put(b) : { ptr: 0, strides: [0, 0, 0] };
      const ex = heap.ex;
      const split = pool !== null && readAB && M >= 8 && M * N * K >= MIN_SPLIT_MNK && pool.active;
      for (let t = 0; t < batch; t++) {
        if (split) {
          splitGemm(heap, pool, sa, sb, c, t, M, N, K, alpha, beta);
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
 * One product of the batch split into row blocks across the pool (see workers.ts): each worker gets its
 * A rows, all of B and (β ≠ 0) its C rows densely, in its own buffer; the caller runs the first block,
 * and any block whose worker is not ready or failed, on its own kernels.
 */
function splitGemm(
  heap: WasmHeap, pool: WasmPool, sa: Staged, sb: Staged, c: Staged, t: number,
  M: number, N: number, K: number, alpha: number, beta: number,
): void {
  const ex = heap.ex;
  const f32 = heap.f32;
  const aBase = (sa.ptr >> 2) + t * sa.strides[0];
  const bBase = (sb.ptr >> 2) + t * sb.strides[0];
  const cBase = (c.ptr >> 2) + t * c.strides[0];
  const blocks = rowBlocks(M, pool.numThreads);
  const started: Array<{ w: NonNullable<ReturnType<WasmPool["worker"]>>; seq: number; m0: number; m1: number }> = [];
  const mine: Array<{ m0: number; m1: number }> = [blocks[0]];
  for (let i = 1; i < blocks.length; i++) {
    const { m0, m1 } = blocks[i];
    const rows = m1 - m0;
    const w = pool.worker(i - 1, rows * K + K * N + rows * N);
    if (w === null) {
      mine.push(blocks[i]);
      continue;
    }
    const data = w.data(rows * K + K * N + rows * N);
    const dense = (off: number, r: number, cols: number, base: number, s0: number, s1: number): void =>
      cpuBackend.copy({ buf: f32, dtype: "float32", shape: [r, cols], strides: [s0, s1], offset: base }, { buf: data, dtype: "float32", shape: [r, cols], strides: [cols, 1], offset: off });
    dense(0, rows, K, aBase + m0 * sa.strides[1], sa.strides[1], sa.strides[2]);
    dense(rows * K, K, N, bBase, sb.strides[1], sb.strides[2]);
    if (beta !== 0) dense(rows * K + K * N, rows, N, cBase + m0 * c.strides[1], c.strides[1], c.strides[2]);
    started.push({ w, seq: w.start(rows, N, K, alpha, beta), m0, m1 });
  }
  const run = (m0: number, m1: number): void =>
    ex.sgemm(
      m1 - m0, N, K, alpha,
      4 * (aBase + m0 * sa.strides[1]), sa.strides[1], sa.strides[2],
      4 * bBase, sb.strides[1], sb.strides[2],
      beta, 4 * (cBase + m0 * c.strides[1]), c.strides[1], c.strides[2],
    );
  for (const b of mine) run(b.m0, b.m1);
  const out = heap.f32;
  for (const { w, seq, m0, m1 } of started) {
    if (!w.finish(seq)) {
      run(m0, m1);
      continue;
    }
    const rows = m1 - m0;
    const data = w.data(rows * K + K * N + rows * N);
    cpuBackend.copy(
      { buf: data, dtype: "float32", shape: [rows, N], strides: [N, 1], offset: rows * K + K * N },
      { buf: out, dtype: "float32", shape: [rows, N], strides: [c.strides[1], c.strides[2]], offset: cBase + m0 * c.strides[1] },
    );
  }
}
