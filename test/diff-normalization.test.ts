/**
 * Normalization against PyTorch: batch/instance/layer/group norm and local response norm, in training
 * and evaluation, with and without affine parameters and running statistics; outputs, the gradients of
 * input, weight and bias, running statistics (and `num_batches_tracked`) after a few steps, and second
 * derivatives (gradients computed with `createGraph` then differentiated again).
 */
import { describe, it } from "vitest";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/tensor.js";
import type { DType } from "../src/dtype.js";
import { type DiffCase, type InputSpec, type Layout, Rng, expectClean, runDifferential } from "./oracle/differential.js";

const { nn } = torch;
const F = nn.functional;
const rng = new Rng(Number(process.env.NORM_SEED ?? 777001));
const LAYOUTS: Layout[] = ["contiguous", "transposed", "strided", "offset"];
const dt = (): DType => rng.pick(["float32", "float32", "float64"]);
const lay = (): Layout => rng.pick(LAYOUTS);
const py = (b: boolean): string => (b ? "True" : "False");
const pyNum = (x: number | null): string => (x === null ? "None" : String(x));

/** `(N, C, *spatial)` with `spatial` extra dims. */
function ncShape(spatial: number, minN = 1): number[] {
  return [rng.int(minN, 4), rng.int(1, 5), ...rng.shape(spatial, 1, 4)];
}

/**
 * At least 3 values per channel: PyTorch refuses 1, and with 2 the normalized outputs are ±1 whatever the
 * input, so the input gradient is pure cancellation (float32 rounding noise in both libraries).
 */
function trainable(shape: number[]): boolean {
  return shape[0] * shape.slice(2).reduce((a, b) => a * b, 1) > 2;
}

function batchNormFunctional(count: number): DiffCase[] {
  const cases: DiffCase[] = [];
  for (let k = 0; k < count; k++) {
    let shape = ncShape(rng.int(0, 3));
    if (!trainable(shape)) shape = [shape[0] + 2, ...shape.slice(1)];
    const C = shape[1];
    const dtype = dt();
    const mode = rng.pick(["train-running", "train-running", "train", "eval"] as const);
    const affine = rng.pick(["both", "weight", "bias", "none"] as const);
    const momentum = rng.pick([0.1, 0.3, 0.9, 1]);
    const eps = rng.pick([1e-5, 1e-3, 0.1]);
    const steps = mode === "train-running" ? rng.int(1, 3) : 1;
    const inputs: InputSpec[] = [
      { shape, dtype, layout: lay(), values: "uniform", low: -2, high: 3 },
      { shape: [C], dtype, values: "uniform", low: 0.5, high: 1.5 },
      { shape: [C], dtype },
      { shape: [C], dtype, requiresGrad: false },
      { shape: [C], dtype, values: "positive", requiresGrad: false },
    ];
    const hasW = affine === "both" || affine === "weight";
    const hasB = affine === "both" || affine === "bias";
    const training = mode !== "eval";
    const running = mode !== "train";
    cases.push({
      name: `batchNorm ${mode} ${dtype} ${JSON.stringify(shape)} affine=${affine} momentum=${momentum} eps=${eps} steps=${steps}`,
      inputs,
      ts: (x, w, b, rm0, rv0) => {
        const rm = running ? rm0.clone() : null;
        const rv = running ? rv0.clone() : null;
        let y = x;
        for (let i = 0; i < steps; i++) {
          y = F.batchNorm(x.mul(i + 1).add(i), rm, rv, { weight: hasW ? w : null, bias: hasB ? b : null, training, momentum, eps });
        }
        return running ? [y, rm!, rv!] : [y];
      },
      py: [
        `rm = x3.clone() if ${py(running)} else None`,
        `rv = x4.clone() if ${py(running)} else None`,
        `for i in range(${steps}):`,
        `    y = F.batch_norm(x0 * (i + 1) + i, rm, rv, ${hasW ? "x1" : "None"}, ${hasB ? "x2" : "None"}, ${py(training)}, ${momentum}, ${eps})`,
        `out = (y, rm, rv) if ${py(running)} else (y,)`,
      ].join("\n"),
    });
  }
  return cases;
}

