/**
 * `npm run bench:rss -- [--workload W5|W6] [--backend native|js] [--steps 10000] [--every 500]`: a training
 * loop of WORKLOADS.md's W5 or W6 on one torch-ts backend, printing the resident set size as it goes, to
 * show whether memory stays flat (no leak in the tensors, the autograd graph or the native addon's buffers).
 *
 * "Flat" is judged after warm-up (the first tenth of the steps): the growth from the end of warm-up to the
 * end, and the peak. `--json FILE` writes the samples.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import * as torch from "../src/index.js";
import { activate, cifarCnn, lenet, trainStep } from "./torch-ts.js";

const { values } = parseArgs({
  options: {
    workload: { type: "string", default: "W6" },
    backend: { type: "string", default: "native" },
    steps: { type: "string", default: "10000" },
    every: { type: "string", default: "500" },
    json: { type: "string" },
  },
});
const steps = Number(values.steps);
const every = Number(values.every);
if (!(Number.isInteger(steps) && steps > 0)) throw new Error(`bench:rss: --steps expects a positive integer, got '${values.steps}'`);
if (!(Number.isInteger(every) && every > 0)) throw new Error(`bench:rss: --every expects a positive integer, got '${values.every}'`);
if (values.workload !== "W5" && values.workload !== "W6") throw new Error(`bench:rss: --workload expects W5 or W6, got '${values.workload}'`);
const absent = await activate(values.backend);
if (absent !== null) throw new Error(`bench:rss: backend '${values.backend}' is unavailable: ${absent}`);

torch.manualSeed(0);
const w5 = values.workload === "W5";
const step = trainStep(w5 ? cifarCnn() : lenet(), torch.randn(w5 ? [64, 3, 32, 32] : [64, 1, 28, 28]), torch.randint(0, 10, [64]));
const mib = (b: number) => b / 2 ** 20;
const samples: Array<{ step: number; rssMiB: number; heapMiB: number; externalMiB: number; seconds: number }> = [];
const t0 = performance.now();
console.log(`bench:rss: ${values.workload} on torch-ts:${values.backend}, ${steps} steps`);
console.log("| Step | RSS (MiB) | JS heap (MiB) | External (MiB) | Elapsed (s) |");
console.log("|---:|---:|---:|---:|---:|");
for (let i = 1; i <= steps; i++) {
  step();
  if (i % every === 0 || i === steps) {
    const m = process.memoryUsage();
    const s = { step: i, rssMiB: mib(m.rss), heapMiB: mib(m.heapUsed), externalMiB: mib(m.external + m.arrayBuffers), seconds: (performance.now() - t0) / 1000 };
    samples.push(s);
    console.log(`| ${i} | ${s.rssMiB.toFixed(1)} | ${s.heapMiB.toFixed(1)} | ${s.externalMiB.toFixed(1)} | ${s.seconds.toFixed(1)} |`);
  }
}
const warm = samples.find((s) => s.step >= steps / 10) ?? samples[0];
const last = samples[samples.length - 1];
const peak = mib(process.resourceUsage().maxRSS * 1024);
console.log(
  `\nAfter warm-up (step ${warm.step}): RSS ${warm.rssMiB.toFixed(1)} MiB; at step ${last.step}: ${last.rssMiB.toFixed(1)} MiB ` +
    `(${(last.rssMiB - warm.rssMiB >= 0 ? "+" : "")}${(last.rssMiB - warm.rssMiB).toFixed(1)} MiB); peak RSS ${peak.toFixed(1)} MiB.`,
);
if (values.json !== undefined) writeFileSync(values.json, JSON.stringify({ ...values, samples, peakRssMiB: peak }, null, 2) + "\n");
