/**
 * Shapes and strides: the arithmetic every op and backend shares. Nothing here knows about tensors.
 */
export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= Math.max(shape[i], 1);
  }
  return strides;
}

export function isContiguous(shape: Shape, strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] === 1) continue;
    if (strides[i] !== expected) return shape[i] === 0 || numel(shape) === 0;
    expected *= shape[i];
  }
  return true;
}

export function shapeEquals(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

/** Wraps a possibly negative dim into [0, ndim); PyTorch's wording on failure. */
export function normalizeDim(dim: number, ndim: number, op = "dim"): number {
  const n = Math.max(ndim, 1); // a 0-dim tensor accepts dim 0 and -1, as in PyTorch
  if (!Number.isInteger(dim) || dim < -n || dim >= n) {
    throw new RangeError(
      `${op}: Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`,
    );
  }
  return dim < 0 ? dim + n : dim;
}

/** Normalizes a list of dims (or all dims when undefined), rejecting repeats. */
export function normalizeDims(dims: number | readonly number[] | undefined | null, ndim: number, op: string): number[] {
  if (dims === undefined || dims === null) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dims === "number" ? [dims] : dims;
  const out: number[] = [];
  for (const d of list) {
    const nd = ndim === 0 ? (normalizeDim(d, 0, op), 0) : normalizeDim(d, ndim, op);
    if (out.includes(nd)) throw new Error(`${op}: dim ${nd} appears multiple times in the list of dims`);
    out.push(nd);
  }
  return ndim === 0 ? [] : out;
}

/** numpy/PyTorch broadcasting of two or more shapes. */
export function broadcastShapes(...shapes: Shape[]): number[] {
  const ndim = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(ndim).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = ndim - s.length + i;
      const a = out[o];
      const b = s[i];
      if (a === b || b === 1) continue;
      if (a === 1) out[o] = b;
      else {
        throw new Error(
          `The size of tensor a (${a}) must match the size of tensor b (${b}) at non-singleton dimension ${o}`,
        );
      }
    }
  }
  return out;
}

/** Strides that view `shape`/`strides` as the broadcast `target` shape (0 strides on expanded dims). */
export function broadcastStrides(shape: Shape, strides: readonly number[], target: Shape): number[] {
  const out = new Array<number>(target.length).fill(0);
  const lead = target.length - shape.length;
  for (let i = 0; i < shape.length; i++) {
    out[lead + i] = shape[i] === 1 && target[lead + i] !== 1 ? 0 : strides[i];
  }
  return out;
}

/**
 * Output length of a convolution along one dim (the seeds' formula):
 * floor((L + 2·padding − dilation·(k − 1) − 1) / stride) + 1.
 */
export function convOutputSize(L: number, kernel: number, stride = 1, padding = 0, dilation = 1): number {
  return Math.floor((L + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** Output length of a transposed convolution: (L−1)·s − 2p + d·(k−1) + outputPadding + 1. */
export function convTransposeOutputSize(
  L: number,
  kernel: number,
  stride = 1,
  padding = 0,
  dilation = 1,
  outputPadding = 0,
): number {
  return (L - 1) * stride - 2 * padding + dilation * (kernel - 1) + outputPadding + 1;
}

/**
 * Pooling output length, `pooling_output_shape_pad_lr` in aten/src/ATen/native/Pool.h: with ceilMode the
 * last window must start inside the input or the left padding, so it is dropped otherwise.
 */
export function poolOutputSize(
  L: number,
  kernel: number,
  stride: number,
  padding = 0,
  dilation = 1,
  ceilMode = false,
): number {
  const num = L + 2 * padding - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0);
  let out = Math.floor(num / stride) + 1;
  if (ceilMode && (out - 1) * stride >= L + padding) out -= 1;
  return out;
}
