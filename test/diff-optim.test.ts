/**
 * Optimizer trajectories against PyTorch: the same parameters, 20 steps of the same step-dependent loss
 * (gradients by autograd on both sides), then the final parameters and every state buffer compared.
 */
import { describe, it } from "vitest";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/tensor.js";
import type { DType } from "../src/dtype.js";
import { pyRepr, toSnake } from "../src/optim/py-format.js";
import { type DiffCase, type Layout, Rng, expectClean, runDifferential } from "./oracle/differential.js";

const { optim } = torch;
const rng = new Rng(Number(process.env.OPTIM_SEED ?? 5150));
const STEPS = 20;

type OptName = "SGD" | "Adam" | "AdamW" | "RMSprop" | "Adagrad" | "Adadelta";
type Opts = Record<string, number | boolean | number[]>;

/** Option sets per optimizer, each a PyTorch configuration worth its own trajectory. */
const CONFIGS: Array<[OptName, Opts]> = [
  ["SGD", { lr: 0.05 }],
  ["SGD", { lr: 0.05, momentum: 0.9 }],
  ["SGD", { lr: 0.05, momentum: 0.9, dampening: 0.1 }],
  ["SGD", { lr: 0.05, momentum: 0.9, nesterov: true }],
  ["SGD", { lr: 0.05, weightDecay: 0.01 }],
  ["SGD", { lr: 0.02, momentum: 0.8, weightDecay: 0.05, maximize: true }],
  ["SGD", { lr: 0.03, maximize: true }],
  ["SGD", { lr: 0.04, momentum: 0.5, nesterov: true, weightDecay: 0.1 }],
  ["Adam", { lr: 0.01 }],
  ["Adam", { lr: 0.02, amsgrad: true }],
  ["Adam", { lr: 0.01, weightDecay: 0.1 }],
  ["Adam", { lr: 0.03, betas: [0.8, 0.99], eps: 1e-6 }],
  ["Adam", { lr: 0.01, maximize: true }],
  ["Adam", { lr: 0.02, amsgrad: true, weightDecay: 0.05, maximize: true }],
  ["AdamW", { lr: 0.01 }],
  ["AdamW", { lr: 0.02, weightDecay: 0.1 }],
  ["AdamW", { lr: 0.01, amsgrad: true }],
  ["AdamW", { lr: 0.02, maximize: true, weightDecay: 0.05, betas: [0.85, 0.995] }],
  ["RMSprop", { lr: 0.01 }],
  ["RMSprop", { lr: 0.01, centered: true }],
  ["RMSprop", { lr: 0.005, momentum: 0.9 }],
  ["RMSprop", { lr: 0.005, centered: true, momentum: 0.5, weightDecay: 0.01 }],
  ["RMSprop", { lr: 0.01, alpha: 0.9, eps: 1e-6, maximize: true }],
  ["Adagrad", { lr: 0.1 }],
  ["Adagrad", { lr: 0.1, lrDecay: 0.01 }],
  ["Adagrad", { lr: 0.05, weightDecay: 0.1, initialAccumulatorValue: 0.1 }],
  ["Adagrad", { lr: 0.1, maximize: true, eps: 1e-8 }],
  ["Adadelta", {}],
  ["Adadelta", { rho: 0.5, eps: 1e-5 }],
  ["Adadelta", { lr: 0.5, weightDecay: 0.1 }],
  ["Adadelta", { maximize: true }],
];

/** The state buffers each configuration keeps (PyTorch's names in camelCase). */
function stateKeys(name: OptName, o: Opts): string[] {
  switch (name) {
    case "SGD":
      return o.momentum ? ["momentumBuffer"] : [];
    case "Adam":
    case "AdamW":
      return o.amsgrad ? ["expAvg", "expAvgSq", "maxExpAvgSq"] : ["expAvg", "expAvgSq"];
    case "RMSprop":
      return ["squareAvg", ...(o.momentum ? ["momentumBuffer"] : []), ...(o.centered ? ["gradAvg"] : [])];
    case "Adagrad":
      return ["sum"];
    case "Adadelta":
      return ["squareAvg", "accDelta"];
  }
}

const pyKwargs = (o: Record<string, unknown>): string =>
  Object.entries(o)
    .map(([k, v]) => `${toSnake(k)}=${pyRepr(v)}`)
    .join(", ");

/**
 * How a trajectory varies from the plain one: float64, a strided (transposed) parameter, two parameter
 * groups with their own options, the second parameter getting no gradient on odd steps (skipped by the
 * optimizer, its state created late), or a scheduler changing lr (and momentum) between steps.
 */
type Variant = "plain" | "float64" | "strided" | "groups" | "skip" | "sched";

