import { describe, it } from "vitest";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/tensor.js";
import type { DType } from "../src/dtype.js";
import { type DiffCase, type InputSpec, type Layout, Rng, expectClean, runDifferential } from "./oracle/differential.js";

const { nn } = torch;
const F = nn.functional;
const rng = new Rng(20261123);
const LAYOUTS: Layout[] = ["contiguous", "transposed", "strided", "offset"];

interface Act {
  /** Label. */
  name: string;
  ts: (x: Tensor) => Tensor;
  py: string;
  /** Values: where the function's interesting regions (kinks, thresholds) are. */
  spec?: Partial<InputSpec>;
}

/** Activations with their parameter variants; each is run on several random shapes, dtypes and layouts. */
const ACTS: Act[] = [
  { name: "relu", ts: (x) => F.relu(x), py: "F.relu(x0)" },
  { name: "relu6", ts: (x) => F.relu6(x), py: "F.relu6(x0)", spec: { values: "uniform", low: -3, high: 9 } },
  { name: "leakyRelu", ts: (x) => F.leakyRelu(x), py: "F.leaky_relu(x0)" },
  { name: "leakyRelu 0.2", ts: (x) => F.leakyRelu(x, 0.2), py: "F.leaky_relu(x0, 0.2)" },
  { name: "hardtanh", ts: (x) => F.hardtanh(x), py: "F.hardtanh(x0)", spec: { values: "uniform", low: -2, high: 2 } },
  { name: "hardtanh -0.5 2", ts: (x) => F.hardtanh(x, -0.5, 2), py: "F.hardtanh(x0, -0.5, 2.0)", spec: { values: "uniform", low: -3, high: 3 } },
  { name: "elu", ts: (x) => F.elu(x), py: "F.elu(x0)", spec: { values: "uniform", low: -4, high: 3 } },
  { name: "elu 0.5", ts: (x) => F.elu(x, 0.5), py: "F.elu(x0, 0.5)", spec: { values: "uniform", low: -4, high: 3 } },
  { name: "selu", ts: (x) => F.selu(x), py: "F.selu(x0)", spec: { values: "uniform", low: -4, high: 3 } },
  { name: "celu", ts: (x) => F.celu(x), py: "F.celu(x0)", spec: { values: "uniform", low: -4, high: 3 } },
  { name: "celu 2", ts: (x) => F.celu(x, 2), py: "F.celu(x0, 2.0)", spec: { values: "uniform", low: -6, high: 3 } },
  { name: "gelu", ts: (x) => F.gelu(x), py: "F.gelu(x0)", spec: { values: "uniform", low: -5, high: 5 } },
  { name: "gelu tanh", ts: (x) => F.gelu(x, { approximate: "tanh" }), py: "F.gelu(x0, approximate='tanh')", spec: { values: "uniform", low: -5, high: 5 } },
  { name: "silu", ts: (x) => F.silu(x), py: "F.silu(x0)", spec: { values: "uniform", low: -8, high: 8 } },
  { name: "mish", ts: (x) => F.mish(x), py: "F.mish(x0)", spec: { values: "uniform", low: -8, high: 8 } },
  { name: "softplus", ts: (x) => F.softplus(x), py: "F.softplus(x0)", spec: { values: "uniform", low: -30, high: 30 } },
  { name: "softplus 2 5", ts: (x) => F.softplus(x, 2, 5), py: "F.softplus(x0, 2, 5)", spec: { values: "uniform", low: -6, high: 6 } },
  { name: "softplus 0.5 1", ts: (x) => F.softplus(x, 0.5, 1), py: "F.softplus(x0, 0.5, 1)", spec: { values: "uniform", low: -6, high: 6 } },
  { name: "logsigmoid", ts: (x) => F.logsigmoid(x), py: "F.logsigmoid(x0)", spec: { values: "uniform", low: -40, high: 40 } },
  { name: "hardsigmoid", ts: (x) => F.hardsigmoid(x), py: "F.hardsigmoid(x0)", spec: { values: "uniform", low: -5, high: 5 } },
  { name: "hardswish", ts: (x) => F.hardswish(x), py: "F.hardswish(x0)", spec: { values: "uniform", low: -5, high: 5 } },
  { name: "softshrink", ts: (x) => F.softshrink(x), py: "F.softshrink(x0)" },
  { name: "softshrink 1.2", ts: (x) => F.softshrink(x, 1.2), py: "F.softshrink(x0, 1.2)", spec: { values: "uniform", low: -3, high: 3 } },
  { name: "hardshrink", ts: (x) => F.hardshrink(x), py: "F.hardshrink(x0)" },
  { name: "hardshrink 0", ts: (x) => F.hardshrink(x, 0), py: "F.hardshrink(x0, 0.0)" },
  { name: "threshold", ts: (x) => F.threshold(x, 0.1, 20), py: "F.threshold(x0, 0.1, 20.0)" },
  { name: "threshold -1 -3", ts: (x) => F.threshold(x, -1, -3), py: "F.threshold(x0, -1.0, -3.0)", spec: { values: "uniform", low: -3, high: 1 } },
  { name: "tanhshrink", ts: (x) => F.tanhshrink(x), py: "F.tanhshrink(x0)" },
  { name: "softsign", ts: (x) => F.softsign(x), py: "F.softsign(x0)" },
  { name: "sigmoid", ts: (x) => F.sigmoid(x), py: "torch.sigmoid(x0)", spec: { values: "uniform", low: -10, high: 10 } },
  { name: "tanh", ts: (x) => F.tanh(x), py: "torch.tanh(x0)" },
  { name: "rrelu eval", ts: (x) => F.rrelu(x), py: "F.rrelu(x0)" },
  { name: "rrelu eval 0.1 0.5", ts: (x) => F.rrelu(x, 0.1, 0.5), py: "F.rrelu(x0, 0.1, 0.5)" },
  { name: "swish 1.7", ts: (x) => F.swish(x, 1.7), py: "x0 * torch.sigmoid(1.7 * x0)", spec: { values: "uniform", low: -6, high: 6 } },
];

function elementwiseCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  for (const act of ACTS) {
    for (let k = 0; k < 5; k++) {
      const dtype: DType = k === 0 ? "float64" : rng.pick(["float32", "float32", "float64"]);
      const shape = rng.shape(rng.int(0, 4), 1, 5);
      const layout = rng.pick(LAYOUTS);
      cases.push({
        name: `${act.name} ${dtype} ${JSON.stringify(shape)} ${layout}`,
        inputs: [{ ...act.spec, shape, dtype, layout }],
        ts: act.ts,
        py: act.py,
      });
    }
  }
  // In-place forms: the result and the gradient through the rebased history.
  const inplace: Array<[string, (x: Tensor) => Tensor, string]> = [
    ["relu_", (x) => F.relu(x, true), "F.relu(x0 * 1, inplace=True)"],
    ["leakyRelu_", (x) => F.leakyRelu_(x, 0.3), "F.leaky_relu_(x0 * 1, 0.3)"],
    ["elu_", (x) => F.elu(x, 1, { inplace: true }), "F.elu(x0 * 1, inplace=True)"],
    ["hardtanh_", (x) => F.hardtanh_(x, -0.5, 0.5), "F.hardtanh_(x0 * 1, -0.5, 0.5)"],
    ["selu_", (x) => F.selu_(x), "F.selu_(x0 * 1)"],
    ["celu_", (x) => F.celu_(x, 1.5), "F.celu_(x0 * 1, 1.5)"],
    ["silu inplace", (x) => F.silu(x, true), "F.silu(x0 * 1, inplace=True)"],
    ["hardswish inplace", (x) => F.hardswish(x, true), "F.hardswish(x0 * 1, inplace=True)"],
    ["threshold_", (x) => F.threshold_(x, 0, -1), "F.threshold_(x0 * 1, 0.0, -1.0)"],
    ["rrelu_ eval", (x) => F.rrelu_(x), "F.rrelu_(x0 * 1)"],
  ];
  for (const [name, fn, py] of inplace) {
    cases.push({ name, inputs: [{ shape: [3, 4], dtype: "float64" }], ts: (x) => fn(x.mul(1)), py });
  }
  // RReLU in training: after the same seed, the same random slopes as PyTorch (only x <= 0 draws).
  for (let k = 0; k < 6; k++) {
    const dtype: DType = k % 2 ? "float64" : "float32";
    const shape = rng.shape(rng.int(1, 3), 1, 6);
    const [lo, hi] = k < 3 ? [1 / 8, 1 / 3] : [0.05, 0.6];
    cases.push({
      name: `rrelu training ${dtype} ${JSON.stringify(shape)} ${lo} ${hi}`,
      inputs: [{ shape, dtype, layout: rng.pick(LAYOUTS) }],
      ts: (x) => {
        torch.manualSeed(100 + k);
        return F.rrelu(x, lo, hi, true);
      },
      py: `torch.manual_seed(${100 + k})\nout = F.rrelu(x0, ${lo}, ${hi}, training=True)`,
    });
  }
  // NaN and ±inf flow through every forward as in PyTorch.
  for (const act of ACTS) {
    if (act.name.startsWith("swish")) continue;
    cases.push({
      name: `${act.name} special values`,
      inputs: [{ shape: [30], values: "special", requiresGrad: false }],
      ts: act.ts,
      py: act.py,
    });
  }
  // Integer inputs: kept where PyTorch keeps them, errors where it has no kernel.
  cases.push({ name: "hardtanh int64", inputs: [{ shape: [6], dtype: "int64", values: "int", low: -3, high: 3 }], ts: (x) => F.hardtanh(x), py: "F.hardtanh(x0)" });
  cases.push({ name: "threshold int64", inputs: [{ shape: [6], dtype: "int64", values: "int" }], ts: (x) => F.threshold(x, 1, 7), py: "F.threshold(x0, 1, 7)" });
  cases.push({ name: "relu int32", inputs: [{ shape: [6], dtype: "int32", values: "int" }], ts: (x) => F.relu(x), py: "F.relu(x0)" });
  for (const [name, fn, py] of [
    ["elu", (x: Tensor) => F.elu(x), "F.elu(x0)"],
    ["gelu", (x: Tensor) => F.gelu(x), "F.gelu(x0)"],
    ["softplus", (x: Tensor) => F.softplus(x), "F.softplus(x0)"],
    ["leakyRelu", (x: Tensor) => F.leakyRelu(x), "F.leaky_relu(x0)"],
  ] as const) {
    cases.push({ name: `${name} int64 error`, inputs: [{ shape: [3], dtype: "int64" }], ts: fn, py, expectError: /not implemented for 'Long'/ });
  }
  return cases;
}

function dimCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  const ops: Array<[string, (x: Tensor, d: number) => Tensor, string]> = [
    ["softmax", (x, d) => F.softmax(x, d), "F.softmax"],
    ["logSoftmax", (x, d) => F.logSoftmax(x, d), "F.log_softmax"],
    ["softmin", (x, d) => F.softmin(x, d), "F.softmin"],
  ];
  for (const [name, fn, py] of ops) {
    for (let k = 0; k < 14; k++) {
      const nd = rng.int(1, 4);
      const shape = rng.shape(nd, 1, 5);
      const dim = rng.int(-nd, nd - 1);
      const dtype: DType = rng.pick(["float32", "float64"]);
      // Some cases with huge logits: a naive exp overflows.
      const scale = k % 3 === 0 ? 1000 : 1;
      cases.push({
        name: `${name} ${dtype} ${JSON.stringify(shape)} dim=${dim} scale=${scale}`,
        inputs: [{ shape, dtype, layout: rng.pick(LAYOUTS), values: "uniform", low: -3 * scale, high: 3 * scale }],
        ts: (x) => fn(x, dim),
        py: `${py}(x0, ${dim})`,
      });
    }
    cases.push({ name: `${name} 0-d`, inputs: [{ shape: [] }], ts: (x) => fn(x, 0), py: `${py}(x0, 0)` });
    cases.push({ name: `${name} dim out of range`, inputs: [{ shape: [3] }], ts: (x) => fn(x, 1), py: `${py}(x0, 1)`, expectError: /Dimension out of range/ });
  }
  cases.push({
    name: "softmax dtype float64",
    inputs: [{ shape: [2, 3] }],
    ts: (x) => F.softmax(x, 1, { dtype: "float64" }),
    py: "F.softmax(x0, 1, dtype=torch.float64)",
  });
  for (const shape of [[4], [2, 6], [3, 4, 2], [2, 3, 4, 5]]) {
    for (let dim = -shape.length; dim < shape.length; dim++) {
      const even = shape[dim < 0 ? dim + shape.length : dim] % 2 === 0;
      cases.push({
        name: `glu ${JSON.stringify(shape)} dim=${dim}`,
        inputs: [{ shape, dtype: rng.pick(["float32", "float64"]), layout: rng.pick(LAYOUTS) }],
        ts: (x) => F.glu(x, dim),
        py: `F.glu(x0, ${dim})`,
        expectError: even ? undefined : /Halving dimension must be even/,
      });
    }
  }
  // PReLU: one weight, or one per channel on dim 1.
  for (const shape of [[5], [2, 3], [2, 3, 4], [2, 3, 2, 2], [1, 4, 3, 2, 2]]) {
    cases.push({
      name: `prelu single ${JSON.stringify(shape)}`,
      inputs: [{ shape }, { shape: [1], values: "uniform", low: 0, high: 0.5 }],
      ts: (x, w) => F.prelu(x, w),
      py: "F.prelu(x0, x1)",
    });
    if (shape.length >= 2) {
      cases.push({
        name: `prelu per-channel ${JSON.stringify(shape)}`,
        inputs: [{ shape, dtype: "float64", layout: rng.pick(LAYOUTS) }, { shape: [shape[1]], dtype: "float64" }],
        ts: (x, w) => F.prelu(x, w),
        py: "F.prelu(x0, x1)",
      });
    }
  }
  cases.push({
    name: "prelu channel mismatch",
    inputs: [{ shape: [2, 3] }, { shape: [2] }],
    ts: (x, w) => F.prelu(x, w),
    py: "F.prelu(x0, x1)",
    expectError: /Mismatch of parameter numbers and input channel size/,
  });
  // Swish with a learnable β: the gradient of β is compared too.
  for (const shape of [[6], [3, 4], [2, 3, 5]]) {
    cases.push({
      name: `swish tensor beta ${JSON.stringify(shape)}`,
      inputs: [{ shape, dtype: "float64" }, { shape: [], dtype: "float64", values: "positive" }],
      ts: (x, b) => F.swish(x, b),
      py: "x0 * torch.sigmoid(x1 * x0)",
    });
  }
  // Maxout (ConvNetJS layout): the max over consecutive groups of `g` along a dim.
  for (const [shape, g, dim] of [[[2, 6], 2, 1], [[2, 6, 3], 3, 1], [[2, 7, 2, 2], 2, 1], [[4, 9], 3, -1], [[3, 8], 4, 1]] as Array<[number[], number, number]>) {
    const d = dim < 0 ? dim + shape.length : dim;
    const out = Math.floor(shape[d] / g);
    const viewShape = [...shape.slice(0, d), out, g, ...shape.slice(d + 1)];
    cases.push({
      name: `maxout ${JSON.stringify(shape)} g=${g} dim=${dim}`,
      inputs: [{ shape, layout: rng.pick(LAYOUTS) }],
      ts: (x) => F.maxout(x, g, dim),
      py: `x0.narrow(${d}, 0, ${out * g}).reshape(${JSON.stringify(viewShape)}).max(${d + 1})[0]`,
    });
  }
  return cases;
}

