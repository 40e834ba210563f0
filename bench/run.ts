/**
 * `npm run bench [-- --quick] [--filter W5,W7] [--json out.json] [--systems torch-ts,pytorch] [--budget 10]
 * [--hard-cap 600] [--profile] [--reference torch-ts:native]`: runs ../shared/WORKLOADS.md on torch-ts (every backend), PyTorch and TensorFlow.js (cpu, wasm),
 * each system in its own process, and prints one table with ratios to torch-ts.
 *
 * `--profile` runs one torch-ts backend (default js) under `node --cpu-prof` and prints the functions with the
 * most self time. `--reference` names the system the ratios are relative to (default: the first torch-ts one).
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os, { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildRows, formatContext, formatTable, machineInfo, referenceOf, type BenchResult } from "./report.js";
import { formatProfile, summarizeProfile, type ProfileSummary } from "./profile.js";
import { TORCH_TS_BACKENDS } from "./torch-ts.js";
import { FULL_POLICY, QUICK_POLICY, selectCases, type ChildConfig, type ChildLine, type SystemReport } from "./workloads.js";

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root: this file runs from dist-bench/bench/. */
const root = resolve(here, "..", "..");
/** Debian's python3 with its python3-torch; TORCH_TS_BENCH_PYTHON picks another interpreter. */
const PYTHON = process.env.TORCH_TS_BENCH_PYTHON ?? "/usr/bin/python3";

/** A child process's command line, without the case list and policy that follow it. */
interface Launch {
  cmd: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

/** Peak resident memory of a running process (VmHWM), read before it is killed; 0 when unknown. */
function peakRssOf(pid: number | undefined): number {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb === undefined ? 0 : Number(kb) * 1024;
  } catch {
    return 0;
  }
}

interface Attempt {
  lines: ChildLine[];
  code: number | null;
  stderrTail: string;
  /** Set when the hard cap stopped the process: the case it was running. */
  stoppedIn?: string;
  peakRssBytes: number;
}

/**
 * Runs one child on `cases`, reading its JSON lines as they come; a child that goes `hardCapS` without a
 * line (one iteration still running) is killed. Its stderr is forwarded live (Python warnings, crashes).
 */
function attempt(launch: Launch, cases: string[], config: ChildConfig): Promise<Attempt> {
  return new Promise((done) => {
    const child = spawn(launch.cmd, [...launch.args, JSON.stringify({ ...config, cases })], { env: launch.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    const lines: ChildLine[] = [];
    let current: string | undefined;
    let stoppedIn: string | undefined;
    let peak = 0;
    let pending = "";
    let stderrTail = "";
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stoppedIn = current;
        peak = peakRssOf(child.pid);
        child.kill("SIGKILL");
      }, config.policy.hardCapS * 1000);
    };
    arm();
    child.stdout.on("data", (d: Buffer) => {
      pending += d.toString();
      const parts = pending.split("\n");
      pending = parts.pop() ?? "";
      for (const part of parts) {
        if (part.trim() === "") continue;
        if (!part.startsWith("{")) {
          // A library printing to stdout: not protocol, pass it on.
          process.stderr.write(part + "\n");
          continue;
        }
        const line = JSON.parse(part) as ChildLine;
        arm();
        if (line.type === "start") {
          current = line.key;
          process.stderr.write(`  ${line.key}\n`);
        }
        if (line.type !== "tick") lines.push(line);
      }
    });
    child.stderr.on("data", (d: Buffer) => {
      process.stderr.write(d);
      stderrTail = (stderrTail + d.toString()).slice(-2000);
    });
    child.on("error", (e) => {
      stderrTail += e.message;
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ lines, code, stderrTail, stoppedIn, peakRssBytes: peak });
    });
  });
}

/**
 * Runs a system's cases in its own process, restarting it after a case stopped at the hard cap so the rest
 * still run. Its peak memory is the largest over those processes.
 */
async function runSystem(system: string, launch: Launch, config: ChildConfig): Promise<SystemReport> {
  const report: SystemReport = { system, status: "ran", info: {}, results: [], peakRssBytes: 0 };
  let remaining = [...config.cases];
  while (remaining.length > 0) {
    const a = await attempt(launch, remaining, config);
    for (const line of a.lines) {
      if (line.type === "absent") return { system, status: "absent", detail: line.detail, info: {}, results: [] };
      if (line.type === "info") Object.assign(report.info, line.info);
      if (line.type === "result") report.results.push(line.result);
      if (line.type === "end") report.peakRssBytes = Math.max(report.peakRssBytes ?? 0, line.peakRssBytes);
    }
    report.peakRssBytes = Math.max(report.peakRssBytes ?? 0, a.peakRssBytes);
    if (a.stoppedIn !== undefined) {
      const hard = config.policy.hardCapS;
      report.results.push({ key: a.stoppedIn, status: "too slow", budgetS: config.policy.budgetS, measuredMs: hard * 1000, stopped: true });
    } else if (!a.lines.some((l) => l.type === "end")) {
      const why = a.stderrTail.trim().split("\n").filter((l) => l.trim() !== "").slice(-3).join(" / ");
      const detail = `process exited with code ${a.code}: ${why}`;
      if (report.results.length === 0) return { system, status: "failed", detail, info: report.info, results: [] };
      for (const key of remaining.filter((k) => !report.results.some((r) => r.key === k))) report.results.push({ key, status: "error", detail });
    }
    remaining = remaining.filter((k) => !report.results.some((r) => r.key === k));
  }
  return report;
}

function nodeLaunch(system: string, profileDir?: string): Launch {
  const prof = profileDir === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", profileDir];
  return { cmd: process.execPath, args: [...prof, join(here, "child.js"), system] };
}

