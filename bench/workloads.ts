/**
 * The benchmark's cases: ../shared/WORKLOADS.md W1–W8 as one list that every system runner, the report and
 * bench/pytorch.py (which repeats the keys and shapes) agree on. A case is one timed thing; a workload with a
 * forward and a forward+backward figure is two cases.
 */

/** How a case's speed is stated besides its time: images per second, or GFLOP/s for the GEMM. */
export type Metric = "images/s" | "GFLOP/s";

export interface BenchCase {
  /** `W1.fwd`: the workload id, a dot, what is timed. `--filter` matches this or the workload id. */
  key: string;
  workload: string;
  /** WORKLOADS.md's name of the workload. */
  name: string;
  /** What one timed iteration does, in one line. */
  what: string;
  /** Images per iteration (images/s = batch / time). */
  batch: number;
  metric: Metric;
  /** Floating-point operations per iteration, for GFLOP/s. */
  flops?: number;
}

const CIFAR_CNN = "Conv2d(3,32,5,p2) MaxPool2d(2) Conv2d(32,32,5,p2) MaxPool2d(2) Conv2d(32,64,5,p2) MaxPool2d(2) Flatten Linear(1024,64) Linear(64,10)";

export const CASES: readonly BenchCase[] = [
  { key: "W1.fwd", workload: "W1", name: "seed-conv", what: "Conv2d(3,6,3) forward on x[64,3,32,32]", batch: 64, metric: "images/s" },
  { key: "W1.fwdbwd", workload: "W1", name: "seed-conv", what: "Conv2d(3,6,3) forward+backward, sum() loss, grads of x, weight, bias", batch: 64, metric: "images/s" },
  { key: "W2.fwd", workload: "W2", name: "seed-maxpool", what: "MaxPool2d(3) forward on x[64,3,32,32]", batch: 64, metric: "images/s" },
  { key: "W2.fwdbwd", workload: "W2", name: "seed-maxpool", what: "MaxPool2d(3) forward+backward, sum() loss, grad of x", batch: 64, metric: "images/s" },
  { key: "W3.fwd", workload: "W3", name: "seed-avgpool", what: "AvgPool2d(2, stride=2) forward on x[64,3,32,32]", batch: 64, metric: "images/s" },
  { key: "W4.fwdbwd", workload: "W4", name: "seed-linear", what: "Linear(3072,10) forward+backward on x[64,3072], sum() loss, grads of x, weight, bias", batch: 64, metric: "images/s" },
  { key: "W5.step", workload: "W5", name: "cifar-cnn-step", what: `SGD(lr=0.01) step with CrossEntropyLoss on x[64,3,32,32]: ${CIFAR_CNN}`, batch: 64, metric: "images/s" },
  { key: "W6.step", workload: "W6", name: "lenet-step", what: "LeNet-5 SGD(lr=0.01) step with CrossEntropyLoss on x[64,1,28,28]", batch: 64, metric: "images/s" },
  { key: "W7.gemm", workload: "W7", name: "gemm", what: "matmul of two [1024,1024] fp32 matrices", batch: 1, metric: "GFLOP/s", flops: 2 * 1024 ** 3 },
  { key: "W8.b1", workload: "W8", name: "cifar-cnn-infer", what: "W5's model forward, batch 1 (the median is the latency)", batch: 1, metric: "images/s" },
  { key: "W8.b256", workload: "W8", name: "cifar-cnn-infer", what: "W5's model forward, batch 256", batch: 256, metric: "images/s" },
];

/**
 * The cases a `--filter` list selects: each item is a workload id (`W5`) or a case key (`W8.b1`), any case.
 * An item that matches nothing is an error, so a typo cannot silently run nothing.
 */
export function selectCases(filter: string | undefined): BenchCase[] {
  if (filter === undefined || filter.trim() === "") return [...CASES];
  const items = filter.split(",").map((s) => s.trim().toLowerCase()).filter((s) => s !== "");
  for (const it of items) {
    if (!CASES.some((c) => c.workload.toLowerCase() === it || c.key.toLowerCase() === it)) {
      throw new Error(`bench: --filter item '${it}' matches no case; expected one of ${[...new Set(CASES.map((c) => c.workload))].join(", ")} or a key such as ${CASES[0].key}`);
    }
  }
  return CASES.filter((c) => items.includes(c.workload.toLowerCase()) || items.includes(c.key.toLowerCase()));
}

/** How many iterations are run and how long one may take; the same for every system. */
export interface MeasurePolicy {
  warmup: number;
  /** At least this many timed iterations… */
  minIters: number;
  /** …and more until this many seconds of timed iterations have run… */
  minTimeS: number;
  /** …but never more than this many. */
  maxIters: number;
  /** An iteration (warm-up included) slower than this ends the case, reported as too slow with that time. */
  budgetS: number;
  /** An iteration still running after this many seconds is stopped by killing the system's process. */
  hardCapS: number;
}

export const FULL_POLICY: MeasurePolicy = { warmup: 3, minIters: 10, minTimeS: 1, maxIters: 100, budgetS: 5, hardCapS: 600 };
// A smoke test: a compared system slower than 2 s per iteration is timed once.
export const QUICK_POLICY: MeasurePolicy = { warmup: 1, minIters: 3, minTimeS: 0, maxIters: 3, budgetS: 2, hardCapS: 120 };

/** One case's outcome on one system. Times are milliseconds. */
export type CaseResult =
  /**
   * `cpuCores`: the process's CPU time over the timed iterations divided by their wall time, i.e. how many cores
   * it kept busy; well under its thread count means other work on the machine took the CPU from it.
   */
  | { key: string; status: "ok"; iters: number; medianMs: number; minMs: number; maxMs: number; cpuCores?: number }
  /** `measuredMs` is one iteration's time; with `stopped`, the iteration was killed at the hard cap unfinished. */
  | { key: string; status: "too slow"; budgetS: number; measuredMs: number; stopped?: boolean }
  | { key: string; status: "missing kernel"; detail: string }
  | { key: string; status: "error"; detail: string };

/** A system's process: its outcome, settings and peak memory; `results` holds one entry per selected case. */
export interface SystemReport {
  system: string;
  /** `absent`: the system could not be loaded (reason in `detail`); `failed`: its process crashed. */
  status: "ran" | "absent" | "failed";
  detail?: string;
  /** Versions and settings worth printing (library version, BLAS, threads, loss used, …). */
  info: Record<string, string>;
  /** Peak resident set size of the process (the largest, if it had to be restarted), bytes. */
  peakRssBytes?: number;
  results: CaseResult[];
}

/** What the orchestrator hands each child process: the case keys to run and the iteration policy. */
export interface ChildConfig {
  cases: string[];
  policy: MeasurePolicy;
}

/**
 * The JSON lines a child process writes to stdout, in order: `info` once (or `absent`), then per case `start`,
 * a `tick` after every iteration and `result`, and `end` with the peak RSS. bench/pytorch.py writes the same.
 */
export type ChildLine =
  | { type: "info"; system: string; info: Record<string, string> }
  | { type: "absent"; system: string; detail: string }
  | { type: "start"; key: string }
  | { type: "tick" }
  | { type: "result"; result: CaseResult }
  | { type: "end"; peakRssBytes: number };
