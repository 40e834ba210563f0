/**
 * Learning-rate schedulers: whole lr (and momentum) sequences compared with PyTorch's, state dicts,
 * and errors.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/tensor.js";
import { type DiffCase, expectClean, runDifferential } from "./oracle/differential.js";

const { optim } = torch;
const S = optim.lrScheduler;
type Opt = InstanceType<typeof optim.SGD> | InstanceType<typeof optim.Adam>;

const leaf = (): Tensor => torch.zeros([2]).requiresGrad_(true);

/** SGD with momentum, or Adam, over two groups with different rates. */
function makeOpt(kind: "SGD" | "Adam"): Opt {
  const groups = [{ params: [leaf()] }, { params: [leaf()], lr: 0.05 }];
  return kind === "SGD" ? new optim.SGD(groups, { lr: 0.1, momentum: 0.9 }) : new optim.Adam(groups, { lr: 0.1 });
}
const PY_OPT = {
  SGD: "torch.optim.SGD([{'params': [torch.zeros(2, requires_grad=True)]}, {'params': [torch.zeros(2, requires_grad=True)], 'lr': 0.05}], lr=0.1, momentum=0.9)",
  Adam: "torch.optim.Adam([{'params': [torch.zeros(2, requires_grad=True)]}, {'params': [torch.zeros(2, requires_grad=True)], 'lr': 0.05}], lr=0.1)",
};

interface SchedCase {
  name: string;
  opt?: "SGD" | "Adam";
  steps: number;
  ts: (opt: Opt) => { step(metric?: any): void };
  py: string;
  /** Also record each group's momentum (SGD) or β₁ (Adam). */
  momentum?: boolean;
  /** ReduceLROnPlateau: the metric of each step. */
  metrics?: number[];
}

/** Records [lr per group (+ momentum per group)] after construction and after each step. */
function sequenceCase(c: SchedCase): DiffCase {
  const kind = c.opt ?? "SGD";
  const mom = kind === "SGD" ? "g['momentum']" : "g['betas'][0]";
  return {
    name: c.name,
    inputs: [],
    rtol: 1e-12,
    atol: 0,
    ts: () => {
      const opt = makeOpt(kind);
      const sched = c.ts(opt);
      const rows: number[][] = [];
      const record = (): void => {
        const g = opt.paramGroups as any[];
        rows.push([...g.map((x) => x.lr), ...(c.momentum ? g.map((x) => (kind === "SGD" ? x.momentum : x.betas[0])) : [])]);
      };
      record();
      for (let i = 0; i < c.steps; i++) {
        opt.step();
        sched.step(c.metrics ? c.metrics[i] : undefined);
        record();
      }
      return torch.tensor(rows, { dtype: "float64" });
    },
    py: `
opt = ${PY_OPT[kind]}
sched = ${c.py}
metrics = ${c.metrics ? JSON.stringify(c.metrics) : "None"}
def record():
    return [g['lr'] for g in opt.param_groups] + ([${mom} for g in opt.param_groups] if ${c.momentum ? "True" : "False"} else [])
rows = [record()]
for i in range(${c.steps}):
    opt.step()
    if metrics is None:
        sched.step()
    else:
        sched.step(metrics[i])
    rows.append(record())
out = torch.tensor(rows, dtype=torch.float64)
`,
  };
}

const plateauMetrics = (n: number, seed: number): number[] => {
  // A noisy decreasing loss with plateaus, some exactly repeated values (threshold edge cases).
  const out: number[] = [];
  let v = 1;
  for (let i = 0; i < n; i++) {
    const r = Math.sin(seed * 12.9898 + i * 78.233) * 43758.5453;
    const u = r - Math.floor(r);
    if (u < 0.3) v *= 0.97;
    else if (u < 0.4) v *= 1.02;
    out.push(u > 0.85 && out.length ? out[out.length - 1] : v);
  }
  return out;
};

