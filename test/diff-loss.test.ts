/**
 * Losses against PyTorch: random but seeded configurations (shapes, dtypes, layouts, weights, ignored
 * targets, label smoothing, reductions); outputs and the gradients of every differentiable input
 * (input and, where PyTorch differentiates it, target) compared at the default tolerances.
 */
import { describe, it } from "vitest";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/tensor.js";
import type { DType } from "../src/dtype.js";
import { type DiffCase, type InputSpec, type Layout, Rng, expectClean, runDifferential } from "./oracle/differential.js";

const F = torch.nn.functional;
const rng = new Rng(Number(process.env.LOSS_SEED ?? 424242));
const LAYOUTS: Layout[] = ["contiguous", "transposed", "strided", "offset"];
const REDUCTIONS = ["none", "mean", "sum"] as const;
type Red = (typeof REDUCTIONS)[number];

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const dt = (): DType => rng.pick(["float32", "float32", "float64"]);
const lay = (): Layout => rng.pick(LAYOUTS);

/** Class indices in [0, C), a fraction replaced by `ignore`. */
function targets(n: number, C: number, ignore: number | null, pIgnore: number): number[] {
  return Array.from({ length: n }, () => (ignore !== null && rng.bool(pIgnore) ? ignore : rng.int(0, C - 1)));
}

/** Input shape (N, C, d…), target shape, for 0 (unbatched) to 3 extra dims. */
function ceShapes(extra: number): { input: number[]; target: number[] } {
  const C = rng.int(2, 6);
  if (extra < 0) return { input: [C], target: [] };
  const N = rng.int(1, 5);
  const d = rng.shape(extra, 1, 4);
  return { input: [N, C, ...d], target: [N, ...d] };
}

function indexTargetCases(kind: "ce" | "nll", count: number): DiffCase[] {
  const cases: DiffCase[] = [];
  for (let k = 0; k < count; k++) {
    const extra = rng.pick([-1, 0, 0, 0, 1, 2, 3]);
    const { input, target } = ceShapes(extra);
    const C = extra < 0 ? input[0] : input[1];
    const dtype = dt();
    const reduction: Red = rng.pick(REDUCTIONS);
    const useWeight = rng.bool(0.4);
    const ignore = rng.pick([null, -100, 1]);
    const ignoreIndex = ignore ?? -100;
    const ls = kind === "ce" ? rng.pick([0, 0, 0.1, 0.35]) : 0;
    const inputs: InputSpec[] = [
      { shape: input, dtype, layout: lay(), values: kind === "nll" ? "uniform" : "normal", low: -4, high: 0 },
      { shape: target, dtype: "int64", values: targets(prod(target), C, ignore, 0.25) },
    ];
    if (useWeight) inputs.push({ shape: [C], dtype, values: "positive", requiresGrad: false });
    const tsOpts = (w?: Tensor) => ({ weight: w, ignoreIndex, reduction, ...(kind === "ce" ? { labelSmoothing: ls } : {}) });
    const fn = kind === "ce" ? "F.cross_entropy" : "F.nll_loss";
    const lsPy = kind === "ce" ? `, label_smoothing=${ls}` : "";
    cases.push({
      name: `${kind} ${dtype} ${JSON.stringify(input)} ${reduction} weight=${useWeight} ignore=${ignoreIndex} ls=${ls}`,
      inputs,
      ts: (x, t, w) => (kind === "ce" ? F.crossEntropy(x, t, tsOpts(w)) : F.nllLoss(x, t, tsOpts(w))),
      py: `${fn}(x0, x1, weight=${useWeight ? "x2" : "None"}, ignore_index=${ignoreIndex}, reduction='${reduction}'${lsPy})`,
    });
  }
  return cases;
}

function probTargetCases(count: number): DiffCase[] {
  const cases: DiffCase[] = [];
  for (let k = 0; k < count; k++) {
    const { input } = ceShapes(rng.pick([-1, 0, 0, 1, 2]));
    const C = input.length === 1 ? input[0] : input[1];
    const dtype = dt();
    const reduction: Red = rng.pick(REDUCTIONS);
    const useWeight = rng.bool(0.4);
    const ls = rng.pick([0, 0, 0.2]);
    const inputs: InputSpec[] = [
      { shape: input, dtype, layout: lay() },
      { shape: input, dtype, values: "uniform", low: 0, high: 1 },
    ];
    if (useWeight) inputs.push({ shape: [C], dtype, values: "positive", requiresGrad: false });
    cases.push({
      name: `ce prob ${dtype} ${JSON.stringify(input)} ${reduction} weight=${useWeight} ls=${ls}`,
      inputs,
      ts: (x, t, w) => F.crossEntropy(x, t, { weight: w, reduction, labelSmoothing: ls }),
      py: `F.cross_entropy(x0, x1, weight=${useWeight ? "x2" : "None"}, reduction='${reduction}', label_smoothing=${ls})`,
    });
  }
  return cases;
}

