/**
 * Reads pickles of dicts, lists and NumPy arrays (CIFAR's python batches) with the checkpoint unpickler
 * (src/serialization/pickle.ts), resolving only the globals NumPy's own pickling uses: `ndarray.__reduce__`
 * (`numpy.core.multiarray._reconstruct` + BUILD state `(1, shape, dtype, is_fortran, rawdata)`), protocol 5's
 * `numpy.core.numeric._frombuffer`, `numpy.dtype` (+ BUILD state `(3, byteorder, …)`), and `_codecs.encode`, which
 * Python 3 writes for `bytes` under protocol 2. Nothing else can be built, so reading cannot run code.
 */
import { type PyCallable, type PyValue, latin1String, unpickle } from "../../serialization/pickle.js";

/** A NumPy array as read from a pickle: C-order elements in a typed array of the matching kind. */
export interface NumpyArray {
  /** NumPy's name for the element type: "uint8", "int32", "float64", … */
  dtype: string;
  shape: number[];
  data: Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;
}

/** True for the arrays `unpickleNumpy` builds. */
export function isNumpyArray(v: unknown): v is NumpyArray {
  return v instanceof NdArray;
}

const KINDS: Record<string, { name: string; size: number; array: new (n: number) => NumpyArray["data"] }> = {
  b1: { name: "bool", size: 1, array: Uint8Array },
  u1: { name: "uint8", size: 1, array: Uint8Array },
  i1: { name: "int8", size: 1, array: Int8Array },
  u2: { name: "uint16", size: 2, array: Uint16Array },
  i2: { name: "int16", size: 2, array: Int16Array },
  u4: { name: "uint32", size: 4, array: Uint32Array },
  i4: { name: "int32", size: 4, array: Int32Array },
  f4: { name: "float32", size: 4, array: Float32Array },
  f8: { name: "float64", size: 8, array: Float64Array },
  // 64-bit integers are kept as doubles (exact up to 2^53), as torch-ts stores int64.
  i8: { name: "int64", size: 8, array: Float64Array },
  u8: { name: "uint64", size: 8, array: Float64Array },
};

class NpDtype {
  byteorder = "=";
  constructor(readonly typestr: string) {}
}

class NdArray implements NumpyArray {
  dtype = "float64";
  shape: number[] = [0];
  data: NumpyArray["data"] = new Float64Array(0);
}

const NDARRAY = Object.freeze({ qualname: "numpy.ndarray" });

function latin1Bytes(s: string, where: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new Error(`${where}: a latin1-encoded string holds the character U+${c.toString(16).padStart(4, "0")}`);
    out[i] = c;
  }
  return out;
}

function asText(v: PyValue): string | null {
  if (typeof v === "string") return v;
  if (v instanceof Uint8Array) return latin1String(v);
  return null;
}

function intTuple(v: PyValue, what: string, where: string): number[] {
  if (!Array.isArray(v) || !v.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw new Error(`${where}: ${what} is not a tuple of non-negative integers`);
  }
  return v as number[];
}

/** Decodes `raw` (the array's bytes) as `dtype` into a typed array, honouring the byte order. */
function decode(raw: Uint8Array, dtype: NpDtype, count: number, where: string): { name: string; data: NumpyArray["data"] } {
  const kind = KINDS[dtype.typestr];
  if (!kind) throw new Error(`${where}: unsupported NumPy dtype ${JSON.stringify(dtype.typestr)} (supported: ${Object.keys(KINDS).join(", ")})`);
  if (raw.length !== count * kind.size) {
    throw new Error(`${where}: a ${kind.name} array of ${count} elements needs ${count * kind.size} bytes, the pickle holds ${raw.length}`);
  }
  if (kind.size === 1) {
    // `raw` is the unpickler's own copy of the bytes, so the array can share it.
    return { name: kind.name, data: kind.name === "int8" ? new Int8Array(raw.buffer, raw.byteOffset, count) : raw };
  }
  const little = dtype.byteorder !== ">";
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new kind.array(count);
  const read: (p: number) => number = {
    uint16: (p: number) => dv.getUint16(p, little),
    int16: (p: number) => dv.getInt16(p, little),
    uint32: (p: number) => dv.getUint32(p, little),
    int32: (p: number) => dv.getInt32(p, little),
    float32: (p: number) => dv.getFloat32(p, little),
    float64: (p: number) => dv.getFloat64(p, little),
    int64: (p: number) => Number(dv.getBigInt64(p, little)),
    uint64: (p: number) => Number(dv.getBigUint64(p, little)),
  }[kind.name]!;
  for (let i = 0, p = 0; i < count; i++, p += kind.size) out[i] = read(p);
  return { name: kind.name, data: out };
}

