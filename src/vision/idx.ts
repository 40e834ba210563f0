import type { DType } from "../dtype.js";

/** IDX element types (the third byte of the magic number), per the MNIST file format. */
const IDX_TYPES: Record<number, { dtype: DType; size: number; name: string }> = {
  0x08: { dtype: "uint8", size: 1, name: "ubyte" },
  0x09: { dtype: "int32", size: 1, name: "sbyte" },
  0x0b: { dtype: "int32", size: 2, name: "short" },
  0x0c: { dtype: "int32", size: 4, name: "int" },
  0x0d: { dtype: "float32", size: 4, name: "float" },
  0x0e: { dtype: "float64", size: 8, name: "double" },
};

export interface IdxArray {
  dtype: DType;
  shape: number[];
  data: Uint8Array | Int32Array | Float32Array | Float64Array;
}

/**
 * Parses an (uncompressed) IDX file: magic `0 0 type ndim`, big-endian uint32 sizes, big-endian data.
 * `source` names the file in errors.
 */
export function parseIdx(bytes: Uint8Array, source = "IDX data"): IdxArray {
  if (bytes.length < 4) throw new Error(`${source}: truncated IDX file (${bytes.length} bytes, header needs 4)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(`${source}: not an IDX file (magic number starts with ${bytes[0]}, ${bytes[1]} instead of 0, 0)`);
  }
  const type = IDX_TYPES[bytes[2]];
  if (!type) throw new Error(`${source}: unknown IDX element type 0x${bytes[2].toString(16)}`);
  const ndim = bytes[3];
  const headerLen = 4 + 4 * ndim;
  if (bytes.length < headerLen) throw new Error(`${source}: truncated IDX header (${bytes.length} of ${headerLen} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const n = shape.reduce((a, b) => a * b, 1);
  const need = headerLen + n * type.size;
  if (bytes.length < need) {
    throw new Error(`${source}: truncated IDX data: shape [${shape.join(", ")}] needs ${need} bytes, file has ${bytes.length}`);
  }
  let data: IdxArray["data"];
  if (type.name === "ubyte") {
    data = bytes.slice(headerLen, need);
  } else {
    const out = type.dtype === "float64" ? new Float64Array(n) : type.dtype === "float32" ? new Float32Array(n) : new Int32Array(n);
    for (let i = 0, p = headerLen; i < n; i++, p += type.size) {
      switch (type.name) {
        case "sbyte":
          out[i] = view.getInt8(p);
          break;
        case "short":
          out[i] = view.getInt16(p, false);
          break;
        case "int":
          out[i] = view.getInt32(p, false);
          break;
        case "float":
          out[i] = view.getFloat32(p, false);
          break;
        default:
          out[i] = view.getFloat64(p, false);
      }
    }
    data = out;
  }
  return { dtype: type.dtype, shape, data };
}