interface Elementwise {
  name: string;
  ts: (x: Tensor, t: Tensor, r: Red) => Tensor;
  py: (r: Red) => string;
  x?: Partial<InputSpec>;
  t?: Partial<InputSpec>;
  /** Target shape may broadcast against the input. */
  broadcast?: boolean;
}

const ELEMENTWISE: Elementwise[] = [
  { name: "mse", ts: (x, t, r) => F.mseLoss(x, t, { reduction: r }), py: (r) => `F.mse_loss(x0, x1, reduction='${r}')`, broadcast: true },
  { name: "l1", ts: (x, t, r) => F.l1Loss(x, t, { reduction: r }), py: (r) => `F.l1_loss(x0, x1, reduction='${r}')`, broadcast: true },
  { name: "smoothL1", ts: (x, t, r) => F.smoothL1Loss(x, t, { reduction: r }), py: (r) => `F.smooth_l1_loss(x0, x1, reduction='${r}')`, broadcast: true },
  { name: "smoothL1 beta 0.3", ts: (x, t, r) => F.smoothL1Loss(x, t, { reduction: r, beta: 0.3 }), py: (r) => `F.smooth_l1_loss(x0, x1, reduction='${r}', beta=0.3)` },
  { name: "smoothL1 beta 0", ts: (x, t, r) => F.smoothL1Loss(x, t, { reduction: r, beta: 0 }), py: (r) => `F.smooth_l1_loss(x0, x1, reduction='${r}', beta=0.0)` },
  { name: "smoothL1 beta 2.5", ts: (x, t, r) => F.smoothL1Loss(x, t, { reduction: r, beta: 2.5 }), py: (r) => `F.smooth_l1_loss(x0, x1, reduction='${r}', beta=2.5)` },
  { name: "huber", ts: (x, t, r) => F.huberLoss(x, t, { reduction: r }), py: (r) => `F.huber_loss(x0, x1, reduction='${r}')`, broadcast: true },
  { name: "huber delta 0.4", ts: (x, t, r) => F.huberLoss(x, t, { reduction: r, delta: 0.4 }), py: (r) => `F.huber_loss(x0, x1, reduction='${r}', delta=0.4)` },
  { name: "huber delta 3", ts: (x, t, r) => F.huberLoss(x, t, { reduction: r, delta: 3 }), py: (r) => `F.huber_loss(x0, x1, reduction='${r}', delta=3.0)` },
  {
    name: "bce",
    ts: (x, t, r) => F.binaryCrossEntropy(x, t, { reduction: r }),
    py: (r) => `F.binary_cross_entropy(x0, x1, reduction='${r}')`,
    x: { values: "uniform", low: 0.02, high: 0.98 },
    t: { values: "uniform", low: 0, high: 1 },
  },
  {
    name: "bceWithLogits",
    ts: (x, t, r) => F.binaryCrossEntropyWithLogits(x, t, { reduction: r }),
    py: (r) => `F.binary_cross_entropy_with_logits(x0, x1, reduction='${r}')`,
    x: { values: "uniform", low: -30, high: 30 },
    t: { values: "uniform", low: 0, high: 1 },
  },
  {
    name: "klDiv",
    ts: (x, t, r) => F.klDiv(x, t, { reduction: r }),
    py: (r) => `F.kl_div(x0, x1, reduction='${r}')`,
    x: { values: "uniform", low: -4, high: 0 },
    t: { values: "uniform", low: 0.01, high: 1 },
    broadcast: true,
  },
  {
    name: "klDiv logTarget",
    ts: (x, t, r) => F.klDiv(x, t, { reduction: r, logTarget: true }),
    py: (r) => `F.kl_div(x0, x1, reduction='${r}', log_target=True)`,
    x: { values: "uniform", low: -4, high: 0 },
    t: { values: "uniform", low: -4, high: 0 },
  },
  {
    name: "softMargin",
    ts: (x, t, r) => F.softMarginLoss(x, t, { reduction: r }),
    py: (r) => `F.soft_margin_loss(x0, x1, reduction='${r}')`,
    t: { values: "uniform", low: -1, high: 1, requiresGrad: false },
  },
  {
    name: "poissonNll",
    ts: (x, t, r) => F.poissonNllLoss(x, t, { reduction: r }),
    py: (r) => `F.poisson_nll_loss(x0, x1, reduction='${r}')`,
    t: { values: "positive", low: 0, high: 5 },
  },
  {
    name: "poissonNll linear full",
    ts: (x, t, r) => F.poissonNllLoss(x, t, { reduction: r, logInput: false, full: true }),
    py: (r) => `F.poisson_nll_loss(x0, x1, log_input=False, full=True, reduction='${r}')`,
    x: { values: "positive", low: 0.1, high: 4 },
    t: { values: "positive", low: 1.5, high: 6 },
  },
];

