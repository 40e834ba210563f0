import type { View } from "../../tensor.js";

/** Linalg kernels of the backend interface. */
export interface LinalgKernels {
  /**
   * Batched matrix product `out[t] = alpha · a[t] @ b[t] + beta · out[t]` with a: [B, M, K], b: [B, K, N],
   * out: [B, M, N], all of one dtype, as strided views (a batch stride of 0 reuses one matrix; transposed
   * operands are just other strides). `beta = 0` overwrites `out` without reading it and `alpha = 0` leaves
   * a and b unread, as BLAS does. Accumulates in float64; stores convert to out's dtype.
   */
  gemm(a: View, b: View, out: View, alpha: number, beta: number): void;
}
