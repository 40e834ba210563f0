/**
 * Prints the self-time table of the newest `.cpuprofile` in a directory (default /tmp/torch-ts-kbench),
 * as written by `PROFILE=1 bash bench/kernels/run.sh ...`.
 *   bash bench/kernels/run.sh profile [dir] [top]
 */
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { formatProfile, summarizeProfile } from "../profile.js";

const dir = process.argv[2] ?? "/tmp/torch-ts-kbench";
const top = Number(process.argv[3] ?? 30);
const newest = readdirSync(dir)
  .filter((f) => f.endsWith(".cpuprofile"))
  .map((f) => join(dir, f))
  .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
if (newest === undefined) throw new Error(`profile: no .cpuprofile in ${dir}`);
console.log(newest);
console.log(formatProfile(summarizeProfile(newest, resolve("."), top)));
