#!/usr/bin/env node
// `npm start`: builds dist/ when it is missing or older than src/ (a fresh clone has none), then runs
// `torch-ts start` with the arguments after `npm start --`. Ctrl-C reaches the CLI (same process group),
// which saves a checkpoint and exits; this wrapper waits for it and passes its exit status on.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "dist", "cli", "main.js");

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const stale = !existsSync(cli) || statSync(cli).mtimeMs < newestMtime(join(root, "src"));
if (stale) {
  process.stdout.write("npm start: building dist/ (tsc) ...\n");
  const started = performance.now();
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const build = spawnSync(npm, ["run", "--silent", "build"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) {
    process.stderr.write(`npm start: the build failed (exit ${build.status ?? build.signal}); run 'npm run build' to see why\n`);
    process.exit(1);
  }
  process.stdout.write(`npm start: built in ${((performance.now() - started) / 1000).toFixed(1)} s\n\n`);
}

const child = spawn(process.execPath, [cli, "start", ...process.argv.slice(2)], { cwd: process.cwd(), stdio: "inherit" });
// The terminal sends Ctrl-C to the whole group; the CLI handles it, so this process only waits.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => child.kill("SIGTERM"));
child.on("exit", (code, signal) => {
  process.exit(code ?? (signal === "SIGINT" ? 130 : 1));
});
