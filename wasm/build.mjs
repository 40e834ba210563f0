#!/usr/bin/env node
/**
 * Builds wasm/kernels.c into wasm/build/kernels.wasm with clang + lld (Debian: `apt-get install clang lld`)
 * and copies it next to the compiled backend (dist/backend/wasm/) when dist/ exists. `npm run build` runs
 * it after tsc. Without a toolchain that targets wasm32 it prints why and exits 0: the build still
 * succeeds, and torch-ts then runs on the js backend (`torch.backends.wasm.unavailableReason()` says why).
 * `CLANG` names another clang binary.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const out = join(here, "build", "kernels.wasm");
const clang = process.env.CLANG || "clang";

// -mbulk-memory lowers the memset/memcpy clang emits for fill loops to memory.fill/copy (there is no libc);
// -msimd128 is the 128-bit SIMD proposal, shipped in every current engine (Node >= 16.4).
const args = [
  "--target=wasm32",
  "-O3",
  "-msimd128",
  "-mbulk-memory",
  "-ffreestanding",
  "-nostdlib",
  "-Wall",
  "-Wextra",
  "-Werror",
  "-Wl,--no-entry",
  "-Wl,--export=__heap_base",
  "-o",
  out,
  join(here, "kernels.c"),
];

mkdirSync(dirname(out), { recursive: true });
const r = spawnSync(clang, args, { stdio: ["ignore", "inherit", "pipe"], encoding: "utf8" });
if (r.error || r.status !== 0) {
  const why = r.error ? `${clang} not found (${r.error.message})` : `${clang} failed:\n${r.stderr}`;
  console.warn(
    `torch-ts: skipping the WebAssembly kernels: ${why}\n` +
      "torch-ts: install clang and lld (Debian: apt-get install clang lld) to build them; the js backend is used meanwhile.",
  );
  process.exit(0);
}
const dist = join(root, "dist", "backend", "wasm");
if (existsSync(join(root, "dist"))) {
  mkdirSync(dist, { recursive: true });
  copyFileSync(out, join(dist, "kernels.wasm"));
}
console.log(`torch-ts: built ${out}`);
