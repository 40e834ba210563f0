/**
 * Two process-wide settings the native backend makes when it is first activated, both about memory that
 * dead tensors free. `TORCH_TS_NATIVE_TUNING=0` leaves the process alone.
 *
 * 1. V8 frees ArrayBuffer memory on the main thread during garbage collection instead of on its background
 *    sweeper. The native kernels keep every core busy in OpenMP parallel regions, each ending at a barrier;
 *    when the sweeper runs it takes a core from one worker and the whole region waits. On the 2-core
 *    benchmark machine W6 (LeNet training) steps were bimodal: median 3.7 ms, 90th percentile 12 ms;
 *    freeing on the main thread gives 2.7 and 6.6 ms. Only this V8 flag is safe to change at run time:
 *    V8 reads it each time it schedules a sweep (turning concurrent marking off at run time aborts).
 *
 * 2. glibc's malloc keeps freed blocks of up to 32 MiB in its heap, and up to 256 MiB free at the heap's
 *    top, instead of returning them to the kernel. Tensors die in batches at each GC; with malloc's
 *    defaults the next batch came from fresh mmap'd pages, and the kernel's page faults on first write
 *    cost more than the kernels: W1's convolution output (1.4 MB) took 0.33 ms to write against PyTorch's
 *    0.07 ms for the same oneDNN reorder, and W1 forward went from 0.56 to 0.27 ms with this setting.
 *    PyTorch gets the same effect from malloc's dynamic threshold, because it frees each tensor at once.
 */
import { setFlagsFromString } from "node:v8";
import type { NativeAddon } from "./addon.js";

let applied = false;

export function tuneProcessForNative(addon: NativeAddon): void {
  if (applied || process.env.TORCH_TS_NATIVE_TUNING === "0") return;
  applied = true;
  setFlagsFromString("--no-concurrent-array-buffer-sweeping");
  addon.keepFreedMemory();
}
