/**
 * The safetensors format (https://github.com/huggingface/safetensors), on bytes: an 8-byte little-endian
 * header length N, N bytes of JSON header, then the tensors' raw little-endian bytes.
 *
 * The header maps each name to `{dtype, shape, data_offsets: [begin, end]}` (offsets relative to the end of
 * the header) plus an optional `"__metadata__": {string: string}`. The writer follows the reference
 * implementation (safetensors/src/tensor.rs `prepare`): tensors sorted by descending dtype alignment, then by
 * name; `__metadata__` first; compact JSON padded with spaces so the data starts 8-byte aligned. The reader
 * applies the reference's validation (offsets must tile the data section exactly, sizes must match shapes).
 */
import type { DType } from "../dtype.js";
import { elementSize } from "../dtype.js";
import { numel } from "../layout.js";
import { Tensor } from "../tensor.js";
import { decodeElements, encodeElements } from "./bytes.js";

/** safetensors' dtype names for the dtypes torch-ts has. */
const TO_SAFETENSORS: Record<DType, string> = {
  float32: "F32",
  float64: "F64",
  int32: "I32",
  int64: "I64",
  uint8: "U8",
  bool: "BOOL",
};
const FROM_SAFETENSORS: Record<string, DType> = { F32: "float32", F64: "float64", I32: "int32", I64: "int64", U8: "uint8", BOOL: "bool" };
/** The rest of the reference's dtypes: named in errors as unsupported rather than unknown. */
const OTHER_SAFETENSORS = ["I8", "I16", "U16", "U32", "U64", "F16", "BF16", "F8_E5M2", "F8_E4M3"];
/** The reference's `Dtype` enum order ("MUST be in increasing alignment order"): the writer's sort key. */
const ALIGNMENT_RANK: Record<DType, number> = { bool: 0, uint8: 1, int32: 9, float32: 11, float64: 12, int64: 13 };
/** The reference refuses larger headers (MAX_HEADER_SIZE). */
const MAX_HEADER_SIZE = 100_000_000;
const METADATA_KEY = "__metadata__";

/** What `decodeSafetensors` returns: tensors by name (sorted by name) and the `__metadata__` strings. */
export interface SafetensorsContents {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string> | null;
}

/** Code-point order, which is the byte order of UTF-8 that the reference sorts names by. */
function compareNames(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx - cy;
  }
}

/**
 * Serializes named tensors (and optional string metadata) to safetensors bytes. Non-contiguous tensors are
 * written contiguous; tensors sharing storage are written as separate copies. `op` starts error messages.
 */
