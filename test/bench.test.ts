import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { summarize } from "../bench/measure.js";
import type { BenchResult } from "../bench/report.js";
import { CASES, selectCases } from "../bench/workloads.js";

const run = promisify(execFile);
const SYSTEMS = ["torch-ts:js", "torch-ts:native", "torch-ts:wasm", "pytorch", "tfjs-cpu", "tfjs-wasm"];

describe("bench case selection and statistics", () => {
  it("--filter takes workload ids and case keys, in WORKLOADS.md order", () => {
    expect(selectCases("W8,W3").map((c) => c.key)).toEqual(["W3.fwd", "W8.b1", "W8.b256"]);
    expect(selectCases("w1.fwdbwd").map((c) => c.key)).toEqual(["W1.fwdbwd"]);
    expect(selectCases(undefined)).toHaveLength(CASES.length);
    expect(() => selectCases("W3,W9")).toThrow("bench: --filter item 'w9' matches no case");
  });

  it("every workload W1–W8 has a case", () => {
    expect([...new Set(CASES.map((c) => c.workload))]).toEqual(["W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8"]);
  });

  it("summarize: median of an even count is the mean of the middle two", () => {
    expect(summarize("k", [4, 1, 3, 2])).toEqual({ key: "k", status: "ok", iters: 4, medianMs: 2.5, minMs: 1, maxMs: 4 });
    expect(summarize("k", [5, 1, 3])).toMatchObject({ medianMs: 3, minMs: 1, maxMs: 5 });
  });
});

describe("npm run bench", () => {
  // The smoke test of the brief: `--quick --filter W3,W7`, every system.
  it("prints one table for every system and writes the same data as JSON", async () => {
    const jsonPath = join(mkdtempSync(join(tmpdir(), "torch-ts-bench-")), "bench.json");
    const { stdout } = await run("npm", ["run", "--silent", "bench", "--", "--quick", "--filter", "W3,W7", "--json", jsonPath], {
      maxBuffer: 16 * 2 ** 20,
    });

    expect(stdout).toMatch(/^\| Case +\| System +\| +Median \| +Min \| +Max \| +N \| +Cores used \| +Throughput \| +vs torch-ts:js \| Note +\|$/m);
    expect(stdout).toMatch(/^- Machine: .+, \d+ logical CPUs/m);
    expect(stdout).toMatch(/^- Versions: Node v\d+/m);
    for (const s of SYSTEMS) expect(stdout).toMatch(new RegExp(`^  - ${s}: `, "m"));

    const res = JSON.parse(readFileSync(jsonPath, "utf8")) as BenchResult;
    expect(res.command).toContain("--filter W3,W7");
    expect(res.policy).toMatchObject({ warmup: 1, minIters: 3, maxIters: 3 });
    expect(res.machine.node).toBe(process.version);
    expect(res.machine.cores).toBeGreaterThan(0);
    expect(typeof res.machine.cpu).toBe("string");
    // Every system is reported, present or not, in run order.
    expect(res.systems.map((s) => s.system)).toEqual(SYSTEMS);
    for (const s of res.systems) {
      expect(["ran", "absent", "failed"]).toContain(s.status);
      if (s.status === "ran") expect(s.peakRssBytes).toBeGreaterThan(0);
      else expect(s.detail).toMatch(/\S/);
    }
    expect(res.systems[0].status).toBe("ran");

    // One row per case and system, cases in order; each row is a line of the printed table.
    expect(res.rows.map((r) => `${r.key} ${r.system}`)).toEqual(["W3.fwd", "W7.gemm"].flatMap((k) => SYSTEMS.map((s) => `${k} ${s}`)));
    for (const r of res.rows) {
      expect(stdout).toMatch(new RegExp(`^\\| ${r.key.replace(".", "\\.")} ${r.name} +\\| ${r.system} +\\|`, "m"));
      expect(r.unit).toBe(r.key === "W7.gemm" ? "GFLOP/s" : "images/s");
      if (r.status === "ok") {
        expect(r.iters).toBe(3);
        expect(r.minMs!).toBeGreaterThan(0);
        expect(r.minMs!).toBeLessThanOrEqual(r.medianMs!);
        expect(r.medianMs!).toBeLessThanOrEqual(r.maxMs!);
        expect(r.throughput!).toBeGreaterThan(0);
        expect(r.cpuCores!).toBeGreaterThan(0);
        expect(r.timeRatio!).toBeGreaterThan(0);
      } else {
        expect(r.detail).toMatch(/\S/);
      }
    }
    const torchTs = res.rows.filter((r) => r.system === "torch-ts:js");
    for (const r of torchTs) expect(r).toMatchObject({ status: "ok", timeRatio: 1 });
  }, 600_000);

  it("reports a system that cannot run as absent, with the reason, in the table and the JSON", async () => {
    const jsonPath = join(mkdtempSync(join(tmpdir(), "torch-ts-bench-")), "bench.json");
    const { stdout } = await run("npm", ["run", "--silent", "bench", "--", "--quick", "--filter", "W3", "--systems", "torch-ts:js,pytorch", "--json", jsonPath], {
      env: { ...process.env, TORCH_TS_BENCH_PYTHON: "/nonexistent/python3" },
    });
    const res = JSON.parse(readFileSync(jsonPath, "utf8")) as BenchResult;
    expect(res.systems.map((s) => [s.system, s.status])).toEqual([["torch-ts:js", "ran"], ["pytorch", "absent"]]);
    expect(res.rows[1]).toMatchObject({ key: "W3.fwd", system: "pytorch", status: "absent", detail: "/nonexistent/python3 not found" });
    expect(stdout).toMatch(/^\| W3\.fwd seed-avgpool +\| pytorch +\|.*\| absent: \/nonexistent\/python3 not found +\|$/m);
    expect(stdout).toContain("  - pytorch: ABSENT: /nonexistent/python3 not found");
  }, 300_000);
});