interface Sched {
  ts: (opt: any) => { step(metric?: any): void };
  py: string;
  /** ReduceLROnPlateau steps with the loss. */
  metric?: boolean;
  /** Cycles momentum: needs an optimizer with `momentum` or `betas`. */
  cycles?: boolean;
}

const SCHEDS: Sched[] = [
  { ts: (o) => new optim.lrScheduler.StepLR(o, 5, { gamma: 0.5 }), py: "torch.optim.lr_scheduler.StepLR(opt, 5, gamma=0.5)" },
  { ts: (o) => new optim.lrScheduler.CosineAnnealingLR(o, 8, { etaMin: 1e-4 }), py: "torch.optim.lr_scheduler.CosineAnnealingLR(opt, 8, eta_min=1e-4)" },
  { ts: (o) => new optim.lrScheduler.OneCycleLR(o, 0.05, { totalSteps: STEPS }), py: `torch.optim.lr_scheduler.OneCycleLR(opt, 0.05, total_steps=${STEPS})`, cycles: true },
  {
    ts: (o) => new optim.lrScheduler.OneCycleLR(o, 0.04, { totalSteps: 25, threePhase: true, annealStrategy: "linear" }),
    py: "torch.optim.lr_scheduler.OneCycleLR(opt, 0.04, total_steps=25, three_phase=True, anneal_strategy='linear')",
    cycles: true,
  },
  { ts: (o) => new optim.lrScheduler.LinearLR(o, { startFactor: 0.2, totalIters: 6 }), py: "torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.2, total_iters=6)" },
  { ts: (o) => new optim.lrScheduler.ExponentialLR(o, 0.9), py: "torch.optim.lr_scheduler.ExponentialLR(opt, 0.9)" },
  { ts: (o) => new optim.lrScheduler.MultiStepLR(o, [3, 7, 7], { gamma: 0.5 }), py: "torch.optim.lr_scheduler.MultiStepLR(opt, [3, 7, 7], gamma=0.5)" },
  {
    ts: (o) => new optim.lrScheduler.ReduceLROnPlateau(o, { mode: "max", patience: 1, factor: 0.5 }),
    py: "torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode='max', patience=1, factor=0.5)",
    metric: true,
  },
];

/** Loss of step k, written identically in both libraries. */
function lossTs(p0: Tensor, p1: Tensor | null, k: number): Tensor {
  const w = 0.5 + 0.05 * k;
  const c = 0.5 + 0.02 * k;
  let l = p0.sub(0.5).square().mul(w).sum().add(p0.mul(c).sin().sum());
  if (p1) l = l.add(p1.sub(0.2).square().mul(0.3).sum()).add(p1.mul(c).cos().sum());
  return l;
}

const LOSS_PY = `
def L(p0, p1, k):
    w = 0.5 + 0.05 * k
    c = 0.5 + 0.02 * k
    l = ((p0 - 0.5).square() * w).sum() + (p0 * c).sin().sum()
    if p1 is not None:
        l = l + ((p1 - 0.2).square() * 0.3).sum() + (p1 * c).cos().sum()
    return l
`;

