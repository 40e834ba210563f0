import { backend } from "./backend.js";

/** The count the user asked for, kept so that a backend activated later (native) starts with it. */
let requested: number | null = null;

/**
 * Sets the number of threads the backend's parallel kernels use, as `torch.set_num_threads`. The native
 * backend passes it to oneDNN's OpenMP runtime; the JavaScript backend runs on the calling thread only and
 * just remembers the value (for `getNumThreads` and for a native backend activated later).
 *
 * @example
 * torch.setNumThreads(2);
 * torch.getNumThreads(); // 2
 */
export function setNumThreads(n: number): void {
  if (typeof n !== "number" || !Number.isInteger(n)) {
    throw new TypeError(`set_num_threads expects an int, but got ${typeof n === "number" ? "float" : typeof n}`);
  }
  if (n <= 0) throw new Error("set_num_threads expects a positive integer");
  backend().setNumThreads?.(n);
  requested = n;
}

/**
 * The number of threads parallel kernels use, as `torch.get_num_threads`: the native backend's OpenMP
 * count (by default one per core, or `OMP_NUM_THREADS`); on the JavaScript backend, the last value set
 * (default 1, the calling thread).
 */
export function getNumThreads(): number {
  return backend().getNumThreads?.() ?? requested ?? 1;
}

/** @internal The count passed to `setNumThreads`, or null if it was never called. */
export function requestedThreads(): number | null {
  return requested;
}
