import type { View } from "../../tensor.js";

/**
 * An elementwise operation as the backend sees it: a JS expression over the inputs `a`, `b`, `c` and the
 * parameters `p0`, `p1` (e.g. `"a + p0 * b"`). Backends compile it once per descriptor; a backend that
 * cannot run an expression falls back or throws naming `name`.
 */
export interface ElementwiseDescriptor {
  readonly name: string;
  readonly arity: 1 | 2 | 3;
  readonly expr: string;
}

export interface CoreKernels {
  /**
   * `out[i] = expr(inputs[0][i], …)` over views already broadcast to `out.shape` (stride 0 on expanded dims).
   * Inputs are read as JS numbers; the store into `out` converts to its dtype.
   */
  map(desc: ElementwiseDescriptor, inputs: readonly View[], out: View, params?: readonly number[]): void;
  /** Strided copy with dtype conversion (`dst` and `src` have the same shape). */
  copy(src: View, dst: View): void;
  /** Fills a view with one value (already converted to `dst`'s dtype). */
  fill(dst: View, value: number): void;
}
