/** The benchmark's output: one table (text and Markdown at once), the machine, and the JSON form of both. */
import { readFileSync } from "node:fs";
import os from "node:os";
import type { BenchCase, MeasurePolicy, SystemReport } from "./workloads.js";

export interface Machine {
  cpu: string;
  /** Logical CPUs this process may use. */
  cores: number;
  /** The SIMD extensions that bound fp32 speed (from /proc/cpuinfo flags). */
  simd: string;
  memoryGiB: number;
  os: string;
  node: string;
  /** 1-minute load average at the start and the end of the run: other work on the machine skews timings. */
  loadAverage: [number, number];
  pytorch: string;
  tfjs: string;
}

/** One line of the table: a case on a system. Times in ms; `timeRatio` = this system's time / torch-ts's. */
export interface Row {
  key: string;
  workload: string;
  name: string;
  system: string;
  status: "ok" | "too slow" | "missing kernel" | "error" | "absent" | "failed";
  medianMs?: number;
  minMs?: number;
  maxMs?: number;
  iters?: number;
  /** Cores the process kept busy while timed (CPU time / wall time); see `CaseResult`. */
  cpuCores?: number;
  /** images/s or GFLOP/s (see `unit`), from the median (or from the one time of a "too slow" case). */
  throughput?: number;
  /** A case stopped at the hard cap: its one iteration took longer than this (ms); no median. */
  lowerBoundMs?: number;
  unit: string;
  /** Time over the reference system's time for the same case (the reference row has 1). */
  timeRatio?: number;
  /** Set on the reference system's rows. */
  reference?: true;
  detail?: string;
}

/** The default reference of the ratios: the first torch-ts system that ran (else the first torch-ts system). */
export function referenceOf(systems: SystemReport[]): string {
  const torchTs = systems.filter((s) => s.system.startsWith("torch-ts:"));
  return (torchTs.find((s) => s.status === "ran") ?? torchTs[0])?.system ?? "torch-ts";
}

export interface BenchResult {
  /** When the run started (ISO 8601). */
  date: string;
  /** The commit measured, and whether src/ or bench/ had uncommitted changes. */
  tree: string;
  command: string;
  policy: MeasurePolicy;
  machine: Machine;
  systems: SystemReport[];
  /** The system the ratios are relative to (`--reference`; default: the first torch-ts system that ran). */
  reference: string;
  rows: Row[];
}

export function machineInfo(systems: SystemReport[], loadAverage: [number, number]): Machine {
  let cpu = os.cpus()[0]?.model ?? "unknown";
  let flags: string[] = [];
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8");
    cpu = /^model name\s*:\s*(.*)$/m.exec(info)?.[1] ?? cpu;
    flags = (/^flags\s*:\s*(.*)$/m.exec(info)?.[1] ?? "").split(/\s+/);
  } catch {
    // Not Linux: os.cpus() is all there is.
  }
  const simd = ["avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile"].filter((f) => flags.includes(f)).join(" ") || "unknown";
  const version = (name: string) => {
    const s = systems.find((x) => x.system.startsWith(name));
    if (s === undefined) return "not run";
    return s.info.version ?? `${s.status}${s.detail ? ` (${s.detail})` : ""}`;
  };
  return {
    cpu,
    cores: os.availableParallelism(),
    simd,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverage: [Math.round(loadAverage[0] * 100) / 100, Math.round(loadAverage[1] * 100) / 100],
    pytorch: version("pytorch"),
    tfjs: version("tfjs"),
  };
}

/** The table's rows, cases in WORKLOADS.md order and systems in run order. */
export function buildRows(cases: BenchCase[], systems: SystemReport[], referenceSystem = referenceOf(systems)): Row[] {
  const rows: Row[] = [];
  for (const c of cases) {
    const unit = c.metric;
    const rate = (ms: number) => (c.metric === "GFLOP/s" ? (c.flops ?? 0) / (ms * 1e6) : c.batch / (ms / 1000));
    const reference = systems.find((s) => s.system === referenceSystem)?.results.find((r) => r.key === c.key);
    // A torch-ts case timed once (too slow) still gives the ratios a reference.
    const refMs = reference?.status === "ok" ? reference.medianMs : reference?.status === "too slow" && !reference.stopped ? reference.measuredMs : undefined;
    for (const s of systems) {
      const base: Pick<Row, "key" | "workload" | "name" | "system" | "unit" | "reference"> = { key: c.key, workload: c.workload, name: c.name, system: s.system, unit };
      if (s.system === referenceSystem) base.reference = true;
      if (s.status !== "ran") {
        rows.push({ ...base, status: s.status, detail: s.detail });
        continue;
      }
      const r = s.results.find((x) => x.key === c.key);
      if (r === undefined) {
        rows.push({ ...base, status: "error", detail: "the system's process reported no result for this case" });
      } else if (r.status === "ok") {
        const timeRatio = refMs !== undefined ? r.medianMs / refMs : undefined;
        rows.push({ ...base, status: "ok", medianMs: r.medianMs, minMs: r.minMs, maxMs: r.maxMs, iters: r.iters, cpuCores: r.cpuCores, throughput: rate(r.medianMs), timeRatio });
      } else if (r.status === "too slow") {
        const timeRatio = refMs !== undefined ? r.measuredMs / refMs : undefined;
        if (r.stopped) rows.push({ ...base, status: "too slow", lowerBoundMs: r.measuredMs, timeRatio, detail: `stopped after ${r.measuredMs / 1000} s inside one iteration` });
        else rows.push({ ...base, status: "too slow", medianMs: r.measuredMs, iters: 1, throughput: rate(r.measuredMs), timeRatio, detail: `> ${r.budgetS} s/iter, timed once` });
      } else {
        rows.push({ ...base, status: r.status, detail: r.detail });
      }
    }
  }
  return rows;
}

