/**
 * The wasm kernels on several threads (src/backend/wasm/workers.ts): worker_threads, each an instance of
 * kernels-mt.wasm over the caller's shared memory, compute blocks of GEMM rows and of convolution samples.
 * The GEMM must equal the one-thread product bit for bit for every thread count (blocks are whole 4-row
 * micro-tiles), on odd shapes and strided, transposed and batch-broadcast operands, with β ≠ 0; so must the
 * convolution forward and input gradient; the weight gradient, a sum over samples, must be the same on
 * every run with a given thread count and within float32's bound of the js backend. A worker that is not
 * ready, or whose job throws, leaves its block to the caller, with the same answer; thread counts out of
 * range are rejected.
 *
 * Skipped only where clang or wasm-ld is absent (the kernels cannot be built), as test/wasm-backend.test.ts.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as torch from "../src/index.js";
import "../src/node.js";
import type { View } from "../src/tensor.js";
import { cpuBackend } from "../src/backend/cpu/index.js";
import type { ConvGeometry } from "../src/backend/interface/conv.js";
import { wasmConvKernels } from "../src/backend/wasm/conv.js";
import { MIN_SPLIT_MNK, rowBlocks, wasmLinalgKernels } from "../src/backend/wasm/gemm.js";
import { wasmMapKernels } from "../src/backend/wasm/map.js";
import { nodeWorkerSpawner } from "../src/backend/wasm/node.js";
import { WasmHeap, type WasmExports } from "../src/backend/wasm/heap.js";
import { wasmExports, wasmModule } from "../src/backend/wasm/registry.js";
import { MAX_THREADS, provideWorkerSpawner, WasmPool, type SpawnWorker, type WorkerHandle } from "../src/backend/wasm/workers.js";
import { checkConvAgainstJs, numel, randomValues, view } from "./backend-helpers.js";

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

/** Starts the pool's workers and waits until each is ready. */
async function warm(pool: WasmPool): Promise<void> {
  pool.prepare();
  for (let i = 0; i < pool.numThreads - 1; i++) {
    for (let tries = 0; pool.worker(i) === null; tries++) {
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
        expect(blocks[0][0]).toBe(0);
        expect(blocks[blocks.length - 1][1]).toBe(M);
        expect(blocks.length).toBeLessThanOrEqual(t);
        for (let i = 0; i < blocks.length; i++) {
          const [m0, m1] = blocks[i];
          if (i > 0) expect(m0).toBe(blocks[i - 1][1]);
          if (i < blocks.length - 1) expect(m0 % 4 === 0 && (m1 - m0) % 4 === 0).toBe(true);
          if (blocks.length > 1) expect(m1 - m0).toBeGreaterThanOrEqual(4);
        }
      }),
      { numRuns: 200, seed: 8 },
    );
  });
});