export function encodeSafetensors(
  entries: ReadonlyArray<readonly [string, Tensor]>,
  metadata: Readonly<Record<string, string>> | null,
  op: string,
): Uint8Array {
  const names = new Set<string>();
  for (const [name, t] of entries) {
    if (name === METADATA_KEY) throw new Error(`${op}: "${METADATA_KEY}" is reserved by safetensors and cannot name a tensor`);
    if (names.has(name)) throw new Error(`${op}: duplicate tensor name "${name}"`);
    names.add(name);
    if (!(t instanceof Tensor)) throw new TypeError(`${op}: value of "${name}" is not a Tensor`);
  }
  const sorted = entries.slice().sort(([na, a], [nb, b]) => ALIGNMENT_RANK[b.dtype] - ALIGNMENT_RANK[a.dtype] || compareNames(na, nb));
  const parts: string[] = [];
  if (metadata !== null) {
    // The reference writes metadata in HashMap order (arbitrary); sorted keys make files reproducible.
    const keys = Object.keys(metadata).sort(compareNames);
    for (const k of keys) {
      if (typeof metadata[k] !== "string") {
        throw new TypeError(`${op}: metadata values must be strings, got ${typeof metadata[k]} for "${k}"`);
      }
    }
    parts.push(`${JSON.stringify(METADATA_KEY)}:{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(",")}}`);
  }
  let offset = 0;
  const placed: Array<{ t: Tensor; begin: number }> = [];
  for (const [name, t] of sorted) {
    const bytes = t.numel() * elementSize(t.dtype);
    parts.push(
      `${JSON.stringify(name)}:{"dtype":"${TO_SAFETENSORS[t.dtype]}","shape":[${t.shape.join(",")}],` +
        `"data_offsets":[${offset},${offset + bytes}]}`,
    );
    placed.push({ t, begin: offset });
    offset += bytes;
  }
  const json = new TextEncoder().encode(`{${parts.join(",")}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, headerLength, true);
  dv.setUint32(4, Math.floor(headerLength / 4294967296), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  for (const { t, begin } of placed) encodeElements(t, out, 8 + headerLength + begin);
  return out;
}

interface HeaderEntry {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

function isNonNegativeInt(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Parses and validates a safetensors header. `where` (the API name and the file) starts every error.
 * @returns the tensor entries sorted by offset, the metadata and where the data section starts
 */
export function readSafetensorsHeader(
  bytes: Uint8Array,
  where: string,
): { entries: HeaderEntry[]; metadata: Record<string, string> | null; dataStart: number } {
  if (bytes.length < 8) {
    throw new Error(`${where}: file is truncated: ${bytes.length} bytes, but a safetensors file starts with an 8-byte header length`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = dv.getUint32(0, true) + dv.getUint32(4, true) * 4294967296;
  if (headerLength > bytes.length - 8) {
    throw new Error(
      `${where}: header length ${headerLength} exceeds the file size (${bytes.length - 8} bytes after the 8-byte length): ` +
        "the file is truncated or is not safetensors",
    );
  }
  if (headerLength > MAX_HEADER_SIZE) {
    throw new Error(`${where}: header length ${headerLength} exceeds the safetensors limit of ${MAX_HEADER_SIZE} bytes`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    throw new Error(`${where}: header is not valid UTF-8`);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where}: header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) {
    throw new Error(`${where}: header must be a JSON object, got ${Array.isArray(header) ? "an array" : JSON.stringify(header)}`);
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  let metadata: Record<string, string> | null = null;
  const entries: HeaderEntry[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (info === null || typeof info !== "object" || Array.isArray(info)) {
        throw new Error(`${where}: "${METADATA_KEY}" must be an object of strings`);
      }
      for (const [k, v] of Object.entries(info)) {
        if (typeof v !== "string") throw new Error(`${where}: "${METADATA_KEY}" value of "${k}" must be a string, got ${JSON.stringify(v)}`);
      }
      metadata = { ...(info as Record<string, string>) };
      continue;
    }
    const bad = (what: string): Error => new Error(`${where}: tensor "${name}": ${what}`);
    if (info === null || typeof info !== "object" || Array.isArray(info)) throw bad("entry must be an object with dtype, shape and data_offsets");
    const { dtype: code, shape, data_offsets: offsets } = info as Record<string, unknown>;
    if (typeof code !== "string") throw bad(`dtype must be a string, got ${JSON.stringify(code)}`);
    const dtype = FROM_SAFETENSORS[code];
    if (dtype === undefined) {
      const supported = Object.keys(FROM_SAFETENSORS).join(", ");
      throw bad(
        OTHER_SAFETENSORS.includes(code)
          ? `dtype ${code} is not supported by torch-ts (supported: ${supported}); convert it before saving, e.g. t.float()`
          : `unknown dtype ${JSON.stringify(code)} (supported: ${supported})`,
      );
    }
    if (!Array.isArray(shape) || !shape.every(isNonNegativeInt)) throw bad(`shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInt) || offsets[1] < offsets[0]) {
      throw bad(`data_offsets must be [begin, end] with 0 <= begin <= end, got ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const need = numel(shape) * elementSize(dtype);
    if (end - begin !== need) {
      throw bad(`data_offsets [${begin}, ${end}] span ${end - begin} bytes, but shape [${shape.join(", ")}] of ${code} needs ${need}`);
    }
    if (end > dataLength) {
      throw bad(`data_offsets [${begin}, ${end}] extend beyond the data section (${dataLength} bytes): the file is truncated`);
    }
    entries.push({ name, dtype, shape: shape as number[], begin, end });
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: HeaderEntry | null = null;
  for (const e of entries) {
    if (e.begin < covered) {
      throw new Error(
        `${where}: tensor "${e.name}" data_offsets [${e.begin}, ${e.end}] overlap tensor "${previous!.name}" [${previous!.begin}, ${previous!.end}]`,
      );
    }
    if (e.begin > covered) {
      throw new Error(
        `${where}: tensor "${e.name}" data_offsets [${e.begin}, ${e.end}] leave a gap of ${e.begin - covered} bytes ` +
          `before them (safetensors data must be packed)`,
      );
    }
    covered = e.end;
    previous = e;
  }
  if (covered !== dataLength) {
    throw new Error(`${where}: ${dataLength - covered} bytes after the last tensor's data: the header does not describe the whole file`);
  }
  return { entries, metadata, dataStart };
}

/** Reads safetensors bytes into fresh tensors (nothing is returned unless every tensor decoded). */
export function decodeSafetensors(bytes: Uint8Array, where: string): SafetensorsContents {
  const { entries, metadata, dataStart } = readSafetensorsHeader(bytes, where);
  const loaded = entries.map((e) => {
    const buf = decodeElements(bytes.subarray(dataStart + e.begin, dataStart + e.end), e.dtype, true, `${where}: tensor "${e.name}"`);
    return [e.name, new Tensor(buf, e.dtype, e.shape)] as const;
  });
  loaded.sort(([a], [b]) => compareNames(a, b));
  const tensors: Record<string, Tensor> = {};
  for (const [name, t] of loaded) defineEntry(tensors, name, t);
  return { tensors, metadata };
}

/** Adds `name` as an own property, so that a tensor named `__proto__` is data, not the prototype. */
export function defineEntry<T>(target: Record<string, T>, name: string, value: T): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}