function ms(x: number | undefined): string {
  if (x === undefined) return "";
  const digits = x < 1 ? 3 : x < 10 ? 2 : x < 100 ? 1 : 0;
  return `${x.toFixed(digits)} ms`;
}

function num(x: number): string {
  return x >= 100 ? Math.round(x).toLocaleString("en-US") : x.toPrecision(3);
}

/** "3.2× faster" / "12× slower" than the reference system; the reference itself is "1.00 (ref)". */
function ratioText(row: Row): string {
  if (row.timeRatio === undefined) return "";
  if (row.reference === true) return "1.00 (ref)";
  const r = row.timeRatio;
  const f = (v: number) => (v >= 10 ? v.toFixed(0) : v.toFixed(2));
  if (row.lowerBoundMs !== undefined) return `> ${f(r)}× slower`;
  return r <= 1 ? `${f(1 / r)}× faster` : `${f(r)}× slower`;
}

function statusText(row: Row): string {
  switch (row.status) {
    case "ok":
      return "";
    case "too slow":
      return `too slow (${row.detail})`;
    case "missing kernel":
      return `missing kernel (${row.detail})`;
    default:
      return `${row.status}: ${row.detail ?? ""}`;
  }
}

/** The table as aligned Markdown, readable in a terminal and pasteable into BENCHMARKS.md. */
export function formatTable(rows: Row[], referenceSystem: string): string {
  const header = ["Case", "System", "Median", "Min", "Max", "N", "Cores used", "Throughput", `vs ${referenceSystem}`, "Note"];
  const body = rows.map((r) => [
    `${r.key} ${r.name}`,
    r.system,
    r.lowerBoundMs !== undefined ? `> ${ms(r.lowerBoundMs)}` : ms(r.medianMs),
    ms(r.minMs),
    ms(r.maxMs),
    r.iters === undefined ? "" : String(r.iters),
    r.cpuCores === undefined ? "" : r.cpuCores.toFixed(2),
    r.throughput === undefined ? "" : `${num(r.throughput)} ${r.unit}`,
    ratioText(r),
    statusText(r),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const right = new Set([2, 3, 4, 5, 6, 7, 8]);
  const line = (cells: string[]) => `| ${cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (right.has(i) ? "-".repeat(w + 1) + ":" : "-".repeat(w + 2))).join("|")}|`;
  return [line(header), rule, ...body.map(line)].join("\n");
}

function mib(bytes: number | undefined): string {
  return bytes === undefined ? "?" : `${Math.round(bytes / 2 ** 20)} MiB`;
}

/** The machine, the policy and each system's versions, settings and peak memory, as Markdown bullets. */
export function formatContext(res: BenchResult): string {
  const m = res.machine;
  const p = res.policy;
  const lines = [
    `- Machine: ${m.cpu}, ${m.cores} logical CPUs (${m.simd}), ${m.memoryGiB} GiB, ${m.os}`,
    `- Date: ${res.date}; tree: ${res.tree}; command: \`${res.command}\``,
    `- Versions: Node ${m.node}, PyTorch ${m.pytorch}, TensorFlow.js ${m.tfjs}`,
    `- Load average (1 min) at start / end: ${m.loadAverage[0]} / ${m.loadAverage[1]}`,
    `- Policy: ${p.warmup} warm-up iterations, then at least ${p.minIters} timed (and >= ${p.minTimeS} s, at most ${p.maxIters}); ` +
      `for the systems compared with torch-ts an iteration over ${p.budgetS} s ends the case (timed once); any iteration still running after ${p.hardCapS} s is stopped`,
    "- Systems (one process each; peak RSS = the process's maximum resident memory):",
  ];
  for (const s of res.systems) {
    const info = Object.entries(s.info).map(([k, v]) => `${k}=${v}`).join("; ");
    const state = s.status === "ran" ? `peak RSS ${mib(s.peakRssBytes)}` : `${s.status.toUpperCase()}: ${s.detail ?? ""}`;
    lines.push(`  - ${s.system}: ${state}${info ? `; ${info}` : ""}`);
  }
  return lines.join("\n");
}
