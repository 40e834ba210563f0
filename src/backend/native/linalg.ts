import type { View } from "../../tensor.js";
import type { LinalgKernels } from "../interface/linalg.js";
import { cpuBackend } from "../cpu/index.js";
import type { NativeAddon } from "./addon.js";
import type { Attempt } from "./attempt.js";
import { hasNegativeStride } from "./dense.js";

/** `[batch, M, N, K, a offset/strides ×4, b ×4, out ×4, alpha, beta]` (native/src/gemm.cc); reused. */
const params = new Float64Array(18);

function put(at: number, v: View): void {
  params[at] = v.offset;
  params[at + 1] = v.strides[0];
  params[at + 2] = v.strides[1];
  params[at + 3] = v.strides[2];
}

/**
 * float32 products run on oneDNN's matmul primitive (row-major or transposed operands in place, others
 * packed first; native/src/gemm.cc says why not sgemm); float64 and integer products stay on the js
 * backend, which accumulates in double.
 */
export function nativeLinalgKernels(addon: NativeAddon, attempt: Attempt): LinalgKernels {
  return {
    gemm(a, b, out, alpha, beta) {
      if (
        out.dtype !== "float32" || a.dtype !== "float32" || b.dtype !== "float32" ||
        hasNegativeStride(a) || hasNegativeStride(b) || hasNegativeStride(out)
      ) {
        return cpuBackend.gemm(a, b, out, alpha, beta);
      }
      attempt(
        "gemm",
        () => `a [${a.shape.join(", ")}], b [${b.shape.join(", ")}], alpha ${alpha}, beta ${beta}`,
        () => {
          params[0] = out.shape[0];
          params[1] = out.shape[1];
          params[2] = out.shape[2];
          params[3] = a.shape[2];
          put(4, a);
          put(8, b);
          put(12, out);
          params[16] = alpha;
          params[17] = beta;
          addon.gemm(a.buf as Float32Array, b.buf as Float32Array, out.buf as Float32Array, params);
        },
        () => cpuBackend.gemm(a, b, out, alpha, beta),
      );
    },
  };
}
