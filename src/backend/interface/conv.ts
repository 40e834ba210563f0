import type { View } from "../../tensor.js";

/**
 * Geometry of an N-d convolution (1 to 3 spatial dims). The spatial extents of input, kernel and output are
 * read from the views, so asymmetric padding (`padding='same'` with an even kernel) and a transposed
 * convolution's output padding need no extra fields: positions outside the input read as zero.
 */
export interface ConvGeometry {
  readonly stride: readonly number[];
  /** Zero padding before each spatial dim. */
  readonly padding: readonly number[];
  readonly dilation: readonly number[];
  readonly groups: number;
}

/**
 * The three convolution kernels. Shapes (G = groups, S/K/O = spatial extents of input/kernel/output):
 * `x [N, Cin, *S]`, `w [Cout, Cin/G, *K]`, `y [N, Cout, *O]`. Views may be strided; the outputs (`y`, `gx`,
 * `gw`) are contiguous tensors the op allocated, and are overwritten. Only float32 and float64.
 */
export interface ConvKernels {
  /**
   * `y[n, co, o] = bias[co] + Σ_{ci, k} w[co, ci, k] · x[n, g·Cin/G + ci, o·stride − padding + k·dilation]`
   * where g is co's group; `bias [Cout]` may be null.
   */
  convForward(x: View, w: View, bias: View | null, y: View, geom: ConvGeometry): void;
  /**
   * The adjoint of `convForward` in x (the transposed convolution): `gx = bias + convᵀ(gy, w)` with
   * `gy [N, Cout, *O]`, `gx [N, Cin, *S]`; `bias [Cin]` may be null.
   */
  convBackwardInput(gy: View, w: View, bias: View | null, gx: View, geom: ConvGeometry): void;
  /** The adjoint of `convForward` in w: `gw[co, ci, k] = Σ_{n, o} gy[n, co, o] · x[n, g·Cin/G + ci, …]`. */
  convBackwardWeight(x: View, gy: View, gw: View, geom: ConvGeometry): void;
}
