import { describe, expect, it, vi } from "vitest";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/tensor.js";
import { type DiffCase, expectClean, runDifferential } from "./oracle/differential.js";

const { nn } = torch;
const init = nn.init;

function stats(t: Tensor): { mean: number; std: number; min: number; max: number } {
  const v = t.toTypedArray();
  let s = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of v) {
    s += x;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  const mean = s / v.length;
  let ss = 0;
  for (const x of v) ss += (x - mean) ** 2;
  return { mean, std: Math.sqrt(ss / (v.length - 1)), min, max };
}

/** Mean within 5 standard errors of 0 and std within 2% of the formula: a wrong constant cannot pass. */
function expectMoments(t: Tensor, std: number): void {
  const s = stats(t);
  expect(Math.abs(s.mean)).toBeLessThan((5 * std) / Math.sqrt(t.numel()));
  expect(s.std / std).toBeGreaterThan(0.98);
  expect(s.std / std).toBeLessThan(1.02);
}

describe("nn.init formulas", () => {
  it("calculateGain as PyTorch", () => {
    expect(init.calculateGain("linear")).toBe(1);
    expect(init.calculateGain("conv2d")).toBe(1);
    expect(init.calculateGain("sigmoid")).toBe(1);
    expect(init.calculateGain("tanh")).toBeCloseTo(5 / 3, 15);
    expect(init.calculateGain("relu")).toBe(Math.SQRT2);
    expect(init.calculateGain("leaky_relu")).toBeCloseTo(Math.sqrt(2 / (1 + 0.01 ** 2)), 15);
    expect(init.calculateGain("leaky_relu", Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3), 15);
    expect(init.calculateGain("selu")).toBe(0.75);
    expect(() => init.calculateGain("foo" as any)).toThrow("Unsupported nonlinearity foo");
    expect(() => init.calculateGain("leaky_relu", NaN)).toThrow("negative_slope NaN not a valid number");
  });

  it("fans: dim 1 and dim 0 times the receptive field", () => {
    expect(init.calculateFanInAndFanOut(torch.empty([8, 3]))).toEqual([3, 8]);
    expect(init.calculateFanInAndFanOut(torch.empty([16, 4, 3, 5]))).toEqual([60, 240]);
    expect(() => init.calculateFanInAndFanOut(torch.empty([5]))).toThrow(
      "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions",
    );
    expect(() => init.kaimingUniform_(torch.empty([3, 3]), { mode: "fan_avg" as any })).toThrow("Mode fan_avg not supported");
  });
});

