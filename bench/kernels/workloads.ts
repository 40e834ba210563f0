/**
 * Kernel-level timing of the workloads the CPU kernels are tuned for (../../../shared/WORKLOADS.md W1, W5,
 * W6, W7, W8 batch 1), in one process: warm-up, then the median (and min/max) of repeated runs, because
 * the machine is shared and single runs vary. Also used under `node --cpu-prof` to find hot functions.
 *
 *   bash bench/kernels/run.sh [--filter W1,W7] [--iters 21] [--seconds 20] [--machine]
 *   PROFILE=1 bash bench/kernels/run.sh --filter W5      (writes a .cpuprofile; see profile.ts)
 * `--machine` prints `RESULT key wallMs cpuMs n` lines for compare.sh.
 */
import * as torch from "../../src/index.js";
import { nn, optim, type Tensor } from "../../src/index.js";
import { logSoftmax } from "../../src/nn/functional/softmax.js";

type Step = () => void;

function cifarCnn(): nn.Module {
  return new nn.Sequential(
    new nn.Conv2d(3, 32, 5, { padding: 2 }),
    new nn.MaxPool2d(2),
    new nn.Conv2d(32, 32, 5, { padding: 2 }),
    new nn.MaxPool2d(2),
    new nn.Conv2d(32, 64, 5, { padding: 2 }),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(1024, 64),
    new nn.Linear(64, 10),
  );
}

function lenet(): nn.Module {
  return new nn.Sequential(
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
  );
}

/** Mean NLL of logSoftmax, what CrossEntropyLoss computes, from public ops. */
const crossEntropy = (logits: Tensor, target: Tensor): Tensor =>
  logSoftmax(logits, 1).gather(1, target.unsqueeze(1)).neg().mean();

function trainStep(model: nn.Module, x: Tensor, y: Tensor): Step {
  const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
  return () => {
    opt.zeroGrad();
    crossEntropy(model(x), y).backward();
    opt.step();
  };
}

const CASES: Record<string, { build: () => Step; flops?: number; batch: number }> = {
  "W1.fwd": {
    batch: 64,
    build: () => {
      const m = new nn.Conv2d(3, 6, 3);
      const x = torch.randn([64, 3, 32, 32]);
      return () => void torch.noGrad(() => m(x));
    },
  },
  "W1.fwdbwd": {
    batch: 64,
    build: () => {
      const m = new nn.Conv2d(3, 6, 3);
      const x = torch.randn([64, 3, 32, 32], { requiresGrad: true });
      return () => {
        x.grad = null;
        m.zeroGrad();
        (m(x) as Tensor).sum().backward();
      };
    },
  },
  "W5.step": {
    batch: 64,
    build: () => trainStep(cifarCnn(), torch.randn([64, 3, 32, 32]), torch.randint(0, 10, [64])),
  },
  "W6.step": {
    batch: 64,
    build: () => trainStep(lenet(), torch.randn([64, 1, 28, 28]), torch.randint(0, 10, [64])),
  },
  "W7.gemm": {
    batch: 1,
    flops: 2 * 1024 ** 3,
    build: () => {
      const a = torch.randn([1024, 1024]);
      const b = torch.randn([1024, 1024]);
      return () => void torch.matmul(a, b);
    },
  },
  "W8.b1": {
    batch: 1,
    build: () => {
      const m = cifarCnn();
      const x = torch.randn([1, 3, 32, 32]);
      return () => void torch.noGrad(() => m(x));
    },
  },
  "W8.b256": {
    batch: 256,
    build: () => {
      const m = cifarCnn();
      const x = torch.randn([256, 3, 32, 32]);
      return () => void torch.noGrad(() => m(x));
    },
  },
};

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const filter = (arg("--filter") ?? "W1,W5,W6,W7,W8.b1").split(",");
const iters = Number(arg("--iters") ?? 21);
const maxSeconds = Number(arg("--seconds") ?? 20);
torch.manualSeed(0);
for (const key of Object.keys(CASES)) {
  if (!filter.some((f) => key === f || key.startsWith(`${f}.`))) continue;
  const c = CASES[key];
  const step = c.build();
  for (let i = 0; i < 3; i++) step();
  const times: number[] = [];
  // Process CPU time (all threads: GC helpers count too) is steadier than wall time on a loaded machine.
  const cpu: number[] = [];
  const t0 = performance.now();
  while (times.length < iters && performance.now() - t0 < maxSeconds * 1000) {
    const c0 = process.cpuUsage();
    const s = performance.now();
    step();
    times.push(performance.now() - s);
    const dc = process.cpuUsage(c0);
    cpu.push((dc.user + dc.system) / 1000);
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const med = times[Math.floor(times.length / 2)];
  const cmed = cpu[Math.floor(cpu.length / 2)];
  const rate = (ms: number): string =>
    c.flops ? `${(c.flops / ms / 1e6).toFixed(2)} GFLOP/s` : `${((c.batch * 1000) / ms).toFixed(0)} img/s`;
  const f = (x: number): string => x.toFixed(2).padStart(8);
  if (process.argv.includes("--machine")) {
    console.log(`RESULT ${key} ${med} ${cmed} ${times.length}`);
    continue;
  }
  console.log(
    `${key.padEnd(10)} wall median ${f(med)} ms (min ${f(times[0])}, max ${f(times[times.length - 1])}) ${rate(med).padStart(15)}` +
      ` | cpu median ${f(cmed)} ms (min ${f(cpu[0])}) ${rate(cmed).padStart(15)}  n=${times.length}`,
  );
}
