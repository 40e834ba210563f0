import type { View } from "../../tensor.js";
import type { ConvGeometry, ConvKernels } from "../interface/conv.js";
import { cpuBackend } from "../cpu/index.js";
import { lift, problem as convProblem } from "../cpu/conv.js";
import { allFloat32, isDense, numel, type Staged, type WasmHeap } from "./heap.js";
import { runJobs, splitRange, type Job, type WasmPool } from "./workers.js";

/*
 * float32 convolutions on the wasm kernels (wasm/kernels.c): per sample and group, an im2col band of
 * output rows feeds the wasm sgemm (forward, weight gradient), and the input gradient is sgemm into a
 * column band then col2im. Unit-stride forwards with output rows of 5+ columns, and unit-stride weight
 * gradients, skip the column band: the GEMM reads (or packs) the taps from the input through a table of
 * offsets (conv_forward_indirect, conv_weight_taps), in the same order, so with the same values; stride-1
 * input gradients with 16+ input channels run as such a forward (flippedGeometry). The js backend keeps
 * float64, empty problems and negative strides; unlike it, the other strided and stride-1 input gradients
 * both take col2im (one path, measured no slower at these sizes in f32). Accumulation is float32
 * throughout, the weight gradient's sum over samples included.
 *
 * On several threads each takes a contiguous block of samples, with its own geometry block (its sample
 * count) and column band; a forward of fewer samples than threads splits the output rows instead. The forward and the input gradient are per sample, so identical for every thread
 * count; the weight gradient sums each thread's samples, then the threads' partial sums in thread order:
 * identical for a given thread count, as PyTorch's.
 */

/** Column-band bound in floats (8 MiB): larger problems are unfolded a band of output rows at a time. */
const COL_LIMIT = 1 << 21;
/** Smallest convolution split across threads, in multiply-adds (about 0.1 ms on one thread). */
const MIN_SPLIT_MACS = 1 << 21;

/** Int32 fields of the `Conv` struct in wasm/kernels.c, in its order. */
const FIELDS = 33;

interface Problem {
  N: number;
  G: number;
  cg: number;
  og: number;
  kd: number;
  /** Output positions, and output rows (flattened (od, oh)) of OW each. */
  L: number;
  /** Multiply-adds of the whole convolution. */
  macs: number;
  rows: number;
  OW: number;
  ints: number[];
}

function problem(xShape: readonly number[], wShape: readonly number[], yShape: readonly number[], geom: ConvGeometry): Problem {
  const p = convProblem(xShape, wShape, yShape, geom);
  // The order of the `Conv` struct's first 22 fields.
  const ints = [p.N, p.G, p.cg, p.og, p.D, p.H, p.W, p.KD, p.KH, p.KW, p.OD, p.OH, p.OW, p.sd, p.sh, p.sw, p.pd, p.ph, p.pw, p.dd, p.dh, p.dw];
  return { N: p.N, G: p.G, cg: p.cg, og: p.og, kd: p.kd, L: p.L, macs: p.N * p.G * p.og * p.kd * p.L, rows: p.OD * p.OH, OW: p.OW, ints };
}

/**
 * Writes the geometry of `n` samples, x's strides (N, C, D, H, W), gy's (N, C, flat spatial), the band and
 * the output rows [rb, re) to compute into memory, and allocates the band's column buffer (`taps`: one
 * that may instead hold the scratch of a product reading x in place, conv_forward's or
 * conv_backward_weight's).
 */