const BN_CLASS = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"] as const;

function batchNormModules(count: number): DiffCase[] {
  const cases: DiffCase[] = [];
  for (let k = 0; k < count; k++) {
    const which = rng.int(0, 2);
    const spatial = which === 0 ? rng.int(0, 1) : which + 1;
    let shape = ncShape(spatial, 2);
    if (!trainable(shape)) shape = [shape[0] + 2, ...shape.slice(1)];
    const C = shape[1];
    const dtype = dt();
    const momentum = rng.pick([0.1, null, 0.5]);
    const affine = rng.bool(0.7);
    const track = rng.bool(0.75);
    const steps = rng.int(1, 4);
    const cls = BN_CLASS[which];
    const opts = { momentum, affine, trackRunningStats: track, eps: 1e-4 };
    cases.push({
      name: `${cls} ${dtype} ${JSON.stringify(shape)} momentum=${momentum} affine=${affine} track=${track} steps=${steps}`,
      inputs: [{ shape, dtype, layout: lay() }],
      ts: (x) => {
        const m = new nn[cls](C, opts);
        if (dtype === "float64") m.double();
        let y = x;
        for (let i = 0; i < steps; i++) y = m(x.mul(i + 1).add(i));
        m.eval();
        const ye = m(x);
        return track ? [y, ye, m.runningMean!, m.runningVar!, m.numBatchesTracked!] : [y, ye];
      },
      py: [
        `m = nn.${cls}(${C}, eps=1e-4, momentum=${pyNum(momentum)}, affine=${py(affine)}, track_running_stats=${py(track)})`,
        dtype === "float64" ? "m = m.double()" : "",
        `for i in range(${steps}):`,
        "    y = m(x0 * (i + 1) + i)",
        "m.eval()",
        "ye = m(x0)",
        `out = (y, ye, m.running_mean, m.running_var, m.num_batches_tracked) if ${py(track)} else (y, ye)`,
      ].join("\n"),
    });
  }
  return cases;
}

const IN_CLASS = ["InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"] as const;

function instanceNormCases(count: number): DiffCase[] {
  const cases: DiffCase[] = [];
  for (let k = 0; k < count; k++) {
    const which = rng.int(0, 2);
    // Planes of at least 3 elements (see `trainable`).
    const shape = [rng.int(1, 3), rng.int(1, 4), ...rng.shape(which + 1, which === 0 ? 3 : 2, 4)];
    const C = shape[1];
    const dtype = dt();
    const affine = rng.bool();
    const track = rng.bool();
    const unbatched = rng.bool(0.25);
    const steps = rng.int(1, 3);
    const cls = IN_CLASS[which];
    const xshape = unbatched ? shape.slice(1) : shape;
    cases.push({
      name: `${cls} ${dtype} ${JSON.stringify(xshape)} affine=${affine} track=${track} steps=${steps}`,
      inputs: [{ shape: xshape, dtype, layout: lay() }],
      ts: (x) => {
        const m = new nn[cls](C, { affine, trackRunningStats: track, momentum: 0.2 });
        if (dtype === "float64") m.double();
        let y = x;
        for (let i = 0; i < steps; i++) y = m(x.mul(i + 1).add(i));
        m.eval();
        const ye = m(x);
        return track ? [y, ye, m.runningMean!, m.runningVar!] : [y, ye];
      },
      py: [
        `m = nn.${cls}(${C}, affine=${py(affine)}, track_running_stats=${py(track)}, momentum=0.2)`,
        dtype === "float64" ? "m = m.double()" : "",
        `for i in range(${steps}):`,
        "    y = m(x0 * (i + 1) + i)",
        "m.eval()",
        "ye = m(x0)",
        `out = (y, ye, m.running_mean, m.running_var) if ${py(track)} else (y, ye)`,
      ].join("\n"),
    });
  }
  // The functional form with weight and bias gradients.
  for (let k = 0; k < 10; k++) {
    const shape = [rng.int(1, 3), rng.int(1, 4), ...rng.shape(rng.int(1, 2), 3, 4)];
    const C = shape[1];
    const dtype = dt();
    cases.push({
      name: `instanceNorm functional ${dtype} ${JSON.stringify(shape)}`,
      inputs: [{ shape, dtype, layout: lay() }, { shape: [C], dtype }, { shape: [C], dtype }],
      ts: (x, w, b) => F.instanceNorm(x, { weight: w, bias: b, eps: 1e-3 }),
      py: "F.instance_norm(x0, weight=x1, bias=x2, eps=1e-3)",
    });
  }
  return cases;
}

