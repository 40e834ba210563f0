import { backend, setBackend, type Backend } from "./backend.js";
import { cpuBackend } from "./cpu/index.js";
import { nativeProvider, type NativeBackendInfo, type NativeBackendOptions } from "./native-registry.js";
import { requestedThreads } from "./threads.js";

export type { NativeBackendOptions, NativeBackendInfo } from "./native-registry.js";

/** The backends `use` knows: `native` (oneDNN, Node only), `js` (the portable reference), `wasm` (planned). */
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

/** A WebAssembly backend is planned; it does not exist yet. */
export const wasm = {
  isAvailable(): boolean {
    return false;
  },
};

/**
 * Makes `name` the backend every op runs on and returns it. `native` throws when it is unavailable (with
 * the reason), `wasm` throws because it does not exist yet; the thread count set by `torch.setNumThreads`
 * carries over. `TORCH_TS_BACKEND=native|js` makes `torch-ts/node` call this when it is imported.
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
    throw new Error("torch.backends.use: the wasm backend does not exist yet; use 'native' (Node) or 'js'");
  } else {
    throw new Error(`torch.backends.use: expected 'native', 'js' or 'wasm', but got '${String(name)}'`);
  }
  const threads = requestedThreads();
  if (threads !== null) b.setNumThreads?.(threads);
  setBackend(b);
  return b;
}

/** The name of the backend ops run on now (`native`, `js`, or a custom backend's name). */
export function current(): string {
  const name = backend().name;
  return name === cpuBackend.name ? "js" : name;
}
