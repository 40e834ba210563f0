/**
 * The Node side of loading the kernels (reached from `torch-ts/node` only): reads the threaded build
 * kernels-mt.wasm (or, if only it was built, kernels.wasm) from disk and hands its bytes to the core, which
 * instantiates them as a browser would. The files are where `npm run build` puts them: beside the compiled
 * backend (dist/backend/wasm/), or wasm/build/ in the package root, for the sources (src/) and the
 * benchmark's compiled copy. The wasm backend starts with one thread per core, as PyTorch does.
 */
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { setFlagsFromString } from "node:v8";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { provideWasmBytes, provideWasmError } from "./registry.js";
import { provideDefaultThreads, provideWorkerSpawner, WORKER_EXITED, type SpawnWorker } from "./workers.js";

/**
 * The thread that owns the kernels' workers: its event loop stays free (it computes nothing), so it sees a
 * worker's exit at once and reports it through shared memory (WORKER_EXITED) to a caller that is blocked
 * in Atomics.wait and could not receive the event itself.
 */
const SUPERVISOR = `const { parentPort, Worker } = require("node:worker_threads");
const workers = new Map();
parentPort.on("message", (m) => {
  if (m.spawn !== undefined) {
    const w = new Worker(m.source, { eval: true, workerData: m.data });
    // A worker that fails to start never reports ready, and the caller computes its jobs.
    w.on("error", () => {});
    w.on("exit", (code) => {
      workers.delete(m.spawn);
      (${WORKER_EXITED})(m.data.ctrl, code);
    });
    workers.set(m.spawn, w);
  } else if (m.terminate !== undefined) {
    workers.get(m.terminate)?.terminate();
  }
});`;

let supervisor: Worker | null = null;
let spawned = 0;

/** The kernels' workers (torch.setNumThreads on the wasm backend): worker_threads running the pool's loop. */
export const nodeWorkerSpawner: SpawnWorker = (body, data) => {
  if (supervisor === null) {
    supervisor = new Worker(SUPERVISOR, { eval: true });
    // The supervisor and its workers must not keep the process alive.
    supervisor.unref();
    supervisor.on("error", () => {});
  }
  const id = spawned++;
  const source = `const { workerData } = require("node:worker_threads"); (${body})(workerData);`;
  supervisor.postMessage({ spawn: id, source, data });
  return { terminate: () => supervisor?.postMessage({ terminate: id }) };
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
  provideWasmBytes(readFileSync(path), path, compileOptimized);
}

/**
 * V8 compiles WebAssembly lazily with its baseline compiler (Liftoff) and optimizes a function only once
 * it is hot: the kernels run 4–8× slower for their first calls (a 256³ GEMM: 2.1 ms for 7 calls, then
 * 0.56). Compiling every function optimized up front takes ~40 ms, once, when the wasm backend is first
 * used. The flags are restored at once (they apply to modules compiled while set), unless the process was
 * started with them.
 */
function compileOptimized(bytes: BufferSource): WebAssembly.Module {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)];
  const flags = ["liftoff", "wasm-lazy-compilation"].filter((f) => !given.some((a) => a.includes(f)));
  for (const f of flags) setFlagsFromString(`--no-${f}`);
  try {
    return new WebAssembly.Module(bytes);
  } finally {
    for (const f of flags) setFlagsFromString(`--${f}`);
  }
}

function packageRoot(here: string): string {
  for (let dir = here; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) return join(here, "..", "..", "..");
  }
}
