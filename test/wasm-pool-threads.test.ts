/**
 * Pooling on several wasm threads (src/backend/wasm/pool.ts): each thread takes a block of (sample,
 * channel) planes, runs of planes across samples where the input's planes are evenly spaced (contiguous,
 * sliced, one sample) and whole samples otherwise (permuted). Values and indices must equal the one-thread
 * kernels' bit for bit, and the js backend's; the workers must have done part of each op.
 *
 * Skipped only where clang or wasm-ld is absent (the kernels cannot be built), as test/wasm-backend.test.ts.
 */
import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import "../src/node.js";
import type { View } from "../src/tensor.js";
import { cpuBackend } from "../src/backend/cpu/index.js";
import type { AvgPoolMode, PoolWindow } from "../src/backend/interface/pool.js";
import { WasmHeap } from "../src/backend/wasm/heap.js";
import { wasmPoolKernels } from "../src/backend/wasm/pool.js";
import { wasmExports } from "../src/backend/wasm/registry.js";
import type { WasmPool } from "../src/backend/wasm/workers.js";
import { permutedCopy, randomValues, slicedCopy, view } from "./backend-helpers.js";
import { numel } from "../src/layout.js";
import { wasmPools } from "./wasm-pools.js";

const runs = (cmd: string): boolean => spawnSync(cmd, ["--version"], { stdio: "ignore" }).status === 0;
const HAVE_TOOLCHAIN = runs(process.env.CLANG || "clang") && runs("wasm-ld");

type Layout = "contiguous" | "permuted" | "sliced";

interface Case {
  shape: [number, number, number, number, number];
  k: [number, number, number];
  s: [number, number, number];
  p: [number, number, number];
  layout: Layout;
}

/** Big enough that every kernel splits (see MIN_SPLIT_TAPS); padding, overlapping and 2x2 windows. */
const CASES: Case[] = [
  { shape: [8, 16, 1, 64, 64], k: [1, 3, 3], s: [1, 2, 2], p: [0, 1, 1], layout: "contiguous" },
  { shape: [20, 16, 1, 64, 64], k: [1, 2, 2], s: [1, 2, 2], p: [0, 0, 0], layout: "permuted" },
  { shape: [18, 16, 1, 64, 66], k: [1, 3, 3], s: [1, 3, 3], p: [0, 0, 0], layout: "sliced" },
  { shape: [1, 256, 1, 64, 64], k: [1, 2, 2], s: [1, 2, 2], p: [0, 1, 1], layout: "contiguous" },
  { shape: [3, 7, 8, 20, 41], k: [2, 3, 3], s: [1, 1, 2], p: [1, 1, 0], layout: "contiguous" },
];

const outSize = (L: number, k: number, s: number, p: number): number => Math.floor((L + 2 * p - k) / s) + 1;

function input(c: Case, seed: number): View {
  const vals = randomValues(c.shape.reduce((a, b) => a * b), seed);
  // Ties, zeros of both signs and NaN/±inf, sparsely: the rules the SIMD paths must redo exactly.
  const special = [0, -0, NaN, Infinity, -Infinity, 1];
  for (let i = 0; i < vals.length; i += 97) vals[i] = special[(i / 97) % special.length];
  const x = view(c.shape, "float32", vals);
  return c.layout === "permuted" ? permutedCopy(x) : c.layout === "sliced" ? slicedCopy(x) : x;
}

function expectSame(a: View, b: View, what: string): void {
  expect(a.buf.length).toBe(b.buf.length);
  for (let i = 0; i < b.buf.length; i++) {
    if (!Object.is(a.buf[i], b.buf[i])) throw new Error(`${what}: element ${i}: ${a.buf[i]} vs ${b.buf[i]}`);
  }
}