function layerNormCases(count: number): DiffCase[] {
  const cases: DiffCase[] = [];
  for (let k = 0; k < count; k++) {
    const nd = rng.int(1, 4);
    const shape = rng.shape(nd, 1, 5);
    const kdims = rng.int(1, nd);
    const dtype = dt();
    // Float32 blocks of at least 3 elements (see `trainable`); a one-element block normalizes to exactly 0,
    // where PyTorch's float32 kernel returns its FMA rounding residue (~1e-5).
    if (dtype === "float32" && shape.slice(nd - kdims).reduce((a, b) => a * b, 1) < 3) shape[nd - 1] = 3;
    const norm = shape.slice(nd - kdims);
    const affine = rng.pick(["both", "weight", "none"] as const);
    const eps = rng.pick([1e-5, 1e-2]);
    const asNumber = kdims === 1 && rng.bool();
    cases.push({
      name: `layerNorm ${dtype} ${JSON.stringify(shape)} normalized ${JSON.stringify(norm)} affine=${affine} eps=${eps}`,
      inputs: [
        { shape, dtype, layout: lay(), values: "uniform", low: -3, high: 5 },
        { shape: norm, dtype, values: "uniform", low: 0.5, high: 1.5 },
        { shape: norm, dtype },
      ],
      ts: (x, w, b) =>
        F.layerNorm(x, asNumber ? norm[0] : norm, { weight: affine !== "none" ? w : null, bias: affine === "both" ? b : null, eps }),
      py: `F.layer_norm(x0, ${JSON.stringify(norm)}, ${affine !== "none" ? "x1" : "None"}, ${affine === "both" ? "x2" : "None"}, ${eps})`,
    });
  }
  return cases;
}

function groupNormCases(count: number): DiffCase[] {
  const cases: DiffCase[] = [];
  for (let k = 0; k < count; k++) {
    const G = rng.int(1, 3);
    const C = G * rng.int(1, 3);
    const shape = [rng.int(1, 3), C, ...rng.shape(rng.int(0, 2), 1, 4)];
    // Groups of at least 3 elements (see `trainable`).
    if ((C / G) * shape.slice(2).reduce((a, b) => a * b, 1) < 3) shape.push(3);
    const dtype = dt();
    const affine = rng.bool(0.7);
    cases.push({
      name: `groupNorm ${dtype} ${JSON.stringify(shape)} groups=${G} affine=${affine}`,
      inputs: [{ shape, dtype, layout: lay() }, { shape: [C], dtype, values: "uniform", low: 0.5, high: 1.5 }, { shape: [C], dtype }],
      ts: (x, w, b) => F.groupNorm(x, G, { weight: affine ? w : null, bias: affine ? b : null, eps: 1e-4 }),
      py: `F.group_norm(x0, ${G}, ${affine ? "x1" : "None"}, ${affine ? "x2" : "None"}, 1e-4)`,
    });
  }
  // The module, with its own (ones/zeros) parameters.
  for (let k = 0; k < 6; k++) {
    const G = rng.int(1, 3);
    const C = G * rng.int(1, 3);
    const shape = [rng.int(2, 3), C, rng.int(3, 5)];
    cases.push({
      name: `GroupNorm module ${JSON.stringify(shape)} groups=${G}`,
      inputs: [{ shape }],
      ts: (x) => new nn.GroupNorm(G, C)(x),
      py: `nn.GroupNorm(${G}, ${C})(x0)`,
    });
  }
  return cases;
}

