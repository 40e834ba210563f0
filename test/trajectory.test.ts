/**
 * The issue's proof: training follows PyTorch's trajectory. W5's CIFAR-10 CNN (random 3×32×32 inputs) and
 * W6's LeNet-5 (random 1×28×28 inputs), batch 16, start from the same weights (drawn by PyTorch, loaded
 * with `loadStateDict`), see the same batches (8, cycled), and take 50 steps of SGD(lr 0.01, momentum 0.9,
 * weight decay 5e-4) then 50 of Adam(lr 1e-3) under CrossEntropyLoss. The loss curve and every final
 * parameter are compared with PyTorch's run of the same dtype: LeNet in float32 and float64, the CIFAR
 * CNN in float64 (and, with TRAJECTORY_CIFAR_FLOAT32=1, in float32 too: see the comment there for why
 * that comparison is loose and kept out of the default run).
 */
import { describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/tensor.js";
import type { Module } from "../src/nn/module.js";
import { oracle, type WireTensor } from "./oracle/client.js";

const { nn, optim } = torch;
const BATCH = 16;
const BATCHES = 8;
const SGD_STEPS = 50;
const ADAM_STEPS = 50;

interface Net {
  name: string;
  input: number[];
  /** The model in Python (`nn` in scope) and in torch-ts. */
  py: string;
  ts: () => Module;
  /** State-dict keys in PyTorch's order (parameters only: neither model has buffers). */
  keys: string[];
}

const CIFAR: Net = {
  name: "W5 CIFAR-10 CNN",
  input: [3, 32, 32],
  py:
    "nn.Sequential(nn.Conv2d(3, 32, 5, padding=2), nn.MaxPool2d(2), nn.Conv2d(32, 32, 5, padding=2), nn.MaxPool2d(2), " +
    "nn.Conv2d(32, 64, 5, padding=2), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1024, 64), nn.Linear(64, 10))",
  ts: () =>
    new nn.Sequential(
      new nn.Conv2d(3, 32, 5, { padding: 2 }),
      new nn.MaxPool2d(2),
      new nn.Conv2d(32, 32, 5, { padding: 2 }),
      new nn.MaxPool2d(2),
      new nn.Conv2d(32, 64, 5, { padding: 2 }),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Linear(1024, 64),
      new nn.Linear(64, 10),
    ),
  keys: ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias", "7.weight", "7.bias", "8.weight", "8.bias"],
};

const LENET: Net = {
  name: "W6 LeNet-5",
  input: [1, 28, 28],
  py:
    "nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2), nn.Conv2d(6, 16, 5), nn.Sigmoid(), " +
    "nn.AvgPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))",
  ts: () =>
    new nn.Sequential(
      new nn.Conv2d(1, 6, 5, { padding: 2 }),
      new nn.Sigmoid(),
      new nn.AvgPool2d(2),
      new nn.Conv2d(6, 16, 5),
      new nn.Sigmoid(),
      new nn.AvgPool2d(2),
      new nn.Flatten(),
      new nn.Linear(400, 120),
      new nn.Sigmoid(),
      new nn.Linear(120, 84),
      new nn.Sigmoid(),
      new nn.Linear(84, 10),
    ),
  keys: ["0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias", "11.weight", "11.bias"],
};

/** PyTorch's initial weights (float32, in state-dict order) and batches. */
function pySetup(net: Net, seed: number): string {
  return `
torch.manual_seed(${seed})
model = ${net.py}
g = torch.Generator().manual_seed(${seed + 1})
xs = torch.randn(${BATCHES}, ${BATCH}, ${net.input.join(", ")}, generator=g)
ys = torch.randint(0, 10, (${BATCHES}, ${BATCH}), generator=g)
out = (*model.state_dict().values(), xs, ys)
`;
}

/** PyTorch's training run in `dtype` from the same setup: the loss of every step, then the final weights. */
function pyRun(net: Net, seed: number, dtype: "float32" | "float64"): string {
  return `${pySetup(net, seed)}
model = model.to(torch.${dtype})
xs = xs.to(torch.${dtype})
loss_fn = nn.CrossEntropyLoss()
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
losses = []
for step in range(${SGD_STEPS + ADAM_STEPS}):
    if step == ${SGD_STEPS}:
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    opt.zero_grad()
    loss = loss_fn(model(xs[step % ${BATCHES}]), ys[step % ${BATCHES}])
    loss.backward()
    opt.step()
    losses.append(loss.detach().double())
out = (torch.stack(losses), *[p.detach() for p in model.state_dict().values()])
`;
}

const toTensor = (w: WireTensor): Tensor => {
  const data = w.dtype === "float32" ? Float32Array.from(w.data) : Float64Array.from(w.data);
  return torch.fromTypedArray(data, w.shape, w.dtype);
};

interface Run {
  losses: Float64Array;
  params: Float64Array[];
}

function fromPy(r: { outputs?: WireTensor[]; error?: string }): Run {
  if (r.error !== undefined) throw new Error(`PyTorch failed: ${r.error}`);
  const [losses, ...params] = r.outputs!;
  return { losses: Float64Array.from(losses.data), params: params.map((p) => Float64Array.from(p.data)) };
}

/** torch-ts's training run in `dtype` from PyTorch's weights and batches. */
function tsRun(net: Net, init: Tensor[], xs: Tensor, ys: Tensor, dtype: "float32" | "float64"): Run {
  const model = net.ts();
  expect(Object.keys(model.stateDict())).toEqual(net.keys);
  model.loadStateDict(Object.fromEntries(net.keys.map((k, i) => [k, init[i]])));
  model.to(dtype);
  const x = xs.to(dtype);
  const lossFn = new nn.CrossEntropyLoss();
  let opt: { zeroGrad(): void; step(): void } = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 });
  const losses = new Float64Array(SGD_STEPS + ADAM_STEPS);
  for (let step = 0; step < SGD_STEPS + ADAM_STEPS; step++) {
    if (step === SGD_STEPS) opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
    opt.zeroGrad();
    const b = step % BATCHES;
    const loss = lossFn(model(x.select(0, b)), ys.select(0, b));
    loss.backward();
    opt.step();
    losses[step] = loss.item();
  }
  const state = model.stateDict();
  return { losses, params: net.keys.map((k) => Float64Array.from(state[k].toTypedArray())) };
}

