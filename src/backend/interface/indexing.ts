import type { View } from "../../tensor.js";

/** How `pad` fills the border: a constant, the mirror image without the edge, the edge value, or wrap-around. */
export type PadMode = "constant" | "reflect" | "replicate" | "circular";

/**
 * Indexing and joining kernels. Index views hold integer values (int64 in a Float64Array, or int32) that the op
 * has already checked to be in range; negative values count from the end of their dim. Ops guarantee that
 * data operands share one dtype unless a kernel says otherwise.
 */
export interface IndexingKernels {
  /**
   * `out[i][j][k] = x[index[i][j][k]][j][k]` for dim 0 (and likewise for other dims), over `index.shape`,
   * which equals `out.shape` and is no larger than `x.shape` outside `dim`.
   */
  gather(x: View, dim: number, index: View, out: View): void;
  /**
   * In place on `self`: `self[index[i][j][k]][j][k] = src[i][j][k]` for dim 0 (or `+=` with `accumulate`),
   * over `index.shape`; `src` is at least as large as `index` in every dim. Duplicate indices without
   * `accumulate`: the last write in row-major order wins.
   */
  scatter(self: View, dim: number, index: View, src: View, accumulate: boolean): void;
  /** `out` = the slices of `x` along `dim` picked by the 1-d (or 0-d) `index`, in index order. */
  indexSelect(x: View, dim: number, index: View, out: View): void;
  /** In place on `self`: `self.select(dim, index[i]) += alpha · src.select(dim, i)` for every i, in order. */
  indexAdd(self: View, dim: number, index: View, src: View, alpha: number): void;
  /**
   * Advanced indexing, PyTorch's `index`: the first `indices.length` dims of `x` are indexed by `indices`,
   * all of one shape B (broadcast views); `out.shape` is `[...B, ...x.shape.slice(indices.length)]`.
   */
  index(x: View, indices: readonly View[], out: View): void;
  /**
   * In place on `self`, the inverse of `index`: writes (or with `accumulate`, adds) `values`, of shape
   * `[...B, ...self.shape.slice(indices.length)]`, at the indexed positions.
   */
  indexPut(self: View, indices: readonly View[], values: View, accumulate: boolean): void;
  /** Concatenates `inputs` (each converted to `out`'s dtype) along `dim` into `out`. */
  cat(inputs: readonly View[], dim: number, out: View): void;
  /**
   * Pads (or with negative amounts, crops) every dim: `pads[2d]` before and `pads[2d + 1]` after dim d;
   * `out.shape[d] = x.shape[d] + pads[2d] + pads[2d + 1]`. `value` fills the border in constant mode.
   */
  pad(x: View, pads: readonly number[], mode: PadMode, out: View, value: number): void;
  /** The adjoint of `pad`: `out` (shape of the unpadded input) = the sum of `grad` over each source element. */
  padBackward(grad: View, pads: readonly number[], mode: PadMode, out: View): void;
  /** Number of non-zero elements (NaN counts as non-zero). */
  countNonzero(x: View): number;
  /** Writes the coordinates of the non-zero elements, row-major, into `out` of shape `[count, x.ndim]`. */
  nonzero(x: View, out: View): void;
  /** `out` (1-d, `countNonzero(mask)` long) = the elements of `x` where `mask` (same shape) is non-zero, row-major. */
  maskedSelect(x: View, mask: View, out: View): void;
  /** In place on `self`: the positions where `mask` (same shape) is non-zero get the 1-d `src`'s values in order. */
  maskedScatter(self: View, mask: View, src: View): void;
}