describe.skipIf(!HAVE_TOOLCHAIN)("wasm pooling on several threads", () => {
  const started = wasmPools();
  let one: ReturnType<typeof wasmPoolKernels>;

  beforeAll(() => {
    expect(torch.backends.wasm.unavailableReason()).toBeNull();
    one = wasmPoolKernels(new WasmHeap(wasmExports()!));
  });

  async function threaded(threads: number): Promise<{ pool: WasmPool; k: ReturnType<typeof wasmPoolKernels> }> {
    const { heap, pool } = await started(threads);
    return { pool, k: wasmPoolKernels(heap, pool) };
  }

  /** Runs `op` on the pool and asserts every worker took a job. */
  function onWorkers(pool: WasmPool, op: () => void): void {
    const before = Array.from({ length: pool.numThreads - 1 }, (_, i) => pool.worker(i)!.jobsDone);
    op();
    for (let i = 0; i < before.length; i++) expect(pool.worker(i)!.jobsDone, `worker ${i}`).toBeGreaterThan(before[i]);
  }

  for (const threads of [2, 3]) {
    it(`max pooling, values and indices, on ${threads} threads equals one thread and the js backend`, async () => {
      const { pool, k } = await threaded(threads);
      for (const [ci, c] of CASES.entries()) {
        const x = input(c, 10 + ci);
        const w: PoolWindow = { kernel: c.k, stride: c.s, padding: c.p, dilation: [1, 1, 1] } as never;
        const oshape = [c.shape[0], c.shape[1], ...c.shape.slice(2).map((L, i) => outSize(L, c.k[i], c.s[i], c.p[i]))];
        const [v1, vt, o1, ot, oj] = [0, 1, 2, 3, 4].map(() => view(oshape, "float32"));
        const [i1, it_, ij] = [0, 1, 2].map(() => view(oshape, "float64"));
        one.maxPool(x, w, v1, null);
        onWorkers(pool, () => k.maxPool(x, w, vt, null));
        expectSame(vt, v1, `case ${ci} values`);
        one.maxPool(x, w, o1, i1);
        onWorkers(pool, () => k.maxPool(x, w, ot, it_));
        expectSame(ot, o1, `case ${ci} values with indices`);
        expectSame(it_, i1, `case ${ci} indices`);
        cpuBackend.maxPool(x, w, oj, ij);
        expectSame(ot, oj, `case ${ci} values vs js`);
        expectSame(it_, ij, `case ${ci} indices vs js`);
        expectSame(vt, oj, `case ${ci} values-only vs js`);
      }
    });

    it(`average pooling forward and backward on ${threads} threads equals one thread and the js backend`, async () => {
      const { pool, k } = await threaded(threads);
      // Power-of-two divisors take the kernel's multiply-by-reciprocal path; 3 and none divide.
      const modes: AvgPoolMode[] = [
        { countIncludePad: true, divisorOverride: null },
        { countIncludePad: false, divisorOverride: null },
        { countIncludePad: true, divisorOverride: 2 },
        { countIncludePad: false, divisorOverride: 3 },
        { countIncludePad: true, divisorOverride: 8 },
      ];
      for (const [ci, c] of CASES.entries()) {
        const mode = modes[ci % modes.length];
        const x = input(c, 20 + ci);
        const w: PoolWindow = { kernel: c.k, stride: c.s, padding: c.p, dilation: [1, 1, 1] } as never;
        const oshape = [c.shape[0], c.shape[1], ...c.shape.slice(2).map((L, i) => outSize(L, c.k[i], c.s[i], c.p[i]))];
        const [o1, ot, oj] = [0, 1, 2].map(() => view(oshape, "float32"));
        one.avgPool(x, w, mode, o1);
        onWorkers(pool, () => k.avgPool(x, w, mode, ot));
        cpuBackend.avgPool(x, w, mode, oj);
        expectSame(ot, o1, `case ${ci} forward`);
        expectSame(ot, oj, `case ${ci} forward vs js`);
        const g = input({ ...c, shape: oshape as Case["shape"] }, 30 + ci);
        const [g1, gt, gj] = [0, 1, 2].map(() => view(c.shape, "float32"));
        gt.buf.fill(NaN);
        one.avgPoolBackward(g, w, mode, g1);
        onWorkers(pool, () => k.avgPoolBackward(g, w, mode, gt));
        cpuBackend.avgPoolBackward(g, w, mode, gj);
        expectSame(gt, g1, `case ${ci} backward`);
        expectSame(gt, gj, `case ${ci} backward vs js`);
      }
    });
  }

  for (const threads of [2, 3]) {
    it(`max pooling's backward (the gradient added at the indices) on ${threads} threads equals one thread and the js backend`, async () => {
      const { pool, k } = await threaded(threads);
      for (const [ci, c] of CASES.entries()) {
        const x = input(c, 50 + ci);
        const w: PoolWindow = { kernel: c.k, stride: c.s, padding: c.p, dilation: [1, 1, 1] } as never;
        const oshape = [c.shape[0], c.shape[1], ...c.shape.slice(2).map((L, i) => outSize(L, c.k[i], c.s[i], c.p[i]))];
        const idx = view(oshape, "float64");
        cpuBackend.maxPool(x, w, view(oshape, "float32"), idx);
        const g = input({ ...c, shape: oshape as Case["shape"], layout: "contiguous" }, 60 + ci);
        const [N, C] = c.shape;
        const L = c.shape[2] * c.shape[3] * c.shape[4];
        const [p1, pt, pj] = [0, 1, 2].map(() => view([N, C, L], "float32"));
        // Elements written: the planes, then the values added. Split from 2^18 (pool.ts's MIN_SPLIT_SCATTER): all cases but the last.
        const split = N * C * L + numel(oshape) >= 1 << 18;
        expect(ci === CASES.length - 1 || split).toBe(true);
        // Every element must be written: the planes start as NaN.
        for (const q of [p1, pt, pj]) q.buf.fill(NaN);
        one.poolScatterAdd(g, idx, p1);
        if (split) onWorkers(pool, () => k.poolScatterAdd(g, idx, pt));
        else k.poolScatterAdd(g, idx, pt);
        cpuBackend.poolScatterAdd(g, idx, pj);
        expectSame(pt, p1, `case ${ci} one thread`);
        expectSame(pt, pj, `case ${ci} vs js`);
      }
    });
  }

  it("small poolings stay on the calling thread", async () => {
    const { pool, k } = await threaded(2);
    const c: Case = { shape: [2, 3, 1, 16, 16], k: [1, 2, 2], s: [1, 2, 2], p: [0, 0, 0], layout: "contiguous" };
    const x = input(c, 40);
    const w: PoolWindow = { kernel: c.k, stride: c.s, padding: c.p, dilation: [1, 1, 1] } as never;
    const out = view([2, 3, 1, 8, 8], "float32");
    const before = pool.worker(0)!.jobsDone;
    k.maxPool(x, w, out, null);
    k.avgPool(x, w, { countIncludePad: true, divisorOverride: null }, out);
    expect(pool.worker(0)!.jobsDone).toBe(before);
  });
});
