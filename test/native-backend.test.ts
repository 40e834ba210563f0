/**
 * The native (oneDNN) backend against the js reference backend: property tests over random geometries
 * (fast-check, seeded) for every kernel it implements, exact equality where the native kernel promises it
 * (pooling), a floating-point error bound where it does not (convolution and GEMM accumulate in float32),
 * the backend-selection and thread API, and errors instead of aborts on bad input.
 *
 * Skipped only where oneDNN's headers are absent (no native build possible); with them present, a native
 * backend that does not load is a failure.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import * as torch from "../src/index.js";
import "../src/node.js";
import type { Backend } from "../src/backend/backend.js";
import { cpuBackend } from "../src/backend/cpu/index.js";
import type { ConvGeometry } from "../src/backend/interface/conv.js";
import type { NativeAddon } from "../src/backend/native/addon.js";
import { nativeMapOp } from "../src/backend/native/eltwise.js";
import type { ElementwiseDescriptor } from "../src/backend/interface/core.js";
import type { View } from "../src/tensor.js";
import { poolOutputSize } from "../src/layout.js";
import { type ConvCase, U, absView, checkConvAgainstJs, convCase as convCaseOf, expectWithin as within, numel, permutedCopy, randomValues, smallCnnLosses, view } from "./backend-helpers.js";

const expectWithin = (a: View, ref: View, bound: View, n: number, what: string): void => within(a, ref, bound, n, what, "native");

const F = torch.nn.functional;
const HAVE_ONEDNN = existsSync("/usr/include/dnnl.hpp");
const ADDON = new URL("../native/build/Release/torch_ts_native.node", import.meta.url).pathname;
const FC = { numRuns: 60, seed: 20240611 };

let native: Backend;

function expectSame(a: View, b: View, what: string): void {
  expect(a.shape, what).toEqual(b.shape);
  for (let i = 0; i < a.buf.length; i++) {
    if (!Object.is(a.buf[i], b.buf[i])) throw new Error(`${what}: element ${i}: native ${a.buf[i]} vs js ${b.buf[i]}`);
  }
}

describe.skipIf(!HAVE_ONEDNN)("native backend (oneDNN)", () => {
  beforeAll(() => {
    expect(torch.backends.native.unavailableReason()).toBeNull();
    expect(torch.backends.native.isAvailable()).toBe(true);
    native = torch.backends.use("native");
  });
  afterEach(() => {
    torch.backends.use("native");
  });

  describe("selection and threads", () => {
    it("is the backend torch-ts/node activates, and `use` switches between native and js", () => {
      expect(torch.backends.current()).toBe("native");
      expect(torch.backend().name).toBe("native");
      torch.backends.use("js");
      expect(torch.backends.current()).toBe("js");
      expect(torch.backend()).toBe(cpuBackend);
      torch.backends.use("native");
      expect(torch.backends.current()).toBe("native");
    });

    it("rejects unknown backend names (the wasm backend has its own suite: wasm-backend.test.ts)", () => {
      expect(() => torch.backends.use("gpu" as "js")).toThrow("torch.backends.use: expected 'native', 'js' or 'wasm', but got 'gpu'");
    });

    it("setNumThreads reaches oneDNN's OpenMP runtime and survives a backend switch", () => {
      const before = torch.getNumThreads();
      try {
        torch.setNumThreads(1);
        expect(torch.getNumThreads()).toBe(1);
        torch.backends.use("js");
        expect(torch.getNumThreads()).toBe(1);
        torch.setNumThreads(3);
        torch.backends.use("native");
        expect(torch.getNumThreads()).toBe(3);
        expect(torch.backends.native.info()?.threads).toBe(3);
      } finally {
        torch.setNumThreads(before);
      }
      expect(torch.getNumThreads()).toBe(before);
    });

    it("setNumThreads rejects what PyTorch rejects, with its messages", () => {
      expect(() => torch.setNumThreads(0)).toThrow("set_num_threads expects a positive integer");
      expect(() => torch.setNumThreads(-2)).toThrow("set_num_threads expects a positive integer");
      expect(() => torch.setNumThreads(1.5)).toThrow("set_num_threads expects an int, but got float");
    });

    it("reports oneDNN's version and the convolution plans it built", () => {
      F.conv2d(torch.randn([2, 3, 8, 8]), torch.randn([4, 3, 3, 3]));
      const info = torch.backends.native.info();
      expect(info?.onednn).toMatch(/^\d+\.\d+\.\d+$/);
      // dims: [nsp, N, Cin, Cout, ...]; small problems run on one thread.
      const plan = info?.convPlans.find((p) => p.op === "convForward" && p.dims[1] === 2 && p.dims[3] === 4);
      expect(plan?.threads).toBe(1);
      // Never oneDNN's gemm-based implementation (its sgemm corrupts the heap under signals: gemm.cc).
      expect(plan?.impl).toMatch(/^(jit|brg|ref)/);
    });
  });

  describe("convolution", () => {
    const convCase = convCaseOf({ maxOg: 3, layouts: ["contiguous", "permuted"] });
    const run = (name: "convForward" | "convBackwardInput" | "convBackwardWeight", c: ConvCase): void =>
      checkConvAgainstJs(native, "native", name, c);

    it("forward agrees with the js backend within float32's dot-product error bound", () => {
      fc.assert(fc.property(convCase, (c) => run("convForward", c)), FC);
    });
    it("backward-input (the transposed convolution) agrees, output padding included", () => {
      fc.assert(fc.property(convCase, (c) => run("convBackwardInput", c)), FC);
    });
    it("backward-weight agrees", () => {
      fc.assert(fc.property(convCase, (c) => run("convBackwardWeight", c)), FC);
    });

    it("float64 convolutions run on the js kernels (oneDNN has none): results equal bit for bit", () => {
      const x = view([2, 4, 7, 6], "float64", randomValues(2 * 4 * 7 * 6, 3));
      const w = view([6, 2, 3, 2], "float64", randomValues(6 * 2 * 3 * 2, 4));
      const geom = { stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 2 };
      const a = view([2, 6, 4, 4], "float64");
      const r = view([2, 6, 4, 4], "float64");
      native.convForward(x, w, null, a, geom);
      cpuBackend.convForward(x, w, null, r, geom);
      expectSame(a, r, "float64 convForward");
    });

    it("trains a small CNN like the js backend (conv, pooling, linear through autograd and SGD)", () => {
      const js = smallCnnLosses("js");
      const nat = smallCnnLosses("native");
      // Five SGD steps amplify float32 rounding differences only slightly; the losses agree to 1e-5.
      for (let i = 0; i < js.length; i++) expect(Math.abs(nat[i] - js[i])).toBeLessThan(1e-5 * (1 + Math.abs(js[i])));
      expect(nat[4]).toBeLessThan(nat[0]);
    });
  });

  describe("gemm", () => {
    type Layout = "row" | "transposed" | "strided" | "broadcast";
    const layout = fc.constantFrom<Layout>("row", "transposed", "strided", "broadcast");
    const gemmCase = fc.record({
      B: fc.integer({ min: 1, max: 3 }),
      M: fc.integer({ min: 1, max: 37 }),
      N: fc.integer({ min: 1, max: 37 }),
      K: fc.integer({ min: 0, max: 37 }),
      la: layout,
      lb: layout,
      lc: fc.constantFrom<Layout>("row", "transposed"),
      alpha: fc.constantFrom(1, 0.5, 0),
      beta: fc.constantFrom(0, 1, -0.5),
      seed: fc.nat(),
    });

    /** A [B, R, C] float32 matrix view in the given layout, with values from `seed`. */
    function matrix(B: number, R: number, C: number, l: Layout, seed: number): View {
      const vals = randomValues(B * R * C * 2 + 8, seed);
      if (l === "row") return view([B, R, C], "float32", vals);
      if (l === "transposed") {
        const st = view([B, C, R], "float32", vals);
        return { ...st, shape: [B, R, C], strides: [R * C, 1, R] };
      }
      if (l === "strided") {
        const st = view([B, R, 2 * C], "float32", vals);
        return { ...st, shape: [B, R, C], strides: [2 * R * C, 2 * C, 2], offset: 1 };
      }
      const one = view([1, R, C], "float32", vals);
      return { ...one, shape: [B, R, C], strides: [0, C, 1] };
    }

    /** Larger products (64–96 per dim): the primitive's blocked kernels, and their tails. */
    const largeCase = gemmCase.chain((c) =>
      fc.record({ M: fc.integer({ min: 64, max: 96 }), N: fc.integer({ min: 64, max: 96 }), K: fc.integer({ min: 64, max: 96 }) }).map((d) => ({ ...c, ...d })),
    );

    it.each([
      ["small products", gemmCase, 150],
      ["large products", largeCase, 40],
    ] as const)("agrees with the js backend for every operand layout, alpha and beta: %s", (_, arb, numRuns) => {
      fc.assert(
        fc.property(arb, (c) => {
          const a = matrix(c.B, c.M, c.K, c.la, c.seed);
          const b = matrix(c.B, c.K, c.N, c.lb, c.seed + 1);
          const fresh = (): View => {
            const out = matrix(c.B, c.M, c.N, c.lc, c.seed + 2);
            // beta = 0 must not read out: NaN there must not survive.
            if (c.beta === 0) out.buf.fill(NaN);
            return out;
          };
          const outN = fresh();
          const outJ = fresh();
          const bound = view([c.B, c.M, c.N], "float64");
          cpuBackend.copy(fresh(), bound);
          for (let i = 0; i < bound.buf.length; i++) bound.buf[i] = c.beta === 0 ? 0 : Math.abs(c.beta * bound.buf[i]);
          cpuBackend.gemm(absView(a), absView(b), bound, Math.abs(c.alpha), 1);
          native.gemm(a, b, outN, c.alpha, c.beta);
          cpuBackend.gemm(a, b, outJ, c.alpha, c.beta);
          const an = view([c.B, c.M, c.N], "float32");
          const aj = view([c.B, c.M, c.N], "float32");
          cpuBackend.copy(outN, an);
          cpuBackend.copy(outJ, aj);
          expectWithin(an, aj, bound, c.K + 2, `gemm ${JSON.stringify(c)}`);
        }),
        { ...FC, numRuns },
      );
    });

    it("float64 and integer products stay on the js kernels", () => {
      const a = torch.randn([5, 7], { dtype: "float64" });
      const b = torch.randn([7, 3], { dtype: "float64" });
      const n = torch.matmul(a, b);
      torch.backends.use("js");
      expect(Array.from(torch.matmul(a, b).toTypedArray())).toEqual(Array.from(n.toTypedArray()));
      torch.backends.use("native");
      const ia = torch.tensor([[1, 2], [3, 4]], { dtype: "int64" });
      expect(torch.matmul(ia, ia).tolist()).toEqual([[7, 10], [15, 22]]);
    });
  });

  describe("pooling (results and indices equal the js backend's bit for bit)", () => {
    const values = fc.constantFrom("normal", "ties", "special");
    const poolCase = fc
      .record({
        nd: fc.constantFrom(1, 2, 3),
        N: fc.integer({ min: 1, max: 2 }),
        C: fc.integer({ min: 1, max: 3 }),
        k: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 3 }),
        s: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 3 }),
        d: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 3, maxLength: 3 }),
        p: fc.array(fc.nat({ max: 2 }), { minLength: 3, maxLength: 3 }),
        extra: fc.array(fc.nat({ max: 4 }), { minLength: 3, maxLength: 3 }),
        ceil: fc.boolean(),
        includePad: fc.boolean(),
        divisor: fc.constantFrom(null, 3),
        dtype: fc.constantFrom<"float32" | "float64">("float32", "float64"),
        values,
        permuted: fc.boolean(),
        seed: fc.nat(),
      })
      .map((c) => {
        const lift = (a: number[], fill: number): number[] => a.map((v, i) => (i < 3 - c.nd ? fill : v));
        const k = lift(c.k, 1);
        const s = lift(c.s, 1);
        const d = lift(c.d, 1);
        // PyTorch: padding at most half the (effective) kernel.
        const p = lift(c.p, 0).map((pp, i) => Math.min(pp, Math.floor(k[i] / 2)));
        const L = k.map((kk, i) => (i < 3 - c.nd ? 1 : (kk - 1) * d[i] + 1 + c.extra[i]));
        return { ...c, k, s, d, p, L };
      });

    function input(c: { N: number; C: number; L: number[]; dtype: "float32" | "float64"; values: string; seed: number; permuted: boolean }): View {
      const shape = [c.N, c.C, ...c.L];
      const vals = randomValues(numel(shape), c.seed);
      if (c.values === "ties") for (let i = 0; i < vals.length; i++) vals[i] = Math.round(vals[i] * 2);
      if (c.values === "special") {
        const sp = [NaN, -Infinity, Infinity, -Infinity];
        for (let i = 0; i < vals.length; i++) if (i % 3 === 0) vals[i] = sp[(i / 3) % 4];
      }
      const v = view(shape, c.dtype, vals);
      return c.permuted && c.N > 1 ? permutedCopy(v) : v;
    }

    it("max pooling: values and PyTorch's flat indices, NaN/±inf and ties included, and its backward scatter", () => {
      fc.assert(
        fc.property(poolCase, (c) => {
          const out = c.L.map((L, i) => poolOutputSize(L, c.k[i], c.s[i], c.p[i], c.d[i], c.ceil));
          const x = input(c);
          const w = { kernel: c.k, stride: c.s, padding: c.p, dilation: c.d } as never;
          const shape = [c.N, c.C, ...out];
          const [oN, iN, oJ, iJ] = [view(shape, c.dtype), view(shape, "float64"), view(shape, c.dtype), view(shape, "float64")];
          native.maxPool(x, w, oN, iN);
          cpuBackend.maxPool(x, w, oJ, iJ);
          expectSame(oN, oJ, "maxPool values");
          expectSame(iN, iJ, "maxPool indices");
          const L = numel(c.L);
          const grad = view(shape, c.dtype, randomValues(numel(shape), c.seed + 5));
          const pN = view([c.N, c.C, L], c.dtype);
          const pJ = view([c.N, c.C, L], c.dtype);
          expect(native.poolScatter(grad, iN, pN, true)).toBe(cpuBackend.poolScatter(grad, iJ, pJ, true));
          expectSame(pN, pJ, "poolScatter");
        }),
        { ...FC, numRuns: 150 },
      );
    });

    it("average pooling forward and backward: padding, ceil mode, count_include_pad, divisor_override", () => {
      fc.assert(
        fc.property(poolCase, (c) => {
          const out = c.L.map((L, i) => poolOutputSize(L, c.k[i], c.s[i], c.p[i], 1, c.ceil));
          const x = input({ ...c, values: c.values === "special" ? "normal" : c.values });
          const w = { kernel: c.k, stride: c.s, padding: c.p, dilation: [1, 1, 1] } as never;
          const mode = { countIncludePad: c.includePad, divisorOverride: c.divisor };
          const shape = [c.N, c.C, ...out];
          const oN = view(shape, c.dtype);
          const oJ = view(shape, c.dtype);
          native.avgPool(x, w, mode, oN);
          cpuBackend.avgPool(x, w, mode, oJ);
          expectSame(oN, oJ, "avgPool");
          const grad = view(shape, c.dtype, randomValues(numel(shape), c.seed + 9));
          const gN = view([c.N, c.C, ...c.L], c.dtype);
          const gJ = view([c.N, c.C, ...c.L], c.dtype);
          native.avgPoolBackward(grad, w, mode, gN);
          cpuBackend.avgPoolBackward(grad, w, mode, gJ);
          expectSame(gN, gJ, "avgPoolBackward");
        }),
        { ...FC, numRuns: 150 },
      );
    });

    it("an expanded (stride-0) gradient scatters like a contiguous one", () => {
      const x = torch.randn([2, 3, 9, 9], { requiresGrad: true });
      F.maxPool2d(x, 3, { stride: 2, padding: 1 }).sum().backward();
      const gn = x.grad!.clone();
      torch.backends.use("js");
      x.grad = null;
      F.maxPool2d(x, 3, { stride: 2, padding: 1 }).sum().backward();
      expect(Array.from(gn.toTypedArray())).toEqual(Array.from(x.grad!.toTypedArray()));
    });
  });

  describe("elementwise maps and sum/mean reductions", () => {
    /** The descriptor torch's own elementwise op passes to the backend (the last map `f` runs). */
    function descriptorOf(f: () => unknown): ElementwiseDescriptor {
      const seen: ElementwiseDescriptor[] = [];
      torch.setBackend({ ...native, map: (d, i, o, p) => (seen.push(d), native.map(d, i, o, p)) });
      try {
        f();
      } finally {
        torch.backends.use("native");
      }
      return seen[seen.length - 1];
    }
    const x = torch.randn([4, 5]);
    const OPS: Array<[string, () => unknown]> = [
      ["neg", () => torch.neg(x)],
      ["abs", () => torch.abs(x)],
      ["exp", () => torch.exp(x)],
      ["log", () => torch.log(x)],
      ["sqrt", () => torch.sqrt(x)],
      ["tanh", () => torch.tanh(x)],
      ["sigmoid", () => torch.sigmoid(x)],
      ["relu", () => torch.relu(x)],
      ["square", () => torch.square(x)],
      ["reciprocal", () => torch.reciprocal(x)],
      ["add", () => torch.add(x, x)],
      ["sub", () => torch.sub(x, x)],
      ["mul", () => torch.mul(x, x)],
      ["div", () => torch.div(x, x)],
      // The fused gradients: the backward pass's map is the last one.
      ["sigmoid backward", () => torch.sigmoid(x.clone().requiresGrad_()).backward(x)],
      ["tanh backward", () => torch.tanh(x.clone().requiresGrad_()).backward(x)],
    ];

    it("covers the ops' own descriptors (a changed js expression would silently lose the native path)", () => {
      for (const [name, f] of OPS) expect(nativeMapOp(descriptorOf(f)), name).toBeDefined();
    });

    const TRANSCENDENTAL = new Set(["exp", "log", "sqrt", "tanh", "sigmoid"]);
    const mapCase = fc.record({
      op: fc.constantFrom(...OPS.map(([n]) => n)),
      shape: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }),
      broadcast: fc.nat({ max: 3 }),
      permuted: fc.boolean(),
      dtype: fc.constantFrom<"float32" | "float64">("float32", "float64"),
      seed: fc.nat(),
    });

    it("maps agree with the js backend: arithmetic bit for bit, transcendental functions to a few ulp", () => {
      fc.assert(
        fc.property(mapCase, (c) => {
          // At least 520 elements: smaller maps stay on the js loop, which is faster there.
          const shape = [...c.shape, 520];
          const desc = descriptorOf(OPS.find(([n]) => n === c.op)![1]);
          const vals = randomValues(numel(shape) * 2, c.seed);
          // NaN, ±inf, ±0, negatives (log/sqrt of them give NaN on both sides), and exp's subnormal range.
          vals.set([NaN, Infinity, -Infinity, 0, -0, -3, -88, -95, -103, 88], 0);
          let a = view(shape, c.dtype, vals);
          if (c.permuted && shape.length > 1 && shape[0] > 1) a = permutedCopy(a);
          const inputs = [a];
          if (desc.arity === 2) {
            // Broadcast the second operand along one dim (stride 0), as the ops pass it.
            const b = view(shape, c.dtype, vals.subarray(numel(shape)));
            const d = c.broadcast % shape.length;
            inputs.push({ ...b, strides: b.strides.map((s, i) => (i === d ? 0 : s)) });
          }
          const oN = view(shape, c.dtype);
          const oJ = view(shape, c.dtype);
          native.map(desc, inputs, oN);
          cpuBackend.map(desc, inputs, oJ);
          if (!TRANSCENDENTAL.has(c.op)) return expectSame(oN, oJ, `map ${c.op}`);
          // float32 exp/sigmoid/tanh run on oneDNN's vectorized kernels, documented (eltwise.cc) within 4 ulp;
          // float64 ones on glibc, whose exp may differ from V8's by an ulp, which sigmoid's add and divide
          // compose into a few.
          const ulp = 4 * (c.dtype === "float32" ? 2 ** -23 : 2 ** -52);
          for (let i = 0; i < oJ.buf.length; i++) {
            const [p, q] = [oN.buf[i], oJ.buf[i]];
            if (!(Object.is(p, q) || Math.abs(p - q) <= ulp * Math.abs(q))) throw new Error(`map ${c.op} element ${i}: ${p} vs ${q}`);
          }
        }),
        { ...FC, numRuns: 120 },
      );
    });

    it("sum and mean over any dims agree with the js backend (both accumulate in double)", () => {
      fc.assert(
        fc.property(
          fc.record({
            shape: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 3 }),
            mask: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
            mean: fc.boolean(),
            permuted: fc.boolean(),
            dtype: fc.constantFrom<"float32" | "float64">("float32", "float64"),
            seed: fc.nat(),
          }),
          (c) => {
            const shape = [...c.shape, 520];
            const dims = shape.map((_, i) => i).filter((i) => c.mask[i] ?? false);
            let x = view(shape, c.dtype, randomValues(numel(shape), c.seed));
            if (c.permuted && shape[0] > 1) x = permutedCopy(x);
            const outShape = shape.map((s, i) => (dims.includes(i) ? 1 : s));
            const [oN, oJ] = [view(outShape, c.dtype), view(outShape, c.dtype)];
            const kind = c.mean ? "mean" : "sum";
            native.reduce(kind, x, dims, oN);
            cpuBackend.reduce(kind, x, dims, oJ);
            const bound = view(outShape, "float64");
            cpuBackend.reduce(kind, absView(x), dims, bound);
            const u = c.dtype === "float32" ? U : 2 ** -53;
            const n = dims.reduce((a, d) => a * shape[d], 1);
            for (let i = 0; i < oJ.buf.length; i++) {
              const tol = u * Math.abs(oJ.buf[i]) + n * 2 ** -53 * bound.buf[i];
              if (!(Math.abs(oN.buf[i] - oJ.buf[i]) <= tol)) throw new Error(`${kind} element ${i}: ${oN.buf[i]} vs ${oJ.buf[i]}`);
            }
          },
        ),
        { ...FC, numRuns: 120 },
      );
    });

    it("strided copies (permuted, sliced, expanded views) equal the js backend's", () => {
      fc.assert(
        fc.property(
          fc.record({
            shape: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 2, maxLength: 3 }),
            expanded: fc.nat({ max: 3 }),
            dtype: fc.constantFrom<"float32" | "float64">("float32", "float64"),
            seed: fc.nat(),
          }),
          (c) => {
            const shape = [...c.shape, 520];
            const src = permutedCopy(view(shape, c.dtype, randomValues(numel(shape), c.seed)));
            const d = c.expanded % shape.length;
            const expanded = { ...src, strides: src.strides.map((st, i) => (i === d ? 0 : st)) };
            for (const v of [src, expanded]) {
              const [a, b] = [view(shape, c.dtype), view(shape, c.dtype)];
              native.copy(v, a);
              cpuBackend.copy(v, b);
              expectSame(a, b, "copy");
            }
          },
        ),
        FC,
      );
    });

    it("an in-place map whose output overlaps an input at other positions keeps the js order", () => {
      const t = torch.arange(0, 600, 1, { dtype: "float32" }).reshape([20, 30]);
      const u = t.clone();
      t.narrow(1, 1, 29).add_(t.narrow(1, 0, 29));
      torch.backends.use("js");
      u.narrow(1, 1, 29).add_(u.narrow(1, 0, 29));
      expect(Array.from(t.toTypedArray())).toEqual(Array.from(u.toTypedArray()));
    });
  });

  describe("bad input becomes an Error, never an abort", () => {
    const geom: ConvGeometry = { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 };
    // A weight with fewer input channels than the input has: the op never passes this, the kernel must not crash on it.
    const x = (): View => view([1, 4, 5, 5], "float32", randomValues(100, 1));
    const w = (): View => view([3, 2, 3, 3], "float32", randomValues(54, 2));

    it("names the op and the configuration the native kernel rejected", () => {
      expect(() => native.convForward(x(), w(), null, view([1, 3, 3, 3], "float32"), geom)).toThrow(
        "convForward: the native backend (oneDNN) failed for input [1, 4, 5, 5], weight [3, 2, 3, 3], output [1, 3, 3, 3], " +
          "stride [1, 1], padding [0, 0], dilation [1, 1], groups 1: convForward: b: view [0, 108) exceeds its storage of 54 elements",
      );
    });

    it("falls back to the js kernel only when fallbacks are allowed, warning once", () => {
      const lenient = torch.backends.use("native", { fallback: true });
      const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
      try {
        const a = view([1, 3, 3, 3], "float32");
        const r = view([1, 3, 3, 3], "float32");
        lenient.convForward(x(), w(), null, a, geom);
        lenient.convForward(x(), w(), null, a, geom);
        cpuBackend.convForward(x(), w(), null, r, geom);
        expectSame(a, r, "fallback result");
        expect(warn).toHaveBeenCalledTimes(1);
        expect(String(warn.mock.calls[0][0])).toMatch(/^torch-ts: convForward: the native backend \(oneDNN\) failed for .*; running it on the js backend$/);
      } finally {
        warn.mockRestore();
      }
    });

    it("a descriptor oneDNN rejects is an Error with oneDNN's status", () => {
      const addon = createRequire(import.meta.url)(ADDON) as NativeAddon;
      // Padding 5 around a 3×3 input with a 3×3 kernel, but one output: inconsistent, so oneDNN says invalid_arguments.
      const dims = new Int32Array([2, 1, 1, 1, 1, 3, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 5, 5, 0, 1, 1, 1]);
      expect(() => addon.convForward(new Float32Array(9), 0, new Float32Array(9), 0, null, 0, new Float32Array(1), 0, dims)).toThrow(
        /^convForward: oneDNN invalid_arguments: could not create a descriptor/,
      );
    });

    it("kernels survive signals arriving mid-call (oneDNN's sgemm corrupted the heap under a profiler's SIGPROF)", () => {
      // A child process samples itself every 50 µs (each sample is a SIGPROF) while it runs GEMMs of many
      // shapes and the three convolutions, the first-layer input gradient included (gemm:jit before).
      const dir = mkdtempSync(join(tmpdir(), "torch-ts-signals-"));
      try {
        const script = join(dir, "child.mjs");
        writeFileSync(
          script,
          `import { createRequire } from "node:module";
const a = createRequire(import.meta.url)(${JSON.stringify(ADDON)});
const r = (n) => new Float32Array(n).map((_, i) => Math.sin(i));
for (let i = 0; i < 250; i++) {
  for (const [M, N, K] of [[64, 10, 3072], [64, 64, 512], [10, 64, 300], [128, 128, 128]]) {
    a.gemm(r(M * K), r(K * N), new Float32Array(M * N), new Float64Array([1, M, N, K, 0, 0, K, 1, 0, 0, N, 1, 0, 0, N, 1, 1, 0]));
  }
  const dims = new Int32Array([2, 8, 3, 16, 1, 20, 20, 1, 5, 5, 1, 20, 20, 1, 1, 1, 1, 2, 2, 0, 1, 1, 1]);
  const x = r(8 * 3 * 400), w = r(16 * 3 * 25), y = r(8 * 16 * 400);
  a.convForward(x, 0, w, 0, null, 0, new Float32Array(y.length), 0, dims);
  a.convBackwardData(y, 0, w, 0, null, 0, new Float32Array(x.length), 0, dims);
  a.convBackwardWeights(x, 0, y, 0, null, 0, new Float32Array(w.length), 0, dims);
}
console.log("ok");
`,
        );
        for (const threads of ["1", "2"]) {
          const r = spawnSync(process.execPath, ["--cpu-prof", "--cpu-prof-interval", "50", "--cpu-prof-dir", dir, script], {
            encoding: "utf8",
            env: { ...process.env, OMP_NUM_THREADS: threads },
          });
          expect(`${r.stdout}${r.stderr}`.trim(), `OMP_NUM_THREADS=${threads}, signal ${r.signal}`).toBe("ok");
          expect(r.status).toBe(0);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);

    it("the addon checks every view against its storage and every argument's type", () => {
      const addon = createRequire(import.meta.url)(ADDON) as NativeAddon;
      const dims = new Int32Array([2, 1, 2, 3, 1, 5, 5, 1, 3, 3, 1, 3, 3, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1]);
      const short = new Float32Array(10);
      expect(() => addon.convForward(short, 0, new Float32Array(54), 0, null, 0, new Float32Array(27), 0, dims)).toThrow(
        "convForward: a: view [0, 50) exceeds its storage of 10 elements",
      );
      expect(() => addon.convForward(new Float32Array(50), 0, new Float32Array(54), 0, null, 0, new Float32Array(27), 1, dims)).toThrow(
        "convForward: out: view [1, 28) exceeds its storage of 27 elements",
      );
      expect(() =>
        addon.convForward(new Float64Array(50) as never, 0, new Float32Array(54), 0, null, 0, new Float32Array(27), 0, dims),
      ).toThrow("convForward: a must be a Float32Array");
      expect(() => addon.gemm(new Float32Array(4), new Float32Array(4), new Float32Array(3), new Float64Array([1, 2, 2, 2, 0, 4, 2, 1, 0, 4, 2, 1, 0, 4, 2, 1, 1, 0]))).toThrow(
        "gemm: out: view [0, 4) exceeds its storage of 3 elements",
      );
      const params = new Float64Array(36);
      params.set([1, 1, 1, 4, 4, 16, 16, 16, 4, 1, 0, 1, 1, 1, 2, 2, 4, 4, 4, 2, 1, 0]);
      params.set([1, 2, 2, 1, 2, 2, 0, 0, 0, 1, 1, 1], 22);
      expect(() => addon.maxPool(new Float32Array(15), new Float32Array(4), new Float64Array(4), params)).toThrow(
        "maxPool: x: view [0, 16) exceeds its storage of 15 elements",
      );
      expect(() => addon.setNumThreads(0)).toThrow("setNumThreads: expected a positive number of threads, got 0");
    });
  });
});