const CASES: SchedCase[] = [
  { name: "StepLR(3, 0.5)", steps: 40, ts: (o) => new S.StepLR(o, 3, { gamma: 0.5 }), py: "torch.optim.lr_scheduler.StepLR(opt, 3, gamma=0.5)" },
  { name: "StepLR(7)", steps: 50, ts: (o) => new S.StepLR(o, 7), py: "torch.optim.lr_scheduler.StepLR(opt, 7)" },
  {
    name: "MultiStepLR([5, 10, 10, 25], 0.3)",
    steps: 40,
    ts: (o) => new S.MultiStepLR(o, [5, 10, 10, 25], { gamma: 0.3 }),
    py: "torch.optim.lr_scheduler.MultiStepLR(opt, [5, 10, 10, 25], gamma=0.3)",
  },
  { name: "ExponentialLR(0.95)", steps: 60, ts: (o) => new S.ExponentialLR(o, 0.95), py: "torch.optim.lr_scheduler.ExponentialLR(opt, 0.95)" },
  { name: "ExponentialLR(0.5)", steps: 30, ts: (o) => new S.ExponentialLR(o, 0.5), py: "torch.optim.lr_scheduler.ExponentialLR(opt, 0.5)" },
  {
    name: "CosineAnnealingLR(10, 1e-3) past T_max",
    steps: 55,
    ts: (o) => new S.CosineAnnealingLR(o, 10, { etaMin: 1e-3 }),
    py: "torch.optim.lr_scheduler.CosineAnnealingLR(opt, 10, eta_min=1e-3)",
  },
  { name: "CosineAnnealingLR(7)", steps: 40, ts: (o) => new S.CosineAnnealingLR(o, 7), py: "torch.optim.lr_scheduler.CosineAnnealingLR(opt, 7)" },
  { name: "CosineAnnealingLR(1)", steps: 30, ts: (o) => new S.CosineAnnealingLR(o, 1, { etaMin: 0.01 }), py: "torch.optim.lr_scheduler.CosineAnnealingLR(opt, 1, eta_min=0.01)" },
  { name: "CosineAnnealingLR(100)", steps: 100, ts: (o) => new S.CosineAnnealingLR(o, 100), py: "torch.optim.lr_scheduler.CosineAnnealingLR(opt, 100)" },
  { name: "LinearLR()", steps: 30, ts: (o) => new S.LinearLR(o), py: "torch.optim.lr_scheduler.LinearLR(opt)" },
  {
    name: "LinearLR(0.25 → 0.75 over 10)",
    steps: 30,
    ts: (o) => new S.LinearLR(o, { startFactor: 0.25, endFactor: 0.75, totalIters: 10 }),
    py: "torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.25, end_factor=0.75, total_iters=10)",
  },
  {
    name: "LinearLR(1 → 0.1 over 20)",
    steps: 40,
    ts: (o) => new S.LinearLR(o, { startFactor: 1, endFactor: 0.1, totalIters: 20 }),
    py: "torch.optim.lr_scheduler.LinearLR(opt, start_factor=1.0, end_factor=0.1, total_iters=20)",
  },
  {
    name: "LambdaLR(0.95^e)",
    steps: 40,
    ts: (o) => new S.LambdaLR(o, (e) => 0.95 ** e),
    py: "torch.optim.lr_scheduler.LambdaLR(opt, lambda e: 0.95 ** e)",
  },
  {
    name: "LambdaLR per group",
    steps: 40,
    ts: (o) => new S.LambdaLR(o, [(e) => 1 / (e + 1), (e) => (e < 5 ? 1 : 0.1)]),
    py: "torch.optim.lr_scheduler.LambdaLR(opt, [lambda e: 1 / (e + 1), lambda e: 1 if e < 5 else 0.1])",
  },
  {
    name: "OneCycleLR(0.1, 50) SGD momentum",
    steps: 50,
    momentum: true,
    ts: (o) => new S.OneCycleLR(o, 0.1, { totalSteps: 50 }),
    py: "torch.optim.lr_scheduler.OneCycleLR(opt, 0.1, total_steps=50)",
  },
  {
    name: "OneCycleLR three-phase linear",
    steps: 60,
    momentum: true,
    ts: (o) => new S.OneCycleLR(o, [0.2, 0.05], { totalSteps: 60, threePhase: true, annealStrategy: "linear", pctStart: 0.25 }),
    py: "torch.optim.lr_scheduler.OneCycleLR(opt, [0.2, 0.05], total_steps=60, three_phase=True, anneal_strategy='linear', pct_start=0.25)",
  },
  {
    name: "OneCycleLR epochs × steps, Adam betas",
    opt: "Adam",
    steps: 48,
    momentum: true,
    ts: (o) => new S.OneCycleLR(o, 0.01, { epochs: 6, stepsPerEpoch: 8, baseMomentum: 0.8, maxMomentum: [0.9, 0.99] }),
    py: "torch.optim.lr_scheduler.OneCycleLR(opt, 0.01, epochs=6, steps_per_epoch=8, base_momentum=0.8, max_momentum=[0.9, 0.99])",
  },
  {
    name: "OneCycleLR no momentum cycling, custom factors",
    steps: 33,
    momentum: true,
    ts: (o) => new S.OneCycleLR(o, 1.0, { totalSteps: 33, cycleMomentum: false, pctStart: 0.5, divFactor: 10, finalDivFactor: 100 }),
    py: "torch.optim.lr_scheduler.OneCycleLR(opt, 1.0, total_steps=33, cycle_momentum=False, pct_start=0.5, div_factor=10, final_div_factor=100)",
  },
  {
    name: "OneCycleLR three-phase cos, Adam",
    opt: "Adam",
    steps: 31,
    momentum: true,
    ts: (o) => new S.OneCycleLR(o, 0.3, { totalSteps: 31, threePhase: true }),
    py: "torch.optim.lr_scheduler.OneCycleLR(opt, 0.3, total_steps=31, three_phase=True)",
  },
  {
    name: "ReduceLROnPlateau defaults-ish (patience 3)",
    steps: 80,
    metrics: plateauMetrics(80, 1),
    ts: (o) => new S.ReduceLROnPlateau(o, { patience: 3 }),
    py: "torch.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=3)",
  },
  {
    name: "ReduceLROnPlateau max/abs/cooldown/minLr",
    steps: 80,
    metrics: plateauMetrics(80, 2).map((v) => -v),
    ts: (o) => new S.ReduceLROnPlateau(o, { mode: "max", thresholdMode: "abs", threshold: 0.01, patience: 1, cooldown: 2, factor: 0.5, minLr: [0.01, 0.002] }),
    py: "torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode='max', threshold_mode='abs', threshold=0.01, patience=1, cooldown=2, factor=0.5, min_lr=[0.01, 0.002])",
  },
  {
    name: "ReduceLROnPlateau min/rel/eps",
    steps: 60,
    metrics: plateauMetrics(60, 3),
    ts: (o) => new S.ReduceLROnPlateau(o, { threshold: 0.05, patience: 0, factor: 0.7, eps: 1e-3, minLr: 0.004 }),
    py: "torch.optim.lr_scheduler.ReduceLROnPlateau(opt, threshold=0.05, patience=0, factor=0.7, eps=1e-3, min_lr=0.004)",
  },
  {
    name: "ReduceLROnPlateau max/rel",
    steps: 60,
    metrics: plateauMetrics(60, 4),
    ts: (o) => new S.ReduceLROnPlateau(o, { mode: "max", patience: 2, cooldown: 1 }),
    py: "torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode='max', patience=2, cooldown=1)",
  },
  { name: "ConstantLR()", steps: 12, ts: (o) => new S.ConstantLR(o), py: "torch.optim.lr_scheduler.ConstantLR(opt)" },
  {
    name: "ConstantLR(0.5, 4)",
    steps: 30,
    ts: (o) => new S.ConstantLR(o, { factor: 0.5, totalIters: 4 }),
    py: "torch.optim.lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=4)",
  },
  { name: "MultiplicativeLR(0.95)", steps: 40, ts: (o) => new S.MultiplicativeLR(o, () => 0.95), py: "torch.optim.lr_scheduler.MultiplicativeLR(opt, lambda e: 0.95)" },
  {
    name: "MultiplicativeLR per group",
    steps: 30,
    ts: (o) => new S.MultiplicativeLR(o, [(e) => 1 - e / 100, (e) => (e % 3 === 0 ? 0.5 : 1)]),
    py: "torch.optim.lr_scheduler.MultiplicativeLR(opt, [lambda e: 1 - e / 100, lambda e: 0.5 if e % 3 == 0 else 1])",
  },
  { name: "PolynomialLR()", steps: 10, ts: (o) => new S.PolynomialLR(o), py: "torch.optim.lr_scheduler.PolynomialLR(opt)" },
  {
    name: "PolynomialLR(20, 2)",
    steps: 30,
    ts: (o) => new S.PolynomialLR(o, { totalIters: 20, power: 2 }),
    py: "torch.optim.lr_scheduler.PolynomialLR(opt, total_iters=20, power=2.0)",
  },
  {
    name: "ChainedScheduler(ConstantLR, ExponentialLR)",
    steps: 30,
    ts: (o) => new S.ChainedScheduler([new S.ConstantLR(o, { factor: 0.1, totalIters: 2 }), new S.ExponentialLR(o, 0.9)]),
    py: "torch.optim.lr_scheduler.ChainedScheduler([torch.optim.lr_scheduler.ConstantLR(opt, factor=0.1, total_iters=2), torch.optim.lr_scheduler.ExponentialLR(opt, 0.9)])",
  },
  {
    name: "StepLR then ExponentialLR chained on one optimizer",
    steps: 30,
    ts: (o) => {
      const a = new S.StepLR(o, 4, { gamma: 0.5 });
      const b = new S.ExponentialLR(o, 0.9);
      return {
        step() {
          a.step();
          b.step();
        },
      };
    },
    py: "(lambda a, b: type('C', (), {'step': lambda self: (a.step(), b.step())})())(torch.optim.lr_scheduler.StepLR(opt, 4, gamma=0.5), torch.optim.lr_scheduler.ExponentialLR(opt, 0.9))",
  },
];

