/**
 * Importing `torch-ts/node` runs this: it registers the native backend with the core, loads the
 * WebAssembly kernels from disk, and picks the backend from `TORCH_TS_BACKEND` (`native`, `js`, `wasm`;
 * unset: native when it loads, else js with one line on stderr saying why; `wasm` when the kernels are
 * missing: js with a one-time notice). `TORCH_TS_NATIVE_FALLBACK=1` lets configurations oneDNN rejects run on
 * the js backend.
 */
import { isMainThread } from "node:worker_threads";
import { registerNativeProvider, type NativeProvider } from "../native-registry.js";
import { use, type BackendName } from "../backends.js";
import { createNativeBackend } from "./backend.js";
import { loadNativeAddon } from "./load.js";
import { tuneProcessForNative } from "./process-tuning.js";
import { loadWasmFromDisk } from "../wasm/node.js";

const loaded = loadNativeAddon();
loadWasmFromDisk();

const provider: NativeProvider = {
  error: loaded.error,
  create(options) {
    if (loaded.addon === null) throw new Error(`the native backend is not available: ${loaded.error}`);
    tuneProcessForNative(loaded.addon);
    return createNativeBackend(loaded.addon, options);
  },
  info() {
    if (loaded.addon === null) return null;
    return { ...loaded.addon.info(), convPlans: loaded.addon.convPlans() };
  },
};
registerNativeProvider(provider);

const choice = process.env.TORCH_TS_BACKEND ?? "";
const fallback = process.env.TORCH_TS_NATIVE_FALLBACK === "1";
if (choice === "") {
  if (loaded.addon !== null) use("native", { fallback });
  else if (isMainThread) console.error(`torch-ts: using the js backend (native backend unavailable: ${loaded.error})`);
} else if (choice === "cpu") {
  use("js");
} else {
  if (choice !== "native" && choice !== "js" && choice !== "wasm") {
    throw new Error(`torch-ts: TORCH_TS_BACKEND must be 'native', 'js' or 'wasm', but got '${choice}'`);
  }
  use(choice as BackendName, { fallback });
}
