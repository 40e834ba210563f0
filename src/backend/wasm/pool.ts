import type { View } from "../../tensor.js";
import type { AvgPoolMode, PoolKernels, PoolWindow } from "../interface/pool.js";
import { cpuBackend } from "../cpu/index.js";
import { avgPoolBounds, maxPoolBounds } from "../cpu/pool-window.js";
import { allFloat32, isDense, numel, type WasmHeap } from "./heap.js";
import { runJobs, splitRange, type Job, type WasmPool } from "./workers.js";

/**
 * Pooling on the wasm kernels, bit for bit the js backend's results: max pooling forward (comparisons only:
 * the js backend's window bounds, tie and NaN rules) and average pooling forward and backward (the js
 * backend's double sums and divisions, rounded to float32 where it rounds). The index scatters, adaptive,
 * fractional and stochastic pooling stay on the js backend, but for max pooling's backward (the scatter-add
 * of the gradient at the forward's indices, `poolScatterAdd`), which is also exact.
 *
 * On several threads each takes a contiguous block of the (sample, channel) planes, with its own copy of
 * the int header (its plane count) and its pointers moved to the block. Every plane is pooled alone, so
 * the results are the same for every thread count.
 */

/**
 * Smallest pooling split across threads, per kernel, in window taps (outputs times window volume). A worker
 * that polls for its next job (workers.ts) takes a block within microseconds, so a split pays from ~40 µs
 * of work on one thread: W2's 3x3 max pool (173 k taps) went 74 -> 59 µs on two threads. The average pooling
 * backward's four-window rows made it ~3x faster, so it is split only from 2^20 taps (measured even below).
 */
const MIN_SPLIT_TAPS = { max_pool_values: 1 << 17, max_pool: 1 << 18, avg_pool: 1 << 19, avg_pool_backward: 1 << 20 } as const;

/** Smallest max pooling backward split across threads, in elements written (gradient planes plus values added). */
const MIN_SPLIT_SCATTER = 1 << 18;

/** The header's int fields: N, C, D, H, W, oD, oH, oW, the strides (N, C, D, H, W) at 8, then the kernel's own. */
const HEADER_N = 0;
const HEADER_C = 1;
const HEADER_SN = 8;
const HEADER_SC = 9;

/** The bounds of the last geometry asked for, per kind: a module pools one geometry call after call. */
class BoundsCache {
  private key: number[] = [];
  private bounds: Int32Array = new Int32Array(0);

  get(key: number[], make: () => Int32Array[]): Int32Array {
    if (key.length !== this.key.length || key.some((k, i) => k !== this.key[i])) {
      const parts = make();
      const all = new Int32Array(parts.reduce((n, b) => n + b.length, 0));
      let at = 0;
      for (const b of parts) {
        all.set(b, at);
        at += b.length;
      }
      this.key = key;
      this.bounds = all;
    }
    return this.bounds;
  }
}

/** Where a job's planes start: the plane index for the header's pointers, and its (N, C) block. */
interface Block {
  /** First plane's element offset in the input and in the output(s), relative to their bases. */
  inAt: number;
  outAt: number;
  N: number;
  C: number;
}

/**
 * The planes of an [N, C] batch in at most `parts` blocks: runs of planes (a sample's channels may be
 * cut) when the input's planes are evenly spaced (sN = C·sC, or one sample), else whole samples.
 */
function blocks(N: number, C: number, sN: number, sC: number, outPlane: number, parts: number): Block[] {
  if (N === 1 || sN === C * sC) {
    return splitRange(N * C, parts).map(([a, b]) => ({ inAt: a * sC, outAt: a * outPlane, N: 1, C: b - a }));
  }
  return splitRange(N, parts).map(([a, b]) => ({ inAt: a * sN, outAt: a * C * outPlane, N: b - a, C }));
}