describe.skipIf(!HAVE_TOOLCHAIN)("wasm kernels on several threads", () => {
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

  function threaded(threads: number): { pool: WasmPool; gemm: ReturnType<typeof wasmLinalgKernels>["gemm"]; conv: ReturnType<typeof wasmConvKernels> } {
    const heap = new WasmHeap(wasmExports()!);
    const pool = new WasmPool(wasmModule(), heap);
    pool.setNumThreads(threads);
    pools.push(pool);
    return { pool, gemm: wasmLinalgKernels(heap, pool).gemm, conv: wasmConvKernels(heap, pool) };
  }

  it("runs on the threaded build: shared memory, one thread per core by default", () => {
    const heap = new WasmHeap(wasmExports()!);
    expect(heap.ex.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    const pool = new WasmPool(wasmModule(), heap);
    expect(pool.numThreads).toBe(Math.min(MAX_THREADS, availableParallelism()));
    // Without shared memory (the single-threaded build, as in pages that are not cross-origin isolated): one.
    expect(new WasmPool(null, heap).numThreads).toBe(1);
  });

  it("the single-threaded build (own, unshared memory: pages that are not cross-origin isolated) computes the same", () => {
    const here = fileURLToPath(new URL("../wasm/build/kernels.wasm", import.meta.url));
    const st = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(here)), {}).exports as unknown as WasmExports;
    expect(st.memory.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    const heap = new WasmHeap(st);
    const pool = new WasmPool(wasmModule(), heap);
    expect(pool.numThreads).toBe(1);
    expect(pool.prepare()).toBe(1);
    const [M, N, K] = [67, 45, 130];
    const a = operand(1, M, K, "row", 31);
    const b = operand(1, K, N, "transposed", 32);
    const ref = output(1, M, N, 0);
    const out = output(1, M, N, 0);
    one.gemm(a, b, ref, 1, 0);
    wasmLinalgKernels(heap, pool).gemm(a, b, out, 1, 0);
    expect(out.buf).toEqual(ref.buf);
    const geom: ConvGeometry = { stride: [1, 2], padding: [1, 0], dilation: [1, 1], groups: 1 };
    const x = view([3, 4, 20, 21], "float32", randomValues(3 * 4 * 20 * 21, 33));
    const w = view([8, 4, 3, 3], "float32", randomValues(8 * 4 * 9, 34));
    const y1 = view([3, 8, 20, 10], "float32");
    const y2 = view([3, 8, 20, 10], "float32");
    wasmConvKernels(new WasmHeap(wasmExports()!)).convForward(x, w, null, y1, geom);
    wasmConvKernels(heap, pool).convForward(x, w, null, y2, geom);
    expect(y2.buf).toEqual(y1.buf);
  });

  it("equals the one-thread product bit for bit on 2, 3 and 4 threads (odd shapes, views, β)", async () => {
    const layouts = ["row", "transposed", "strided", "broadcast"] as const;
    const ts = [2, 3, 4].map(threaded);
    // Every block below is a worker's (none is computed by the caller for want of a ready worker).
    for (const { pool } of ts) await warm(pool);
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
        ({ batch, M, N, K: k, la, lb, beta, seed }) => {
          // Every product is large enough to be split.
          const K = Math.max(k, Math.ceil(MIN_SPLIT_MNK / (M * N)));
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
      for (let i = 0; i < pool.numThreads - 1; i++) expect(pool.worker(i)!.jobsDone).toBeGreaterThan(0);
    }
  });

  it("matches the js backend within float32's dot-product bound (the split changes nothing)", async () => {
    const { pool, gemm } = threaded(2);
    await warm(pool);
    const [M, N, K] = [97, 61, 760]; // above MIN_SPLIT_MNK: split
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

  /** A convolution large enough to be split (≥ 2^21 multiply-adds), 2 or 3 spatial dims, 1–7 samples (fewer than threads: rows split). */
  const bigConv = fc
    .record({
      nsp: fc.constantFrom(2, 3),
      N: fc.integer({ min: 1, max: 7 }),
      G: fc.integer({ min: 1, max: 2 }),
      cg: fc.integer({ min: 1, max: 5 }),
      og: fc.integer({ min: 1, max: 12 }),
      k: fc.integer({ min: 1, max: 5 }),
      o: fc.integer({ min: 5, max: 23 }),
      s: fc.integer({ min: 1, max: 2 }),
      d: fc.integer({ min: 1, max: 2 }),
      p: fc.integer({ min: 0, max: 2 }),
      bias: fc.boolean(),
      layout: fc.constantFrom("contiguous" as const, "permuted" as const, "sliced" as const),
      seed: fc.nat(),
    })
    .map((c) => {
      const nsp = c.nsp;
      const K = [c.k, Math.max(1, c.k - 1), c.k].slice(0, nsp);
      const O = [c.o, c.o + 3, 4].slice(0, nsp);
      const s = Array<number>(nsp).fill(c.s);
      const d = Array<number>(nsp).fill(c.d);
      const p = K.map((k) => Math.min(c.p, (k - 1) * c.d));
      const S = O.map((o, i) => (o - 1) * s[i] + (K[i] - 1) * d[i] + 1 - 2 * p[i]);
      return { ...c, K, O, s, d, p, S, extra: [0, 0, 0] };
    })
    .filter((c) => c.N * c.G * c.og * c.cg * numel(c.K) * numel(c.O) >= 1 << 21);

  it("convolutions: forward and input gradient equal one thread bit for bit; weight gradient repeatable and within float32's bound", async () => {
    const ts = [2, 3].map(threaded);
    for (const { pool } of ts) await warm(pool);
    const one = wasmConvKernels(new WasmHeap(wasmExports()!));
    fc.assert(
      fc.property(bigConv, (c) => {
        const geom: ConvGeometry = { stride: c.s, padding: c.p, dilation: c.d, groups: c.G };
        const xShape = [c.N, c.G * c.cg, ...c.S];
        const wShape = [c.G * c.og, c.cg, ...c.K];
        const yShape = [c.N, c.G * c.og, ...c.O];
        const vals = randomValues(numel(xShape) + numel(wShape) + numel(yShape), c.seed);
        const x = view(xShape, "float32", vals);
        const w = view(wShape, "float32", vals.subarray(numel(xShape)));
        const gy = view(yShape, "float32", vals.subarray(numel(xShape) + numel(wShape)));
        const what = JSON.stringify(c);
        const y1 = view(yShape, "float32");
        one.convForward(x, w, null, y1, geom);
        const gx1 = view(xShape, "float32");
        one.convBackwardInput(gy, w, null, gx1, geom);
        for (const t of ts) {
          const y = view(yShape, "float32");
          t.conv.convForward(x, w, null, y, geom);
          expect(y.buf, `forward, ${t.pool.numThreads} threads, ${what}`).toEqual(y1.buf);
          const gx = view(xShape, "float32");
          t.conv.convBackwardInput(gy, w, null, gx, geom);
          expect(gx.buf, `input gradient, ${t.pool.numThreads} threads, ${what}`).toEqual(gx1.buf);
          const gw = view(wShape, "float32");
          const again = view(wShape, "float32");
          t.conv.convBackwardWeight(x, gy, gw, geom);
          t.conv.convBackwardWeight(x, gy, again, geom);
          expect(again.buf, `weight gradient twice, ${t.pool.numThreads} threads, ${what}`).toEqual(gw.buf);
          // Against the js backend (strided layouts and bias included), all three kernels.
          const backend = { ...cpuBackend, ...t.conv };
          for (const name of ["convForward", "convBackwardInput", "convBackwardWeight"] as const) {
            checkConvAgainstJs(backend, `wasm on ${t.pool.numThreads} threads`, name, c);
          }
        }
      }),
      { numRuns: 12, seed: 20261207 },
    );
    // Batch 1 (inference), bias, both GEMM paths (output width a multiple of 8 or not): rows split across threads.
    for (const [H, W] of [[32, 32], [29, 31]]) {
      const geom: ConvGeometry = { stride: [1, 1], padding: [2, 2], dilation: [1, 1], groups: 1 };
      const x = view([1, 3, H, W], "float32", randomValues(3 * H * W, H));
      const w = view([32, 3, 5, 5], "float32", randomValues(32 * 75, 2));
      const bias = view([32], "float32", randomValues(32, 3));
      const y1 = view([1, 32, H, W], "float32");
      one.convForward(x, w, bias, y1, geom);
      for (const t of ts) {
        const before = t.pool.worker(0)!.jobsDone;
        const y = view([1, 32, H, W], "float32");
        t.conv.convForward(x, w, bias, y, geom);
        expect(y.buf, `batch 1, ${H}x${W}, ${t.pool.numThreads} threads`).toEqual(y1.buf);
        expect(t.pool.worker(0)!.jobsDone).toBe(before + 1);
      }
    }
    // The workers computed their blocks of samples.
    for (const { pool } of ts) {
      for (let i = 0; i < pool.numThreads - 1; i++) expect(pool.worker(i)!.jobsDone).toBeGreaterThan(0);
    }
  });

  it("elementwise maps split across threads equal one thread bit for bit, and the workers take their ranges", async () => {
    const maps = [2, 3].map((threads) => {
      const heap = new WasmHeap(wasmExports()!);
      const pool = new WasmPool(wasmModule(), heap);
      pool.setNumThreads(threads);
      pools.push(pool);
      return { pool, map: wasmMapKernels(heap, pool).map };
    });
    for (const { pool } of maps) await warm(pool);
    const single = wasmMapKernels(new WasmHeap(wasmExports()!)).map;
    const rows = [
      { name: "relu", arity: 1, expr: "(a > 0 ? a : a !== a ? a : 0)" },
      { name: "sigmoid", arity: 1, expr: "(a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a)))" },
      { name: "sigmoid_backward", arity: 2, expr: "a * (1 - b) * b" },
    ] as const;
    // Sizes past each row's split threshold (sigmoid's is 2^15 per thread, the others' 2^18 and 2^19), odd ones.
    for (const n of [(1 << 16) + 7, (1 << 20) + 13]) {
      const x = view([n], "float32", Float64Array.from(values(n, n), (v) => v * 30));
      const y = view([n], "float32", Float64Array.from(values(n, n + 1), (v) => (v + 1) / 2));
      for (const row of rows) {
        const inputs = row.arity === 1 ? [x] : [x, y];
        const o1 = view([n], "float32");
        single(row, inputs, o1);
        for (const t of maps) {
          const before = t.pool.worker(0)!.jobsDone;
          const o = view([n], "float32");
          t.map(row, inputs, o);
          // Bytes compared at once (toEqual walks a million elements slowly); the inputs hold no NaN.
          const same = Buffer.from(o.buf.buffer).equals(Buffer.from(o1.buf.buffer));
          expect(same, `${row.name}, ${n} elements, ${t.pool.numThreads} threads: equal to one thread`).toBe(true);
          if (row.name === "sigmoid" || n > 1 << 20) expect(t.pool.worker(0)!.jobsDone, `${row.name}, ${n}: worker 0 ran its range`).toBe(before + 1);
        }
      }
    }
  });

  it("a worker whose job throws, or that never starts, leaves its block to the caller: same answer", async () => {
    const real: SpawnWorker = (body, data) => {
      const throwing = body.replace(".map((name) => ex[name])", ".map(() => () => { throw new Error('boom'); })");
      expect(throwing).not.toBe(body);
      const w = new Worker(`const { workerData } = require("node:worker_threads"); (${throwing})(workerData);`, { eval: true, workerData: data });
      w.on("error", () => {});
      w.unref();
      return { terminate: () => void w.terminate() };
    };
    const [M, N, K] = [130, 70, 470]; // above MIN_SPLIT_MNK: split
    const a = operand(1, M, K, "row", 11);
    const b = operand(1, K, N, "row", 12);
    const ref = output(1, M, N, 0);
    one.gemm(a, b, ref, 1, 0);
    try {
      provideWorkerSpawner(real);
      const failing = threaded(2);
      await warm(failing.pool);
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

  it("a worker that dies mid-job fails the op with an error naming it; one killed while idle is replaced; the pool recovers", async () => {
    const [M, N, K] = [130, 70, 470]; // above MIN_SPLIT_MNK: split
    const a = operand(1, M, K, "row", 13);
    const b = operand(1, K, N, "row", 14);
    const ref = output(1, M, N, 0);
    one.gemm(a, b, ref, 1, 0);
    let handle: WorkerHandle | null = null;
    try {
      // The worker's thread exits as its job starts (as process.exit, a kill or running out of memory would end it).
      provideWorkerSpawner((body, data) => {
        const dying = body.replace("kernels[ctrl[", "process.exit(7), kernels[ctrl[");
        expect(dying).not.toBe(body);
        return nodeWorkerSpawner(dying, data);
      });
      const t = threaded(2);
      await warm(t.pool);
      expect(() => t.gemm(a, b, output(1, M, N, 0), 1, 0)).toThrow(
        "wasm sgemm: worker thread 1 of 1 died during its part of the op (exit code 7); the op's result is lost. The next op starts a new worker in its place.",
      );
      // The next op starts a healthy worker in the dead one's place; once it is ready it takes its block again.
      provideWorkerSpawner((body, data) => (handle = nodeWorkerSpawner(body, data)));
      const out = output(1, M, N, 0);
      t.gemm(a, b, out, 1, 0);
      expect(out.buf).toEqual(ref.buf);
      await warm(t.pool);
      const before = t.pool.worker(0)!.jobsDone;
      const again = output(1, M, N, 0);
      t.gemm(a, b, again, 1, 0);
      expect(again.buf).toEqual(ref.buf);
      expect(t.pool.worker(0)!.jobsDone).toBe(before + 1);
      // Killed while idle: seen as dead before any job is handed to it; the caller computes, a new one starts.
      handle!.terminate();
      for (let i = 0; t.pool.worker(0) !== null; i++) {
        if (i > 500) throw new Error("the killed worker was not reported within 5 s");
        await sleep(10);
      }
      const idle = output(1, M, N, 0);
      t.gemm(a, b, idle, 1, 0);
      expect(idle.buf).toEqual(ref.buf);
      await warm(t.pool);
      expect(t.pool.worker(0)).not.toBeNull();
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
