/**
 * The wasm channel sums (src/backend/wasm/reduce.ts: a convolution's bias gradient, sum over every dim
 * but 1) against the js reduction, bit for bit: odd shapes, special values, dims in any order, on one
 * thread and split across threads by channels; and the reductions it leaves to the js backend.
 *
 * Skipped only where clang or wasm-ld is absent (the kernels cannot be built), as test/wasm-backend.test.ts.
 */
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import "../src/node.js";
import type { View } from "../src/tensor.js";
import { cpuBackend } from "../src/backend/cpu/index.js";
import type { ReduceKind } from "../src/backend/interface/reduce.js";
import { WasmHeap } from "../src/backend/wasm/heap.js";
import { wasmReduceKernels } from "../src/backend/wasm/reduce.js";
import { wasmExports } from "../src/backend/wasm/registry.js";
import { numel, permutedCopy, randomValues, view } from "./backend-helpers.js";
import { wasmPools } from "./wasm-pools.js";

const runs = (cmd: string): boolean => spawnSync(cmd, ["--version"], { stdio: "ignore" }).status === 0;
const HAVE_TOOLCHAIN = runs(process.env.CLANG || "clang") && runs("wasm-ld");

/**
 * Random values with ±0, NaN, ±inf, and ±2^60 among them: in double, 2^60 + 1 − 2^60 depends on the order
 * of the additions, so a sum taken in any other order than the js one differs.
 */
function values(n: number, seed: number, specials: boolean): Float64Array {
  const v = randomValues(n, seed);
  const special = [0, -0, NaN, Infinity, -Infinity, 3e38, -3e38, 1e-40];
  for (let i = 0; i < n; i++) {
    v[i] = specials && i % 53 === 7 ? special[(i * 7 + seed) % special.length] : i % 5 === 0 ? Math.sign(v[i]) * 2 ** 60 : v[i];
  }
  return v;
}

function keepdim(shape: readonly number[], dims: readonly number[]): number[] {
  return shape.map((s, i) => (dims.includes(i) ? 1 : s));
}

function expectSame(a: View, b: View, what: string): void {
  expect(a.buf.length).toBe(b.buf.length);
  for (let i = 0; i < b.buf.length; i++) {
    if (!Object.is(a.buf[i], b.buf[i])) throw new Error(`${what}: element ${i}: wasm ${a.buf[i]} vs js ${b.buf[i]}`);
  }
}

describe.skipIf(!HAVE_TOOLCHAIN)("wasm channel sums", () => {
  const started = wasmPools();
  let one: ReturnType<typeof wasmReduceKernels>;

  beforeAll(() => {
    expect(torch.backends.wasm.unavailableReason()).toBeNull();
    one = wasmReduceKernels(new WasmHeap(wasmExports()!));
  });

  /** Reduces on `k` and on the js backend into fresh outputs; the wasm one starts as NaN. */
  function both(k: ReturnType<typeof wasmReduceKernels>, kind: ReduceKind, x: View, dims: number[]): [View, View] {
    const shape = keepdim(x.shape, dims);
    const [w, j] = [view(shape, "float32"), view(shape, "float32")];
    w.buf.fill(NaN);
    k.reduce(kind, x, dims, w);
    cpuBackend.reduce(kind, x, dims, j);
    return [w, j];
  }

  it("equal the js reduction bit for bit on odd shapes, special values and dims in any order", () => {
    const cases = fc.record({
      N: fc.integer({ min: 1, max: 5 }),
      C: fc.integer({ min: 1, max: 9 }),
      spatial: fc.array(fc.integer({ min: 1, max: 13 }), { minLength: 1, maxLength: 3 }),
      specials: fc.boolean(),
      permuted: fc.boolean(),
      seed: fc.nat(),
    });
    fc.assert(
      fc.property(cases, (c) => {
        const shape = [c.N, c.C, ...c.spatial];
        let x = view(shape, "float32", values(numel(shape), c.seed, c.specials));
        // A permuted copy is not dense, and dims out of order walk the runs otherwise: the js backend's path.
        if (c.permuted) x = permutedCopy(x);
        const dims = shape.map((_, i) => i).filter((i) => i !== 1);
        if (c.seed % 2 === 1) dims.reverse();
        const [w, j] = both(one, "sum", x, dims);
        expectSame(w, j, `sum ${JSON.stringify(c)} over ${dims}`);
      }),
      { numRuns: 200, seed: 20261207 },
    );
  });

  it("leave other reductions, other dims and float64 to the js backend, with its results", () => {
    const x = view([3, 4, 5, 6], "float32", values(360, 1, true));
    for (const [kind, dims] of [["mean", [0, 2, 3]], ["max", [0, 2, 3]], ["sum", [0, 2]], ["sum", [1, 2, 3]], ["sum", [0, 1, 2, 3]]] as const) {
      const [w, j] = both(one, kind, x, [...dims]);
      expectSame(w, j, `${kind} over ${dims}`);
    }
    const x64 = view([3, 4, 5], "float64", values(60, 2, true));
    const [a, b] = [view([1, 4, 1], "float64"), view([1, 4, 1], "float64")];
    one.reduce("sum", x64, [0, 2], a);
    cpuBackend.reduce("sum", x64, [0, 2], b);
    expectSame(a, b, "float64 sum");
  });

  for (const threads of [2, 3]) {
    it(`split by channels over ${threads} threads, equal one thread and the js backend`, async () => {
      const { heap, pool } = await started(threads);
      const k = wasmReduceKernels(heap, pool);
      // Large enough to split (SPLIT_ELEMENTS per thread); channel counts that divide unevenly.
      for (const shape of [[64, 7, 33, 31], [64, 16, 20, 20], [4, 5, 3, 81, 97]]) {
        const x = view(shape, "float32", values(numel(shape), shape[1], true));
        const dims = shape.map((_, i) => i).filter((i) => i !== 1);
        const before = Array.from({ length: threads - 1 }, (_, i) => pool.worker(i)!.jobsDone);
        const [w, j] = both(k, "sum", x, dims);
        for (let i = 0; i < before.length; i++) expect(pool.worker(i)!.jobsDone, `worker ${i}`).toBeGreaterThan(before[i]);
        const [w1] = both(one, "sum", x, dims);
        expectSame(w, j, `${shape} on ${threads} threads vs js`);
        expectSame(w, w1, `${shape} on ${threads} threads vs one`);
      }
    });
  }
});