export function wasmPoolKernels(
  heap: WasmHeap, pool: WasmPool | null = null,
): Pick<PoolKernels, "maxPool" | "avgPool" | "avgPoolBackward" | "poolScatterAdd"> {
  const ex = heap.ex;
  const maxCache = new BoundsCache();
  const avgCache = new BoundsCache();

  /** The thread count to split the kernel's window taps into (1 when not worth it); call before `heap.reset()`. */
  const threads = (kernel: keyof typeof MIN_SPLIT_TAPS, outputs: number, w: PoolWindow): number =>
    pool === null || outputs * w.kernel[0] * w.kernel[1] * w.kernel[2] < MIN_SPLIT_TAPS[kernel] ? 1 : pool.prepare();

  /** Writes the bounds, then one header per block of planes (`ints` with the block's N and C); runs the kernel on each. */
  function run(
    threadCount: number, ints: number[], bounds: Int32Array, outPlane: number,
    job: (header: number, pb: number, b: Block) => Job,
  ): void {
    const pb = heap.alloc(bounds.length);
    new Int32Array(ex.memory.buffer, pb, bounds.length).set(bounds);
    const jobs = blocks(ints[HEADER_N], ints[HEADER_C], ints[HEADER_SN], ints[HEADER_SC], outPlane, threadCount).map((b) => {
      const pp = heap.alloc(ints.length);
      const h = new Int32Array(ex.memory.buffer, pp, ints.length);
      h.set(ints);
      h[HEADER_N] = b.N;
      h[HEADER_C] = b.C;
      return job(pp, pb, b);
    });
    runJobs(ex, pool, jobs);
  }

  function avgBounds(inShape: readonly number[], outShape: readonly number[], w: PoolWindow): Int32Array {
    const { kernel: k, stride: s, padding: p } = w;
    return avgCache.get([...inShape.slice(2), ...outShape.slice(2), ...k, ...s, ...p], () => [
      ...avgPoolBounds(inShape[2], outShape[2], k[0], s[0], p[0]),
      ...avgPoolBounds(inShape[3], outShape[3], k[1], s[1], p[1]),
      ...avgPoolBounds(inShape[4], outShape[4], k[2], s[2], p[2]),
    ]);
  }

  /** The divisor override as the kernels take it: 0 for none (the op rejects an override of 0). */
  const override = (mode: AvgPoolMode): number => mode.divisorOverride ?? 0;

  return {
    maxPool(x, w, out, indices) {
      const [N, C, D, H, W] = x.shape;
      const [, , oD, oH, oW] = out.shape;
      const n = numel(out.shape);
      // Plane indices are int32 in wasm: planes past 2^31 elements stay on the js backend.
      if (!allFloat32(x, out) || !isDense(out) || (indices !== null && !isDense(indices)) || n === 0 || D * H * W >= 2 ** 31) {
        return cpuBackend.maxPool(x, w, out, indices);
      }
      const t = threads(indices === null ? "max_pool_values" : "max_pool", n, w);
      heap.reset();
      const { kernel: k, stride: s, padding: p, dilation: dl } = w;
      const sx = heap.put(x);
      const bounds = maxCache.get([D, H, W, oD, oH, oW, ...k, ...s, ...p, ...dl], () => [
        ...maxPoolBounds(D, oD, k[0], s[0], p[0], dl[0]),
        ...maxPoolBounds(H, oH, k[1], s[1], p[1], dl[1]),
        ...maxPoolBounds(W, oW, k[2], s[2], p[2], dl[2]),
      ]);
      // max_pool's vector loads may read a float past x's last element: the headers after it keep memory there.
      const ints = [N, C, D, H, W, oD, oH, oW, ...sx.strides, dl[0], dl[1], dl[2], s[2]];
      const po = heap.alloc(n);
      const plane = oD * oH * oW;
      if (indices === null) {
        run(t, ints, bounds, plane, (pp, pb, b) => ({ kernel: "max_pool_values", args: [pp, sx.ptr + 4 * b.inAt, pb, po + 4 * b.outAt] }));
        heap.take(po, out);
        return;
      }
      const pi = heap.alloc(n);
      run(t, ints, bounds, plane, (pp, pb, b) => ({ kernel: "max_pool", args: [pp, sx.ptr + 4 * b.inAt, pb, po + 4 * b.outAt, pi + 4 * b.outAt] }));
      heap.take(po, out);
      const idx = new Int32Array(ex.memory.buffer, pi, n);
      const ib = indices.buf;
      for (let i = 0, o = indices.offset; i < n; i++, o++) ib[o] = idx[i];
    },

    avgPool(x, w, mode, out) {
      const n = numel(out.shape);
      if (!allFloat32(x, out) || !isDense(out) || n === 0) return cpuBackend.avgPool(x, w, mode, out);
      const t = threads("avg_pool", n, w);
      heap.reset();
      const sx = heap.put(x);
      const bounds = avgBounds(x.shape, out.shape, w);
      const po = heap.alloc(n);
      const ints = [...x.shape, ...out.shape.slice(2), ...sx.strides, mode.countIncludePad ? 1 : 0];
      run(t, ints, bounds, n / (x.shape[0] * x.shape[1]), (pp, pb, b) => ({ kernel: "avg_pool", args: [pp, sx.ptr + 4 * b.inAt, pb, override(mode), po + 4 * b.outAt] }));
      heap.take(po, out);
    },

    avgPoolBackward(grad: View, w, mode, gradInput) {
      const n = numel(gradInput.shape);
      const m = numel(grad.shape);
      if (!allFloat32(grad, gradInput) || !isDense(gradInput) || n === 0 || m === 0) {
        return cpuBackend.avgPoolBackward(grad, w, mode, gradInput);
      }
      const t = threads("avg_pool_backward", m, w);
      heap.reset();
      const sg = heap.put(grad);
      const bounds = avgBounds(gradInput.shape, grad.shape, w);
      const pg = heap.alloc(n);
      const ints = [...gradInput.shape, ...grad.shape.slice(2), ...sg.strides, mode.countIncludePad ? 1 : 0];
      const plane = n / (gradInput.shape[0] * gradInput.shape[1]);
      run(t, ints, bounds, plane, (pp, pb, b) => ({ kernel: "avg_pool_backward", args: [pp, sg.ptr + 4 * b.inAt, pb, override(mode), pg + 4 * b.outAt] }));
      heap.take(pg, gradInput);
    },

    poolScatterAdd(src, indices, plane) {
      const [N, C, L] = plane.shape;
      const planes = N * C;
      const m = planes === 0 ? 0 : numel(src.shape) / planes;
      if (
        !allFloat32(src, plane) || !(indices.buf instanceof Float64Array) || !isDense(src) || !isDense(indices) ||
        !isDense(plane) || planes * m === 0 || L === 0 || planes * L >= 2 ** 31
      ) {
        return cpuBackend.poolScatterAdd(src, indices, plane);
      }
      // Work per plane: zero its L floats, add its m values.
      const t = pool === null || planes < 2 || planes * (L + m) < MIN_SPLIT_SCATTER ? 1 : pool.prepare();
      heap.reset();
      const pg = heap.put(src).ptr;
      const pi = heap.alloc(2 * planes * m);
      new Float64Array(ex.memory.buffer, pi, planes * m).set(indices.buf.subarray(indices.offset, indices.offset + planes * m));
      const po = heap.alloc(planes * L);
      const jobs: Job[] = splitRange(planes, t).map(([a, b]) => ({
        kernel: "max_pool_scatter_add",
        args: [pg + 4 * a * m, pi + 8 * a * m, b - a, m, L, po + 4 * a * L],
      }));
      runJobs(ex, pool, jobs);
      heap.take(po, plane);
    },
  };
}
