/**
 * The wasm GEMM on several threads (src/backend/wasm/workers.ts): worker_threads, each with its own copy of
 * kernels.wasm, compute blocks of rows. The product must equal the one-thread product bit for bit for every
 * thread count (blocks are whole 4-row micro-tiles), on odd shapes and strided, transposed and
 * batch-broadcast operands, with β ≠ 0; a worker that is not ready, or whose job throws, leaves its block to
 * the caller, with the same answer; thread counts out of range are rejected.
 *
 * Skipped only where clang or wasm-ld is absent (the kernels cannot be built), as test/wasm-backend.test.ts.
 */
import { spawnSync } from "node:child_process";
import { Worker } from "node:worker_threads";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as torch from "../src/index.js";
import "../src/node.js";
import type { View } from "../src/tensor.js";
import { cpuBackend } from "../src/backend/cpu/index.js";
import { wasmLinalgKernels } from "../src/backend/wasm/gemm.js";
import { nodeWorkerSpawner } from "../src/backend/wasm/node.js";
import { WasmHeap } from "../src/backend/wasm/heap.js";
import { wasmExports, wasmModule } from "../src/backend/wasm/registry.js";
import { MAX_THREADS, provideWorkerSpawner, rowBlocks, WasmPool, type SpawnWorker } from "../src/backend/wasm/workers.js";

const runs = (cmd: string): boolean => spawnSync(cmd, ["--version"], { stdio: "ignore" }).status === 0;
const HAVE_TOOLCHAIN = runs(process.env.CLANG || "clang") && runs("wasm-ld");


function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** A [batch, rows, cols] float32 view of fresh values, laid out as asked. */
function operand(batch: number, rows: number, cols: number, layout: "row" | "transposed" | "strided" | "broadcast", seed: number): View {
  const b = layout === "broadcast" ? 1 : batch;
  const v = values(b * rows * cols * 2 + 3, seed);
  if (layout === "transposed") return { buf: v, dtype: "float32", shape: [batch, rows, cols], strides: [rows * cols, 1, rows], offset: 0 };
  if (layout === "strided") return { buf: v, dtype: "float32", shape: [batch, rows, cols], strides: [rows * cols * 2, cols * 2, 2], offset: 3 };
  return { buf: v, dtype: "float32", shape: [batch, rows, cols], strides: [layout === "broadcast" ? 0 : rows * cols, cols, 1], offset: 0 };
}

function output(batch: number, M: number, N: number, seed: number): View {
  return { buf: values(batch * M * N, seed), dtype: "float32", shape: [batch, M, N], strides: [M * N, N, 1], offset: 0 };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until the pool's first `workers` workers have started with room for `floats` data floats. */
async function warm(pool: WasmPool, workers: number, floats: number): Promise<void> {
  for (let i = 0; i < workers; i++) {
    for (let tries = 0; pool.worker(i, floats) === null; tries++) {
      if (tries > 500) throw new Error(`worker ${i} did not start within 5 s`);
      await sleep(10);
    }
  }
}

describe("rowBlocks", () => {
  it("covers the rows with blocks of whole 4-row tiles, at least 4 rows each, the caller's first", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: 9 }), (M, t) => {
        const blocks = rowBlocks(M, t);
        expect(blocks[0].m0).toBe(0);
        expect(blocks[blocks.length - 1].m1).toBe(M);
        expect(blocks.length).toBeLessThanOrEqual(t);
        for (let i = 0; i < blocks.length; i++) {
          if (i > 0) expect(blocks[i].m0).toBe(blocks[i - 1].m1);
          if (i < blocks.length - 1) expect(blocks[i].m0 % 4 === 0 && (blocks[i].m1 - blocks[i].m0) % 4 === 0).toBe(true);
          if (blocks.length > 1) expect(blocks[i].m1 - blocks[i].m0).toBeGreaterThanOrEqual(4);
        }
      }),
      { numRuns: 200, seed: 8 },
    );
  });
});