/** Modules run through `call`, with their constructor settings. */
function moduleCases(): DiffCase[] {
  const mods: Array<[() => torch.nn.Module, string]> = [
    [() => new nn.ReLU(), "nn.ReLU()"],
    [() => new nn.ReLU6(), "nn.ReLU6()"],
    [() => new nn.LeakyReLU(0.05), "nn.LeakyReLU(0.05)"],
    [() => new nn.Hardtanh(-2, 0.5), "nn.Hardtanh(-2.0, 0.5)"],
    [() => new nn.ELU(0.7), "nn.ELU(0.7)"],
    [() => new nn.CELU(0.7), "nn.CELU(0.7)"],
    [() => new nn.SELU(), "nn.SELU()"],
    [() => new nn.GELU("tanh"), "nn.GELU(approximate='tanh')"],
    [() => new nn.SiLU(), "nn.SiLU()"],
    [() => new nn.Mish(), "nn.Mish()"],
    [() => new nn.Softplus(3, 2), "nn.Softplus(3, 2)"],
    [() => new nn.Threshold(0.2, -1), "nn.Threshold(0.2, -1.0)"],
    [() => new nn.Softshrink(0.3), "nn.Softshrink(0.3)"],
    [() => new nn.Hardshrink(0.3), "nn.Hardshrink(0.3)"],
    [() => new nn.Hardsigmoid(), "nn.Hardsigmoid()"],
    [() => new nn.Hardswish(), "nn.Hardswish()"],
    [() => new nn.Sigmoid(), "nn.Sigmoid()"],
    [() => new nn.Tanh(), "nn.Tanh()"],
    [() => new nn.Softsign(), "nn.Softsign()"],
    [() => new nn.Tanhshrink(), "nn.Tanhshrink()"],
    [() => new nn.LogSigmoid(), "nn.LogSigmoid()"],
    [() => new nn.Softmax(1), "nn.Softmax(1)"],
    [() => new nn.LogSoftmax(-1), "nn.LogSoftmax(-1)"],
    [() => new nn.Softmin(0), "nn.Softmin(0)"],
    [() => new nn.Softmax2d(), "nn.Softmax2d()"],
    [() => new nn.GLU(1), "nn.GLU(1)"],
    [() => new nn.RReLU().eval(), "nn.RReLU().eval()"],
    [() => new nn.PReLU(), "nn.PReLU()"],
    [() => new nn.PReLU(4, 0.1), "nn.PReLU(4, 0.1)"],
  ];
  return mods.map(([make, py]) => ({
    name: `module ${py}`,
    inputs: [{ shape: [3, 4, 2, 2], dtype: "float64" as DType }],
    ts: (x: Tensor) => make().double()(x),
    py: `${py}.double()(x0)`,
  }));
}

describe("activations vs PyTorch", () => {
  it("elementwise activations", async () => {
    expectClean(await runDifferential("activation-elementwise", elementwiseCases()), 200);
  });
  it("softmax family, glu, prelu, swish, maxout", async () => {
    expectClean(await runDifferential("activation-dim", dimCases()), 80);
  });
  it("activation modules", async () => {
    expectClean(await runDifferential("activation-modules", moduleCases()), 25);
  });
});
