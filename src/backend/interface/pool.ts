import type { View } from "../../tensor.js";

/**
 * A pooling window over the three spatial dims (D, H, W). 1-d and 2-d pooling pass size-1 leading dims
 * with kernel 1, stride 1, padding 0, dilation 1, so one kernel serves every dimensionality.
 */
export interface PoolWindow {
  readonly kernel: readonly [number, number, number];
  readonly stride: readonly [number, number, number];
  readonly padding: readonly [number, number, number];
  readonly dilation: readonly [number, number, number];
}

/** How average pooling divides a window's sum (`aten/src/ATen/native/cpu/AvgPoolKernel.cpp`). */
export interface AvgPoolMode {
  readonly countIncludePad: boolean;
  /** Replaces the divisor when not null (never 0: the op rejects it). */
  readonly divisorOverride: number | null;
}

/**
 * Pooling kernels. Every "5-d" view is `[N, C, D, H, W]`, strided, with any batch/channel/spatial strides.
 * Outputs (`out`, `indices`, gradient inputs) are contiguous 5-d views that the op allocated. A *plane
 * view* is `[N, C, L]` with unit stride along `L`: one flattened `D·H·W` plane per (n, c), addressed by
 * the flat indices pooling produces (`(d·H + h)·W + w`, as PyTorch's `indices`).
 */
export interface PoolKernels {
  /**
   * Max pooling with PyTorch's CPU rules: taps outside the input are skipped (padding acts as −∞), the
   * first maximum wins on ties, a NaN replaces the running maximum (so the last NaN's index is kept), and
   * a window of −∞ reports its first in-range tap. A window with no tap inside the input (dilation can
   * step over it) gives −∞ and PyTorch's index `(d0·H + h0)·W + w0` of its advanced start, which then
   * lies outside the window. `indices` null asks for the values only (no gradient and no indices wanted:
   * what PyTorch's `max_pool2d` computes then), which must equal the values computed with indices.
   */
  maxPool(x: View, w: PoolWindow, out: View, indices: View | null): void;
  /** Average pooling; the divisor rule of `cpu_avg_pool` (windows clipped to the padded extent first). */
  avgPool(x: View, w: PoolWindow, mode: AvgPoolMode, out: View): void;
  /** Adds `grad / divisor` over each window's clipped extent into the zero-filled `gradInput`. */
  avgPoolBackward(grad: View, w: PoolWindow, mode: AvgPoolMode, gradInput: View): void;
  /** Adaptive average: window i spans `[floor(i·L/out), ceil((i+1)·L/out))` per dim. */
  adaptiveAvgPool(x: View, out: View): void;
  /** Adds each output gradient divided by its window size into the zero-filled `gradInput`. */
  adaptiveAvgPoolBackward(grad: View, gradInput: View): void;
  /** Adaptive max with the tie/NaN rules of `maxPool`. */
  adaptiveMaxPool(x: View, out: View, indices: View): void;
  /**
   * Fractional max pooling over H and W (`D` must be 1) with PyTorch's interval sequence; `samples` is
   * `[N, C, 2]` (`[…, 0]` drives W, `[…, 1]` drives H). `single` computes the sequence in float32, as
   * PyTorch does for float tensors.
   */
  fractionalMaxPool(x: View, samples: View, kernel: readonly [number, number], single: boolean, out: View, indices: View): void;
  /**
   * Stochastic pooling's choice (Zeiler & Fergus 2013): per window, the tap whose cumulative share of
   * `max(x, 0)` first exceeds `u`, `u` in [0, 1) being `uniform` at the output position. A window with no
   * positive activation takes the max-pooling index. Writes flat plane indices only.
   */
  stochasticPoolIndices(x: View, w: PoolWindow, uniform: View, indices: View): void;
  /**
   * `plane[n, c, indices[n, c, …]] (+)= src[n, c, …]` (write when `accumulate` is false: a later
   * duplicate wins). Returns the first index outside `[0, L)`, or null. Writing stops there; accumulating
   * skips such an index and goes on (it comes from a window that lies entirely in the padding, which has
   * no input tap to receive a gradient; PyTorch writes it into the neighbouring plane's memory).
   */
  poolScatter(src: View, indices: View, plane: View, accumulate: boolean): number | null;
  /**
   * Max pooling's backward (`max_pool2d_with_indices_backward`): `plane` set to zero, then
   * `poolScatter(src, indices, plane, true)`. The plane (a fresh gradient) need not be initialized.
   */
  poolScatterAdd(src: View, indices: View, plane: View): void;
  /** `out[n, c, …] = plane[n, c, indices[n, c, …]]`, 0 where an index lies outside the plane. */
  poolGather(plane: View, indices: View, out: View): void;
}
