/**
 * Max pooling's values-only path (no gradient needed, no indices asked for): every backend's values equal
 * the js backend's values computed with indices, bit for bit (NaN, ±0, ±inf, ties, padding, dilation, ceil
 * mode, 3-d and strided inputs), and the op takes that path only when PyTorch would.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import "../src/node.js";
import type { Backend } from "../src/backend/backend.js";
import { cpuBackend } from "../src/backend/cpu/index.js";
import type { PoolWindow } from "../src/backend/interface/pool.js";
import type { View } from "../src/tensor.js";
import { poolOutputSize } from "../src/layout.js";
import { numel, permutedCopy, randomValues, slicedCopy, view } from "./backend-helpers.js";

const F = torch.nn.functional;
const FC = { numRuns: 120, seed: 20261206 };

const backends: Array<[string, () => Backend]> = [["js", () => cpuBackend]];
if (torch.backends.native.unavailableReason() === null) backends.push(["native", () => torch.backends.use("native")]);
if (torch.backends.wasm.unavailableReason() === null) backends.push(["wasm", () => torch.backends.use("wasm")]);

afterAll(() => {
  torch.backends.use("js");
});

const poolCase = fc
  .record({
    nd: fc.constantFrom(1, 2, 3),
    N: fc.integer({ min: 1, max: 3 }),
    C: fc.integer({ min: 1, max: 3 }),
    k: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 3, maxLength: 3 }),
    s: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 3, maxLength: 3 }),
    d: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 3, maxLength: 3 }),
    p: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 3, maxLength: 3 }),
    extra: fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 3, maxLength: 3 }),
    ceil: fc.boolean(),
    values: fc.constantFrom("random", "ties", "zeros", "special"),
    layout: fc.constantFrom("contiguous", "permuted", "sliced"),
    seed: fc.integer({ min: 0, max: 1e6 }),
  })
  .map((c) => {
    // Leading dims of a lower-dimensional pooling have kernel 1, as the op passes them.
    const lift = (a: number[], one: number): [number, number, number] => [0, 1, 2].map((i) => (i < 3 - c.nd ? one : a[i])) as [number, number, number];
    const k = lift(c.k, 1);
    const s = lift(c.s, 1);
    const d = lift(c.d, 1);
    const p = lift(c.p, 0).map((pp, i) => Math.min(pp, Math.floor(k[i] / 2))) as [number, number, number];
    const L = k.map((kk, i) => (i < 3 - c.nd ? 1 : (kk - 1) * d[i] + 1 + c.extra[i]));
    return { ...c, k, s, d, p, L };
  });

type Case = typeof poolCase extends fc.Arbitrary<infer T> ? T : never;

/** "zeros": signed zeros around the maximum; "special": NaN, ±inf and -0 at every third element. */
function input(c: Case): View {
  const shape = [c.N, c.C, ...c.L];
  const vals = randomValues(numel(shape), c.seed);
  for (let i = 0; i < vals.length; i++) {
    if (c.values === "ties") vals[i] = Math.round(vals[i] * 2);
    if (c.values === "zeros") vals[i] = vals[i] > 0.3 ? 0 : vals[i] > -0.3 ? -0 : vals[i];
    if (c.values === "special" && i % 3 === 0) vals[i] = [NaN, -Infinity, Infinity, -0][(i / 3) % 4];
  }
  const x = view(shape, "float32", vals);
  if (c.layout === "permuted" && c.N > 1) return permutedCopy(x);
  if (c.layout === "sliced") return slicedCopy(x);
  return x;
}