function geometry(
  heap: WasmHeap, p: Problem, n: number, xs: readonly number[] | null, gs: readonly number[] | null, rb = 0, re = p.rows,
  taps = false,
): { ptr: number; col: number } {
  const band = bandOf(p);
  const ptr = heap.alloc(FIELDS);
  const i32 = new Int32Array(heap.ex.memory.buffer, ptr, FIELDS);
  i32.set(p.ints);
  i32[0] = n;
  if (xs !== null) {
    const [sD, sH, sW] = lift(xs.slice(2), 0);
    i32.set([xs[0], xs[1], sD, sH, sW], 22);
  }
  if (gs !== null) i32.set(gs, 27);
  i32[30] = band;
  i32[31] = rb;
  i32[32] = re;
  const colFloats = p.kd * band * p.OW;
  return { ptr, col: heap.alloc(taps ? Math.max(colFloats, tapsScratchFloats(p)) : colFloats) };
}

/**
 * read_taps' scratch (wasm/kernels.c): kd int32 offsets rounded up to 4, then room for a copy of one
 * sample's group of input channels with their zero padding written out, and 8 floats after it (the
 * kernels make the copy only when padded or when output rows end in a partial strip).
 */
function tapsScratchFloats(p: Problem): number {
  const [, , , , D, H, W, KD, KH, KW, OD, OH, OW, sd, sh, sw, pd, ph, pw, dd, dh, dw] = p.ints;
  // padded_extent: the padding on both sides, or the windows' reach where larger ('same' with even kernels).
  const extent = (n: number, pad: number, o: number, s: number, d: number, k: number): number =>
    Math.max(n + 2 * pad, (o - 1) * s + (k - 1) * d + 1);
  const copy = extent(D, pd, OD, sd, dd, KD) * extent(H, ph, OH, sh, dh, KH) * extent(W, pw, OW, sw, dw, KW);
  return ((p.kd + 3) & ~3) + p.cg * copy + 8;
}

/** The band conv_forward and the others would use (geometry's), in output rows. */
function bandOf(p: Problem): number {
  return Math.max(1, Math.min(p.rows, Math.floor(COL_LIMIT / Math.max(1, p.kd * p.OW))));
}

/**
 * The problem's samples in one block per thread (one block when not worth splitting), each with its
 * geometry and column buffer: `job(geometry, column buffer, first sample, block index)` makes its call.
 */
function sampleJobs(
  heap: WasmHeap, p: Problem, threads: number, xs: readonly number[] | null, gs: readonly number[] | null,
  job: (geom: number, col: number, n0: number, i: number) => Job, taps = false,
): Job[] {
  const parts = p.macs >= MIN_SPLIT_MACS ? Math.min(threads, p.N) : 1;
  return splitRange(p.N, parts).map(([n0, n1], i) => {
    const g = geometry(heap, p, n1 - n0, xs, gs, 0, p.rows, taps);
    return job(g.ptr, g.col, n0, i);
  });
}

/**
 * The forward of fewer samples than threads (inference at batch 1): every thread takes all samples and a
 * block of output rows. Blocks start on band boundaries and hold at least 4 output positions, so that every
 * band's product takes the same GEMM path as on one thread: the same values. Null when not worth it.
 */
