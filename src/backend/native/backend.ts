import type { Backend } from "../backend.js";
import { cpuBackend } from "../cpu/index.js";
import type { NativeBackendOptions } from "../native-registry.js";
import type { NativeAddon } from "./addon.js";
import { makeAttempt } from "./attempt.js";
import { nativeConvKernels } from "./conv.js";
import { nativeLinalgKernels } from "./linalg.js";
import { nativePoolKernels } from "./pool.js";
import { nativeCoreKernels, nativeReduceKernels } from "./eltwise.js";

/**
 * The native backend: convolutions (oneDNN primitives, cached per problem), float32 GEMM (oneDNN's
 * matmul primitive), max/average pooling (C++ loops with the reference's exact rules), the common elementwise maps and
 * sum/mean reductions, in parallel on OpenMP threads; every other kernel, and every case listed in the
 * kernels' files (float64 convolution, integer GEMM, …), runs on the js backend's reference kernels.
 */
export function createNativeBackend(addon: NativeAddon, options: NativeBackendOptions = {}): Backend {
  const attempt = makeAttempt(options.fallback ?? false);
  const core = nativeCoreKernels(addon, attempt);
  return {
    ...cpuBackend,
    name: "native",
    ...core,
    ...nativeConvKernels(addon, attempt, core.copy),
    ...nativeLinalgKernels(addon, attempt),
    ...nativePoolKernels(addon, attempt),
    ...nativeReduceKernels(addon, attempt),
    setNumThreads(n: number): void {
      addon.setNumThreads(n);
    },
    getNumThreads(): number {
      return addon.getNumThreads();
    },
  };
}