function lrnCases(count: number): DiffCase[] {
  const cases: DiffCase[] = [];
  for (let k = 0; k < count; k++) {
    const shape = [rng.int(1, 3), rng.int(1, 6), ...rng.shape(rng.int(1, 3), 1, 4)];
    const size = rng.int(1, 5);
    const alpha = rng.pick([1e-4, 0.01, 0.5]);
    const beta = rng.pick([0.75, 0.5, 1.5]);
    const kk = rng.pick([1, 2, 0.5]);
    const dtype = dt();
    cases.push({
      name: `localResponseNorm ${dtype} ${JSON.stringify(shape)} size=${size} alpha=${alpha} beta=${beta} k=${kk}`,
      inputs: [{ shape, dtype, layout: lay() }],
      ts: (x) => F.localResponseNorm(x, size, { alpha, beta, k: kk }),
      py: `F.local_response_norm(x0, ${size}, ${alpha}, ${beta}, ${kk})`,
    });
  }
  return cases;
}

/** Second derivatives: the input gradient of Σ sin(y), built with createGraph, differentiated again. */
function doubleBackwardCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  const gradOf = (y: Tensor, xs: Tensor[]): Tensor[] => torch.autograd.grad(y.sin().sum(), xs, null, { createGraph: true }) as Tensor[];
  const pyGrad = (expr: string, xs: string): string => `y = ${expr}\nout = torch.autograd.grad(y.sin().sum(), [${xs}], create_graph=True)`;
  for (const dtype of ["float64", "float32"] as const) {
    cases.push({
      name: `layerNorm double backward ${dtype}`,
      inputs: [{ shape: [3, 4], dtype }, { shape: [4], dtype }, { shape: [4], dtype }],
      ts: (x, w, b) => gradOf(F.layerNorm(x, [4], { weight: w, bias: b }), [x, w]),
      py: pyGrad("F.layer_norm(x0, [4], x1, x2)", "x0, x1"),
    });
    cases.push({
      name: `batchNorm training double backward ${dtype}`,
      inputs: [{ shape: [4, 3, 2], dtype }, { shape: [3], dtype }, { shape: [3], dtype }],
      ts: (x, w, b) => gradOf(F.batchNorm(x, null, null, { weight: w, bias: b, training: true }), [x, w]),
      py: pyGrad("F.batch_norm(x0, None, None, x1, x2, True)", "x0, x1"),
    });
    cases.push({
      name: `batchNorm eval double backward ${dtype}`,
      inputs: [{ shape: [4, 3], dtype }, { shape: [3], dtype }, { shape: [3], dtype }, { shape: [3], dtype, requiresGrad: false }, { shape: [3], dtype, values: "positive", requiresGrad: false }],
      ts: (x, w, b, rm, rv) => gradOf(F.batchNorm(x, rm, rv, { weight: w, bias: b }), [x, w]),
      py: pyGrad("F.batch_norm(x0, x3, x4, x1, x2, False)", "x0, x1"),
    });
    cases.push({
      name: `groupNorm double backward ${dtype}`,
      inputs: [{ shape: [2, 4, 3], dtype }, { shape: [4], dtype }, { shape: [4], dtype }],
      ts: (x, w, b) => gradOf(F.groupNorm(x, 2, { weight: w, bias: b }), [x, w]),
      py: pyGrad("F.group_norm(x0, 2, x1, x2)", "x0, x1"),
    });
  }
  return cases;
}

