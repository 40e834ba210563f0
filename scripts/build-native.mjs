#!/usr/bin/env node
/**
 * Builds the native (oneDNN) backend's addon: `npm ci` runs this as the package's install script. It needs
 * oneDNN's headers (Debian: libdnnl-dev), node-addon-api and node-gyp (bundled with npm). Whatever happens
 * it exits 0 and prints one line: torch-ts then runs on the portable js backend, and says so when imported
 * from `torch-ts/node`.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const nativeDir = join(root, "native");
const HEADER = process.env.TORCH_TS_DNNL_HEADER ?? "/usr/include/dnnl.hpp";

function done(message) {
  console.log(`torch-ts: ${message}`);
  process.exit(0);
}

if (process.env.TORCH_TS_SKIP_NATIVE === "1") done("native backend not built (TORCH_TS_SKIP_NATIVE=1); using the js backend");
if (!existsSync(join(nativeDir, "binding.gyp"))) done("native backend not built (native/binding.gyp is missing); using the js backend");
if (!existsSync(HEADER)) {
  done(`native backend not built: oneDNN's headers are absent (${HEADER}; install libdnnl-dev); using the js backend`);
}
try {
  createRequire(join(root, "package.json")).resolve("node-addon-api");
} catch {
  done("native backend not built: node-addon-api is not installed; using the js backend");
}

/** npm's bundled node-gyp: npm names it in npm_config_node_gyp; outside npm, look beside the node binary. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"),
  ];
  return candidates.find((p) => p !== undefined && p !== "" && existsSync(p)) ?? null;
}

const gyp = nodeGyp();
const args = ["rebuild"];
// Distribution-packaged Node ships its headers; pointing node-gyp at them avoids a download.
if (!process.env.npm_config_nodedir && existsSync(join(dirname(process.execPath), "..", "include", "node", "node_api.h"))) {
  args.push(`--nodedir=${resolve(dirname(process.execPath), "..")}`);
}
const cmd = gyp === null ? "node-gyp" : process.execPath;
const cmdArgs = gyp === null ? args : [gyp, ...args];
const started = Date.now();
const r = spawnSync(cmd, cmdArgs, { cwd: nativeDir, encoding: "utf8", env: process.env });
if (r.status === 0) {
  done(`native backend built with oneDNN (${((Date.now() - started) / 1000).toFixed(0)} s): native/build/Release/torch_ts_native.node`);
}
const output = `${r.stdout ?? ""}${r.stderr ?? ""}`;
const firstError = output.split("\n").find((l) => /error/i.test(l) && !/^gyp (info|ERR! (stack|System|command|cwd|node|not ok))/.test(l));
const why = r.error ? r.error.message : (firstError ?? `node-gyp exited with ${r.status}`).trim().slice(0, 300);
done(`native backend build failed (${why}); using the js backend (rebuild: node scripts/build-native.mjs)`);