describe("nn.init statistics on large tensors", () => {
  const big = (...s: number[]): Tensor => torch.empty(s);

  it("uniform_, normal_, constant_ family", () => {
    const u = init.uniform_(big(400, 300), -2, 3);
    const su = stats(u);
    expect(su.min).toBeGreaterThanOrEqual(-2);
    expect(su.max).toBeLessThan(3);
    expect(Math.abs(su.mean - 0.5)).toBeLessThan(0.02);
    expect(su.std / (5 / Math.sqrt(12))).toBeCloseTo(1, 1);
    const n = init.normal_(big(400, 300), 0, 0.3);
    expectMoments(n, 0.3);
    expect(init.constant_(big(3, 2), 0.25).tolist()).toEqual([[0.25, 0.25], [0.25, 0.25], [0.25, 0.25]]);
    expect(init.ones_(big(2)).tolist()).toEqual([1, 1]);
    expect(init.zeros_(torch.ones([2])).tolist()).toEqual([0, 0]);
  });

  it("xavier and kaiming use the right fans and gains", () => {
    const w = big(256, 128, 3, 3);
    const [fanIn, fanOut] = [128 * 9, 256 * 9];
    expectMoments(init.xavierNormal_(w, 2), 2 * Math.sqrt(2 / (fanIn + fanOut)));
    const xu = init.xavierUniform_(w);
    const bound = Math.sqrt(6 / (fanIn + fanOut));
    expect(stats(xu).max).toBeLessThanOrEqual(bound);
    expectMoments(xu, bound / Math.sqrt(3));
    expectMoments(init.kaimingNormal_(w, { mode: "fan_out", nonlinearity: "relu" }), Math.SQRT2 / Math.sqrt(fanOut));
    expectMoments(init.kaimingNormal_(w), Math.sqrt(2 / (1 + 0)) / Math.sqrt(fanIn));
    const ku = init.kaimingUniform_(w, { a: Math.sqrt(5) });
    // a = √5: U(±1/√fanIn), the default of Linear and Conv.
    expect(stats(ku).max).toBeLessThanOrEqual(1 / Math.sqrt(fanIn));
    expectMoments(ku, 1 / Math.sqrt(fanIn) / Math.sqrt(3));
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    expect(init.kaimingUniform_(torch.empty([0, 3])).shape).toEqual([0, 3]);
    expect(warn).toHaveBeenCalledWith("Initializing zero-element tensors is a no-op");
    warn.mockRestore();
  });

  it("truncNormal_ stays in [a, b] with the truncated normal's variance", () => {
    const t = init.truncNormal_(big(500, 400), 0.5, 2, -1, 3);
    const s = stats(t);
    expect(s.min).toBeGreaterThanOrEqual(-1);
    expect(s.max).toBeLessThanOrEqual(3);
    // Truncated normal moments with α = (a−μ)/σ, β = (b−μ)/σ.
    const phi = (x: number): number => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
    const Phi = (x: number): number => 0.5 * (1 + torch.erf(torch.tensor([x / Math.SQRT2], { dtype: "float64" })).item());
    const [al, be] = [(-1 - 0.5) / 2, (3 - 0.5) / 2];
    const Z = Phi(be) - Phi(al);
    const mean = 0.5 + (2 * (phi(al) - phi(be))) / Z;
    const variance = 4 * (1 + (al * phi(al) - be * phi(be)) / Z - ((phi(al) - phi(be)) / Z) ** 2);
    expect(Math.abs(s.mean - mean)).toBeLessThan(0.01);
    expect(s.std / Math.sqrt(variance)).toBeCloseTo(1, 1);
  });

  it("orthogonal_ gives orthonormal rows or columns, scaled by gain", () => {
    for (const shape of [[50, 20], [20, 50], [16, 4, 3, 3]]) {
      const t = init.orthogonal_(torch.empty(shape, { dtype: "float64" }), 1.5);
      const m = t.reshape([shape[0], -1]);
      const gram = m.shape[0] <= m.shape[1] ? torch.matmul(m, m.t()) : torch.matmul(m.t(), m);
      const k = gram.shape[0];
      const eye = torch.zeros([k, k], { dtype: "float64" });
      init.eye_(eye);
      expect(gram.sub(eye.mul(2.25)).abs().max().item()).toBeLessThan(1e-10);
    }
    expect(() => init.orthogonal_(torch.empty([3]))).toThrow("Only tensors with 2 or more dimensions are supported");
  });

  it("sparse_ zeroes ceil(sparsity·rows) entries of every column", () => {
    const t = init.sparse_(torch.empty([40, 30]), 0.3, 0.5);
    const v = t.tolist() as number[][];
    for (let c = 0; c < 30; c++) expect(v.filter((row) => row[c] === 0).length).toBe(12);
    expect(() => init.sparse_(torch.empty([3, 3, 3]), 0.1)).toThrow("Only tensors with 2 dimensions are supported");
  });

  it("eye_ and dirac_", () => {
    expect(init.eye_(torch.empty([2, 3])).tolist()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(() => init.eye_(torch.empty([2]))).toThrow("Only tensors with 2 dimensions are supported");
    const w = init.dirac_(torch.empty([4, 2, 3, 3]), 2);
    // Each group's output d takes input channel d at the kernel centre (a conv that copies channels).
    expect(w.sum([2, 3]).tolist()).toEqual([[1, 0], [0, 1], [1, 0], [0, 1]]);
    expect(w.tolist()[1][1][1][1]).toBe(1);
    expect(() => init.dirac_(torch.empty([3, 3]))).toThrow("Only tensors with 3, 4, or 5 dimensions are supported");
    expect(() => init.dirac_(torch.empty([3, 3, 3]), 2)).toThrow("dim 0 must be divisible by groups");
  });

  it("runs without recording and returns the tensor it filled", () => {
    const p = new nn.Parameter(torch.empty([3, 3]));
    expect(init.kaimingUniform_(p)).toBe(p);
    expect(p.gradFn).toBeNull();
    expect(p.isLeaf).toBe(true);
    const v = p.version;
    init.zeros_(p);
    expect(p.version).toBeGreaterThan(v);
  });
});

/** After the same seed, the same numbers as PyTorch (the draws happen in PyTorch's order). */
function seededCases(): DiffCase[] {
  const mk = (name: string, shape: number[], ts: (t: Tensor) => Tensor, py: string, tol?: number): DiffCase => ({
    name,
    inputs: [],
    ts: () => {
      torch.manualSeed(1234);
      return ts(torch.empty(shape));
    },
    py: `torch.manual_seed(1234)\nt = torch.empty(${JSON.stringify(shape)})\n${py}\nout = t`,
    ...(tol ? { rtol: tol, atol: tol } : {}),
  });
  return [
    mk("uniform_", [7, 5], (t) => init.uniform_(t, -0.3, 0.7), "nn.init.uniform_(t, -0.3, 0.7)"),
    mk("normal_ small", [3, 4], (t) => init.normal_(t, 1, 2), "nn.init.normal_(t, 1.0, 2.0)"),
    mk("normal_ large", [40, 9], (t) => init.normal_(t, 0, 0.5), "nn.init.normal_(t, 0.0, 0.5)"),
    mk("xavier_uniform_", [6, 4, 3], (t) => init.xavierUniform_(t, 1.3), "nn.init.xavier_uniform_(t, 1.3)"),
    mk("xavier_normal_", [10, 8], (t) => init.xavierNormal_(t), "nn.init.xavier_normal_(t)"),
    mk("kaiming_uniform_ a=√5", [8, 3, 3, 3], (t) => init.kaimingUniform_(t, { a: Math.sqrt(5) }), `nn.init.kaiming_uniform_(t, a=${Math.sqrt(5)})`),
    mk("kaiming_normal_ fan_out relu", [16, 8, 2, 2], (t) => init.kaimingNormal_(t, { mode: "fan_out", nonlinearity: "relu" }), "nn.init.kaiming_normal_(t, mode='fan_out', nonlinearity='relu')"),
    mk("trunc_normal_", [30, 7], (t) => init.truncNormal_(t, 0.1, 0.8, -0.5, 1), "nn.init.trunc_normal_(t, 0.1, 0.8, -0.5, 1.0)", 1e-5),
    mk("orthogonal_", [6, 4], (t) => init.orthogonal_(t), "nn.init.orthogonal_(t)", 1e-5),
    mk("orthogonal_ wide", [3, 2, 4], (t) => init.orthogonal_(t, 2), "nn.init.orthogonal_(t, 2)", 1e-5),
    mk("sparse_", [10, 6], (t) => init.sparse_(t, 0.4, 0.1), "nn.init.sparse_(t, 0.4, 0.1)"),
    mk("dirac_", [6, 3, 3], (t) => init.dirac_(t, 2), "nn.init.dirac_(t, 2)"),
    mk("eye_", [3, 5], (t) => init.eye_(t), "nn.init.eye_(t)"),
  ];
}

describe("nn.init vs PyTorch after manualSeed", () => {
  it("draws the same numbers", async () => {
    expectClean(await runDifferential("init", seededCases()), 13);
  });
});
