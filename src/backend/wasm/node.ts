/**
 * The Node side of loading the kernels (reached from `torch-ts/node` only): reads the threaded build
 * kernels-mt.wasm (or, if only it was built, kernels.wasm) from disk and hands its bytes to the core, which
 * instantiates them as a browser would. The files are where `npm run build` puts them: beside the compiled
 * backend (dist/backend/wasm/), or wasm/build/ in the package root, for the sources (src/) and the
 * benchmark's compiled copy. The wasm backend starts with one thread per core, as PyTorch does.
 */
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { provideWasmBytes, provideWasmError } from "./registry.js";
import { provideDefaultThreads, provideWorkerSpawner, type SpawnWorker } from "./workers.js";

/** The kernels' workers (torch.setNumThreads on the wasm backend): worker_threads running the pool's loop. */
export const nodeWorkerSpawner: SpawnWorker = (body, data) => {
  const w = new Worker(`const { workerData } = require("node:worker_threads"); (${body})(workerData);`, { eval: true, workerData: data });
  // A worker that fails to start never reports ready, and the caller computes its blocks; no crash.
  w.on("error", () => {});
  // Idle workers must not keep the process alive.
  w.unref();
  return { terminate: () => void w.terminate() };
};
provideWorkerSpawner(nodeWorkerSpawner);
provideDefaultThreads(availableParallelism());

export function loadWasmFromDisk(): void {
  const here = dirname(fileURLToPath(import.meta.url));
  const dirs = [here, join(packageRoot(here), "wasm", "build")];
  const candidates = dirs.flatMap((d) => [join(d, "kernels-mt.wasm"), join(d, "kernels.wasm")]);
  const path = candidates.find((p) => existsSync(p));
  if (path === undefined) {
    provideWasmError(
      `kernels.wasm was not built (looked in ${candidates.join(", ")}; install clang and lld, e.g. Debian's, then run 'npm run build')`,
    );
    return;
  }
  provideWasmBytes(readFileSync(path), path);
}

function packageRoot(here: string): string {
  for (let dir = here; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) return join(here, "..", "..", "..");
  }
}