function expectValuesOnlySame(b: Backend, c: Case): void {
  const out = c.L.map((L, i) => poolOutputSize(L, c.k[i], c.s[i], c.p[i], c.d[i], c.ceil));
  const x = input(c);
  const w: PoolWindow = { kernel: c.k, stride: c.s, padding: c.p, dilation: c.d };
  const shape = [c.N, c.C, ...out];
  const got = view(shape, "float32");
  const ref = view(shape, "float32");
  b.maxPool(x, w, got, null);
  cpuBackend.maxPool(x, w, ref, view(shape, "float64"));
  for (let i = 0; i < ref.buf.length; i++) {
    const show = (v: number): string => (Object.is(v, -0) ? "-0" : String(v));
    if (!Object.is(got.buf[i], ref.buf[i])) throw new Error(`${JSON.stringify(c)}: element ${i}: ${show(got.buf[i])} vs ${show(ref.buf[i])}`);
  }
}

/** The common CNN windows (kernel 2 and 3, stride = kernel, some with padding or ceil mode) on wide rows, which take the kernels' fast paths. */
const COMMON: Case[] = [2, 3].flatMap((k) =>
  (["random", "ties", "zeros", "special"] as const).flatMap((values) =>
    (["contiguous", "sliced"] as const).map(
      (layout, j): Case => ({
        nd: 2, N: 2, C: 3, k: [1, k, k], s: [1, k, k], d: [1, 1, 1], p: [0, 0, j], extra: [0, 0, 0], ceil: j === 1,
        values, layout, seed: 7 * k + j, L: [1, 17 + k, 32 + j],
      }),
    ),
  ),
);

describe("maxPool with indices null", () => {
  for (const [name, get] of backends) {
    it(`${name}: values equal the js backend's values with indices, bit for bit`, () => {
      const b = get();
      for (const c of COMMON) expectValuesOnlySame(b, c);
      fc.assert(
        fc.property(poolCase, (c) => expectValuesOnlySame(b, c)),
        FC,
      );
    });
  }
});

describe("the op's values-only path", () => {
  for (const [name, get] of backends) {
    it(`${name}: same values as with indices; indices and gradients whenever asked for`, () => {
      torch.backends.use(name as "js");
      get();
      torch.manualSeed(3);
      const x = torch.randn([2, 3, 9, 11]);
      const opts = { stride: 2, padding: 1 };
      const values = torch.noGrad(() => F.maxPool2d(x, 3, opts));
      const [withIdx, idx] = torch.noGrad(() => F.maxPool2d(x, 3, { ...opts, returnIndices: true }));
      expect(values.tolist()).toEqual(withIdx.tolist());
      expect(idx.dtype).toBe("int64");
      expect(torch.gather(x.flatten(2), 2, idx.flatten(2)).tolist()).toEqual(withIdx.flatten(2).tolist());
      // Grad mode on but x needs no gradient: values only, nothing recorded.
      const plain = F.maxPool2d(x, 3, opts);
      expect(plain.requiresGrad).toBe(false);
      expect(plain.tolist()).toEqual(values.tolist());

      const xg = x.clone().requiresGrad_();
      const y = F.maxPool2d(xg, 3, opts);
      expect(y.requiresGrad).toBe(true);
      y.sum().backward();
      // Each output's gradient lands on its maximum: the scatter of ones at the indices.
      const expected = torch.zeros([2, 3, 99]).scatterAdd(2, idx.flatten(2), torch.onesLike(withIdx).flatten(2)).reshape([2, 3, 9, 11]);
      expect(xg.grad!.tolist()).toEqual(expected.tolist());

      const [v1, i1] = torch.noGrad(() => F.maxPool1d(x.flatten(2), 4, { returnIndices: true }));
      expect(torch.noGrad(() => F.maxPool1d(x.flatten(2), 4)).tolist()).toEqual(v1.tolist());
      expect(i1.shape).toEqual([2, 3, 24]);
      const x3 = torch.randn([1, 2, 5, 6, 7]);
      expect(torch.noGrad(() => F.maxPool3d(x3, 2, { ceilMode: true })).tolist()).toEqual(F.maxPool3d(x3, 2, { ceilMode: true, returnIndices: true })[0].tolist());
      torch.backends.use("js");
    });
  }
});
