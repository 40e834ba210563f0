import { backend, setBackend, type Backend } from "./backend.js";
import { cpuBackend } from "./cpu/index.js";
import { nativeProvider, type NativeBackendInfo, type NativeBackendOptions } from "./native-registry.js";
import { requestedThreads } from "./threads.js";
import { createWasmBackend } from "./wasm/backend.js";
import type { WasmExports } from "./wasm/heap.js";
import { loadWasm, wasmError, wasmExports } from "./wasm/registry.js";

export type { NativeBackendOptions, NativeBackendInfo } from "./native-registry.js";

/** The backends `use` knows: `native` (oneDNN, Node only), `js` (the portable reference), `wasm` (WebAssembly SIMD). */
export type BackendName = "native" | "js" | "wasm";

const NOT_LOADED =
  "the native backend is registered by the Node entry point, torch-ts/node: load it first (browsers have no native backend)";

/** The native (oneDNN) backend, as `torch.backends.mkldnn`. */
export const native = {
  /** Whether the native backend can be used in this process (false until `torch-ts/node` is imported). */
  isAvailable(): boolean {
    const p = nativeProvider();
    return p !== null && p.error === null;
  },
  /** Why `isAvailable()` is false (addon not built, oneDNN missing, …), or null when it is true. */
  unavailableReason(): string | null {
    const p = nativeProvider();
    return p === null ? NOT_LOADED : p.error;
  },
  /** oneDNN's version, threads and the convolution plans built so far; null when unavailable. */
  info(): NativeBackendInfo | null {
    return nativeProvider()?.info() ?? null;
  },
};

/** The portable TypeScript backend: always available, the reference every other backend is tested against. */
export const js = {
  isAvailable(): boolean {
    return true;
  },
};

/** The WebAssembly SIMD backend: float32 GEMM and convolutions in wasm/kernels.c, the rest on js. */
export const wasm = {
  /** Whether the kernels loaded (false until `torch-ts/node` is imported or `load()` resolves). */
  isAvailable(): boolean {
    return wasmExports() !== null;
  },
  /** Why `isAvailable()` is false (not built, not loaded yet, no SIMD in this engine, …), or null. */
  unavailableReason(): string | null {
    return wasmError();
  },
  /**
   * Loads the kernels asynchronously, as browsers need: from `source` (URL, Response or bytes), by default
   * `kernels.wasm` beside the compiled core. Resolves to `isAvailable()`; never rejects.
   *
   * @example
   * await torch.backends.wasm.load();
   * torch.backends.use("wasm");
   */
  load(source?: string | URL | Response | BufferSource): Promise<boolean> {
    return loadWasm(source);
  },
};

/** The wasm backend, built once per loaded module (a later `load()` replaces the module). */
let wasmBackend: { ex: WasmExports; backend: Backend } | null = null;
let wasmNoticeShown = false;

/** The wasm backend over the loaded kernels, or null after a one-time notice saying why it is unavailable. */
function wasmOrNull(): Backend | null {
  const ex = wasmExports();
  if (ex === null) {
    if (!wasmNoticeShown) {
      wasmNoticeShown = true;
      console.warn(`torch-ts: the wasm backend is unavailable (${wasmError()}); using the js backend`);
    }
    return null;
  }
  if (wasmBackend === null || wasmBackend.ex !== ex) wasmBackend = { ex, backend: createWasmBackend(ex) };
  return wasmBackend.backend;
}

/**
 * Makes `name` the backend every op runs on and returns it. `native` throws when it is unavailable (with
 * the reason); `wasm`, when unavailable (not built, no SIMD), falls back to `js` with a one-time notice on
 * the console, since it is the portable choice a program may ask for everywhere. The thread count set by
 * `torch.setNumThreads` carries over. `TORCH_TS_BACKEND=native|js|wasm` makes `torch-ts/node` call this
 * when it is imported.
 *
 * @example
 * torch.backends.use("js"); // the reference backend
 */
export function use(name: BackendName, options: NativeBackendOptions = {}): Backend {
  let b: Backend;
  if (name === "js") {
    b = cpuBackend;
  } else if (name === "native") {
    const p = nativeProvider();
    if (p === null || p.error !== null) {
      throw new Error(`torch.backends.use: the native backend is not available: ${p === null ? NOT_LOADED : p.error}`);
    }
    b = p.create(options);
  } else if (name === "wasm") {
    b = wasmOrNull() ?? cpuBackend;
  } else {
    throw new Error(`torch.backends.use: expected 'native', 'js' or 'wasm', but got '${String(name)}'`);
  }
  const threads = requestedThreads();
  if (threads !== null) {
    try {
      b.setNumThreads?.(threads);
    } catch (e) {
      // A count another backend accepted (the wasm pool takes at most 64) must not make switching fail.
      console.warn(`torch.backends.use: ${name} keeps its own thread count (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  setBackend(b);
  return b;
}

/** The name of the backend ops run on now (`native`, `wasm`, `js`, or a custom backend's name). */
export function current(): string {
  const name = backend().name;
  return name === cpuBackend.name ? "js" : name;
}