function elementwiseCases(perLoss: number): DiffCase[] {
  const cases: DiffCase[] = [];
  for (const e of ELEMENTWISE) {
    for (let k = 0; k < perLoss; k++) {
      const dtype = dt();
      const reduction: Red = REDUCTIONS[k % 3];
      const shape = rng.shape(rng.int(0, 3), 1, 5);
      let tshape = shape;
      // A broadcasting target (PyTorch warns and broadcasts): trailing dims, size-1 dims.
      if (e.broadcast && k === perLoss - 1 && shape.length >= 2) tshape = [1, ...shape.slice(1)];
      cases.push({
        name: `${e.name} ${dtype} ${JSON.stringify(shape)} target ${JSON.stringify(tshape)} ${reduction}`,
        inputs: [
          { shape, dtype, layout: lay(), ...e.x },
          { shape: tshape, dtype, layout: lay(), ...e.t },
        ],
        ts: (x, t) => e.ts(x, t, reduction),
        py: e.py(reduction),
      });
    }
  }
  return cases;
}

function weightedBinaryCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  for (let k = 0; k < 12; k++) {
    const dtype = dt();
    const reduction: Red = REDUCTIONS[k % 3];
    const shape = rng.shape(rng.int(1, 3), 1, 4);
    const wshape = k % 2 ? shape.slice(-1) : shape;
    cases.push({
      name: `bce weight ${dtype} ${JSON.stringify(shape)} w ${JSON.stringify(wshape)} ${reduction}`,
      inputs: [
        { shape, dtype, values: "uniform", low: 0.05, high: 0.95 },
        { shape, dtype, values: "uniform", low: 0, high: 1 },
        { shape: wshape, dtype, values: "positive", requiresGrad: false },
      ],
      ts: (x, t, w) => F.binaryCrossEntropy(x, t, { weight: w, reduction }),
      py: `F.binary_cross_entropy(x0, x1, weight=x2, reduction='${reduction}')`,
    });
    const usePos = k % 4 !== 3;
    const useW = k % 3 !== 0;
    const inputs: InputSpec[] = [
      { shape, dtype, layout: lay(), values: "uniform", low: -8, high: 8 },
      { shape, dtype, values: "uniform", low: 0, high: 1 },
      { shape: shape.slice(-1), dtype, values: "positive", requiresGrad: false },
      { shape: wshape, dtype, values: "positive", requiresGrad: false },
    ];
    cases.push({
      name: `bceWithLogits ${dtype} ${JSON.stringify(shape)} posWeight=${usePos} weight=${useW} ${reduction}`,
      inputs,
      ts: (x, t, pw, w) => F.binaryCrossEntropyWithLogits(x, t, { weight: useW ? w : null, posWeight: usePos ? pw : null, reduction }),
      py: `F.binary_cross_entropy_with_logits(x0, x1, weight=${useW ? "x3" : "None"}, pos_weight=${usePos ? "x2" : "None"}, reduction='${reduction}')`,
    });
  }
  // Probabilities of exactly 0 and 1: the logs clamp at −100 and the gradient at 1/EPSILON.
  for (const dtype of ["float32", "float64"] as const) {
    cases.push({
      name: `bce at 0 and 1 ${dtype}`,
      inputs: [
        { shape: [6], dtype, values: [0, 1, 0, 1, 0.5, 1e-30] },
        { shape: [6], dtype, values: [1, 0, 0, 1, 0.3, 1], requiresGrad: false },
      ],
      ts: (x, t) => F.binaryCrossEntropy(x, t, { reduction: "none" }),
      py: "F.binary_cross_entropy(x0, x1, reduction='none')",
    });
  }
  return cases;
}

function specialCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  for (let k = 0; k < 9; k++) {
    const dtype = dt();
    const reduction: Red = REDUCTIONS[k % 3];
    const n = rng.int(1, 6);
    const margin = rng.pick([0, 0.5, -0.2]);
    const sign = (): number[] => Array.from({ length: n }, () => rng.pick([-1, 1]));
    cases.push({
      name: `marginRanking ${dtype} n=${n} margin=${margin} ${reduction}`,
      inputs: [{ shape: [n], dtype }, { shape: [n], dtype }, { shape: [n], dtype, values: sign() }],
      ts: (a, b, t) => F.marginRankingLoss(a, b, t, { margin, reduction }),
      py: `F.margin_ranking_loss(x0, x1, x2, margin=${margin}, reduction='${reduction}')`,
    });
    const shape = rng.shape(rng.int(1, 3), 1, 4);
    cases.push({
      name: `hingeEmbedding ${dtype} ${JSON.stringify(shape)} margin=${margin + 1} ${reduction}`,
      inputs: [{ shape, dtype, layout: lay() }, { shape, dtype, values: Array.from({ length: prod(shape) }, () => rng.pick([-1, 1])) }],
      ts: (x, t) => F.hingeEmbeddingLoss(x, t, { margin: margin + 1, reduction }),
      py: `F.hinge_embedding_loss(x0, x1, margin=${margin + 1}, reduction='${reduction}')`,
    });
    const C = rng.int(1, 5);
    const mshape = k % 4 === 0 ? [C] : [n, C];
    const useW = k % 2 === 0;
    cases.push({
      name: `multilabelSoftMargin ${dtype} ${JSON.stringify(mshape)} weight=${useW} ${reduction}`,
      inputs: [
        { shape: mshape, dtype },
        { shape: mshape, dtype, values: Array.from({ length: prod(mshape) }, () => rng.int(0, 1)) },
        { shape: [C], dtype, values: "positive", requiresGrad: false },
      ],
      ts: (x, t, w) => F.multilabelSoftMarginLoss(x, t, { weight: useW ? w : null, reduction }),
      py: `F.multilabel_soft_margin_loss(x0, x1, weight=${useW ? "x2" : "None"}, reduction='${reduction}')`,
    });
    const D = rng.int(1, 5);
    const batched = k % 3 !== 0;
    cases.push({
      name: `cosineEmbedding ${dtype} batched=${batched} D=${D} margin=${margin} ${reduction}`,
      inputs: [
        { shape: batched ? [n, D] : [D], dtype },
        { shape: batched ? [n, D] : [D], dtype },
        { shape: batched ? [n] : [], dtype: "int64", values: batched ? sign() : [rng.pick([-1, 1])] },
      ],
      ts: (a, b, t) => F.cosineEmbeddingLoss(a, b, t, { margin, reduction }),
      py: `F.cosine_embedding_loss(x0, x1, x2, margin=${margin}, reduction='${reduction}')`,
    });
    const vshape = k % 3 === 0 ? [n, C] : k % 3 === 1 ? [n] : [n, 1];
    const full = k % 2 === 1;
    cases.push({
      name: `gaussianNll ${dtype} var ${JSON.stringify(vshape)} full=${full} ${reduction}`,
      inputs: [
        { shape: [n, C], dtype },
        { shape: [n, C], dtype },
        // Some variances below eps: clamped in the forward, gradient passed through as in PyTorch.
        { shape: vshape, dtype, values: "uniform", low: 0, high: 2 },
      ],
      ts: (x, t, v) => F.gaussianNllLoss(x, t, v, { full, eps: 0.05, reduction }),
      py: `F.gaussian_nll_loss(x0, x1, x2, full=${full ? "True" : "False"}, eps=0.05, reduction='${reduction}')`,
    });
  }
  // klDiv batchmean, targets with zeros (the target gradient there is NaN in PyTorch too).
  for (const logTarget of [false, true]) {
    cases.push({
      name: `klDiv batchmean logTarget=${logTarget}`,
      inputs: [{ shape: [3, 4], values: "uniform", low: -3, high: 0 }, { shape: [3, 4], values: logTarget ? "normal" : "uniform", low: 0, high: 1 }],
      ts: (x, t) => F.klDiv(x, t, { reduction: "batchmean", logTarget }),
      py: `F.kl_div(x0, x1, reduction='batchmean', log_target=${logTarget ? "True" : "False"})`,
    });
  }
  cases.push({
    name: "klDiv zero targets",
    inputs: [{ shape: [4], dtype: "float64" }, { shape: [4], dtype: "float64", values: [0, 0.5, 0, 0.25] }],
    ts: (x, t) => F.klDiv(x, t, { reduction: "sum" }),
    py: "F.kl_div(x0, x1, reduction='sum')",
  });
  // NaN logits give NaN losses without failing.
  cases.push({
    name: "crossEntropy NaN logits",
    inputs: [{ shape: [3, 4], values: [NaN, 1, 2, 3, 0, 1, 2, 3, 1, 1, Infinity, 0] }, { shape: [3], dtype: "int64", values: [0, 1, 2] }],
    ts: (x, t) => F.crossEntropy(x, t, { reduction: "none" }),
    py: "F.cross_entropy(x0, x1, reduction='none')",
    noGrad: true,
  });
  cases.push({
    name: "crossEntropy all ignored (NaN mean)",
    inputs: [{ shape: [3, 4] }, { shape: [3], dtype: "int64", values: [-100, -100, -100] }],
    ts: (x, t) => F.crossEntropy(x, t),
    py: "F.cross_entropy(x0, x1)",
  });
  cases.push({
    name: "crossEntropy empty batch",
    inputs: [{ shape: [0, 4] }, { shape: [0], dtype: "int64" }],
    ts: (x, t) => F.crossEntropy(x, t),
    py: "F.cross_entropy(x0, x1)",
  });
  cases.push({
    name: "nllLoss uint8 targets",
    inputs: [{ shape: [4, 3] }, { shape: [4], dtype: "uint8", values: [0, 2, 1, 2] }],
    ts: (x, t) => F.nllLoss(x, t, { reduction: "sum" }),
    py: "F.nll_loss(x0, x1, reduction='sum')",
  });
  cases.push({
    name: "nllLoss 1-d input reads the first target",
    inputs: [{ shape: [5] }, { shape: [5], dtype: "int64", values: [3, 1, 0, 4, 2] }],
    ts: (x, t) => F.nllLoss(x, t, { reduction: "none" }),
    py: "F.nll_loss(x0, x1, reduction='none')",
  });
  // Second derivatives: the input gradient built with createGraph, then differentiated by the harness.
  const gradOf = (l: Tensor, x: Tensor): Tensor => torch.autograd.grad(l, [x], null, { createGraph: true })[0]!;
  for (const dtype of ["float64", "float32"] as const) {
    cases.push({
      name: `crossEntropy double backward ${dtype}`,
      inputs: [{ shape: [3, 4], dtype }, { shape: [3], dtype: "int64", values: [0, 3, -100] }, { shape: [4], dtype, values: "positive", requiresGrad: false }],
      ts: (x, t, w) => gradOf(F.crossEntropy(x, t, { weight: w }).mul(F.crossEntropy(x, t, { weight: w })), x),
      py: "l = F.cross_entropy(x0, x1, weight=x2)\nout = torch.autograd.grad(l * l, [x0], create_graph=True)",
    });
    cases.push({
      name: `crossEntropy K-dim double backward ${dtype}`,
      inputs: [{ shape: [2, 3, 2, 2], dtype }, { shape: [2, 2, 2], dtype: "int64", values: [0, 1, 2, 0, 1, 1, 2, 0] }],
      ts: (x, t) => gradOf(F.crossEntropy(x, t, { reduction: "none" }).square().sum(), x),
      py: "l = F.cross_entropy(x0, x1, reduction='none')\nout = torch.autograd.grad(l.square().sum(), [x0], create_graph=True)",
    });
    cases.push({
      name: `bceWithLogits double backward ${dtype}`,
      inputs: [{ shape: [5], dtype }, { shape: [5], dtype, values: "uniform", low: 0, high: 1, requiresGrad: false }, { shape: [5], dtype, values: "positive", requiresGrad: false }],
      ts: (x, t, pw) => gradOf(F.binaryCrossEntropyWithLogits(x, t, { posWeight: pw }).mul(3), x),
      py: "out = torch.autograd.grad(F.binary_cross_entropy_with_logits(x0, x1, pos_weight=x2) * 3, [x0], create_graph=True)",
    });
  }
  cases.push({
    name: "crossEntropy large logits",
    inputs: [{ shape: [4, 5], values: "uniform", low: -1e4, high: 1e4 }, { shape: [4], dtype: "int64", values: [0, 4, 2, 1] }],
    ts: (x, t) => F.crossEntropy(x, t),
    py: "F.cross_entropy(x0, x1)",
  });
  return cases;
}