function rowJobs(heap: WasmHeap, p: Problem, threads: number, xs: readonly number[], job: (geom: number, col: number) => Job): Job[] | null {
  if (p.macs < MIN_SPLIT_MACS || threads < 2) return null;
  const band = bandOf(p);
  const align = band < p.rows ? band : Math.max(1, Math.ceil(4 / p.OW));
  const blocks = splitRange(p.rows, threads, align);
  if (blocks.length < 2 || blocks.some(([a, b]) => (b - a) * p.OW < 4)) return null;
  return blocks.map(([rb, re]) => {
    const g = geometry(heap, p, p.N, xs, null, rb, re, true);
    return job(g.ptr, g.col);
  });
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

/**
 * Input channels per group from which a stride-1 input gradient is computed as the forward convolution
 * of gy with the flipped, transposed weights (flippedGeometry): W5's 32-channel layers on two threads,
 * 11.0 -> 7.8 and 6.0 -> 4.6 ms, as that forward reads its taps in place (conv_forward_indirect) where
 * GEMM-into-columns + col2im writes and rereads kd floats per input position. With 6 channels (LeNet) the
 * 4-row micro-kernel runs half empty on M = 6 and the forward measured slower (LeNet's 1.06 -> 1.41 ms).
 */
const MIN_FLIPPED_CHANNELS = 16;

/**
 * The geometry under which gx = conv_forward(gy, flipped weights), or null where that does not apply or
 * measured no faster: stride 1, no output padding (gx exactly as large as the full convolution of gy), a
 * padding of at most the dilated kernel's reach, MIN_FLIPPED_CHANNELS input channels per group, and gx
 * rows of whole 8-column strips (the widths measured; the in-place forward takes any of 5 or more). Each gx
 * value then sums the same products in a different order (within float32's dot-product error bound, as
 * the column path).
 */
function flippedGeometry(
  gxShape: readonly number[], wShape: readonly number[], gyShape: readonly number[], geom: ConvGeometry,
): ConvGeometry | null {
  const nsp = gxShape.length - 2;
  if (wShape[1] < MIN_FLIPPED_CHANNELS || gxShape[gxShape.length - 1] % 8 !== 0) return null;
  const padding: number[] = [];
  for (let i = 0; i < nsp; i++) {
    const reach = geom.dilation[i] * (wShape[2 + i] - 1);
    if (geom.stride[i] !== 1 || geom.padding[i] > reach) return null;
    if (gxShape[2 + i] !== gyShape[2 + i] + reach - 2 * geom.padding[i]) return null;
    padding.push(reach - geom.padding[i]);
  }
  return { stride: geom.stride.map(() => 1), padding, dilation: geom.dilation, groups: geom.groups };
}

/** [G*og, cg, *K] weights as the flipped convolution's: [G*cg, og, *K]. */
function flippedShape(wShape: readonly number[], G: number): number[] {
  return [G * wShape[1], wShape[0] / G, ...wShape.slice(2)];
}

/** Writes w'[g*cg + c, o, k] = w[g*og + o, c, K-1-k] (every spatial dim reversed) after the staged dense w; returns its address. */
function flipWeights(heap: WasmHeap, w: number, wShape: readonly number[], G: number): number {
  const og = wShape[0] / G, cg = wShape[1];
  const K = numel(wShape.slice(2));
  const n = numel(wShape);
  const ptr = heap.alloc(n);
  const f = heap.f32;
  const src = w >> 2, dst = ptr >> 2;
  for (let g = 0; g < G; g++) {
    for (let o = 0; o < og; o++) {
      for (let c = 0; c < cg; c++) {
        // Reversing the flattened spatial index reverses every spatial dim at once.
        const from = src + ((g * og + o) * cg + c) * K;
        const to = dst + ((g * cg + c) * og + o) * K + K - 1;
        for (let k = 0; k < K; k++) f[to - k] = f[from + k];
      }
    }
  }
  return ptr;
}

/** A bias vector staged dense, or the null pointer 0 (wasm memory starts with the module's data, never a bias). */
function stageBias(heap: WasmHeap, bias: View | null): number {
  return bias === null ? 0 : heap.put(bias, true).ptr;
}

export function wasmConvKernels(heap: WasmHeap, pool: WasmPool | null = null): ConvKernels {
  const threads = (): number => (pool === null ? 1 : pool.prepare());

  /** conv_forward of the staged x and weights into `out`: by samples, or by output rows when samples are fewer than threads. */
  function runForward(p: Problem, t: number, sx: Staged, w: number, sb: number, out: number): void {
    const perSample = 4 * p.G * p.og * p.L;
    const rows = p.N < t ? rowJobs(heap, p, t, sx.strides, (geom, col) => ({ kernel: "conv_forward", args: [geom, sx.ptr, w, sb, out, col] })) : null;
    const jobs =
      rows ??
      sampleJobs(heap, p, t, sx.strides, null, (geom, col, n0) => ({
        kernel: "conv_forward",
        args: [geom, sx.ptr + 4 * n0 * sx.strides[0], w, sb, out + n0 * perSample, col],
      }), true);
    runJobs(heap.ex, pool, jobs);
  }

  return {
    convForward(x, w, bias, y, geom) {
      if (!allFloat32(x, w, bias, y) || !isDense(y)) return cpuBackend.convForward(x, w, bias, y, geom);
      const p = problem(x.shape, w.shape, y.shape, geom);
      if (p.N === 0 || p.L === 0 || p.og === 0 || p.kd === 0) return cpuBackend.convForward(x, w, bias, y, geom);
      const t = threads();
      heap.reset();
      const sx = heap.put(x);
      const sw = heap.put(w, true);
      const sb = stageBias(heap, bias);
      const out = heap.alloc(numel(y.shape));
      runForward(p, t, sx, sw.ptr, sb, out);
      heap.take(out, y);
    },

    convBackwardInput(gy, w, bias, gx, geom) {
      if (!allFloat32(gy, w, bias, gx) || !isDense(gx)) return cpuBackend.convBackwardInput(gy, w, bias, gx, geom);
      const p = problem(gx.shape, w.shape, gy.shape, geom);
      if (p.N === 0 || p.L === 0 || p.og === 0 || p.cg === 0) return cpuBackend.convBackwardInput(gy, w, bias, gx, geom);
      const t = threads();
      const flipped = flippedGeometry(gx.shape, w.shape, gy.shape, geom);
      if (flipped !== null) {
        heap.reset();
        const sg = heap.put(gy, true);
        const swf = flipWeights(heap, heap.put(w, true).ptr, w.shape, geom.groups);
        const sb = stageBias(heap, bias);
        const out = heap.alloc(numel(gx.shape));
        runForward(problem(gy.shape, flippedShape(w.shape, geom.groups), gx.shape, flipped), t, sg, swf, sb, out);
        heap.take(out, gx);
        return;
      }
      heap.reset();
      const { g, gs } = stageGrad(heap, gy);
      const sw = heap.put(w, true);
      const sb = stageBias(heap, bias);
      const out = heap.alloc(numel(gx.shape));
      const perSample = 4 * (numel(gx.shape) / p.N);
      const jobs = sampleJobs(heap, p, t, null, gs, (geom, col, n0) => ({
        kernel: "conv_backward_input",
        args: [geom, g.ptr + 4 * n0 * gs[0], sw.ptr, sb, out + n0 * perSample, col],
      }));
      runJobs(heap.ex, pool, jobs);
      heap.take(out, gx);
    },

    convBackwardWeight(x, gy, gw, geom) {
      if (!allFloat32(x, gy, gw) || !isDense(gw)) return cpuBackend.convBackwardWeight(x, gy, gw, geom);
      const p = problem(x.shape, gw.shape, gy.shape, geom);
      if (p.N === 0 || p.L === 0 || p.og === 0 || p.kd === 0) return cpuBackend.convBackwardWeight(x, gy, gw, geom);
      const t = threads();
      heap.reset();
      const sx = heap.put(x);
      const { g, gs } = stageGrad(heap, gy);
      const size = numel(gw.shape);
      const out = heap.alloc(size);
      // Thread 0 sums into the output, every other thread into its own partial gradient.
      const jobs = sampleJobs(heap, p, t, sx.strides, gs, (geom, col, n0, i) => ({
        kernel: "conv_backward_weight",
        args: [geom, sx.ptr + 4 * n0 * sx.strides[0], g.ptr + 4 * n0 * gs[0], i === 0 ? out : heap.alloc(size), col],
      }), true);
      runJobs(heap.ex, pool, jobs);
      for (let i = 1; i < jobs.length; i++) heap.ex.add_into(out, jobs[i].args[3], size);
      heap.take(out, gw);
    },
  };
}