describe("lr sequences vs PyTorch", () => {
  it("every scheduler's lr (and momentum) sequence equals PyTorch's", async () => {
    expectClean(await runDifferential("lr-schedulers", CASES.map(sequenceCase)), CASES.length);
  }, 60_000);
});

describe("hand-derived values", () => {
  it("StepLR and CosineAnnealingLR closed forms", () => {
    const opt = new optim.SGD([leaf()], { lr: 1 });
    const s = new S.CosineAnnealingLR(opt, 4);
    const got = [s.getLastLr()[0]];
    for (let i = 0; i < 8; i++) {
      s.step();
      got.push(s.getLastLr()[0]);
    }
    const want = [1, (1 + Math.SQRT1_2) / 2, 0.5, (1 - Math.SQRT1_2) / 2, 0, (1 - Math.SQRT1_2) / 2, 0.5, (1 + Math.SQRT1_2) / 2, 1];
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 12));
    const o2 = new optim.SGD([leaf()], { lr: 0.05 });
    const st = new S.StepLR(o2, 30);
    for (let i = 0; i < 60; i++) st.step();
    expect(st.getLastLr()[0]).toBeCloseTo(0.0005, 15);
    expect(o2.paramGroups[0].initialLr).toBe(0.05);
  });

  it("ReduceLROnPlateau reduces after more than `patience` bad epochs, then cools down", () => {
    const opt = new optim.SGD([leaf()], { lr: 1 });
    const s = new S.ReduceLROnPlateau(opt, { patience: 1, factor: 0.5, cooldown: 1 });
    expect(s.getLastLr()).toEqual([1]);
    const lrs = [5, 5, 5, 5, 5, 5].map((m) => {
      s.step(torch.tensor(m));
      return opt.paramGroups[0].lr;
    });
    // epoch 1 sets best; 2, 3 bad → reduce at 3; 4 cooldown; 5, 6 bad → reduce at 6
    expect(lrs).toEqual([1, 1, 0.5, 0.5, 0.5, 0.25]);
  });
});