function trajectory(name: OptName, opts: Opts, variant: Variant): DiffCase {
  const dtype: DType = variant === "float64" ? "float64" : "float32";
  const layout: Layout = variant === "strided" ? "transposed" : "contiguous";
  const shape0 = [rng.int(2, 4), rng.int(2, 5)];
  const shape1 = [rng.int(1, 6)];
  const skip = variant === "skip";
  const withMomentum = name !== "Adagrad" && name !== "Adadelta";
  const sched = variant === "sched" ? rng.pick(SCHEDS.filter((x) => withMomentum || !x.cycles)) : null;
  const keys = stateKeys(name, opts);
  const lr = (opts.lr as number | undefined) ?? (name === "Adadelta" ? 1 : 0.01);
  // The second group overrides lr and one more option where the optimizer has it.
  const extra: Opts = { lr: lr * 0.5 };
  if (name !== "Adadelta" && name !== "Adagrad") extra.maximize = !opts.maximize;
  const Ctor = optim[name] as any;
  // Centered RMSprop with momentum: near a stationary point the buffer sums g/√(v − ḡ²), a ratio of two
  // vanishing quantities (g ~ 1e-3 from O(1) terms that cancel, √(v − ḡ²) ~ 3e-3), so its float32 value
  // carries ~1e-4 absolute noise: PyTorch's own float32 and float64 runs differ by up to 4e-4 there. What
  // reaches the parameters is lr·b (θ ← θ − lr·b), well-conditioned at the default tolerance: compare that.
  const illConditioned = name === "RMSprop" && opts.centered === true && Number(opts.momentum ?? 0) > 0;
  const scaleOf = (key: string): number => (illConditioned && key === "momentumBuffer" ? lr : 1);
  return {
    name: `${name}(${JSON.stringify(opts)}) ${variant}${sched ? ` ${sched.py.split("(")[0]}` : ""} ${dtype} ${JSON.stringify([shape0, shape1])}`,
    inputs: [
      { shape: shape0, dtype, layout, requiresGrad: false },
      { shape: shape1, dtype, requiresGrad: false },
    ],
    ts: (x0, x1) => {
      // detach() keeps x0's strides: the "strided" variant optimizes a non-contiguous leaf.
      const p0 = x0.detach().requiresGrad_(true);
      const p1 = x1.detach().requiresGrad_(true);
      const params = variant === "groups" ? [{ params: [p0] }, { params: [p1], ...extra }] : [p0, p1];
      const opt = new Ctor(params, opts);
      const s = sched ? sched.ts(opt) : null;
      for (let k = 1; k <= STEPS; k++) {
        opt.zeroGrad();
        const l = lossTs(p0, skip && k % 2 === 1 ? null : p1, k);
        l.backward();
        opt.step();
        if (s) s.step(sched!.metric ? l.item() : undefined);
      }
      const state = [p0, p1].flatMap((p) => keys.map((key) => (opt.state.get(p)[key] as Tensor).mul(scaleOf(key))));
      return [p0.detach().clone(), p1.detach().clone(), ...state];
    },
    py: `${LOSS_PY}
ps = [x0.clone().requires_grad_(True), x1.clone().requires_grad_(True)]
params = ${variant === "groups" ? `[{'params': [ps[0]]}, {'params': [ps[1]], ${Object.entries(extra).map(([k, v]) => `'${toSnake(k)}': ${pyRepr(v)}`).join(", ")}}]` : "ps"}
opt = torch.optim.${name}(params, ${pyKwargs(opts)})
sched = ${sched ? sched.py : "None"}
for k in range(1, ${STEPS + 1}):
    opt.zero_grad(set_to_none=True)
    l = L(ps[0], None if ${skip ? "True" : "False"} and k % 2 == 1 else ps[1], k)
    l.backward()
    opt.step()
    if sched is not None:
        ${sched?.metric ? "sched.step(l.item())" : "sched.step()"}
st = opt.state_dict()['state']
out = [p.detach() for p in ps] + [st[i][key] * scale for i in range(2) for key, scale in ${JSON.stringify(keys.map((key) => [toSnake(key), scaleOf(key)]))}]
`,
  };
}

function cases(): DiffCase[] {
  const out: DiffCase[] = [];
  const others: Variant[] = ["float64", "strided", "groups", "skip", "sched"];
  CONFIGS.forEach(([name, opts], i) => {
    out.push(trajectory(name, opts, "plain"));
    // Every configuration gets two of the variants, cycling so each variant meets every optimizer.
    out.push(trajectory(name, opts, others[i % others.length]));
    out.push(trajectory(name, opts, others[(i + 2) % others.length]));
  });
  return out;
}

/**
 * Three steps fed the same gradients on both sides (inputs, not computed): every float32 op of the update
 * is rounded where PyTorch rounds it, so parameters and state must agree exactly.
 */
function exactSteps(name: OptName, opts: Opts): DiffCase {
  const shape = [rng.int(3, 9), rng.int(2, 17)];
  const keys = stateKeys(name, opts);
  const Ctor = optim[name] as any;
  return {
    name: `exact ${name}(${JSON.stringify(opts)}) ${JSON.stringify(shape)}`,
    inputs: [0, 1, 2, 3].map(() => ({ shape, requiresGrad: false })),
    rtol: 0,
    atol: 0,
    ts: (x, g1, g2, g3) => {
      const p = x.detach().requiresGrad_(true);
      const opt = new Ctor([p], opts);
      for (const g of [g1, g2, g3]) {
        p.grad = g.clone();
        opt.step();
      }
      return [p.detach().clone(), ...keys.map((k) => opt.state.get(p)[k] as Tensor)];
    },
    py: `
p = x0.clone().requires_grad_(True)
opt = torch.optim.${name}([p], ${pyKwargs(opts)})
for g in (x1, x2, x3):
    p.grad = g.clone()
    opt.step()
out = [p.detach()] + [opt.state[p][k] for k in ${JSON.stringify(keys.map(toSnake))}]
`,
  };
}

describe("optimizer steps vs PyTorch, bit for bit", () => {
  it("the same gradients give identical float32 parameters and state", async () => {
    expectClean(await runDifferential("optim-exact", CONFIGS.map(([n, o]) => exactSteps(n, o))), 31);
  }, 60_000);
});

describe("optimizer trajectories vs PyTorch", () => {
  it("20 steps of every optimizer and option set match PyTorch (params and state)", async () => {
    const all = cases();
    expectClean(await runDifferential("optim-trajectories", all), 90);
  }, 120_000);
});
