/**
 * Where the core keeps the WebAssembly kernels once something supplied their bytes: `torch-ts/node` reads
 * them from disk and instantiates synchronously; a browser calls `await torch.backends.wasm.load()`, which
 * fetches `kernels.wasm` beside this module (or takes a URL, a Response or the bytes). Nothing here touches
 * Node APIs.
 */
import type { WasmExports } from "./heap.js";

interface Loaded {
  exports: WasmExports | null;
  /** The compiled module, kept for the GEMM's workers (each instantiates its own copy). */
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

function check(instance: WebAssembly.Instance): WasmExports {
  const ex = instance.exports as unknown as WasmExports;
  for (const name of ["memory", "__heap_base", "sgemm", "conv_forward", "conv_backward_weight", "conv_backward_input", "max_pool", "avg_pool", "avg_pool_backward", "map_relu", "map_sigmoid", "map_sigmoid_backward"] as const) {
    if (!(name in ex)) throw new Error(`kernels.wasm lacks the export '${name}' (built from another version of wasm/kernels.c?)`);
  }
  return ex;
}

/** @internal Instantiates the kernels from their bytes, synchronously (Node; small modules elsewhere). */
export function provideWasmBytes(bytes: BufferSource, where: string): void {
  const problem = engineProblem();
  if (problem !== null) {
    state = { exports: null, error: problem };
    return;
  }
  try {
    const module = new WebAssembly.Module(bytes);
    state = { exports: check(new WebAssembly.Instance(module, {})), module, error: "" };
  } catch (e) {
    state = { exports: null, error: `${where} did not load: ${describe(e)}` };
  }
}

/** @internal Records why the kernels could not be found (the Node entry, when kernels.wasm is missing). */
export function provideWasmError(error: string): void {
  state = { exports: null, error };
}

/** @internal The instantiated kernels, or null. */
export function wasmExports(): WasmExports | null {
  return state.exports;
}

/** @internal The compiled module of the loaded kernels, or null. */
export function wasmModule(): WebAssembly.Module | null {
  return state.exports === null ? null : (state.module ?? null);
}

/** @internal Why the kernels are unavailable, or null when they loaded. */
export function wasmError(): string | null {
  return state.exports === null ? state.error : null;
}

/**
 * Loads the kernels asynchronously, the way browsers must (main threads may not compile large modules
 * synchronously): from `source` (a URL, a fetch Response or the module's bytes), by default the
 * `kernels.wasm` that the build puts beside this module. Resolves true when they loaded; false, with the
 * reason in `unavailableReason()`, when they did not. Never rejects.
 */
export async function loadWasm(source?: string | URL | Response | BufferSource): Promise<boolean> {
  const problem = engineProblem();
  if (problem !== null) {
    state = { exports: null, error: problem };
    return false;
  }
  const where = source === undefined || typeof source === "string" || source instanceof URL ? String(source ?? "kernels.wasm") : "kernels.wasm";
  try {
    let bytes: BufferSource;
    if (source === undefined || typeof source === "string" || source instanceof URL) {
      const response = await fetch(source ?? new URL("./kernels.wasm", import.meta.url));
      if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
      bytes = await response.arrayBuffer();
    } else if (typeof Response !== "undefined" && source instanceof Response) {
      bytes = await source.arrayBuffer();
    } else {
      bytes = source as BufferSource;
    }
    const module = await WebAssembly.compile(bytes);
    state = { exports: check(await WebAssembly.instantiate(module, {})), module, error: "" };
    return true;
  } catch (e) {
    state = { exports: null, error: `${where} did not load: ${describe(e)}` };
    return false;
  }
}
