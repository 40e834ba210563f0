import { describe, it } from "vitest";
import * as torch from "../src/index.js";
import type { DType } from "../src/dtype.js";
import { type DiffCase, type Layout, Rng, expectClean, runDifferential } from "./oracle/differential.js";

const { nn } = torch;
const F = nn.functional;
const rng = new Rng(20261124);
const LAYOUTS: Layout[] = ["contiguous", "transposed", "strided", "offset"];

function linearCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  for (let k = 0; k < 160; k++) {
    // Mostly tiny layers, plus some wide enough to cross the GEMM's register and cache blocks.
    const inF = rng.bool(0.3) ? rng.int(7, 70) : rng.int(1, 6);
    const outF = rng.bool(0.3) ? rng.int(7, 40) : rng.int(1, 6);
    const lead = rng.shape(rng.int(0, 3), 1, 4);
    const dtype: DType = rng.pick(["float32", "float64"]);
    const withBias = rng.bool(0.7);
    const inputs = [
      { shape: [...lead, inF], dtype, layout: rng.pick(LAYOUTS) },
      { shape: [outF, inF], dtype, layout: rng.pick(LAYOUTS) },
      ...(withBias ? [{ shape: [outF], dtype, layout: rng.pick(LAYOUTS) }] : []),
    ];
    cases.push({
      name: `linear ${dtype} x${JSON.stringify([...lead, inF])} out=${outF} bias=${withBias}`,
      inputs,
      ts: (x, w, b) => F.linear(x, w, b),
      py: withBias ? "F.linear(x0, x1, x2)" : "F.linear(x0, x1)",
    });
  }
  // A broadcastable 0-d or [1] bias is accepted, as in PyTorch.
  cases.push({ name: "linear scalar bias", inputs: [{ shape: [2, 3] }, { shape: [4, 3] }, { shape: [] }], ts: (x, w, b) => F.linear(x, w, b), py: "F.linear(x0, x1, x2)" });
  cases.push({ name: "linear bias [1]", inputs: [{ shape: [2, 5, 3] }, { shape: [4, 3] }, { shape: [1] }], ts: (x, w, b) => F.linear(x, w, b), py: "F.linear(x0, x1, x2)" });
  cases.push({ name: "linear empty batch", inputs: [{ shape: [0, 3] }, { shape: [4, 3] }, { shape: [4] }], ts: (x, w, b) => F.linear(x, w, b), py: "F.linear(x0, x1, x2)" });
  for (const [xs, ws] of [[[2, 3], [4, 5]], [[3], [4, 2]], [[2, 2, 3], [4, 2]]]) {
    cases.push({
      name: `linear mismatch x${JSON.stringify(xs)} w${JSON.stringify(ws)}`,
      inputs: [{ shape: xs }, { shape: ws }],
      ts: (x, w) => F.linear(x, w),
      py: "F.linear(x0, x1)",
      expectError: true,
    });
  }
  return cases;
}

function moduleCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  // nn.Linear with a loaded state dict: the module path (addmm / folded N-d) and loadStateDict.
  for (let k = 0; k < 16; k++) {
    const inF = rng.int(1, 7);
    const outF = rng.int(1, 7);
    const lead = rng.shape(rng.int(1, 3), 1, 4);
    const bias = k % 4 !== 3;
    cases.push({
      name: `nn.Linear(${inF}, ${outF}, bias=${bias}) x${JSON.stringify([...lead, inF])}`,
      inputs: [
        { shape: [...lead, inF], layout: rng.pick(LAYOUTS) },
        { shape: [outF, inF], requiresGrad: false },
        ...(bias ? [{ shape: [outF], requiresGrad: false }] : []),
      ],
      ts: (x, w, b) => {
        const m = new nn.Linear(inF, outF, { bias });
        m.loadStateDict(bias ? { weight: w, bias: b } : { weight: w });
        return m(x);
      },
      py:
        `m = nn.Linear(${inF}, ${outF}, bias=${bias ? "True" : "False"})\n` +
        `m.load_state_dict(${bias ? "{'weight': x1, 'bias': x2}" : "{'weight': x1}"})\nout = m(x0)`,
    });
  }
  // After the same seed, a fresh layer holds PyTorch's initial weights.
  for (const [inF, outF, bias] of [[5, 3, true], [1, 4, true], [16, 8, false], [7, 7, true], [3, 20, true]] as Array<[number, number, boolean]>) {
    cases.push({
      name: `nn.Linear(${inF}, ${outF}) init after manualSeed`,
      inputs: [],
      ts: () => {
        torch.manualSeed(inF * 100 + outF);
        const m = new nn.Linear(inF, outF, bias);
        return torch.noGrad(() => (bias ? [m.weight.detach(), m.bias!.detach()] : [m.weight.detach()]));
      },
      py: `torch.manual_seed(${inF * 100 + outF})\nm = nn.Linear(${inF}, ${outF}, bias=${bias ? "True" : "False"})\nout = ${bias ? "(m.weight.detach(), m.bias.detach())" : "m.weight.detach()"}`,
    });
  }
  // Two-layer MLP through Sequential with shared input: forward and every gradient.
  for (let k = 0; k < 6; k++) {
    const [a, b, c] = [rng.int(2, 6), rng.int(2, 6), rng.int(1, 4)];
    const n = rng.int(1, 5);
    cases.push({
      name: `Sequential(Linear(${a},${b}), Tanh, Linear(${b},${c}))`,
      inputs: [{ shape: [n, a], dtype: "float64" }, { shape: [b, a], dtype: "float64" }, { shape: [b], dtype: "float64" }, { shape: [c, b], dtype: "float64" }, { shape: [c], dtype: "float64" }],
      ts: (x, w1, b1, w2, b2) => F.linear(F.tanh(F.linear(x, w1, b1)), w2, b2),
      py: "F.linear(torch.tanh(F.linear(x0, x1, x2)), x3, x4)",
    });
  }
  return cases;
}

function bilinearCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  for (let k = 0; k < 20; k++) {
    const [i1, i2, o] = [rng.int(1, 4), rng.int(1, 4), rng.int(1, 4)];
    const lead = rng.shape(rng.int(0, 2), 1, 3);
    const dtype: DType = rng.pick(["float32", "float64"]);
    const bias = rng.bool(0.7);
    cases.push({
      name: `bilinear ${dtype} lead=${JSON.stringify(lead)} ${i1},${i2}->${o} bias=${bias}`,
      inputs: [
        { shape: [...lead, i1], dtype, layout: rng.pick(LAYOUTS) },
        { shape: [...lead, i2], dtype },
        { shape: [o, i1, i2], dtype, layout: rng.pick(LAYOUTS) },
        ...(bias ? [{ shape: [o], dtype }] : []),
      ],
      ts: (a, b, w, bb) => F.bilinear(a, b, w, bb),
      py: bias ? "F.bilinear(x0, x1, x2, x3)" : "F.bilinear(x0, x1, x2)",
    });
  }
  cases.push({
    name: "bilinear input1 size mismatch",
    inputs: [{ shape: [2, 3] }, { shape: [2, 4] }, { shape: [5, 2, 4] }],
    ts: (a, b, w) => F.bilinear(a, b, w),
    py: "F.bilinear(x0, x1, x2)",
    expectError: /input1 size does not match weight size/,
  });
  return cases;
}

describe("linear vs PyTorch", () => {
  it("F.linear", async () => {
    expectClean(await runDifferential("linear", linearCases()), 160);
  });
  it("nn.Linear modules and init", async () => {
    expectClean(await runDifferential("linear-modules", moduleCases()), 25);
  });
  it("F.bilinear", async () => {
    expectClean(await runDifferential("bilinear", bilinearCases()), 20);
  });
});
