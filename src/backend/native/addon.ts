/**
 * The functions of the compiled addon (native/src/addon.cc). Every one is synchronous, works on the typed
 * arrays it is given in place (no copies), checks each view against its array's length, and throws an
 * Error naming the op on any oneDNN failure.
 */
export interface NativeAddon {
  /**
   * Convolution forward: `(x, xOff, w, wOff, bias | null, biasOff, y, yOff, dims)` on contiguous float32
   * storage; `dims` as written by `convDims` (conv.ts).
   */
  convForward(
    x: Float32Array,
    xOff: number,
    w: Float32Array,
    wOff: number,
    bias: Float32Array | null,
    biasOff: number,
    y: Float32Array,
    yOff: number,
    dims: Int32Array,
  ): void;
  /** The input gradient / transposed convolution: `(gy, gyOff, w, wOff, bias | null, biasOff, gx, gxOff, dims)`. */
  convBackwardData(
    gy: Float32Array,
    gyOff: number,
    w: Float32Array,
    wOff: number,
    bias: Float32Array | null,
    biasOff: number,
    gx: Float32Array,
    gxOff: number,
    dims: Int32Array,
  ): void;
  /** The weight gradient: `(x, xOff, gy, gyOff, null, 0, gw, gwOff, dims)`. */
  convBackwardWeights(
    x: Float32Array,
    xOff: number,
    gy: Float32Array,
    gyOff: number,
    bias: null,
    biasOff: number,
    gw: Float32Array,
    gwOff: number,
    dims: Int32Array,
  ): void;
  /** The cached convolution plans, most recently used first (for inspection and the benchmark notes). */
  convPlans(): NativeConvPlan[];
  /** Drops the cached convolution plans. */
  clearCaches(): void;
  /** Batched float32 GEMM over strided views (oneDNN's matmul primitive); `params` as written by linalg.ts. */
  gemm(a: Float32Array, b: Float32Array, out: Float32Array, params: Float64Array): void;
  maxPool(x: Float32Array | Float64Array, out: Float32Array | Float64Array, indices: Float64Array, params: Float64Array): void;
  avgPool(x: Float32Array | Float64Array, out: Float32Array | Float64Array, params: Float64Array): void;
  avgPoolBackward(grad: Float32Array | Float64Array, gradInput: Float32Array | Float64Array, params: Float64Array): void;
  /** Returns the first out-of-range index, or NaN. */
  poolScatterAdd(
    src: Float32Array | Float64Array,
    indices: Float64Array,
    plane: Float32Array | Float64Array,
    params: Float64Array,
  ): number;
  /** Elementwise `out = op(a[, b])` (codes in eltwise.ts) over strided views of one float dtype; `geometry` from `walk`. */
  map(op: number, out: Float32Array | Float64Array, a: Float32Array | Float64Array, b: Float32Array | Float64Array | null, geometry: Float64Array): void;
  /** Sum (or mean) over the reduced dims; `kept` and `reduced` walks from eltwise.ts. */
  reduceSum(x: Float32Array | Float64Array, out: Float32Array | Float64Array, mean: boolean, kept: Float64Array, reduced: Float64Array): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  info(): NativeInfo;
  /** glibc's malloc keeps freed blocks up to 32 MiB in its heap (process-tuning.ts); false elsewhere. */
  keepFreedMemory(): boolean;
}

export interface NativeInfo {
  onednn: string;
  threads: number;
}

export interface NativeConvPlan {
  op: string;
  /** The 23 problem integers of conv.ts `fillDims` (`[nsp, N, Cin, Cout, groups, …]`). */
  dims: number[];
  /** 1 for problems small enough to run on the calling thread only. */
  threads: number;
  /** oneDNN's implementation name (e.g. `jit:avx512_core`). */
  impl: string;
  /** How many of the two inputs and the output are reordered between NCHW and the primitive's layout. */
  reorders: number;
}