/** max |a − b| / |b| over a loss curve. */
function curveError(a: Float64Array, b: Float64Array, from = 0, to = a.length): number {
  let w = 0;
  for (let i = from; i < to; i++) w = Math.max(w, Math.abs(a[i] - b[i]) / Math.abs(b[i]));
  return w;
}

/** max |a − b| over a tensor's elements. */
function maxAbs(a: Float64Array, b: Float64Array): number {
  let w = 0;
  for (let i = 0; i < b.length; i++) w = Math.max(w, Math.abs(a[i] - b[i]));
  return w;
}

const fmt = (x: number): string => x.toExponential(1);

type Float = "float32" | "float64";

/**
 * Runs both libraries in each dtype. PyTorch's runs are requested before torch-ts trains, so the two
 * processes work in parallel.
 */
async function trajectories(net: Net, seed: number, dtypes: Float[], pyOnly: Float[] = []): Promise<Record<string, Run>> {
  const [setup] = await oracle().run([{ expr: pySetup(net, seed), inputs: [] }]);
  if (setup.error !== undefined) throw new Error(`PyTorch failed: ${setup.error}`);
  const pyDtypes = [...dtypes, ...pyOnly];
  const pending = oracle().run(pyDtypes.map((d) => ({ expr: pyRun(net, seed, d), inputs: [] })));
  const t = setup.outputs!.map(toTensor);
  const n = net.keys.length;
  const [xs, ys] = t.slice(n);
  const runs: Record<string, Run> = {};
  for (const d of dtypes) runs[`ts-${d}`] = tsRun(net, t.slice(0, n), xs, ys, d);
  (await pending).forEach((r, i) => (runs[`py-${pyDtypes[i]}`] = fromPy(r)));
  // Training happened: parameters moved far beyond any tolerance used below.
  const py = runs[`py-${dtypes[0]}`];
  const moved = Math.max(...net.keys.map((_, i) => maxAbs(py.params[i], Float64Array.from(t[i].toTypedArray()))));
  expect(moved).toBeGreaterThan(1e-2);
  const errors = dtypes.map((d) => `${d} ${fmt(curveError(runs[`ts-${d}`].losses, runs[`py-${d}`].losses))}`);
  console.log(`[trajectory] ${net.name}: loss ${py.losses[0].toFixed(4)} → ${py.losses[99].toFixed(4)}; loss curve error vs PyTorch: ${errors.join(", ")}`);
  return runs;
}