/**
 * The OpenBLAS kernels PyTorch runs with: SkylakeX on an AVX-512 CPU, whatever OPENBLAS_CORETYPE the
 * environment has (OpenBLAS 0.3.21 detects these AVX-512 Xeons as Prescott, and some machines preset
 * Haswell: a 1024³ GEMM took 19.9 ms with it, 12.7 ms with SkylakeX); TORCH_TS_BENCH_OPENBLAS_CORETYPE
 * overrides. Without AVX-512, the environment's choice or OpenBLAS's own detection.
 */
function openblasCore(): string | undefined {
  if (process.env.TORCH_TS_BENCH_OPENBLAS_CORETYPE) return process.env.TORCH_TS_BENCH_OPENBLAS_CORETYPE;
  let avx512 = false;
  try {
    avx512 = /^flags\s*:.*\bavx512f\b/m.test(readFileSync("/proc/cpuinfo", "utf8"));
  } catch {
    // Not Linux: keep the environment's setting.
  }
  return avx512 ? "SKYLAKEX" : process.env.OPENBLAS_CORETYPE;
}

async function runPyTorch(config: ChildConfig): Promise<SystemReport> {
  if (!existsSync(PYTHON)) return { system: "pytorch", status: "absent", detail: `${PYTHON} not found`, info: {}, results: [] };
  const env = { ...process.env, OPENBLAS_CORETYPE: openblasCore() };
  return runSystem("pytorch", { cmd: PYTHON, args: [join(root, "bench", "pytorch.py")], env }, config);
}

/** The checked-out commit, and whether the working tree differs from it: what exactly was measured. */
function treeState(): string {
  try {
    const git = (...args: string[]) => execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = git("status", "--porcelain", "--", "src", "bench") !== "";
    return `${git("rev-parse", "--short", "HEAD")}${dirty ? " with uncommitted changes in src/ or bench/" : ""}`;
  } catch {
    return "unknown (not a git checkout)";
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      filter: { type: "string" },
      json: { type: "string" },
      systems: { type: "string" },
      budget: { type: "string" },
      "hard-cap": { type: "string" },
      profile: { type: "boolean", default: false },
      reference: { type: "string" },
    },
  });
  const cases = selectCases(values.filter);
  const policy = { ...(values.quick ? QUICK_POLICY : FULL_POLICY) };
  const seconds = (flag: string, v: string) => {
    const n = Number(v);
    if (!(n > 0)) throw new Error(`bench: ${flag} expects a positive number of seconds, got '${v}'`);
    return n;
  };
  if (values.budget !== undefined) policy.budgetS = seconds("--budget", values.budget);
  if (values["hard-cap"] !== undefined) policy.hardCapS = seconds("--hard-cap", values["hard-cap"]);
  const config: ChildConfig = { cases: cases.map((c) => c.key), policy };

  const all = [...TORCH_TS_BACKENDS.map((b) => `torch-ts:${b}`), "pytorch", "tfjs-cpu", "tfjs-wasm"];
  // --profile times one torch-ts backend (`--systems torch-ts:native` picks which; default js).
  const wanted = values.profile ? [values.systems?.trim() ?? "torch-ts:js"] : values.systems?.split(",").map((s) => s.trim());
  const matches = (s: string, w: string) => s === w || s.startsWith(`${w}:`);
  for (const w of wanted ?? []) {
    if (!all.some((s) => matches(s, w))) throw new Error(`bench: --systems item '${w}' matches none of ${all.join(", ")}`);
  }
  const systems = wanted === undefined ? all : all.filter((s) => wanted.some((w) => matches(s, w)));

  if (values.profile && (systems.length !== 1 || !systems[0].startsWith("torch-ts:"))) {
    throw new Error(`bench --profile: profiles one torch-ts backend (--systems torch-ts:js or torch-ts:native), not ${systems.join(", ")}`);
  }
  if (values.reference !== undefined && !systems.includes(values.reference)) {
    throw new Error(`bench: --reference '${values.reference}' is not among the systems run: ${systems.join(", ")}`);
  }
  const profileDir = values.profile ? mkdtempSync(join(tmpdir(), "torch-ts-prof-")) : undefined;
  const started = new Date().toISOString();
  const loadBefore = os.loadavg()[0];
  const reports: SystemReport[] = [];
  for (const s of systems) {
    process.stderr.write(`bench: ${s}\n`);
    if (s === "pytorch") reports.push(await runPyTorch(config));
    // torch-ts is what the benchmark is for: it is always timed in full; only the hard cap stops it.
    else if (s.startsWith("torch-ts:")) reports.push(await runSystem(s, nodeLaunch(s, profileDir), { ...config, policy: { ...policy, budgetS: policy.hardCapS } }));
    else reports.push(await runSystem(s, nodeLaunch(s), config));
  }

  const reference = values.reference ?? referenceOf(reports);
  const res: BenchResult & { profile?: ProfileSummary } = {
    date: started,
    tree: treeState(),
    command: `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim().replace(/ --$/, ""),
    policy,
    machine: machineInfo(reports, [loadBefore, os.loadavg()[0]]),
    systems: reports,
    reference,
    rows: buildRows(cases, reports, reference),
  };
  console.log(formatTable(res.rows, reference));
  console.log();
  console.log(formatContext(res));
  if (profileDir !== undefined) {
    const file = readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"));
    if (file === undefined) throw new Error(`bench --profile: no .cpuprofile written in ${profileDir}`);
    res.profile = summarizeProfile(join(profileDir, file), root);
    console.log(`\nCPU profile of torch-ts (${join(profileDir, file)}):\n`);
    console.log(formatProfile(res.profile));
  }
  if (values.json !== undefined) writeFileSync(values.json, JSON.stringify(res, null, 2) + "\n");
}

await main();
