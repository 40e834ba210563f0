/**
 * Tensor elements ⇄ the little-endian bytes checkpoints hold. int64 is stored by torch-ts in a Float64Array
 * (see dtype.ts), so it is converted to and from real two's-complement int64 here; every other dtype is a
 * byte copy.
 */
import { type DType, type TypedArray, allocate, elementSize } from "../dtype.js";
import type { Tensor } from "../tensor.js";

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TWO_32 = 4294967296;
/** int64 values with |hi word| beyond this are ≥ 2^53 in magnitude: not exact in a double. */
const HI_LIMIT = 0x200000;

/** Reverses the byte order of each `width`-byte element of `bytes`, in place. */
function swapEach(bytes: Uint8Array, width: number): void {
  if (width === 1) return;
  for (let i = 0; i + width <= bytes.length; i += width) {
    for (let a = i, b = i + width - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

/**
 * A fresh storage array of `dtype` holding the elements encoded in `bytes` (`bytes.length` must be a
 * multiple of the element size). bool bytes other than 0 are read as 1. Throws, with `where` in the
 * message, for an int64 value that a double cannot hold exactly (|x| ≥ 2^53).
 */
export function decodeElements(bytes: Uint8Array, dtype: DType, littleEndian: boolean, where: string): TypedArray {
  const size = elementSize(dtype);
  const n = bytes.length / size;
  if (dtype === "int64") {
    const out = allocate("int64", n) as Float64Array;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const loAt = littleEndian ? 0 : 4;
    const hiAt = littleEndian ? 4 : 0;
    for (let i = 0; i < n; i++) {
      const hi = dv.getInt32(i * 8 + hiAt, littleEndian);
      const lo = dv.getUint32(i * 8 + loAt, littleEndian);
      if (hi >= HI_LIMIT || hi < -HI_LIMIT || (hi === -HI_LIMIT && lo === 0)) {
        const exact = BigInt(hi) * BigInt(TWO_32) + BigInt(lo);
        throw new RangeError(
          `${where}: int64 element ${i} is ${exact}, which torch-ts cannot represent (int64 is stored as float64, ` +
            "exact only for |x| < 2^53)",
        );
      }
      out[i] = hi * TWO_32 + lo;
    }
    return out;
  }
  // A copy (new Uint8Array(typedArray) copies; Buffer#slice would not), starting at byte 0 of its buffer.
  const copy = new Uint8Array(bytes);
  if (littleEndian !== HOST_LITTLE_ENDIAN) swapEach(copy, size);
  const out = allocate(dtype, 0).constructor as new (b: ArrayBuffer) => TypedArray;
  const arr = new out(copy.buffer);
  if (dtype === "bool") {
    for (let i = 0; i < arr.length; i++) if (arr[i] !== 0) arr[i] = 1;
  }
  return arr;
}

/** Writes `t`'s elements, row-major (contiguous whatever `t`'s strides), little-endian, into `out` at `pos`. */
export function encodeElements(t: Tensor, out: Uint8Array, pos: number): void {
  const data = t.toTypedArray();
  if (t.dtype === "int64") {
    const dv = new DataView(out.buffer, out.byteOffset + pos, data.length * 8);
    for (let i = 0; i < data.length; i++) {
      const x = data[i];
      const hi = Math.floor(x / TWO_32);
      dv.setUint32(i * 8, x - hi * TWO_32, true);
      dv.setInt32(i * 8 + 4, hi, true);
    }
    return;
  }
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pos);
  if (!HOST_LITTLE_ENDIAN) swapEach(out.subarray(pos, pos + data.byteLength), elementSize(t.dtype));
}
