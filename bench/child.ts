/**
 * One system's benchmark process: `node dist-bench/bench/child.js <system> <config JSON>`, where system is
 * `torch-ts:<backend>` or `tfjs-<backend>`. It writes `ChildLine`s (JSON, one a line) to stdout; each system
 * runs in its own process so that its peak memory is its own and a stuck one can be stopped.
 */
import { emit } from "./measure.js";
import type { ChildConfig } from "./workloads.js";

const [system, configJson] = process.argv.slice(2);
if (system === undefined || configJson === undefined) throw new Error("usage: child.js <system> <config JSON>");
const config = JSON.parse(configJson) as ChildConfig;
if (system.startsWith("torch-ts:")) {
  const { runTorchTs } = await import("./torch-ts.js");
  await runTorchTs(system.slice("torch-ts:".length), config);
} else if (system.startsWith("tfjs-")) {
  const { runTfjs } = await import("./tfjs.js");
  await runTfjs(system.slice("tfjs-".length), config);
} else {
  throw new Error(`child.js: unknown system '${system}'`);
}
// maxRSS is in kilobytes.
emit({ type: "end", peakRssBytes: process.resourceUsage().maxRSS * 1024 });
