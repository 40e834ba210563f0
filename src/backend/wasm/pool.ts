import type { PoolKernels } from "../interface/pool.js";
import { cpuBackend } from "../cpu/index.js";
import { maxPoolBounds } from "../cpu/pool-window.js";
import { allFloat32, isDense, numel, type WasmHeap } from "./heap.js";

/**
 * Max pooling forward on the wasm `max_pool` (the js backend's window bounds, its tie and NaN rules: a
 * comparison-only kernel, so values and indices equal the js backend's bit for bit). Average pooling,
 * the backward scatters and the other pooling kernels stay on the js backend, which sums in double.
 */
export function wasmPoolKernels(heap: WasmHeap): Pick<PoolKernels, "maxPool"> {
  const ex = heap.ex;
  return {
    maxPool(x, w, out, indices) {
      const [N, C, D, H, W] = x.shape;
      const [, , oD, oH, oW] = out.shape;
      const n = numel(out.shape);
      // Plane indices are int32 in wasm: planes past 2^31 elements stay on the js backend.
      if (!allFloat32(x, out) || !isDense(out) || !isDense(indices) || n === 0 || D * H * W >= 2 ** 31) {
        return cpuBackend.maxPool(x, w, out, indices);
      }
      heap.reset();
      const { kernel: k, stride: s, padding: p, dilation: dl } = w;
      const bounds = [
        ...maxPoolBounds(D, oD, k[0], s[0], p[0], dl[0]),
        ...maxPoolBounds(H, oH, k[1], s[1], p[1], dl[1]),
        ...maxPoolBounds(W, oW, k[2], s[2], p[2], dl[2]),
      ];
      const sx = heap.put(x);
      const pp = heap.alloc(16);
      const pb = heap.alloc(2 * (oD + oH + oW));
      const po = heap.alloc(n);
      const pi = heap.alloc(n);
      const mem = heap.ex.memory.buffer;
      new Int32Array(mem, pp, 16).set([N, C, D, H, W, oD, oH, oW, ...sx.strides, dl[0], dl[1], dl[2]]);
      const b32 = new Int32Array(mem, pb, 2 * (oD + oH + oW));
      let at = 0;
      for (const b of bounds) {
        b32.set(b, at);
        at += b.length;
      }
      ex.max_pool(pp, sx.ptr, pb, po, pi);
      heap.take(po, out);
      const idx = new Int32Array(heap.ex.memory.buffer, pi, n);
      const ib = indices.buf;
      for (let i = 0, o = indices.offset; i < n; i++, o++) ib[o] = idx[i];
    },
  };
}
