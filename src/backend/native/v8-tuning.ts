/**
 * One V8 setting the native backend makes when it is first activated: ArrayBuffer memory is freed on the
 * main thread during garbage collection instead of by V8's background sweeper.
 *
 * Why: the native kernels keep every core busy in OpenMP parallel regions, and each region ends at a
 * barrier. V8 frees the backing stores of dead tensors (megabytes per training step) on a background
 * thread; when it runs, it takes a core from one OpenMP worker and the whole region waits for it. On the
 * 2-core benchmark machine this made W6 (LeNet training) steps bimodal: median 3.7 ms, 90th percentile
 * 12 ms; freeing on the main thread gives 2.7 and 6.6 ms (W5: mean 20.6 -> 17.9 ms).
 *
 * Only this flag is changed, and only this one is safe to change at run time: V8 reads it each time it
 * schedules a sweep (turning off concurrent marking at run time, by contrast, aborts the process).
 * `TORCH_TS_NATIVE_V8_TUNING=0` leaves V8 alone.
 */
import { setFlagsFromString } from "node:v8";

let applied = false;

export function tuneV8ForNative(): void {
  if (applied || process.env.TORCH_TS_NATIVE_V8_TUNING === "0") return;
  applied = true;
  setFlagsFromString("--no-concurrent-array-buffer-sweeping");
}
