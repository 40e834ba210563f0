/**
 * The WebAssembly SIMD backend against the js reference backend: property tests (fast-check, seeded) over
 * odd shapes (1x1, primes, non-multiples of the 4x8 tile and of the KC/MC/NC blocks, strided, transposed
 * and batch-broadcast views) for every kernel it implements, within float32's dot-product error bound
 * (the wasm kernels accumulate in float32, the js ones in double), and backend selection.
 *
 * Skipped only where clang or wasm-ld is absent (the kernels cannot be built); with both present, kernels
 * that did not build or load are a failure.
 */
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import "../src/node.js";
import type { Backend } from "../src/backend/backend.js";
import { cpuBackend } from "../src/backend/cpu/index.js";
import type { ConvGeometry } from "../src/backend/interface/conv.js";
import type { AvgPoolMode } from "../src/backend/interface/pool.js";
import type { View } from "../src/tensor.js";
import { poolOutputSize } from "../src/layout.js";
import { type ConvCase, absView, checkConvAgainstJs, convCase as convCaseOf, expectWithin as within, numel, permutedCopy, randomValues, slicedCopy, smallCnnLosses, view } from "./backend-helpers.js";

const expectWithin = (a: View, ref: View, bound: View, n: number, what: string): void => within(a, ref, bound, n, what, "wasm");

const F = torch.nn.functional;
const runs = (cmd: string): boolean => spawnSync(cmd, ["--version"], { stdio: "ignore" }).status === 0;
const HAVE_TOOLCHAIN = runs(process.env.CLANG || "clang") && runs("wasm-ld");
const FC = { numRuns: 60, seed: 20240917 };

let wasm: Backend;

