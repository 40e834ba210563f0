import type { ReduceKernels } from "../interface/reduce.js";
import { cpuBackend } from "../cpu/index.js";
import { isDense, numel, type WasmHeap } from "./heap.js";
import { splitRange, type Job, type WasmPool } from "./workers.js";

/*
 * The float32 sum over every dim but 1 of a dense (N, C, spatial…) tensor (a convolution's bias gradient,
 * `sum(gy, [0, 2, 3])`) on wasm/kernels.c's channel_sums: the js reduction's partial sums in the same order,
 * so the same values, four doubles at a time instead of one (LeNet's [64,6,28,28] gradient: 0.28 ms in js).
 * Split across threads by channels, each summed whole by one thread: the same values on any thread count.
 * Every other reduction runs on the js backend.
 */

/** From this many elements per thread a sum is split (a worker that polls starts within microseconds). */
const SPLIT_ELEMENTS = 1 << 17;

/**
 * (N, C, L) when `dims` are all but dim 1 of a dense tensor whose runs the js reduction also sums one per
 * (n, c), in n order: dims ascending, at least one spatial dim, C ≥ 2 and L ≥ 2 (otherwise its plan walks
 * or coalesces the runs differently).
 */
function channelRuns(shape: readonly number[], dims: readonly number[]): [number, number, number] | null {
  const nd = shape.length;
  if (nd < 3 || dims.length !== nd - 1) return null;
  for (let i = 0; i < dims.length; i++) if (dims[i] !== (i === 0 ? 0 : i + 1)) return null;
  const L = numel(shape.slice(2));
  return shape[1] >= 2 && L >= 2 ? [shape[0], shape[1], L] : null;
}

export function wasmReduceKernels(heap: WasmHeap, pool: WasmPool | null = null): Pick<ReduceKernels, "reduce"> {
  const ex = heap.ex;
  return {
    reduce(kind, x, dims, out) {
      const runs = kind === "sum" && x.dtype === "float32" && out.dtype === "float32" && isDense(x) ? channelRuns(x.shape, dims) : null;
      if (runs === null || runs[0] === 0) return cpuBackend.reduce(kind, x, dims, out);
      const [N, C, L] = runs;
      const n = N * C * L;
      const threads = pool === null || n < 2 * SPLIT_ELEMENTS ? 1 : Math.min(pool.prepare(), C, Math.floor(n / SPLIT_ELEMENTS));
      heap.reset();
      const px = heap.put(x).ptr;
      const po = heap.alloc(C);
      if (threads <= 1) {
        ex.channel_sums(px, N, C, L, 0, C, po);
      } else {
        const jobs: Job[] = splitRange(C, threads).map(([c0, c1]) => ({ kernel: "channel_sums", args: [px, N, C, L, c0, c1, po] }));
        pool!.run(jobs);
      }
      const sums = heap.f32;
      const at = po >> 2;
      for (let c = 0; c < C; c++) out.buf[out.offset + c * out.strides[1]] = sums[at + c];
    },
  };
}