/*
 * float64: the libraries differ only in summation order (~1e-16 per operation), which 100 steps amplify to
 * ~4e-15 here (measured); rtol 1e-8 on the loss and on each parameter (atol 1e-10) leaves a wide margin and
 * still catches any semantic difference (a wrong weight-decay, momentum or bias-correction term moves the
 * curve by 1e-3 or more).
 */
function expectFloat64(net: Net, ts: Run, py: Run): void {
  expect(curveError(ts.losses, py.losses), "float64 loss curve").toBeLessThan(1e-8);
  net.keys.forEach((k, i) => {
    let w = 0;
    for (let j = 0; j < py.params[i].length; j++) w = Math.max(w, Math.abs(ts.params[i][j] - py.params[i][j]) / (1e-10 + 1e-8 * Math.abs(py.params[i][j])));
    expect(w, `float64 final ${k} (1 = at tolerance)`).toBeLessThanOrEqual(1);
  });
}

describe("training trajectories match PyTorch (100 steps: 50 SGD with momentum and weight decay, 50 Adam)", () => {
  it("W6 LeNet-5, batch 16, float32 and float64", async () => {
    const runs = await trajectories(LENET, 10, ["float32", "float64"]);
    expectFloat64(LENET, runs["ts-float64"], runs["py-float64"]);
    /*
     * float32: summation order differs (blocked GEMM/im2col here, OpenBLAS there), a few ulps (~1e-7
     * relative) per step. Sigmoids and average pooling make this trajectory well-conditioned, so that
     * noise is not amplified: measured 2.1e-7 on the loss curve and ~1e-7 on the weights, the same as
     * PyTorch's own float32 run's distance from its float64 run (2.0e-7). Tolerance: loss rtol 1e-5,
     * weights atol 1e-5 (weights are O(0.1)), 50x the measurement.
     */
    const ts = runs["ts-float32"];
    const py = runs["py-float32"];
    expect(curveError(ts.losses, py.losses), "float32 loss curve").toBeLessThan(1e-5);
    LENET.keys.forEach((k, i) => expect(maxAbs(ts.params[i], py.params[i]), `float32 final ${k}`).toBeLessThan(1e-5));
  }, 120_000);

  it("W5 CIFAR-10 CNN, batch 16, float64", async () => {
    const runs = await trajectories(CIFAR, 0, ["float64"]);
    expectFloat64(CIFAR, runs["ts-float64"], runs["py-float64"]);
  }, 300_000);

  /*
   * float32 CIFAR: this model is max pooling without activations, and a few-ulp difference eventually
   * flips which element of a 2×2 window is the maximum; each flip changes a step's gradient discretely
   * and Adam (dividing by √v) carries it on. PyTorch's own float32 run drifts from its float64 run this
   * way: ~2e-4 relative on the loss by step 50, 4.1e-2 by step 100 (measured), so a fixed float32
   * tolerance would only restate that drift. The check: before the first flips (steps 0-9) the curves
   * agree to 1e-5; over the whole run torch-ts's float32 stays within 3x PyTorch's own float32 drift
   * (measured 2.1e-2 against 4.1e-2 on the loss; the weights alike), i.e. no further from PyTorch than
   * PyTorch's float32 is from exact arithmetic. It costs a second CIFAR run (~35 s), hence opt-in; the
   * float64 run above is the exact comparison.
   */
  it.runIf(process.env.TRAJECTORY_CIFAR_FLOAT32 === "1")("W5 CIFAR-10 CNN, batch 16, float32 (within PyTorch's own float32 drift)", async () => {
    const runs = await trajectories(CIFAR, 0, ["float32"], ["float64"]);
    const ts = runs["ts-float32"];
    const py = runs["py-float32"];
    const exact = runs["py-float64"];
    expect(curveError(ts.losses, py.losses, 0, 10), "float32 loss, steps 0-9").toBeLessThan(1e-5);
    const drift = curveError(py.losses, exact.losses);
    expect(curveError(ts.losses, py.losses), `float32 loss curve (PyTorch drift ${fmt(drift)})`).toBeLessThan(3 * drift);
    CIFAR.keys.forEach((k, i) => {
      const own = maxAbs(py.params[i], exact.params[i]);
      expect(maxAbs(ts.params[i], py.params[i]), `float32 final ${k} (PyTorch drift ${fmt(own)})`).toBeLessThan(3 * own);
    });
  }, 300_000);
});