describe.skipIf(!HAVE_TOOLCHAIN)("wasm GEMM on several threads", () => {
  const pools: WasmPool[] = [];
  let one: ReturnType<typeof wasmLinalgKernels>;

  beforeAll(() => {
    expect(torch.backends.wasm.unavailableReason()).toBeNull();
    one = wasmLinalgKernels(new WasmHeap(wasmExports()!));
  });
  afterAll(() => {
    for (const p of pools) p.close();
    torch.backends.use("js");
  });

  function threaded(threads: number): { pool: WasmPool; gemm: ReturnType<typeof wasmLinalgKernels>["gemm"] } {
    const pool = new WasmPool(wasmModule());
    pool.setNumThreads(threads);
    pools.push(pool);
    return { pool, gemm: wasmLinalgKernels(new WasmHeap(wasmExports()!), pool).gemm };
  }

  it("equals the one-thread product bit for bit on 2, 3 and 4 threads (odd shapes, views, β)", async () => {
    const layouts = ["row", "transposed", "strided", "broadcast"] as const;
    const ts = [2, 3, 4].map(threaded);
    // Room for the largest case below, so that no worker restarts mid-test and every block is a worker's.
    for (const { pool } of ts) await warm(pool, pool.numThreads - 1, 1 << 20);
    fc.assert(
      fc.property(
        fc.record({
          batch: fc.integer({ min: 1, max: 2 }),
          M: fc.integer({ min: 8, max: 211 }),
          N: fc.integer({ min: 4, max: 131 }),
          K: fc.integer({ min: 64, max: 300 }),
          la: fc.constantFrom(...layouts),
          lb: fc.constantFrom(...layouts),
          beta: fc.constantFrom(0, 1, 0.5),
          seed: fc.integer({ min: 1, max: 1 << 20 }),
        }),
        ({ batch, M, N, K, la, lb, beta, seed }) => {
          const a = operand(batch, M, K, la, seed);
          const b = operand(batch, K, N, lb, seed + 1);
          const ref = output(batch, M, N, seed + 2);
          one.gemm(a, b, ref, 1.25, beta);
          for (const t of ts) {
            const out = output(batch, M, N, seed + 2);
            t.gemm(a, b, out, 1.25, beta);
            expect(out.buf, `${t.pool.numThreads} threads, M ${M} N ${N} K ${K}`).toEqual(ref.buf);
          }
        },
      ),
      { numRuns: 40, seed: 20261206 },
    );
    // The workers did the blocks: each finished jobs (DONE holds the last job's number).
    for (const { pool } of ts) {
      for (let i = 0; i < pool.numThreads - 1; i++) expect(Atomics.load(pool.worker(i, 1)!.ctrl, 1)).toBeGreaterThan(0);
    }
  });

  it("matches the js backend within float32's dot-product bound (the split changes nothing)", async () => {
    const { pool, gemm } = threaded(2);
    await warm(pool, 1, 1 << 18);
    const [M, N, K] = [97, 61, 129];
    const a = operand(1, M, K, "row", 5);
    const b = operand(1, K, N, "transposed", 6);
    const out = output(1, M, N, 7);
    const ref = output(1, M, N, 7);
    gemm(a, b, out, 1, 0);
    cpuBackend.gemm(a, b, ref, 1, 0);
    const gamma = (K * 2 ** -24) / (1 - K * 2 ** -24);
    for (let i = 0; i < M * N; i++) {
      const row = Math.floor(i / N);
      const col = i % N;
      let bound = 0;
      for (let k = 0; k < K; k++) bound += Math.abs(a.buf[row * K + k] * b.buf[k + col * K]);
      expect(Math.abs(out.buf[i] - ref.buf[i])).toBeLessThanOrEqual(gamma * bound + 2 ** -24 * Math.abs(ref.buf[i]));
    }
  });

  it("a worker whose job throws, or that never starts, leaves its block to the caller: same answer", async () => {
    const real: SpawnWorker = (body, data) => {
      const w = new Worker(`const { workerData } = require("node:worker_threads"); (${body.replace("ex.sgemm(", "(() => { throw new Error('boom'); })(")})(workerData);`, { eval: true, workerData: data });
      w.on("error", () => {});
      w.unref();
      return { terminate: () => void w.terminate() };
    };
    const [M, N, K] = [130, 70, 90];
    const a = operand(1, M, K, "row", 11);
    const b = operand(1, K, N, "row", 12);
    const ref = output(1, M, N, 0);
    one.gemm(a, b, ref, 1, 0);
    try {
      provideWorkerSpawner(real);
      const failing = threaded(2);
      await warm(failing.pool, 1, M * K + K * N + M * N);
      const out = output(1, M, N, 0);
      failing.gemm(a, b, out, 1, 0);
      expect(out.buf).toEqual(ref.buf);
      // A worker that never reports ready (it could not instantiate the kernels): never waited for.
      provideWorkerSpawner(() => ({ terminate: () => {} }));
      const silent = threaded(2);
      const out2 = output(1, M, N, 0);
      silent.gemm(a, b, out2, 1, 0);
      expect(out2.buf).toEqual(ref.buf);
    } finally {
      provideWorkerSpawner(nodeWorkerSpawner);
    }
  });

  it("torch.setNumThreads sets the wasm backend's count; out of range is an error naming the range", () => {
    torch.backends.use("wasm");
    torch.setNumThreads(2);
    expect(torch.getNumThreads()).toBe(2);
    expect(() => torch.setNumThreads(MAX_THREADS + 1)).toThrow(`set_num_threads: the wasm backend takes 1 to ${MAX_THREADS} threads, but got ${MAX_THREADS + 1}`);
    expect(() => torch.setNumThreads(0)).toThrow("set_num_threads expects a positive integer");
    torch.setNumThreads(1);
    expect(torch.getNumThreads()).toBe(1);
    // A training-sized product through the public API is the same on 1 and 2 threads.
    torch.manualSeed(3);
    const x = torch.randn([64, 300]);
    const w = torch.randn([300, 90]);
    const y1 = torch.matmul(x, w);
    torch.setNumThreads(2);
    expect(torch.matmul(x, w).sub(y1).abs().max().item()).toBe(0);
    torch.setNumThreads(1);
  });

  it("switching to wasm with a thread count it refuses keeps its own count and warns, never throws", () => {
    torch.backends.use("js");
    torch.setNumThreads(MAX_THREADS + 1); // the js backend accepts any count
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      expect(() => torch.backends.use("wasm")).not.toThrow();
      expect(warn).toHaveBeenCalledWith(expect.stringContaining("wasm keeps its own thread count"));
      expect(torch.backends.current()).toBe("wasm");
    } finally {
      warn.mockRestore();
      torch.backends.use("js");
      torch.setNumThreads(1);
      torch.backends.use("wasm");
    }
  });
});
