import type { Backend } from "./backend.js";

/** Options of the native backend (`torch.backends.use("native", options)`). */
export interface NativeBackendOptions {
  /**
   * Run a configuration that oneDNN rejects on the JavaScript backend instead of throwing (default false:
   * the Error names the op and the configuration).
   */
  fallback?: boolean;
}

/**
 * How the Node entry plugs the native backend into the browser-safe core: the core never loads the addon
 * itself, it only asks this provider once `torch-ts/node` has registered one.
 */
export interface NativeProvider {
  /** Null when the addon loaded; otherwise why it cannot be used. */
  readonly error: string | null;
  create(options: NativeBackendOptions): Backend;
  /** oneDNN's version, the thread count and the cached convolution plans; null if unavailable. */
  info(): NativeBackendInfo | null;
}

/** What `torch.backends.native.info()` reports. */
export interface NativeBackendInfo {
  onednn: string;
  threads: number;
  /** The cached convolution primitives with oneDNN's implementation names, most recently used first. */
  convPlans: ReadonlyArray<{ op: string; dims: number[]; threads: number; impl: string; reorders: number }>;
}

let provider: NativeProvider | null = null;

/** @internal Called by the Node entry. */
export function registerNativeProvider(p: NativeProvider): void {
  provider = p;
}

/** @internal */
export function nativeProvider(): NativeProvider | null {
  return provider;
}
