import type { View } from "../../tensor.js";
import type { ConvGeometry, ConvKernels } from "../interface/conv.js";
import { cpuBackend } from "../cpu/index.js";
import { lift, problem as convProblem } from "../cpu/conv.js";
import { allFloat32, isDense, numel, type Staged, type WasmHeap } from "./heap.js";

/*
 * float32 convolutions on the wasm kernels (wasm/kernels.c): per sample and group, an im2col band of
 * output rows feeds the wasm sgemm (forward, weight gradient), and the input gradient is sgemm into a
 * column band then col2im. The js backend keeps float64, empty problems and negative strides; unlike it,
 * the strided and stride-1 input gradients both take col2im (one path, measured no slower at these sizes
 * in f32). Accumulation is float32 throughout, the weight gradient's sum over samples included.
 */

/** Column-band bound in floats (8 MiB): larger problems are unfolded a band of output rows at a time. */
const COL_LIMIT = 1 << 21;

/** Int32 fields of the `Conv` struct in wasm/kernels.c, in its order. */
const FIELDS = 31;

interface Problem {
  N: number;
  G: number;
  cg: number;
  og: number;
  kd: number;
  /** Output positions, and output rows (flattened (od, oh)) of OW each. */
  L: number;
  rows: number;
  OW: number;
  ints: number[];
}

function problem(xShape: readonly number[], wShape: readonly number[], yShape: readonly number[], geom: ConvGeometry): Problem {
  const p = convProblem(xShape, wShape, yShape, geom);
  // The order of the `Conv` struct's first 22 fields.
  const ints = [p.N, p.G, p.cg, p.og, p.D, p.H, p.W, p.KD, p.KH, p.KW, p.OD, p.OH, p.OW, p.sd, p.sh, p.sw, p.pd, p.ph, p.pw, p.dd, p.dh, p.dw];
  return { N: p.N, G: p.G, cg: p.cg, og: p.og, kd: p.kd, L: p.L, rows: p.OD * p.OH, OW: p.OW, ints };
}

/** Writes the geometry, x's strides (N, C, D, H, W), gy's (N, C, flat spatial) and the band into memory. */
function geometry(heap: WasmHeap, p: Problem, xs: readonly number[] | null, gs: readonly number[] | null): { ptr: number; band: number } {
  const band = Math.max(1, Math.min(p.rows, Math.floor(COL_LIMIT / Math.max(1, p.kd * p.OW))));
  const ptr = heap.alloc(FIELDS);
  const i32 = new Int32Array(heap.ex.memory.buffer, ptr, FIELDS);
  i32.set(p.ints);
  if (xs !== null) {
    const [sD, sH, sW] = lift(xs.slice(2), 0);
    i32.set([xs[0], xs[1], sD, sH, sW], 22);
  }
  if (gs !== null) i32.set(gs, 27);
  i32[30] = band;
  return { ptr, band };
}

/**
 * gy staged with its spatial dims walkable as one of stride `s[4]` (the kernels index gy[n, c, l]); a gy
 * that is not (permuted, sliced) is gathered dense. Returns the staged data and its (N, C, L) strides.
 */
function stageGrad(heap: WasmHeap, gy: View): { g: Staged; gs: number[] } {
  const sp = gy.shape.slice(2);
  const st = gy.strides.slice(2);
  let flat = true;
  for (let i = sp.length - 2, expected = st[sp.length - 1] * sp[sp.length - 1]; i >= 0; i--) {
    if (sp[i] !== 1 && st[i] !== expected) flat = false;
    expected *= sp[i];
  }
  const g = heap.put(gy, !flat);
  return { g, gs: [g.strides[0], g.strides[1], g.strides[g.strides.length - 1]] };
}

/** A bias vector staged dense, or the null pointer 0 (wasm memory starts with the module's data, never a bias). */
function stageBias(heap: WasmHeap, bias: View | null): number {
  return bias === null ? 0 : heap.put(bias, true).ptr;
}

export function wasmConvKernels(heap: WasmHeap): ConvKernels {
  const ex = heap.ex;
  return {
    convForward(x, w, bias, y, geom) {
      if (!allFloat32(x, w, bias, y) || !isDense(y)) return cpuBackend.convForward(x, w, bias, y, geom);
      const p = problem(x.shape, w.shape, y.shape, geom);
      if (p.N === 0 || p.L === 0 || p.og === 0 || p.kd === 0) return cpuBackend.convForward(x, w, bias, y, geom);
      heap.reset();
      const sx = heap.put(x);
      const sw = heap.put(w, true);
      const sb = stageBias(heap, bias);
      const out = heap.alloc(numel(y.shape));
      const { ptr, band } = geometry(heap, p, sx.strides, null);
      const col = heap.alloc(p.kd * band * p.OW);
      ex.conv_forward(ptr, sx.ptr, sw.ptr, sb, out, col);
      heap.take(out, y);
    },

    convBackwardInput(gy, w, bias, gx, geom) {
      if (!allFloat32(gy, w, bias, gx) || !isDense(gx)) return cpuBackend.convBackwardInput(gy, w, bias, gx, geom);
      const p = problem(gx.shape, w.shape, gy.shape, geom);
      if (p.N === 0 || p.L === 0 || p.og === 0 || p.cg === 0) return cpuBackend.convBackwardInput(gy, w, bias, gx, geom);
      heap.reset();
      const { g, gs } = stageGrad(heap, gy);
      const sw = heap.put(w, true);
      const sb = stageBias(heap, bias);
      const out = heap.alloc(numel(gx.shape));
      const { ptr, band } = geometry(heap, p, null, gs);
      const col = heap.alloc(p.kd * band * p.OW);
      ex.conv_backward_input(ptr, g.ptr, sw.ptr, sb, out, col);
      heap.take(out, gx);
    },

    convBackwardWeight(x, gy, gw, geom) {
      if (!allFloat32(x, gy, gw) || !isDense(gw)) return cpuBackend.convBackwardWeight(x, gy, gw, geom);
      const p = problem(x.shape, gw.shape, gy.shape, geom);
      if (p.N === 0 || p.L === 0 || p.og === 0 || p.kd === 0) return cpuBackend.convBackwardWeight(x, gy, gw, geom);
      heap.reset();
      const sx = heap.put(x);
      const { g, gs } = stageGrad(heap, gy);
      const out = heap.alloc(numel(gw.shape));
      const { ptr, band } = geometry(heap, p, sx.strides, gs);
      const col = heap.alloc(p.kd * band * p.OW);
      ex.conv_backward_weight(ptr, sx.ptr, g.ptr, out, col);
      heap.take(out, gw);
    },
  };
}
