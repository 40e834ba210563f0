import type { CaseResult, ChildLine, MeasurePolicy } from "./workloads.js";

/** Writes one protocol line to stdout for bench/run.ts (see `ChildLine`). */
export function emit(line: ChildLine): void {
  process.stdout.write(JSON.stringify(line) + "\n");
}

/**
 * Times `step` under `policy`: warm-up iterations, then timed ones until both `minIters` and `minTimeS` are met
 * (or `maxIters`). An iteration over `budgetS` (a warm-up one included) ends the case as "too slow" with that
 * one time. Iterations' ends are reported (`tick`) so that bench/run.ts can stop a process stuck in one
 * iteration past the hard cap, but at most every `tickEveryMs`: a line per iteration woke the parent process
 * every few hundred microseconds, on one of the machine's two cores, during the next timed iteration of a
 * system that uses both. bench/pytorch.py mirrors this.
 */
export function measure(key: string, step: () => void, policy: MeasurePolicy): CaseResult {
  let lastTick = performance.now();
  const every = tickEveryMs(policy);
  const tick = () => {
    const now = performance.now();
    if (now - lastTick < every) return;
    lastTick = now;
    emit({ type: "tick" });
  };
  const budgetMs = policy.budgetS * 1000;
  for (let i = 0; i < policy.warmup; i++) {
    const t0 = performance.now();
    step();
    const dt = performance.now() - t0;
    tick();
    if (dt > budgetMs) return { key, status: "too slow", budgetS: policy.budgetS, measuredMs: dt };
  }
  const times: number[] = [];
  let total = 0;
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  while (times.length < policy.maxIters && (times.length < policy.minIters || total < policy.minTimeS * 1000)) {
    const t0 = performance.now();
    step();
    const dt = performance.now() - t0;
    tick();
    if (dt > budgetMs) return { key, status: "too slow", budgetS: policy.budgetS, measuredMs: dt };
    times.push(dt);
    total += dt;
  }
  const cpu = process.cpuUsage(cpu0);
  return { ...summarize(key, times), cpuCores: (cpu.user + cpu.system) / 1000 / (performance.now() - wall0) };
}

/** How often a child reports progress: a tenth of the hard cap, at most once a second. */
export function tickEveryMs(policy: MeasurePolicy): number {
  return Math.min(1000, (policy.hardCapS * 1000) / 10);
}

/** Median (mean of the middle two for an even count), min and max of the timed iterations. */
export function summarize(key: string, times: number[]): CaseResult & { status: "ok" } {
  const s = [...times].sort((a, b) => a - b);
  const n = s.length;
  const median = n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  return { key, status: "ok", iters: n, medianMs: median, minMs: s[0], maxMs: s[n - 1] };
}

/** Runs `fn` and turns a thrown error into a result: "missing kernel" when a backend lacks one, else "error". */
export function guard(key: string, fn: () => CaseResult): CaseResult {
  try {
    return fn();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    // TF.js: "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'".
    const missing = /Kernel '([^']+)' not registered/.exec(msg);
    if (missing) return { key, status: "missing kernel", detail: missing[1] };
    return { key, status: "error", detail: msg.split("\n")[0].slice(0, 300) };
  }
}