function fill(arr: NdArray, shape: number[], dtype: PyValue, raw: PyValue, fortran: boolean, where: string): NdArray {
  if (!(dtype instanceof NpDtype)) throw new Error(`${where}: an ndarray's dtype is not a numpy.dtype`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (fortran && shape.filter((d) => d > 1).length > 1) throw new Error(`${where}: Fortran-ordered arrays are not supported`);
  const bytes = typeof raw === "string" ? latin1Bytes(raw, where) : raw;
  if (!(bytes instanceof Uint8Array)) throw new Error(`${where}: arrays of Python objects are not supported (dtype ${dtype.typestr})`);
  const { name, data } = decode(bytes, dtype, count, where);
  arr.dtype = name;
  arr.shape = shape.slice();
  arr.data = data;
  return arr;
}

/**
 * Unpickles `bytes` (a file's content) allowing NumPy arrays, as `pickle.load(f, encoding=encoding)` with
 * NumPy importable. Arrays come back as {@link NumpyArray}s; `where` starts every error.
 */
export function unpickleNumpy(bytes: Uint8Array, where: string, encoding: "ASCII" | "latin1" | "bytes" = "bytes"): PyValue {
  const callable = (qualname: string, call: (args: PyValue[]) => PyValue): PyCallable => ({ qualname, call });
  const globals: Record<string, PyCallable | object> = {
    "numpy.ndarray": NDARRAY,
    "numpy.core.multiarray._reconstruct": callable("_reconstruct", ([cls]) => {
      if (cls !== NDARRAY) throw new Error(`${where}: _reconstruct of a subclass of numpy.ndarray is not supported`);
      return new NdArray();
    }),
    "numpy.dtype": callable("dtype", ([t]) => {
      const s = asText(t);
      if (s === null) throw new Error(`${where}: numpy.dtype expects a type string`);
      return new NpDtype(s);
    }),
    "numpy.core.numeric._frombuffer": callable("_frombuffer", ([buf, dtype, shape, order]) =>
      fill(new NdArray(), intTuple(shape, "_frombuffer's shape", where), dtype, buf, asText(order) === "F", where),
    ),
    "_codecs.encode": callable("encode", ([s, enc]) => {
      if (typeof s !== "string" || asText(enc) !== "latin1") throw new Error(`${where}: _codecs.encode is only read for latin1 strings`);
      return latin1Bytes(s, where);
    }),
  };
  // NumPy 2 pickles name its private package numpy._core.
  globals["numpy._core.multiarray._reconstruct"] = globals["numpy.core.multiarray._reconstruct"];
  globals["numpy._core.numeric._frombuffer"] = globals["numpy.core.numeric._frombuffer"];
  return unpickle(
    bytes,
    {
      findClass(module, name) {
        const g = globals[`${module}.${name}`];
        if (!g) throw new Error(`${where}: unsupported pickle global ${module}.${name}; only dicts, lists, strings, numbers and NumPy arrays are read`);
        return g;
      },
      persistentLoad() {
        throw new Error(`${where}: unexpected persistent id in a NumPy pickle`);
      },
      build(obj, state) {
        if (obj instanceof NpDtype && Array.isArray(state)) {
          obj.byteorder = asText(state[1]) ?? "=";
        } else if (obj instanceof NdArray && Array.isArray(state) && state.length === 5) {
          const [, shape, dtype, fortran, raw] = state;
          fill(obj, intTuple(shape, "an ndarray's shape", where), dtype, raw, fortran === true, where);
        } else {
          throw new Error(`${where}: BUILD on an object that is neither a numpy.ndarray nor a numpy.dtype`);
        }
      },
    },
    where,
    { encoding, part: "pickle", supported: "only dicts, lists, strings, numbers and NumPy arrays are read" },
  );
}