describe("state dicts", () => {
  it("a scheduler restored from stateDict continues like the original", () => {
    const makers: Array<(o: Opt) => torch.optim.lrScheduler.LRScheduler> = [
      (o) => new S.StepLR(o, 3, { gamma: 0.5 }),
      (o) => new S.MultiStepLR(o, [2, 5, 5], { gamma: 0.5 }),
      (o) => new S.CosineAnnealingLR(o, 6, { etaMin: 0.001 }),
      (o) => new S.LinearLR(o, { startFactor: 0.1, totalIters: 8 }),
      (o) => new S.ExponentialLR(o, 0.8),
      (o) => new S.LambdaLR(o, (e) => 1 / (1 + e)),
      (o) => new S.OneCycleLR(o, 0.5, { totalSteps: 20 }),
      (o) => new S.ConstantLR(o, { factor: 0.5, totalIters: 9 }),
      (o) => new S.PolynomialLR(o, { totalIters: 12, power: 1.5 }),
      (o) => new S.MultiplicativeLR(o, () => 0.9),
    ];
    for (const make of makers) {
      const o1 = makeOpt("SGD");
      const s1 = make(o1);
      for (let i = 0; i < 7; i++) s1.step();
      const o2 = makeOpt("SGD");
      const s2 = make(o2);
      o2.loadStateDict(o1.stateDict());
      s2.loadStateDict(s1.stateDict());
      const a: number[][] = [];
      const b: number[][] = [];
      for (let i = 0; i < 8; i++) {
        s1.step();
        s2.step();
        a.push(s1.getLastLr());
        b.push(s2.getLastLr());
      }
      expect(b).toEqual(a);
    }
  });

  it("uses PyTorch's attribute names", () => {
    const opt = makeOpt("SGD");
    const s = new S.CosineAnnealingLR(opt, 10, { etaMin: 0.01 });
    s.step();
    expect(s.stateDict()).toMatchObject({ T_max: 10, eta_min: 0.01, base_lrs: [0.1, 0.05], last_epoch: 1, _step_count: 2 });
    expect(s.stateDict()._last_lr).toEqual(s.getLastLr());
    const m = new S.MultiStepLR(makeOpt("SGD"), [3, 3, 8]);
    expect(m.stateDict().milestones).toEqual({ 3: 2, 8: 1 });
    expect(new S.LambdaLR(makeOpt("SGD"), (e) => e).stateDict().lr_lambdas).toEqual([null, null]);
    const p = new S.ReduceLROnPlateau(makeOpt("SGD"), { mode: "max" });
    p.step(3);
    expect(p.stateDict()).toMatchObject({ best: 3, num_bad_epochs: 0, mode: "max", threshold_mode: "rel", min_lrs: [0, 0], last_epoch: 1 });
    const p2 = new S.ReduceLROnPlateau(makeOpt("SGD"));
    p2.loadStateDict(p.stateDict());
    expect(p2.mode).toBe("max");
    expect(p2.modeWorse).toBe(-Infinity);
    expect(p2.best).toBe(3);
  });

  it("ChainedScheduler saves and restores every scheduler", () => {
    const make = (o: Opt) => new S.ChainedScheduler([new S.StepLR(o, 2, { gamma: 0.5 }), new S.ExponentialLR(o, 0.9)]);
    const o1 = makeOpt("SGD");
    const c1 = make(o1);
    for (let i = 0; i < 5; i++) c1.step();
    const sd = c1.stateDict();
    expect((sd._schedulers as any[]).map((x) => x.last_epoch)).toEqual([5, 5]);
    const o2 = makeOpt("SGD");
    const c2 = make(o2);
    o2.loadStateDict(o1.stateDict());
    c2.loadStateDict(sd);
    c1.step();
    c2.step();
    expect(c2.getLastLr()).toEqual(c1.getLastLr());
  });

  it("resuming with lastEpoch needs initialLr in every group", () => {
    expect(() => new S.StepLR(makeOpt("SGD"), 3, { lastEpoch: 5 })).toThrow(
      "StepLR: param 'initial_lr' is not specified in param_groups[0] when resuming an optimizer",
    );
    const opt = makeOpt("SGD");
    opt.paramGroups.forEach((g) => (g.initialLr = 1));
    const s = new S.StepLR(opt, 3, { gamma: 0.5, lastEpoch: 5 });
    expect(s.lastEpoch).toBe(6);
    expect(s.baseLrs).toEqual([1, 1]);
  });
});

