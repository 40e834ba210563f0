import { describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/tensor.js";
import { type DiffCase, type Layout, Rng, expectClean, runDifferential } from "./oracle/differential.js";

const { nn } = torch;
const F = nn.functional;

describe("dropout masks equal PyTorch's after the same manualSeed", () => {
  it("element, channel and alpha dropout; outputs and gradients", async () => {
    const rng = new Rng(99);
    const layouts: Layout[] = ["contiguous", "transposed", "strided", "offset"];
    const forms: Array<[string, (x: Tensor, p: number) => Tensor, (p: number) => string, number]> = [
      ["dropout", (x, p) => F.dropout(x, p), (p) => `F.dropout(x0, ${p})`, 1],
      ["Dropout module", (x, p) => new nn.Dropout(p)(x), (p) => `nn.Dropout(${p})(x0)`, 1],
      ["dropout inplace", (x, p) => F.dropout(x.mul(1), p, true, true), (p) => `F.dropout(x0 * 1, ${p}, True, True)`, 1],
      ["dropout1d", (x, p) => F.dropout1d(x, p), (p) => `F.dropout1d(x0, ${p})`, 2],
      ["dropout2d", (x, p) => F.dropout2d(x, p), (p) => `F.dropout2d(x0, ${p})`, 4],
      ["dropout3d", (x, p) => F.dropout3d(x, p), (p) => `F.dropout3d(x0, ${p})`, 5],
      ["alphaDropout", (x, p) => F.alphaDropout(x, p, true), (p) => `F.alpha_dropout(x0, ${p}, True)`, 1],
      ["featureAlphaDropout", (x, p) => F.featureAlphaDropout(x, p, true), (p) => `F.feature_alpha_dropout(x0, ${p}, True)`, 3],
    ];
    const cases: DiffCase[] = [];
    for (const [name, ts, py, minRank] of forms) {
      for (let k = 0; k < 6; k++) {
        const nd = minRank === 1 ? rng.int(1, 4) : minRank === 2 ? rng.int(2, 3) : minRank;
        const shape = rng.shape(nd, 1, 6);
        const p = rng.pick([0.1, 0.5, 0.8, 0.25]);
        const seed = rng.int(0, 10000);
        const dtype = rng.pick(["float32", "float64"] as const);
        cases.push({
          name: `${name} ${dtype} ${JSON.stringify(shape)} p=${p} seed=${seed}`,
          inputs: [{ shape, dtype, layout: rng.pick(layouts) }],
          ts: (x) => {
            torch.manualSeed(seed);
            return ts(x, p);
          },
          py: `torch.manual_seed(${seed})\nout = ${py(p)}`,
        });
      }
    }
    // Permuted views too: the noise is contiguous, drawn in the view's row-major order, whatever the layout.
    for (const [shape, dims] of [[[4, 6], [1, 0]], [[2, 3, 5], [2, 0, 1]], [[3, 4, 2, 2], [0, 2, 3, 1]]] as const) {
      cases.push({
        name: `dropout of a permuted view ${JSON.stringify(shape)} → ${JSON.stringify(dims)}`,
        inputs: [{ shape: shape.slice() }],
        ts: (x) => {
          torch.manualSeed(31);
          return F.dropout(x.permute(dims.slice()), 0.4);
        },
        py: `torch.manual_seed(31)\nout = F.dropout(x0.permute(${JSON.stringify(dims)}), 0.4)`,
      });
    }
    expectClean(await runDifferential("dropout", cases), 40);
  }, 60_000);
});

describe("dropout statistics and semantics", () => {
  it("zeroes a fraction p, scales the rest by 1/(1 − p), keeps the mean", () => {
    torch.manualSeed(1);
    const n = 200_000;
    for (const p of [0.1, 0.5, 0.9]) {
      const y = F.dropout(torch.ones([n]), p).toTypedArray();
      let zeros = 0;
      for (const v of y) {
        if (v === 0) zeros++;
        else expect(v).toBeCloseTo(1 / (1 - p), 5);
      }
      // Binomial: 5 standard deviations.
      expect(Math.abs(zeros / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
    }
  });
  it("channel dropout zeroes whole feature maps", () => {
    torch.manualSeed(2);
    const y = F.dropout2d(torch.ones([8, 16, 3, 3]), 0.5);
    const perMap = y.sum([2, 3]).toTypedArray();
    for (const s of perMap) expect([0, 18]).toContain(Math.round(s));
    expect(perMap.some((s) => s === 0) && perMap.some((s) => s > 0)).toBe(true);
  });
  it("alpha dropout keeps zero mean and unit variance of a standard normal input", () => {
    torch.manualSeed(3);
    const y = F.alphaDropout(torch.randn([200_000]), 0.3, true);
    expect(Math.abs(y.mean().item())).toBeLessThan(0.02);
    expect(Math.abs(y.var().item() - 1)).toBeLessThan(0.03);
  });
  it("identity in evaluation and for p = 0 (the same tensor); zeros for p = 1", () => {
    const x = torch.randn([3, 4]);
    expect(F.dropout(x, 0.5, false)).toBe(x);
    expect(F.dropout(x, 0)).toBe(x);
    expect(F.alphaDropout(x, 0.5)).toBe(x); // training defaults to false, as PyTorch's alpha_dropout
    const m = new nn.Dropout(0.3);
    m.eval();
    expect(m(x)).toBe(x);
    expect(Array.from(F.dropout(x, 1).toTypedArray()).every((v) => v === 0)).toBe(true);
  });
  it("the gradient is the same mask, scaled", () => {
    torch.manualSeed(4);
    const x = torch.randn([50], { requiresGrad: true });
    const y = F.dropout(x, 0.4);
    expect(y.gradFn!.name).toBe("MulBackward0");
    y.sum().backward();
    const yv = y.toTypedArray();
    const xv = x.toTypedArray();
    x.grad!.toTypedArray().forEach((g, i) => expect(g).toBeCloseTo(yv[i] === 0 && xv[i] !== 0 ? 0 : 1 / 0.6, 5));
  });
  it("in place writes into the input", () => {
    torch.manualSeed(5);
    const x = torch.ones([100]);
    const y = F.dropout(x, { p: 0.5, inplace: true });
    expect(y).toBe(x);
    expect(Array.from(x.toTypedArray()).some((v) => v === 0)).toBe(true);
  });
  it("modules print as PyTorch; p is checked", () => {
    expect(String(new nn.Dropout())).toBe("Dropout(p=0.5, inplace=False)");
    expect(String(new nn.Dropout(0.2, true))).toBe("Dropout(p=0.2, inplace=True)");
    expect(String(new nn.AlphaDropout({ p: 0.1 }))).toBe("AlphaDropout(p=0.1, inplace=False)");
    expect(String(new nn.Dropout2d(0.3))).toBe("Dropout2d(p=0.3, inplace=False)");
    expect(() => new nn.Dropout(1.5)).toThrow(/dropout probability has to be between 0 and 1, but got 1.5/);
    expect(() => new nn.Dropout3d(-0.1)).toThrow(/dropout probability has to be between 0 and 1, but got -0.1/);
    expect(() => F.dropout(torch.ones([2]), 1.5)).toThrow(/dropout probability has to be between 0 and 1, but got 1.5/);
  });
  it("rank errors and integer inputs as PyTorch", () => {
    expect(() => F.dropout1d(torch.ones([2, 3, 4, 5]), 0.5)).toThrow(/dropout1d: Expected 2D or 3D input, but received a 4D input/);
    expect(() => F.featureAlphaDropout(torch.ones([5]), 0.5, true)).toThrow(/Feature dropout requires at least 2 dimensions in the input/);
    expect(() => F.dropout(torch.ones([5], { dtype: "int64" }), 0.5)).toThrow(/result type Float can't be cast to the desired output type Long/);
  });
  it("the JSDoc examples", () => {
    torch.manualSeed(0);
    expect(Array.from(F.dropout(torch.ones([4]), 0.5).toTypedArray())).toEqual([0, 0, 2, 0]);
    const drop = new nn.Dropout(0.2);
    expect(drop(torch.ones([2, 5])).shape).toEqual([2, 5]);
    expect(Array.from(drop.eval()(torch.ones([2, 5])).toTypedArray()).every((v) => v === 1)).toBe(true);
  });
});
