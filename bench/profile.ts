/**
 * Summarizes a V8 `.cpuprofile` (from `node --cpu-prof`): self time per function, located in the TypeScript
 * source through the compiled files' source maps, and self time per source file.
 */
import { existsSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame }[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  /** `src/backend/cpu/conv.ts:120`, or the V8 pseudo-frame such as `(garbage collector)`. */
  location: string;
  selfMs: number;
  percent: number;
}

export interface ProfileSummary {
  totalMs: number;
  functions: ProfileEntry[];
  files: ProfileEntry[];
}

/** Maps compiled `dist-bench/**.js` positions to their `.ts` source, relative to `root`. */
function sourceLocator(root: string): (f: CallFrame) => string {
  const maps = new Map<string, SourceMap | null>();
  return (f) => {
    if (!f.url.startsWith("file://")) return f.url === "" ? "(native)" : f.url;
    const file = fileURLToPath(f.url);
    if (!maps.has(file)) {
      const mapFile = `${file}.map`;
      maps.set(file, existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, "utf8"))) : null);
    }
    const map = maps.get(file);
    const entry = map?.findEntry(f.lineNumber, f.columnNumber) as { originalSource?: string; originalLine?: number } | undefined;
    if (entry?.originalSource === undefined || entry.originalLine === undefined) {
      return `${relative(root, file)}:${f.lineNumber + 1}`;
    }
    const src = entry.originalSource.startsWith("file://") ? fileURLToPath(entry.originalSource) : resolve(dirname(file), entry.originalSource);
    return `${relative(root, src)}:${entry.originalLine + 1}`;
  };
}

/** Self time per function (top `top`) and per file; a sample's time is the delta that follows it. */
export function summarizeProfile(path: string, root: string, top = 25): ProfileSummary {
  const prof = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const frames = new Map(prof.nodes.map((n) => [n.id, n.callFrame]));
  const selfByNode = new Map<number, number>();
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = prof.timeDeltas[i + 1] ?? 0;
    selfByNode.set(prof.samples[i], (selfByNode.get(prof.samples[i]) ?? 0) + dt);
  }
  const locate = sourceLocator(root);
  const byFunction = new Map<string, { name: string; location: string; us: number }>();
  const byFile = new Map<string, number>();
  let totalUs = 0;
  for (const [id, us] of selfByNode) {
    const f = frames.get(id)!;
    if (f.functionName === "(idle)") continue;
    totalUs += us;
    const location = locate(f);
    const name = f.functionName || "(anonymous)";
    const k = `${name} ${location}`;
    const e = byFunction.get(k) ?? { name, location, us: 0 };
    e.us += us;
    byFunction.set(k, e);
    const file = location.startsWith("(") ? name : location.replace(/:\d+$/, "");
    byFile.set(file, (byFile.get(file) ?? 0) + us);
  }
  const entry = (name: string, location: string, us: number): ProfileEntry => ({ name, location, selfMs: us / 1000, percent: (100 * us) / totalUs });
  const functions = [...byFunction.values()].sort((a, b) => b.us - a.us).slice(0, top).map((e) => entry(e.name, e.location, e.us));
  const files = [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([f, us]) => entry(f, f, us));
  return { totalMs: totalUs / 1000, functions, files };
}

export function formatProfile(s: ProfileSummary): string {
  const lines = [`Total sampled (non-idle) time: ${(s.totalMs / 1000).toFixed(1)} s`, "", "| Self % | Self ms | Function | Source |", "|---:|---:|---|---|"];
  for (const f of s.functions) lines.push(`| ${f.percent.toFixed(1)} | ${f.selfMs.toFixed(0)} | ${f.name} | ${f.location} |`);
  lines.push("", "| Self % | Self ms | File |", "|---:|---:|---|");
  for (const f of s.files) lines.push(`| ${f.percent.toFixed(1)} | ${f.selfMs.toFixed(0)} | ${f.name} |`);
  return lines.join("\n");
}