describe("errors", () => {
  const opt = (): Opt => makeOpt("SGD");
  it.each([
    ["not an optimizer", () => new S.StepLR({} as any, 3), "Object is not an Optimizer"],
    ["LambdaLR count", () => new S.LambdaLR(opt(), [(e) => e]), "LambdaLR: Expected 2 lr_lambdas, but got 1"],
    ["LinearLR start", () => new S.LinearLR(opt(), { startFactor: 0 }), "Starting multiplicative factor expected to be greater than 0 and less or equal to 1."],
    ["LinearLR end", () => new S.LinearLR(opt(), { endFactor: 1.5 }), "Ending multiplicative factor expected to be between 0 and 1."],
    ["OneCycle no length", () => new S.OneCycleLR(opt(), 0.1), "You must define either total_steps OR (epochs AND steps_per_epoch)"],
    ["OneCycle total", () => new S.OneCycleLR(opt(), 0.1, { totalSteps: 0 }), "Expected positive integer total_steps, but got 0"],
    ["OneCycle epochs", () => new S.OneCycleLR(opt(), 0.1, { epochs: 2.5, stepsPerEpoch: 3 }), "Expected positive integer epochs, but got 2.5"],
    ["OneCycle pct", () => new S.OneCycleLR(opt(), 0.1, { totalSteps: 5, pctStart: 1.5 }), "Expected float between 0 and 1 pct_start, but got 1.5"],
    ["OneCycle anneal", () => new S.OneCycleLR(opt(), 0.1, { totalSteps: 5, annealStrategy: "exp" as any }), "anneal_strategy must be one of 'cos' or 'linear', instead got exp"],
    ["OneCycle max_lr list", () => new S.OneCycleLR(opt(), [0.1], { totalSteps: 5 }), "expected 2 values for max_lr, got 1"],
    [
      "OneCycle without momentum",
      () => new S.OneCycleLR(new optim.Adagrad([leaf()]), 0.1, { totalSteps: 5 }),
      "optimizer must support momentum or beta1 with `cycle_momentum` option enabled",
    ],
    ["plateau factor", () => new S.ReduceLROnPlateau(opt(), { factor: 1 }), "ReduceLROnPlateau: Factor should be < 1.0."],
    ["plateau mode", () => new S.ReduceLROnPlateau(opt(), { mode: "mean" as any }), "ReduceLROnPlateau: mode mean is unknown!"],
    ["plateau threshold mode", () => new S.ReduceLROnPlateau(opt(), { thresholdMode: "x" as any }), "threshold mode x is unknown!"],
    ["plateau min_lrs", () => new S.ReduceLROnPlateau(opt(), { minLr: [0.1] }), "expected 2 min_lrs, got 1"],
    ["ConstantLR factor", () => new S.ConstantLR(opt(), { factor: 2 }), "ConstantLR: Constant multiplicative factor expected to be between 0 and 1."],
    ["MultiplicativeLR count", () => new S.MultiplicativeLR(opt(), [() => 1, () => 1, () => 1]), "Expected 2 lr_lambdas, but got 3"],
    ["ChainedScheduler empty", () => new S.ChainedScheduler([]), "expects at least one scheduler to be chained"],
    [
      "ChainedScheduler optimizers",
      () => new S.ChainedScheduler([new S.StepLR(opt(), 2), new S.StepLR(opt(), 2)]),
      "ChainedScheduler expects all schedulers to belong to the same optimizer",
    ],
  ])("%s", (_n, fn, msg) => {
    expect(fn).toThrow(msg);
  });

  it("OneCycleLR refuses to step past totalSteps", () => {
    const s = new S.OneCycleLR(opt(), 0.1, { totalSteps: 3 });
    for (let i = 0; i < 3; i++) s.step();
    expect(() => s.step()).toThrow("OneCycleLR: Tried to step 4 times. The specified number of total steps is 3");
  });

  it("the lr_scheduler spelling is the same module", () => {
    expect(optim.lr_scheduler.StepLR).toBe(S.StepLR);
  });
});