function errorCases(): DiffCase[] {
  const e = (name: string, inputs: InputSpec[], ts: (...xs: Tensor[]) => Tensor, pyExpr: string, re: RegExp): DiffCase => ({ name, inputs, ts, py: pyExpr, expectError: re });
  return [
    e("batchNorm one value per channel", [{ shape: [1, 3] }], (x) => F.batchNorm(x, null, null, { training: true }), "F.batch_norm(x0, None, None, training=True)", /Expected more than 1 value per channel when training, got input size torch.Size\(\[1, 3\]\)/),
    e("batchNorm running_mean size", [{ shape: [4, 3] }, { shape: [4], requiresGrad: false }, { shape: [3], requiresGrad: false }], (x, rm, rv) => F.batchNorm(x, rm, rv, { training: true }), "F.batch_norm(x0, x1, x2, training=True)", /running_mean should contain 3 elements not 4/),
    e("batchNorm weight size", [{ shape: [4, 3] }, { shape: [2] }], (x, w) => F.batchNorm(x, null, null, { weight: w, training: true }), "F.batch_norm(x0, None, None, x1, training=True)", /weight should contain 3 elements not 2/),
    e("batchNorm eval without stats", [{ shape: [4, 3] }], (x) => F.batchNorm(x, null, null), "F.batch_norm(x0, None, None)", /running_mean must be defined in evaluation mode/),
    e("batchNorm int64", [{ shape: [4, 3], dtype: "int64" }], (x) => F.batchNorm(x, null, null, { training: true }), "F.batch_norm(x0, None, None, training=True)", /"batch_norm" not implemented for 'Long'/),
    e("BatchNorm2d rank", [{ shape: [4, 3] }], (x) => new nn.BatchNorm2d(3)(x), "nn.BatchNorm2d(3)(x0)", /expected 4D input \(got 2D input\)/),
    e("BatchNorm1d rank", [{ shape: [4, 3, 2, 2] }], (x) => new nn.BatchNorm1d(3)(x), "nn.BatchNorm1d(3)(x0)", /expected 2D or 3D input \(got 4D input\)/),
    e("InstanceNorm2d rank", [{ shape: [4, 3] }], (x) => new nn.InstanceNorm2d(3)(x), "nn.InstanceNorm2d(3)(x0)", /expected 3D or 4D input \(got 2D input\)/),
    e("instanceNorm one spatial element", [{ shape: [2, 3, 1] }], (x) => F.instanceNorm(x), "F.instance_norm(x0)", /Expected more than 1 spatial element when training, got input size torch.Size\(\[2, 3, 1\]\)/),
    e("instanceNorm eval without stats", [{ shape: [2, 3, 4] }], (x) => F.instanceNorm(x, { useInputStats: false }), "F.instance_norm(x0, use_input_stats=False)", /Expected running_mean and running_var to be defined when use_input_stats is false/),
    e("layerNorm shape", [{ shape: [4, 3] }], (x) => F.layerNorm(x, [4]), "F.layer_norm(x0, [4])", /Given normalized_shape=\[4\], expected input with shape \[\*, 4\], but got input of size\[4, 3\]/),
    e("layerNorm weight shape", [{ shape: [4, 3] }, { shape: [4] }], (x, w) => F.layerNorm(x, [3], { weight: w }), "F.layer_norm(x0, [3], x1)", /Expected weight to be of same shape as normalized_shape, but got weight of shape \[4\] and normalized_shape = \[3\]/),
    e("layerNorm empty shape", [{ shape: [4, 3] }], (x) => F.layerNorm(x, []), "F.layer_norm(x0, [])", /Expected normalized_shape to be at least 1-dimensional/),
    e("groupNorm divisibility", [{ shape: [4, 3, 2] }], (x) => F.groupNorm(x, 2), "F.group_norm(x0, 2)", /Expected number of channels in input to be divisible by num_groups, but got input of shape \[4, 3, 2\] and num_groups=2/),
    e("groupNorm weight", [{ shape: [4, 4, 2] }, { shape: [3] }], (x, w) => F.groupNorm(x, 2, { weight: w }), "F.group_norm(x0, 2, x1)", /Expected weight to be a vector of size equal to the number of channels in input, but got weight of shape \[3\] and input of shape \[4, 4, 2\]/),
    e("groupNorm one value", [{ shape: [1, 2] }], (x) => F.groupNorm(x, 2), "F.group_norm(x0, 2)", /Expected more than 1 value per channel when training, got input size \[1, 2\]/),
    e("localResponseNorm rank", [{ shape: [2, 3] }], (x) => F.localResponseNorm(x, 2), "F.local_response_norm(x0, 2)", /Expected 3D or higher dimensionality/),
  ];
}

describe("normalization vs PyTorch", () => {
  it("match outputs, gradients and running statistics", async () => {
    const cases = [
      ...batchNormFunctional(70),
      ...batchNormModules(40),
      ...instanceNormCases(30),
      ...layerNormCases(40),
      ...groupNormCases(30),
      ...lrnCases(16),
      ...doubleBackwardCases(),
      ...errorCases(),
    ];
    expectClean(await runDifferential("normalization", cases), 200);
  }, 120_000);
});