function errorCases(): DiffCase[] {
  const ce = (shape: number[], tshape: number[], tvalues: InputSpec["values"], tdtype: DType, opts: Record<string, unknown>, py: string, re: RegExp, wshape?: number[]): DiffCase => ({
    name: `error: ${re.source}`,
    inputs: [{ shape }, { shape: tshape, dtype: tdtype, values: tvalues }, ...(wshape ? [{ shape: wshape, requiresGrad: false }] : [])],
    ts: (x, t, w) => F.crossEntropy(x, t, { ...opts, ...(w ? { weight: w } : {}) }),
    py,
    expectError: re,
  });
  return [
    ce([4, 5], [4], [0, 1, 2, 10], "int64", {}, "F.cross_entropy(x0, x1)", /Target 10 is out of bounds\./),
    ce([4, 5], [4], [0, 1, -1, 2], "int64", {}, "F.cross_entropy(x0, x1)", /Target -1 is out of bounds\./),
    ce([2, 3, 4], [2, 4], [0, 1, 2, 3, 0, 1, 2, 0], "int64", {}, "F.cross_entropy(x0, x1)", /Target 3 is out of bounds\./),
    ce([4, 5], [4], "uniform", "float32", {}, "F.cross_entropy(x0, x1)", /expected scalar type Long but found Float/),
    ce([4, 5], [4], "int", "int32", {}, "F.cross_entropy(x0, x1)", /expected scalar type Long but found Int/),
    ce([4, 5], [3], [0, 1, 2], "int64", {}, "F.cross_entropy(x0, x1)", /Expected input batch_size \(4\) to match target batch_size \(3\)\./),
    ce([4, 5], [4], [0, 1, 2, 3], "int64", {}, "F.cross_entropy(x0, x1, weight=x2)", /weight tensor should be defined either for all 5 classes or no classes but got weight tensor of shape: \[3\]/, [3]),
    ce([2, 3, 4], [2, 5], "int", "int64", {}, "F.cross_entropy(x0, x1)", /Expected target size \[2, 4\], got \[2, 5\]/),
    ce([2, 3, 4, 5], [2, 4, 6], [...Array(48)].map(() => 0), "int64", {}, "F.cross_entropy(x0, x1)", /size mismatch \(got input: \[2, 3, 4, 5\] , target: \[2, 4, 6\]/),
    ce([2, 3, 4, 5], [2, 4], "int", "int64", {}, "F.cross_entropy(x0, x1)", /only batches of spatial targets supported \(3D tensors\) but got targets of dimension: 2/),
    ce([4, 5], [4, 5], "int", "int64", {}, "F.cross_entropy(x0, x1)", /Expected floating point type for target with class probabilities, got Long/),
    ce([4, 5], [4, 5], "uniform", "float32", { ignoreIndex: 1 }, "F.cross_entropy(x0, x1, ignore_index=1)", /ignore_index is not supported for floating point target/),
    ce([4, 5], [4], [0, 1, 2, 3], "int64", { labelSmoothing: 1.5 }, "F.cross_entropy(x0, x1, label_smoothing=1.5)", /label_smoothing must be between 0.0 and 1.0. Got: 1.5/),
    ce([4, 5], [4], [0, 1, 2, 3], "int64", { reduction: "foo" }, "F.cross_entropy(x0, x1, reduction='foo')", /foo is not a valid value for reduction/),
    ce([5], [1], [1], "int64", {}, "F.cross_entropy(x0, x1)", /size mismatch \(got input: \[5\], target: \[1\]\)/),
    {
      name: "bce input outside [0, 1]",
      inputs: [{ shape: [3], values: [0.5, 1.5, 0.2] }, { shape: [3], values: "uniform", low: 0, high: 1 }],
      ts: (x, t) => F.binaryCrossEntropy(x, t),
      py: "F.binary_cross_entropy(x0, x1)",
      expectError: /all elements of input should be between 0 and 1/,
    },
    {
      name: "bce NaN input",
      inputs: [{ shape: [3], values: [0.5, NaN, 0.2] }, { shape: [3], values: "uniform", low: 0, high: 1 }],
      ts: (x, t) => F.binaryCrossEntropy(x, t),
      py: "F.binary_cross_entropy(x0, x1)",
      expectError: /all elements of input should be between 0 and 1/,
    },
    {
      name: "bce shape",
      inputs: [{ shape: [3, 1], values: "uniform", low: 0, high: 1 }, { shape: [3], values: "uniform", low: 0, high: 1 }],
      ts: (x, t) => F.binaryCrossEntropy(x, t),
      py: "F.binary_cross_entropy(x0, x1)",
      expectError: /Using a target size \(torch.Size\(\[3\]\)\) that is different to the input size \(torch.Size\(\[3, 1\]\)\) is deprecated/,
    },
    {
      name: "bceWithLogits shape",
      inputs: [{ shape: [3] }, { shape: [4] }],
      ts: (x, t) => F.binaryCrossEntropyWithLogits(x, t),
      py: "F.binary_cross_entropy_with_logits(x0, x1)",
      expectError: /Target size \(torch.Size\(\[4\]\)\) must be the same as input size \(torch.Size\(\[3\]\)\)/,
    },
    {
      name: "mse not broadcastable",
      inputs: [{ shape: [3] }, { shape: [4] }],
      ts: (x, t) => F.mseLoss(x, t),
      py: "F.mse_loss(x0, x1)",
      expectError: true,
    },
    {
      name: "mse int64",
      inputs: [{ shape: [3], dtype: "int64" }, { shape: [3], dtype: "int64" }],
      ts: (x, t) => F.mseLoss(x, t),
      py: "F.mse_loss(x0, x1)",
      expectError: /"mse_cpu" not implemented for 'Long'/,
    },
    {
      name: "smoothL1 negative beta",
      inputs: [{ shape: [3] }, { shape: [3] }],
      ts: (x, t) => F.smoothL1Loss(x, t, { beta: -1 }),
      py: "F.smooth_l1_loss(x0, x1, beta=-1.0)",
      expectError: /smooth_l1_loss does not support negative values for beta\./,
    },
    {
      name: "huber zero delta",
      inputs: [{ shape: [3] }, { shape: [3] }],
      ts: (x, t) => F.huberLoss(x, t, { delta: 0 }),
      py: "F.huber_loss(x0, x1, delta=0.0)",
      expectError: /huber_loss does not support non-positive values for delta\./,
    },
    {
      name: "marginRanking dims",
      inputs: [{ shape: [3] }, { shape: [3] }, { shape: [1, 3] }],
      ts: (a, b, t) => F.marginRankingLoss(a, b, t),
      py: "F.margin_ranking_loss(x0, x1, x2)",
      expectError: /All input tensors should have same dimension/,
    },
    {
      name: "cosineEmbedding 1-d target with 1-d inputs",
      inputs: [{ shape: [3] }, { shape: [3] }, { shape: [3], dtype: "int64", values: [1, -1, 1] }],
      ts: (a, b, t) => F.cosineEmbeddingLoss(a, b, t),
      py: "F.cosine_embedding_loss(x0, x1, x2)",
      expectError: /1D target tensor expects 2D input tensors, but found inputs with sizes \[3\] and \[3\]\./,
    },
    {
      name: "gaussianNll var size",
      inputs: [{ shape: [3, 4] }, { shape: [3, 4] }, { shape: [2], values: "positive" }],
      ts: (x, t, v) => F.gaussianNllLoss(x, t, v),
      py: "F.gaussian_nll_loss(x0, x1, x2)",
      expectError: /var is of incorrect size/,
    },
  ];
}

describe("losses vs PyTorch", () => {
  it("match outputs and gradients", async () => {
    const cases = [
      ...indexTargetCases("ce", 110),
      ...indexTargetCases("nll", 40),
      ...probTargetCases(36),
      ...elementwiseCases(9),
      ...weightedBinaryCases(),
      ...specialCases(),
      ...errorCases(),
    ];
    expectClean(await runDifferential("losses", cases), 300);
  }, 120_000);
});
