#!/usr/bin/env node
/**
 * Builds wasm/kernels.c with clang + lld (Debian: `apt-get install clang lld`) twice: wasm/build/kernels.wasm
 * owns its memory (one thread: browsers whose pages are not cross-origin isolated have no shared memory),
 * and wasm/build/kernels-mt.wasm imports a shared memory that every worker thread instantiates over, each
 * with its own stack (its exported __stack_pointer moved). Both are copied next to the compiled backend
 * (dist/backend/wasm/) when dist/ exists. `npm run build` runs
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
const clang = process.env.CLANG || "clang";

// -mbulk-memory lowers the memset/memcpy clang emits for fill loops to memory.fill/copy (there is no libc);
// -msimd128 is the 128-bit SIMD proposal, shipped in every current engine (Node >= 16.4).
// The packing buffers are stack locals (~1.1 MiB): 2 MiB of stack. src/backend/wasm/workers.ts gives each
// worker as much (STACK_BYTES) and src/backend/wasm/registry.ts creates the shared memory at 4 MiB.
const common = [
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
  "-Wl,-z,stack-size=2097152",
  join(here, "kernels.c"),
];
// Shared memory needs the atomics feature; the memory's maximum is wasm32's 4 GiB (a page's actual
// maximum is what the JS side asks for); mutable globals let each worker set its stack pointer.
const threaded = [
  "-matomics",
  "-mmutable-globals",
  "-Wl,--shared-memory",
  "-Wl,--import-memory",
  "-Wl,--initial-memory=4194304",
  "-Wl,--max-memory=4294967296",
  "-Wl,--export=__stack_pointer",
];
const builds = [
  { name: "kernels.wasm", flags: [] },
  { name: "kernels-mt.wasm", flags: threaded },
];

mkdirSync(join(here, "build"), { recursive: true });
for (const { name, flags } of builds) {
  const out = join(here, "build", name);
  const r = spawnSync(clang, [...common, ...flags, "-o", out], { stdio: ["ignore", "inherit", "pipe"], encoding: "utf8" });
  if (r.error || r.status !== 0) {
    const why = r.error ? `${clang} not found (${r.error.message})` : `${clang} failed:\n${r.stderr}`;
    console.warn(
      `torch-ts: skipping the WebAssembly kernels: ${why}\n` +
        "torch-ts: install clang and lld (Debian: apt-get install clang lld) to build them; the js backend is used meanwhile.",
    );
    process.exit(0);
  }
}
const dist = join(root, "dist", "backend", "wasm");
if (existsSync(join(root, "dist"))) {
  mkdirSync(dist, { recursive: true });
  for (const { name } of builds) copyFileSync(join(here, "build", name), join(dist, name));
}
console.log(`torch-ts: built ${builds.map((b) => join(here, "build", b.name)).join(" and ")}`);
