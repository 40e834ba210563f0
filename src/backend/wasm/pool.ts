import type { View } from "../../tensor.js";
import type { AvgPoolMode, PoolKernels, PoolWindow } from "../interface/pool.js";
import { cpuBackend } from "../cpu/index.js";
import { avgPoolBounds, maxPoolBounds } from "../cpu/pool-window.js";
import { allFloat32, isDense, numel, type WasmHeap } from "./heap.js";

/**
 * Pooling on the wasm kernels, bit for bit the js backend's results: max pooling forward (comparisons only:
 * the js backend's window bounds, tie and NaN rules) and average pooling forward and backward (the js
 * backend's double sums and divisions, rounded to float32 where it rounds). The index scatters, adaptive,
 * fractional and stochastic pooling stay on the js backend.
 */
export function wasmPoolKernels(heap: WasmHeap): Pick<PoolKernels, "maxPool" | "avgPool" | "avgPoolBackward"> {
  const ex = heap.ex;

  /** Writes `ints` and the concatenated bounds into memory; returns their addresses. */
  function header(ints: readonly number[], bounds: readonly Int32Array[]): { pp: number; pb: number } {
    let len = 0;
    for (const b of bounds) len += b.length;
    const pp = heap.alloc(ints.length);
    const pb = heap.alloc(len);
    const mem = ex.memory.buffer;
    new Int32Array(mem, pp, ints.length).set(ints);
    const b32 = new Int32Array(mem, pb, len);
    let at = 0;
    for (const b of bounds) {
      b32.set(b, at);
      at += b.length;
    }
    return { pp, pb };
  }

  function avgBounds(inShape: readonly number[], outShape: readonly number[], w: PoolWindow): Int32Array[] {
    const { kernel: k, stride: s, padding: p } = w;
    return [
      ...avgPoolBounds(inShape[2], outShape[2], k[0], s[0], p[0]),
      ...avgPoolBounds(inShape[3], outShape[3], k[1], s[1], p[1]),
      ...avgPoolBounds(inShape[4], outShape[4], k[2], s[2], p[2]),
    ];
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
      heap.reset();
      const { kernel: k, stride: s, padding: p, dilation: dl } = w;
      const sx = heap.put(x);
      // max_pool's vector loads may read a float past x's last element: this header keeps memory there.
      const { pp, pb } = header([N, C, D, H, W, oD, oH, oW, ...sx.strides, dl[0], dl[1], dl[2], s[2]], [
        ...maxPoolBounds(D, oD, k[0], s[0], p[0], dl[0]),
        ...maxPoolBounds(H, oH, k[1], s[1], p[1], dl[1]),
        ...maxPoolBounds(W, oW, k[2], s[2], p[2], dl[2]),
      ]);
      const po = heap.alloc(n);
      if (indices === null) {
        ex.max_pool_values(pp, sx.ptr, pb, po);
        heap.take(po, out);
        return;
      }
      const pi = heap.alloc(n);
      ex.max_pool(pp, sx.ptr, pb, po, pi);
      heap.take(po, out);
      const idx = new Int32Array(ex.memory.buffer, pi, n);
      const ib = indices.buf;
      for (let i = 0, o = indices.offset; i < n; i++, o++) ib[o] = idx[i];
    },

    avgPool(x, w, mode, out) {
      const n = numel(out.shape);
      if (!allFloat32(x, out) || !isDense(out) || n === 0) return cpuBackend.avgPool(x, w, mode, out);
      heap.reset();
      const sx = heap.put(x);
      const { pp, pb } = header([...x.shape, ...out.shape.slice(2), ...sx.strides, mode.countIncludePad ? 1 : 0], avgBounds(x.shape, out.shape, w));
      const po = heap.alloc(n);
      ex.avg_pool(pp, sx.ptr, pb, override(mode), po);
      heap.take(po, out);
    },

    avgPoolBackward(grad: View, w, mode, gradInput) {
      const n = numel(gradInput.shape);
      if (!allFloat32(grad, gradInput) || !isDense(gradInput) || n === 0 || numel(grad.shape) === 0) {
        return cpuBackend.avgPoolBackward(grad, w, mode, gradInput);
      }
      heap.reset();
      const sg = heap.put(grad);
      const { pp, pb } = header(
        [...gradInput.shape, ...grad.shape.slice(2), ...sg.strides, mode.countIncludePad ? 1 : 0],
        avgBounds(gradInput.shape, grad.shape, w),
      );
      const pg = heap.alloc(n);
      ex.avg_pool_backward(pp, sg.ptr, pb, override(mode), pg);
      heap.take(pg, gradInput);
    },
  };
}