describe.skipIf(!HAVE_TOOLCHAIN)("wasm backend (WebAssembly SIMD)", () => {
  beforeAll(() => {
    expect(torch.backends.wasm.unavailableReason()).toBeNull();
    expect(torch.backends.wasm.isAvailable()).toBe(true);
    wasm = torch.backends.use("wasm");
  });
  afterAll(() => {
    torch.backends.use("js");
  });

  describe("selection", () => {
    it("`use` switches between wasm and js, and rejects unknown names", () => {
      expect(torch.backends.current()).toBe("wasm");
      expect(torch.backend().name).toBe("wasm");
      torch.backends.use("js");
      expect(torch.backends.current()).toBe("js");
      expect(torch.backend()).toBe(cpuBackend);
      expect(torch.backends.use("wasm")).toBe(wasm);
      expect(torch.backends.current()).toBe("wasm");
      expect(() => torch.backends.use("gpu" as "js")).toThrow("torch.backends.use: expected 'native', 'js' or 'wasm', but got 'gpu'");
    });

    it("load() from bytes works as in a browser and keeps the backend usable", async () => {
      const { readFileSync } = await import("node:fs");
      const bytes = readFileSync(new URL("../wasm/build/kernels.wasm", import.meta.url));
      expect(await torch.backends.wasm.load(bytes)).toBe(true);
      const b = torch.backends.use("wasm");
      const x = torch.tensor([[1, 2], [3, 4]]);
      expect(torch.matmul(x, x).tolist()).toEqual([[7, 10], [15, 22]]);
      wasm = b;
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
      lc: fc.constantFrom<Layout>("row", "transposed", "strided"),
      alpha: fc.constantFrom(1, 0.5, 0),
      beta: fc.constantFrom(0, 1, -0.5),
      seed: fc.nat(),
    });

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

    function check(c: { B: number; M: number; N: number; K: number; la: Layout; lb: Layout; lc: Layout; alpha: number; beta: number; seed: number }): void {
      const a = matrix(c.B, c.M, c.K, c.la, c.seed);
      const b = matrix(c.B, c.K, c.N, c.lb, c.seed + 1);
      const fresh = (): View => {
        const out = matrix(c.B, c.M, c.N, c.lc, c.seed + 2);
        // beta = 0 must not read out: NaN there must not survive.
        if (c.beta === 0) out.buf.fill(NaN);
        return out;
      };
      const outW = fresh();
      const outJ = fresh();
      const bound = view([c.B, c.M, c.N], "float64");
      cpuBackend.copy(fresh(), bound);
      for (let i = 0; i < bound.buf.length; i++) bound.buf[i] = c.beta === 0 ? 0 : Math.abs(c.beta * bound.buf[i]);
      cpuBackend.gemm(absView(a), absView(b), bound, Math.abs(c.alpha), 1);
      wasm.gemm(a, b, outW, c.alpha, c.beta);
      cpuBackend.gemm(a, b, outJ, c.alpha, c.beta);
      const aw = view([c.B, c.M, c.N], "float32");
      const aj = view([c.B, c.M, c.N], "float32");
      cpuBackend.copy(outW, aw);
      cpuBackend.copy(outJ, aj);
      expectWithin(aw, aj, bound, c.K + 2, `gemm ${JSON.stringify(c)}`);
      if (c.lc === "strided") {
        // The storage between a strided output's elements is left as it was.
        const gapsW = outW.buf.filter((_, i) => i % 2 === 0);
        const gapsJ = outJ.buf.filter((_, i) => i % 2 === 0);
        expect(Array.from(gapsW)).toEqual(Array.from(gapsJ));
      }
    }

    it("agrees with the js backend for every operand layout, alpha and beta: small and prime shapes", () => {
      fc.assert(fc.property(gemmCase, check), { ...FC, numRuns: 200 });
    });

    it("agrees across the block boundaries (K past KC = 256, M past MC = 64, N past NC = 1024)", () => {
      const blocks = gemmCase.chain((c) =>
        fc
          .oneof(
            fc.record({ M: fc.integer({ min: 60, max: 140 }), N: fc.integer({ min: 4, max: 21 }), K: fc.integer({ min: 250, max: 530 }) }),
            fc.record({ M: fc.integer({ min: 4, max: 9 }), N: fc.integer({ min: 1020, max: 1100 }), K: fc.integer({ min: 1, max: 5 }) }),
          )
          .map((d) => ({ ...c, B: 1, ...d })),
      );
      fc.assert(fc.property(blocks, check), { ...FC, numRuns: 25 });
    });

    it("computes 1x1 products and one with prime extents past every block like the js backend", () => {
      check({ B: 1, M: 1, N: 1, K: 1, la: "row", lb: "row", lc: "row", alpha: 1, beta: 0, seed: 1 });
      check({ B: 1, M: 131, N: 1031, K: 263, la: "row", lb: "transposed", lc: "row", alpha: 1, beta: 0, seed: 2 });
    });

    it("float64 and integer products stay on the js kernels", () => {
      const a = torch.randn([5, 7], { dtype: "float64" });
      const b = torch.randn([7, 3], { dtype: "float64" });
      const w = torch.matmul(a, b);
      torch.backends.use("js");
      const j = torch.matmul(a, b);
      torch.backends.use("wasm");
      expect(Array.from(w.toTypedArray())).toEqual(Array.from(j.toTypedArray()));
      const ia = torch.tensor([[1, 2], [3, 4]], { dtype: "int64" });
      expect(torch.matmul(ia, ia).tolist()).toEqual([[7, 10], [15, 22]]);
    });
  });

  describe("convolution", () => {
    const convCase = convCaseOf({ maxOg: 5, layouts: ["contiguous", "permuted", "sliced"] });
    const run = (name: "convForward" | "convBackwardInput" | "convBackwardWeight", c: ConvCase): void =>
      checkConvAgainstJs(wasm, "wasm", name, c);

    it("forward agrees with the js backend within float32's dot-product error bound", () => {
      fc.assert(fc.property(convCase, (c) => run("convForward", c)), FC);
    });
    it("backward-input (the transposed convolution) agrees, output padding included", () => {
      fc.assert(fc.property(convCase, (c) => run("convBackwardInput", c)), FC);
    });
    it("backward-weight agrees", () => {
      fc.assert(fc.property(convCase, (c) => run("convBackwardWeight", c)), FC);
    });

    /**
     * Unit W stride, OW >= 5, 4+ output channels: the forward's GEMM reads 8-column strips (the last of a row
     * partial unless OW is a multiple of 8) from the input, or its padded copy, through offsets.
     */
    const stripCase = fc.tuple(convCase, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 3 })).map(([c, strips, moreOg, cut]) => {
      const last = c.nsp - 1;
      const O = c.O.slice();
      O[last] = 8 * strips - cut;
      const s = c.s.slice();
      s[last] = 1;
      const S = O.map((o, i) => (o - 1) * s[i] + (c.K[i] - 1) * c.d[i] + 1 - 2 * c.p[i] + (c.extra[i] % Math.max(s[i], c.d[i])));
      return { ...c, og: 4 + moreOg, O, s, S };
    });

    it("forward and weight gradient reading taps in place (8-column strips, partial ones included) agree, and equal the plain unfolding bit for bit", () => {
      fc.assert(
        fc.property(stripCase, (c) => {
          run("convForward", { ...c, layout: c.layout === "sliced" ? "contiguous" : c.layout });
          // A sliced (W stride 2) copy of the same input takes im2col + sgemm: the same float32 sums.
          const geom: ConvGeometry = { stride: c.s, padding: c.p, dilation: c.d, groups: c.G };
          const xShape = [c.N, c.G * c.cg, ...c.S];
          const wShape = [c.G * c.og, c.cg, ...c.K];
          const yShape = [c.N, c.G * c.og, ...c.O];
          const vals = randomValues(numel(xShape) + numel(wShape), c.seed);
          const x = view(xShape, "float32", vals);
          const w = view(wShape, "float32", vals.subarray(numel(xShape)));
          const bias = c.bias ? view([c.G * c.og], "float32", randomValues(c.G * c.og, c.seed + 1)) : null;
          const [a, b] = [view(yShape, "float32"), view(yShape, "float32")];
          wasm.convForward(x, w, bias, a, geom);
          wasm.convForward(slicedCopy(x), w, bias, b, geom);
          expectSame(a, b, `strips read in place vs plain unfolding ${JSON.stringify(c)}`);
          // The weight gradient reads the same taps in place (pack_b_taps): the same sums as over im2col's
          // columns, where the product is not skinny (kd >= 4) nor pointwise (1x1 kernels read x as it is).
          run("convBackwardWeight", { ...c, layout: c.layout === "sliced" ? "contiguous" : c.layout });
          if (c.cg * numel(c.K) < 4 || c.K.every((k) => k === 1)) return;
          const gy = view(yShape, "float32", randomValues(numel(yShape), c.seed + 2));
          const [ga, gb] = [view(wShape, "float32"), view(wShape, "float32")];
          wasm.convBackwardWeight(x, gy, ga, geom);
          wasm.convBackwardWeight(slicedCopy(x), gy, gb, geom);
          expectSame(ga, gb, `weight gradient, taps read in place vs plain unfolding ${JSON.stringify(c)}`);
        }),
        { ...FC, numRuns: 150 },
      );
    });

    /** Stride 1, 16+ input channels per group, gx rows of whole 8-column strips: the input gradient is the flipped forward. */
    const flippedCase = fc.tuple(convCase, fc.integer({ min: 1, max: 2 }), fc.integer({ min: 0, max: 4 }), fc.boolean()).map(([c, strips, moreCg, outPad]) => {
      const last = c.nsp - 1;
      const s = c.s.map(() => 1);
      // Output padding (below the dilation) keeps a case on the column path, which must agree as well.
      const extra = c.d.map((d, i) => (outPad && i === last ? c.extra[i] % d : 0));
      const S = c.O.map((o, i) => (o - 1) + (c.K[i] - 1) * c.d[i] + 1 - 2 * c.p[i] + extra[i]);
      S[last] = 8 * strips;
      const O = S.map((x, i) => x - extra[i] - (c.K[i] - 1) * c.d[i] - 1 + 2 * c.p[i] + 1);
      return { ...c, cg: 16 + moreCg, G: Math.min(c.G, 2), s, S, O, extra };
    }).filter((c) => c.O.every((o) => o >= 1) && c.S.every((x) => x >= 1));

    it("stride-1 input gradients with 16+ input channels (the forward of gy with flipped weights) agree", () => {
      fc.assert(fc.property(flippedCase, (c) => run("convBackwardInput", c)), { ...FC, numRuns: 60 });
    });

    it("1x1 (pointwise) convolutions, which read the input as the column matrix, agree", () => {
      const pointwise = convCase.map((c) => ({ ...c, K: c.K.map(() => 1), s: c.s.map(() => 1), d: c.d.map(() => 1), p: c.p.map(() => 0), S: c.O }));
      fc.assert(
        fc.property(pointwise, (c) => {
          run("convForward", c);
          run("convBackwardWeight", c);
          run("convBackwardInput", c);
        }),
        { ...FC, numRuns: 30 },
      );
    });

    it("an expanded (stride-0) output gradient, as sum() gives, agrees", () => {
      const geom: ConvGeometry = { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 };
      const x = view([2, 3, 9, 7], "float32", randomValues(2 * 3 * 9 * 7, 5));
      const w = view([6, 3, 3, 3], "float32", randomValues(6 * 27, 6));
      const one = new Float32Array([1]);
      const gy: View = { buf: one, dtype: "float32", shape: [2, 6, 7, 5], strides: [0, 0, 0, 0], offset: 0 };
      for (const [k, shape] of [["convBackwardWeight", w.shape], ["convBackwardInput", x.shape]] as const) {
        const a = view(shape, "float32");
        const r = view(shape, "float32");
        const bound = view(shape, "float64");
        if (k === "convBackwardWeight") {
          wasm.convBackwardWeight(x, gy, a, geom);
          cpuBackend.convBackwardWeight(x, gy, r, geom);
          cpuBackend.convBackwardWeight(absView(x), gy, bound, geom);
        } else {
          wasm.convBackwardInput(gy, w, null, a, geom);
          cpuBackend.convBackwardInput(gy, w, null, r, geom);
          cpuBackend.convBackwardInput(gy, absView(w), null, bound, geom);
        }
        expectWithin(a, r, bound, 2 * 35, k);
      }
    });

    it("a large image is unfolded in bands of output rows with the same result", () => {
      // kd·OW = 288·130 floats per output row: the 2^21-float column bound splits the 130 rows into bands.
      const geom: ConvGeometry = { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 };
      const x = view([1, 32, 130, 130], "float32", randomValues(32 * 130 * 130, 8));
      const w = view([4, 32, 3, 3], "float32", randomValues(4 * 288, 9));
      const a = view([1, 4, 130, 130], "float32");
      const r = view([1, 4, 130, 130], "float32");
      const bound = view([1, 4, 130, 130], "float64");
      wasm.convForward(x, w, null, a, geom);
      cpuBackend.convForward(x, w, null, r, geom);
      cpuBackend.convForward(absView(x), absView(w), null, bound, geom);
      expectWithin(a, r, bound, 289, "banded convForward");
    });

    it("float64 convolutions run on the js kernels: results equal bit for bit", () => {
      const x = view([2, 4, 7, 6], "float64", randomValues(2 * 4 * 7 * 6, 3));
      const w = view([6, 2, 3, 2], "float64", randomValues(6 * 2 * 3 * 2, 4));
      const geom = { stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 2 };
      const a = view([2, 6, 4, 4], "float64");
      const r = view([2, 6, 4, 4], "float64");
      wasm.convForward(x, w, null, a, geom);
      cpuBackend.convForward(x, w, null, r, geom);
      expect(Array.from(a.buf)).toEqual(Array.from(r.buf));
    });

    it("trains a small CNN like the js backend (conv, pooling, linear through autograd and SGD)", () => {
      const js = smallCnnLosses("js");
      const w = smallCnnLosses("wasm");
      // Five SGD steps amplify float32 rounding differences only slightly; the losses agree to 1e-5.
      for (let i = 0; i < js.length; i++) expect(Math.abs(w[i] - js[i])).toBeLessThan(1e-5 * (1 + Math.abs(js[i])));
      expect(w[4]).toBeLessThan(w[0]);
    });
  });

  describe("layer weights and tensors made from values in the kernels' memory (read in place)", () => {
    const build = async (file: string): Promise<void> => {
      const { readFileSync } = await import("node:fs");
      expect(await torch.backends.wasm.load(readFileSync(new URL(`../wasm/build/${file}`, import.meta.url)))).toBe(true);
      wasm = torch.backends.use("wasm");
    };
    // The threaded build's memory is shared (an earlier case loaded the single-threaded one).
    beforeAll(() => build("kernels-mt.wasm"));

    /** A conv and a linear layer built on the wasm backend, and the js-backend forward of the same weights. */
    function layers() {
      torch.manualSeed(11);
      const conv = new torch.nn.Conv2d(3, 5, 3, { padding: 1 });
      const fc = new torch.nn.Linear(5 * 6 * 6, 7);
      const x = torch.randn([2, 3, 6, 6]);
      const forward = () => torch.noGrad(() => fc(conv(x).flatten(1)));
      const onJs = (): torch.Tensor => {
        torch.backends.use("js");
        try {
          return forward();
        } finally {
          torch.backends.use("wasm");
        }
      };
      return { conv, fc, forward, onJs };
    }

    it("Conv and Linear weights live in shared memory and give the js backend's results", () => {
      const { conv, fc, forward, onJs } = layers();
      for (const p of [conv.weight, conv.bias!, fc.weight, fc.bias!]) expect(p.buf.buffer).toBeInstanceOf(SharedArrayBuffer);
      const y = forward();
      const ref = onJs();
      for (let i = 0; i < ref.numel(); i++) expect(Math.abs(y.buf[i] - ref.buf[i])).toBeLessThan(1e-5);
    });

    it("sees writes to the weights at once (in-place ops, .data, raw storage) and survives memory growth", () => {
      const { conv, fc, forward, onJs } = layers();
      forward();
      torch.noGrad(() => conv.weight.mul_(-2));
      fc.bias!.data.fill_(3);
      conv.bias!.buf[0] = 100;
      // Growing the memory (a large product) hands out a new buffer object; the weights' views stay valid.
      torch.matmul(torch.ones([1024, 1024]), torch.ones([1024, 8]));
      const y = forward();
      const ref = onJs();
      for (let i = 0; i < ref.numel(); i++) expect(Math.abs(y.buf[i] - ref.buf[i])).toBeLessThan(1e-4 * (1 + Math.abs(ref.buf[i])));
    });

    it("float64 layers, and every layer where memory is not shared, keep ordinary storage", async () => {
      const conv = new torch.nn.Conv2d(1, 2, 3, { dtype: "float64" });
      expect(conv.weight.buf.buffer).toBeInstanceOf(ArrayBuffer);
      await build("kernels.wasm");
      try {
        const { conv: c, fc, forward, onJs } = layers();
        for (const p of [c.weight, fc.weight]) expect(p.buf.buffer).toBeInstanceOf(ArrayBuffer);
        const y = forward();
        const ref = onJs();
        for (let i = 0; i < ref.numel(); i++) expect(Math.abs(y.buf[i] - ref.buf[i])).toBeLessThan(1e-5);
      } finally {
        await build("kernels-mt.wasm");
      }
    });

    /** `f()` on the js backend. */
    const onJsBackend = <T>(f: () => T): T => {
      torch.backends.use("js");
      try {
        return f();
      } finally {
        torch.backends.use("wasm");
      }
    };

    it("tensors made from values (tensor, rand, randn) live there too, with the js backend's values and results", () => {
      const make = () => {
        torch.manualSeed(5);
        return [torch.randn([4, 3, 32, 32]), torch.rand([64, 64]), torch.tensor(Array.from({ length: 5000 }, (_, i) => i / 7))];
      };
      const made = make();
      const ref = onJsBackend(make);
      for (const [i, t] of made.entries()) {
        expect(t.buf.buffer).toBeInstanceOf(SharedArrayBuffer);
        expect(ref[i].buf.buffer).toBeInstanceOf(ArrayBuffer);
        expect(Array.from(t.buf)).toEqual(Array.from(ref[i].buf));
      }
      // Kernels read them in place and see in-place writes.
      const pool = new torch.nn.MaxPool2d(3);
      const x = made[0];
      const y0 = torch.noGrad(() => pool(x));
      torch.noGrad(() => x.mul_(-1));
      const y = torch.noGrad(() => pool(x));
      const yRef = onJsBackend(() => torch.noGrad(() => pool(x)));
      expect(Array.from(y.buf)).toEqual(Array.from(yRef.buf));
      expect(Array.from(y.buf)).not.toEqual(Array.from(y0.buf));
    });

    it("small, float64 and integer tensors made from values keep ordinary storage", () => {
      expect(torch.randn([10, 10]).buf.buffer).toBeInstanceOf(ArrayBuffer);
      expect(torch.randn([64, 64], { dtype: "float64" }).buf.buffer).toBeInstanceOf(ArrayBuffer);
      expect(torch.tensor(Array.from({ length: 5000 }, (_, i) => i)).buf.buffer).toBeInstanceOf(ArrayBuffer);
    });

    it("tensors made from values share a budget of their own and cannot crowd out the layers", () => {
      // 4 MiB each: the budget (64 MiB, part of it maybe held by earlier cases) runs out within 17.
      const held: torch.Tensor[] = [];
      while (held.length < 17 && (held.length === 0 || held[held.length - 1].buf.buffer instanceof SharedArrayBuffer)) {
        held.push(torch.rand([1 << 20]));
      }
      expect(held[held.length - 1].buf.buffer).toBeInstanceOf(ArrayBuffer);
      expect(held.filter((t) => t.buf.buffer instanceof SharedArrayBuffer).length).toBeLessThanOrEqual(16);
      const fc = new torch.nn.Linear(1024, 1024);
      expect(fc.weight.buf.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(held.length).toBeGreaterThan(0);
    });
  });

  /** Pooling cases over 1-3 spatial dims; W gets up to `wideW` extra columns (the kernels' four-window runs). */
  const poolCases = (wideW: number, maxStride: number) =>
    fc
      .record({
        nd: fc.constantFrom(1, 2, 3),
        N: fc.integer({ min: 1, max: 2 }),
        C: fc.integer({ min: 1, max: 3 }),
        k: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 3 }),
        s: fc.array(fc.integer({ min: 1, max: maxStride }), { minLength: 3, maxLength: 3 }),
        d: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 3, maxLength: 3 }),
        p: fc.array(fc.nat({ max: 2 }), { minLength: 3, maxLength: 3 }),
        extra: fc.tuple(fc.nat({ max: 4 }), fc.nat({ max: 4 }), fc.nat({ max: wideW })),
        ceil: fc.boolean(),
        values: fc.constantFrom("normal", "ties", "special"),
        layout: fc.constantFrom("contiguous", "permuted", "sliced"),
        countIncludePad: fc.boolean(),
        divisorOverride: fc.option(fc.constantFrom(1, 3, 7), { nil: null }),
        seed: fc.nat(),
      })
      .map((c) => {
        const lift = (a: number[], fill: number): number[] => a.map((v, i) => (i < 3 - c.nd ? fill : v));
        const k = lift(c.k, 1);
        const s = lift(c.s, 1);
        const d = lift(c.d, 1);
        // PyTorch: padding at most half the kernel.
        const p = lift(c.p, 0).map((pp, i) => Math.min(pp, Math.floor(k[i] / 2)));
        const L = k.map((kk, i) => (i < 3 - c.nd ? 1 : (kk - 1) * d[i] + 1 + c.extra[i]));
        return { ...c, k, s, d, p, L };
      });

  /** A pooling input of the case's shape, values and layout (NaN/±inf at every third element for "special"). */
  function poolInput(c: { N: number; C: number; L: number[]; values: string; layout: string; seed: number }): View {
    const shape5 = [c.N, c.C, ...c.L];
    const vals = randomValues(numel(shape5), c.seed);
    if (c.values === "ties") for (let i = 0; i < vals.length; i++) vals[i] = Math.round(vals[i] * 2);
    if (c.values === "special") {
      const sp = [NaN, -Infinity, Infinity, -Infinity];
      for (let i = 0; i < vals.length; i++) if (i % 3 === 0) vals[i] = sp[(i / 3) % 4];
    }
    const x = view(shape5, "float32", vals);
    if (c.layout === "permuted" && c.N > 1) return permutedCopy(x);
    if (c.layout === "sliced") return slicedCopy(x);
    return x;
  }

  function expectSame(a: View, b: View, what: string): void {
    for (let i = 0; i < b.buf.length; i++) {
      if (!Object.is(a.buf[i], b.buf[i])) throw new Error(`${what}: element ${i}: wasm ${a.buf[i]} vs js ${b.buf[i]}`);
    }
  }

  describe("max pooling (values and indices equal the js backend's bit for bit)", () => {
    const check = (c: ReturnType<typeof poolCases> extends fc.Arbitrary<infer T> ? T : never): void => {
      const out = c.L.map((L, i) => poolOutputSize(L, c.k[i], c.s[i], c.p[i], c.d[i], c.ceil));
      const x = poolInput(c);
      const w = { kernel: c.k, stride: c.s, padding: c.p, dilation: c.d } as never;
      const shape = [c.N, c.C, ...out];
      const [oW, iW, oJ, iJ] = [view(shape, "float32"), view(shape, "float64"), view(shape, "float32"), view(shape, "float64")];
      wasm.maxPool(x, w, oW, iW);
      cpuBackend.maxPool(x, w, oJ, iJ);
      for (let i = 0; i < oJ.buf.length; i++) {
        if (!Object.is(oW.buf[i], oJ.buf[i]) || iW.buf[i] !== iJ.buf[i]) {
          throw new Error(`maxPool ${JSON.stringify(c)}: element ${i}: wasm ${oW.buf[i]} @${iW.buf[i]} vs js ${oJ.buf[i]} @${iJ.buf[i]}`);
        }
      }
    };

    it("NaN/±inf, ties, padding, dilation, ceil mode and strided inputs included", () => {
      fc.assert(fc.property(poolCases(4, 3), check), { ...FC, numRuns: 150 });
    });

    it("wide rows (runs of four windows per SIMD vector, window strides 1 to 5, edges and remainders) agree", () => {
      fc.assert(fc.property(poolCases(40, 5), check), { ...FC, numRuns: 150 });
    });

    it("its backward (the gradient added at the indices) agrees, duplicates and out-of-plane indices included", () => {
      fc.assert(
        fc.property(poolCases(12, 3), fc.nat({ max: 3 }), (c, bad) => {
          const out = c.L.map((L, i) => poolOutputSize(L, c.k[i], c.s[i], c.p[i], c.d[i], c.ceil));
          const shape = [c.N, c.C, ...out];
          const w = { kernel: c.k, stride: c.s, padding: c.p, dilation: c.d } as never;
          const idx = view(shape, "float64");
          cpuBackend.maxPool(poolInput(c), w, view(shape, "float32"), idx);
          // Indices outside the plane (a window wholly in the padding) are skipped.
          const L = c.L[0] * c.L[1] * c.L[2];
          for (let i = 0; i < bad && i < idx.buf.length; i++) idx.buf[(i * 7) % idx.buf.length] = [-1, L, L + 9][i % 3];
          const g = view(shape, "float32", randomValues(numel(shape), c.seed + 1));
          const [pw, pj] = [view([c.N, c.C, L], "float32"), view([c.N, c.C, L], "float32")];
          pw.buf.fill(NaN);
          wasm.poolScatterAdd(g, idx, pw);
          cpuBackend.poolScatterAdd(g, idx, pj);
          expectSame(pw, pj, `poolScatterAdd ${JSON.stringify(c)}`);
        }),
        { ...FC, numRuns: 150 },
      );
    });
  });

  describe("average pooling (forward and backward equal the js backend's bit for bit)", () => {
    /** The input gradient of `g` on wasm (into memory full of NaN: every element is written) and on js, bit for bit. */
    function expectSameBackward(g: View, w: never, mode: AvgPoolMode, xs: number[], what: string): void {
      const [gW, gJ] = [view(xs, "float32"), view(xs, "float32")];
      gW.buf.fill(NaN);
      wasm.avgPoolBackward(g, w, mode, gW);
      cpuBackend.avgPoolBackward(g, w, mode, gJ);
      expectSame(gW, gJ, what);
    }

    it("padding, count_include_pad, divisor_override, ceil mode, NaN/±inf and strided views included", () => {
      fc.assert(
        fc.property(poolCases(30, 4), (c) => {
          const k = c.k;
          // Average pooling has no dilation; PyTorch needs the last window to start inside input + padding.
          const out = c.L.map((L, i) => poolOutputSize(L, k[i], c.s[i], c.p[i], 1, c.ceil));
          const x = poolInput(c);
          const w = { kernel: k, stride: c.s, padding: c.p, dilation: [1, 1, 1] } as never;
          const mode = { countIncludePad: c.countIncludePad, divisorOverride: c.divisorOverride };
          const shape = [c.N, c.C, ...out];
          const [oW, oJ] = [view(shape, "float32"), view(shape, "float32")];
          wasm.avgPool(x, w, mode, oW);
          cpuBackend.avgPool(x, w, mode, oJ);
          expectSame(oW, oJ, `avgPool ${JSON.stringify(c)}`);
          // The output gradient, strided like the input (permuted or sliced) so the kernel reads its strides.
          const g = poolInput({ ...c, L: out, seed: c.seed + 1 });
          expectSameBackward(g, w, mode, [c.N, c.C, ...c.L], `avgPoolBackward ${JSON.stringify(c)}`);
        }),
        { ...FC, numRuns: 200 },
      );
    });

    it("windows that never overlap (stride >= kernel, 2-wide rows: the four-window backward) agree, -0, NaN and padding included", () => {
      fc.assert(
        fc.property(
          fc.record({
            N: fc.integer({ min: 1, max: 2 }),
            C: fc.integer({ min: 1, max: 3 }),
            H: fc.integer({ min: 2, max: 9 }),
            W: fc.integer({ min: 2, max: 41 }),
            sH: fc.constantFrom(2, 3),
            sW: fc.constantFrom(2, 3),
            p: fc.tuple(fc.nat({ max: 1 }), fc.nat({ max: 1 })),
            ceil: fc.boolean(),
            countIncludePad: fc.boolean(),
            divisorOverride: fc.option(fc.constantFrom(1, 3, 4), { nil: null }),
            layout: fc.constantFrom("contiguous", "permuted", "sliced"),
            seed: fc.nat(),
          }),
          (c) => {
            const k = [1, 2, 2];
            const s = [1, c.sH, c.sW];
            const p = [0, ...c.p];
            const L = [1, c.H, c.W];
            const out = L.map((n, i) => poolOutputSize(n, k[i], s[i], p[i], 1, c.ceil));
            const w = { kernel: k, stride: s, padding: p, dilation: [1, 1, 1] } as never;
            const mode = { countIncludePad: c.countIncludePad, divisorOverride: c.divisorOverride };
            const g = poolInput({ N: c.N, C: c.C, L: out, values: "normal", layout: c.layout, seed: c.seed });
            // Signed zeros and a NaN among the gradients: (float)(0.0 + v) turns -0 into +0, as the js loop does.
            const gb = g.buf as Float32Array;
            for (let i = c.seed % 5; i < gb.length; i += 5) gb[i] = i % 2 === 0 ? -0 : 0;
            if (gb.length > 7) gb[7] = NaN;
            expectSameBackward(g, w, mode, [c.N, c.C, ...L], `avgPoolBackward ${JSON.stringify(c)}`);
          },
        ),
        { ...FC, numRuns: 200 },
      );
    });

    it("AvgPool2d(2) through autograd equals the js backend, gradient included", () => {
      const run = (name: "js" | "wasm"): [unknown, unknown] => {
        torch.backends.use(name);
        try {
          torch.manualSeed(3);
          const x = torch.randn([3, 2, 9, 12]).requiresGrad_(true);
          const y = F.avgPool2d(x, 2);
          y.mul(y).sum().backward();
          return [y.detach().tolist(), x.grad!.tolist()];
        } finally {
          torch.backends.use("wasm");
        }
      };
      const [yJ, gJ] = run("js");
      const [yW, gW] = run("wasm");
      expect(yW).toEqual(yJ);
      expect(gW).toEqual(gJ);
    });
  });

  describe("elementwise maps (relu and sigmoid_backward bit for bit, sigmoid within one float32 ulp)", () => {
    const RELU = { name: "relu", arity: 1, expr: "(a > 0 ? a : a !== a ? a : 0)" } as const;
    const SIGMOID = { name: "sigmoid", arity: 1, expr: "(a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a)))" } as const;
    const SIGMOID_BACKWARD = { name: "sigmoid_backward", arity: 2, expr: "a * (1 - b) * b" } as const;

    /** Values of every kind sigmoid and relu treat specially: ±0, NaN, ±inf, subnormals, past exp's range. */
    function mapValues(n: number, seed: number, scale: number): Float64Array {
      const v = randomValues(n, seed);
      const special = [0, -0, NaN, Infinity, -Infinity, 1e-40, -1e-40, 88.7, -88.7, 103.9, -103.9, 1e30, -1e30, 745, -745];
      for (let i = 0; i < n; i++) v[i] = i % 7 === 3 ? special[(i * 13 + seed) % special.length] : v[i] * scale;
      return v;
    }

    const ulps = (a: number, b: number): number => {
      const i = new Int32Array(new Float32Array([a, b]).buffer);
      return Math.abs(i[0] - i[1]);
    };

    const mapCase = fc.record({
      shape: fc.array(fc.integer({ min: 1, max: 23 }), { minLength: 1, maxLength: 3 }),
      scale: fc.constantFrom(1, 8, 60),
      layout: fc.constantFrom("contiguous", "contiguous", "permuted", "sliced"),
      seed: fc.nat(),
    });

    function input(c: { shape: number[]; layout: string; seed: number; scale: number }, salt: number): View {
      const x = view(c.shape, "float32", mapValues(numel(c.shape), c.seed + salt, c.scale));
      if (c.layout === "permuted" && c.shape.length > 1) return permutedCopy(x);
      if (c.layout === "sliced") return slicedCopy(x);
      return x;
    }

    it("agree with the js backend on odd shapes, special values and strided (js-fallback) views", () => {
      fc.assert(
        fc.property(mapCase, (c) => {
          const x = input(c, 0);
          for (const desc of [RELU, SIGMOID]) {
            const [oW, oJ] = [view(c.shape, "float32"), view(c.shape, "float32")];
            oW.buf.fill(NaN);
            wasm.map(desc, [x], oW);
            cpuBackend.map(desc, [x], oJ);
            if (desc === RELU) expectSame(oW, oJ, `relu ${JSON.stringify(c)}`);
            for (let i = 0; i < oJ.buf.length; i++) {
              const [a, b] = [oW.buf[i], oJ.buf[i]];
              if (!(Object.is(a, b) || (a !== a && b !== b) || ulps(a, b) <= 1)) {
                throw new Error(`${desc.name} ${JSON.stringify(c)}: element ${i}: wasm ${a} vs js ${b}`);
              }
            }
          }
          // sigmoid_backward(g, y) with y in [0, 1] as sigmoid gives it.
          const y = view(c.shape, "float32");
          cpuBackend.map(SIGMOID, [x], y);
          const g = input(c, 1);
          const [bW, bJ] = [view(c.shape, "float32"), view(c.shape, "float32")];
          wasm.map(SIGMOID_BACKWARD, [g, y], bW);
          cpuBackend.map(SIGMOID_BACKWARD, [g, y], bJ);
          expectSame(bW, bJ, `sigmoid_backward ${JSON.stringify(c)}`);
        }),
        { ...FC, numRuns: 200 },
      );
    });

    it("sigmoid over a large dense range (where wasm's exp replaces Math.exp) stays within one ulp", () => {
      const n = 1 << 16;
      const shape = [n];
      const x = view(shape, "float32");
      for (let i = 0; i < n; i++) x.buf[i] = -110 + (220 * i) / n;
      const [oW, oJ] = [view(shape, "float32"), view(shape, "float32")];
      wasm.map(SIGMOID, [x], oW);
      cpuBackend.map(SIGMOID, [x], oJ);
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, ulps(oW.buf[i], oJ.buf[i]));
      expect(worst).toBeLessThanOrEqual(1);
    });

    it("an unknown or edited row, and float64, run on the js kernels", () => {
      const x = view([300], "float64", mapValues(300, 5, 8));
      const [a, b] = [view([300], "float64"), view([300], "float64")];
      wasm.map(SIGMOID, [x], a);
      cpuBackend.map(SIGMOID, [x], b);
      expectSame(a, b, "float64 sigmoid");
      const edited = { ...RELU, expr: "(a > 1 ? a : 0)" };
      const x32 = view([300], "float32", mapValues(300, 6, 8));
      const [c, d] = [view([300], "float32"), view([300], "float32")];
      wasm.map(edited, [x32], c);
      cpuBackend.map(edited, [x32], d);
      expectSame(c, d, "edited relu row");
    });
  });
});
