/**
 * Where the core keeps the WebAssembly kernels once something supplied their bytes: `torch-ts/node` reads
 * them from disk and instantiates synchronously; a browser calls `await torch.backends.wasm.load()`, which
 * fetches the kernels beside this module (or takes a URL, a Response or the bytes). Nothing here touches
 * Node APIs.
 *
 * Two builds of the same kernels exist: `kernels-mt.wasm` imports a shared memory (worker threads run on
 * it; Node, and cross-origin isolated pages) and `kernels.wasm` owns an unshared one (every other page).
 * A module is instantiated according to what it imports, so either file may be passed.
 */
import type { WasmExports } from "./heap.js";

interface Loaded {
  exports: WasmExports | null;
  /** The compiled module, kept for the workers (each instantiates it over the same shared memory). */
  module?: WebAssembly.Module;
  error: string;
}

let state: Loaded = { exports: null, error: "the wasm kernels are not loaded: import torch-ts/node, or await torch.backends.wasm.load() in a browser" };

/** Why an engine cannot run the kernels, or null: WebAssembly itself missing, or no 128-bit SIMD. */
function engineProblem(): string | null {
  if (typeof WebAssembly !== "object" || WebAssembly === null) return "this JavaScript engine has no WebAssembly";
  // The smallest module that uses SIMD: (func (result v128) i32.const 0 i8x16.splat).
  const probe = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 15, 11]);
  if (!WebAssembly.validate(probe)) return "this engine's WebAssembly has no 128-bit SIMD";
  return null;
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Initial size of a shared memory, as the threaded build declares it (wasm/build.mjs: 4 MiB). */
const SHARED_INITIAL_PAGES = 64;

/** Whether a module imports its memory (the threaded build) rather than defining it. */
function importsMemory(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(module).some((i) => i.kind === "memory");
}

/**
 * The imports a module needs: a shared memory for the threaded build, as large as wasm32 allows, or as an
 * engine with a tighter limit (some browsers, 32-bit engines) accepts. Nothing for the other build.
 */
function importsFor(module: WebAssembly.Module): { imports: WebAssembly.Imports; memory: WebAssembly.Memory | null } {
  if (!importsMemory(module)) return { imports: {}, memory: null };
  let memory: WebAssembly.Memory | null = null;
  let error: unknown = null;
  for (const maximum of [65536, 32768, 16384]) {
    try {
      memory = new WebAssembly.Memory({ initial: SHARED_INITIAL_PAGES, maximum, shared: true });
      break;
    } catch (e) {
      error = e;
    }
  }
  if (memory === null) throw new Error(`this engine cannot create the shared memory the threaded kernels need (${describe(error)})`);
  return { imports: { env: { memory } }, memory };
}

function check(instance: WebAssembly.Instance, memory: WebAssembly.Memory | null): WasmExports {
  const ex = (memory === null ? instance.exports : { ...instance.exports, memory }) as unknown as WasmExports;
  for (const name of ["memory", "__heap_base", "sgemm", "conv_forward", "conv_backward_weight", "conv_backward_input", "max_pool", "max_pool_values", "avg_pool", "avg_pool_backward", "map_relu", "map_sigmoid", "map_sigmoid_backward", "add_into"] as const) {
    if (!(name in ex)) throw new Error(`kernels.wasm lacks the export '${name}' (built from another version of wasm/kernels.c?)`);
  }
  return ex;
}

/** Whether this engine can share memory between threads (Node; cross-origin isolated pages). */
export function canShareMemory(): boolean {
  const g = globalThis as unknown as { crossOriginIsolated?: boolean; process?: { versions?: { node?: string } } };
  if (typeof SharedArrayBuffer !== "function") return false;
  return g.process?.versions?.node !== undefined || g.crossOriginIsolated === true;
}

/** Compiles the kernels' bytes synchronously. */
export type CompileWasm = (bytes: BufferSource) => WebAssembly.Module;

/** Bytes supplied but not compiled yet: compiling waits until something asks for the kernels. */
let pending: { bytes: BufferSource; where: string; compile: CompileWasm } | null = null;

/**
 * @internal Supplies the kernels' bytes (Node; small modules elsewhere), to be compiled and instantiated
 * synchronously the first time the kernels are asked for, with `compile` (Node compiles every function
 * optimized up front), so that a program that never uses the wasm backend never compiles them.
 */
export function provideWasmBytes(bytes: BufferSource, where: string, compile: CompileWasm = (b) => new WebAssembly.Module(b)): void {
  const problem = engineProblem();
  pending = null;
  if (problem !== null) {
    state = { exports: null, error: problem };
    return;
  }
  pending = { bytes, where, compile };
}

function settle(): void {
  if (pending === null) return;
  const { bytes, where, compile } = pending;
  pending = null;
  try {
    const module = compile(bytes);
    const { imports, memory } = importsFor(module);
    state = { exports: check(new WebAssembly.Instance(module, imports), memory), module, error: "" };
  } catch (e) {
    state = { exports: null, error: `${where} did not load: ${describe(e)}` };
  }
}

/** @internal Records why the kernels could not be found (the Node entry, when kernels.wasm is missing). */
export function provideWasmError(error: string): void {
  pending = null;
  state = { exports: null, error };
}

/** @internal The instantiated kernels, or null. */
export function wasmExports(): WasmExports | null {
  settle();
  return state.exports;
}

/** @internal The compiled module of the loaded kernels, or null. */
export function wasmModule(): WebAssembly.Module | null {
  settle();
  return state.exports === null ? null : (state.module ?? null);
}

/** @internal Why the kernels are unavailable, or null when they loaded. */
export function wasmError(): string | null {
  settle();
  return state.exports === null ? state.error : null;
}

/**
 * Loads the kernels asynchronously, the way browsers must (main threads may not compile large modules
 * synchronously): from `source` (a URL, a fetch Response or the module's bytes), by default the build
 * beside this module: `kernels-mt.wasm` where memory can be shared (then `torch.setNumThreads` splits work
 * across Web Workers), else `kernels.wasm`. Resolves true when they loaded; false, with the reason in
 * `unavailableReason()`, when they did not. Never rejects.
 */
export async function loadWasm(source?: string | URL | Response | BufferSource): Promise<boolean> {
  const problem = engineProblem();
  pending = null;
  if (problem !== null) {
    state = { exports: null, error: problem };
    return false;
  }
  const file = canShareMemory() ? "kernels-mt.wasm" : "kernels.wasm";
  const where = source === undefined || typeof source === "string" || source instanceof URL ? String(source ?? file) : "kernels.wasm";
  try {
    let bytes: BufferSource;
    if (source === undefined || typeof source === "string" || source instanceof URL) {
      const response = await fetch(source ?? new URL(`./${file}`, import.meta.url));
      if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
      bytes = await response.arrayBuffer();
    } else if (typeof Response !== "undefined" && source instanceof Response) {
      bytes = await source.arrayBuffer();
    } else {
      bytes = source as BufferSource;
    }
    const module = await WebAssembly.compile(bytes);
    const { imports, memory } = importsFor(module);
    state = { exports: check(await WebAssembly.instantiate(module, imports), memory), module, error: "" };
    return true;
  } catch (e) {
    state = { exports: null, error: `${where} did not load: ${describe(e)}` };
    return false;
  }
}
