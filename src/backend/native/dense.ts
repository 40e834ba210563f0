import type { View } from "../../tensor.js";

/** Whether a view is row-major contiguous (dims of extent 1 may have any stride). */
export function isDense(v: View): boolean {
  let expected = 1;
  for (let i = v.shape.length - 1; i >= 0; i--) {
    if (v.shape[i] !== 1 && v.strides[i] !== expected) return false;
    expected *= v.shape[i];
  }
  return true;
}

/** A strided copy between views of one shape (the backend's `copy` kernel). */
export type Copy = (src: View, dst: View) => void;

/**
 * A float32 view's storage and offset as oneDNN reads it (row-major): the view itself when contiguous
 * (zero-copy), else a contiguous copy made by `copy` (a permuted, sliced or expanded view).
 */
export function dense32(v: View, copy: Copy): { buf: Float32Array; off: number } {
  if (isDense(v)) return { buf: v.buf as Float32Array, off: v.offset };
  let n = 1;
  for (const s of v.shape) n *= s;
  const buf = new Float32Array(n);
  const strides = new Array<number>(v.shape.length);
  for (let i = v.shape.length - 1, s = 1; i >= 0; i--) {
    strides[i] = s;
    s *= v.shape[i];
  }
  copy(v, { buf, dtype: "float32", shape: v.shape, strides, offset: 0 });
  return { buf, off: 0 };
}

/** Whether any stride is negative (the addon's bounds checks assume none; such views stay on the js backend). */
export function hasNegativeStride(v: View): boolean {
  for (const s of v.strides) if (s < 0) return true;
  return false;
}
