/**
 * PyTorch's own checkpoint format (`torch.save` since 1.6): a zip archive `<name>/data.pkl` (the pickled
 * object, tensors as persistent ids), `<name>/data/<key>` (one raw storage per key), `<name>/version` and,
 * from PyTorch 2.1, `<name>/byteorder`. Only plain state dicts of tensors are read: the unpickler resolves
 * exactly the globals a state dict pickles (torch/serialization.py `_save`, torch/_utils.py `_rebuild_*`).
 */
import { type DType, elementSize, isFloating } from "../dtype.js";
import { Tensor, type VersionCounter } from "../tensor.js";
import { decodeElements } from "./bytes.js";
import { type PyCallable, type PyValue, unpickle } from "./pickle.js";
import { ZipArchive } from "./pt-zip.js";
import { defineEntry } from "./safetensors.js";

const STORAGE_DTYPES: Record<string, DType> = {
  FloatStorage: "float32",
  DoubleStorage: "float64",
  IntStorage: "int32",
  LongStorage: "int64",
  ByteStorage: "uint8",
  BoolStorage: "bool",
};
const UNSUPPORTED_STORAGES: Record<string, string> = {
  HalfStorage: "float16",
  BFloat16Storage: "bfloat16",
  CharStorage: "int8",
  ShortStorage: "int16",
  ComplexFloatStorage: "complex64",
  ComplexDoubleStorage: "complex128",
  QUInt8Storage: "quint8",
  QInt8Storage: "qint8",
  QInt32Storage: "qint32",
  QUInt4x2Storage: "quint4x2",
  QUInt2x4Storage: "quint2x4",
};
const ONLY_STATE_DICTS = "only plain state dicts of tensors (torch.save(model.state_dict(), path)) are supported";

class StorageType {
  constructor(
    readonly name: string,
    readonly dtype: DType,
  ) {}
}

class StorageRef {
  constructor(
    readonly key: string,
    readonly dtype: DType,
    readonly numel: number,
  ) {}
}

/** A tensor as `_rebuild_tensor_v2` describes it, materialized once every storage is known. */
class PendingTensor {
  requiresGrad = false;
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly size: number[],
    readonly stride: number[],
  ) {}
}

function pyTypeName(v: PyValue): string {
  if (v === null) return "None";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "string") return "str";
  if (Array.isArray(v)) return Object.isFrozen(v) ? "tuple" : "list";
  if (v instanceof Map) return "dict";
  if (v instanceof StorageType) return `torch.${v.name}`;
  if (v instanceof StorageRef) return "storage";
  return "object";
}

function intTuple(v: PyValue): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isSafeInteger(x) && x >= 0);
}

/**
 * Reads a zip checkpoint written by `torch.save(state_dict, path)` into tensors that keep PyTorch's
 * geometry: strides and storage offsets are preserved, and entries that shared a storage in PyTorch share
 * one buffer here. `where` (API name and file) starts every error.
 */
export function decodePt(bytes: Uint8Array, where: string): Record<string, Tensor> {
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] <= 5) {
    throw new Error(
      `${where}: this is PyTorch's legacy (pre-1.6, non-zip) torch.save format, which torch-ts does not read; ` +
        "re-save it with PyTorch >= 1.6 (torch.save(torch.load(path), path)) or as safetensors",
    );
  }
  if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) {
    throw new Error(`${where}: not a PyTorch checkpoint: a torch.save zip archive starts with "PK"`);
  }
  const zip = new ZipArchive(bytes, where);
  const names = [...zip.entries.keys()];
  const pickles = names.filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pickles.length === 0) {
    const listed = names.slice(0, 8).map((n) => `'${n}'`).join(", ") + (names.length > 8 ? ", ..." : "");
    throw new Error(`${where}: no '<archive>/data.pkl' entry, so this zip is not a torch.save checkpoint (entries: ${listed || "none"})`);
  }
  const first = names[0].split("/")[0];
  const prefix = (pickles.find((n) => n.startsWith(`${first}/`)) ?? pickles[0]).slice(0, -"/data.pkl".length);
  if (zip.entries.has(`${prefix}/constants.pkl`)) {
    throw new Error(`${where}: this is a TorchScript archive (torch.jit.save); ${ONLY_STATE_DICTS}`);
  }
  let littleEndian = true;
  if (zip.entries.has(`${prefix}/byteorder`)) {
    const order = new TextDecoder().decode(zip.read(`${prefix}/byteorder`));
    if (order !== "little" && order !== "big") throw new Error(`${where}: '${prefix}/byteorder' must be "little" or "big", got ${JSON.stringify(order)}`);
    littleEndian = order === "little";
  }

  const storages = new Map<string, StorageRef>();
  const unsupported = (what: string): Error => new Error(`${where}: ${what} in data.pkl: ${ONLY_STATE_DICTS}`);
  const callable = (qualname: string, call: (args: PyValue[]) => PyValue): PyCallable => ({ qualname, call });
  const orderedDict = callable("collections.OrderedDict", (args) => {
    if (args.length !== 0) throw unsupported("collections.OrderedDict called with arguments");
    return new Map();
  });
  const rebuildTensor = callable("torch._utils._rebuild_tensor_v2", (args) => {
    const [storage, offset, size, stride, requiresGrad] = args;
    if (
      args.length < 6 ||
      !(storage instanceof StorageRef) ||
      typeof offset !== "number" ||
      !Number.isSafeInteger(offset) ||
      offset < 0 ||
      !intTuple(size) ||
      !intTuple(stride) ||
      size.length !== stride.length
    ) {
      throw new Error(`${where}: malformed torch._utils._rebuild_tensor_v2 arguments in data.pkl`);
    }
    const t = new PendingTensor(storage, offset, size.slice(), stride.slice());
    t.requiresGrad = requiresGrad === true;
    return t;
  });
  const rebuildParameter = callable("torch._utils._rebuild_parameter", (args) => {
    const [data, requiresGrad] = args;
    if (!(data instanceof PendingTensor)) throw new Error(`${where}: malformed torch._utils._rebuild_parameter arguments in data.pkl`);
    data.requiresGrad = requiresGrad === true;
    return data;
  });

  const result = unpickle(
    zip.read(`${prefix}/data.pkl`),
    {
      findClass(module, name) {
        if (module === "collections" && name === "OrderedDict") return orderedDict;
        if (module === "torch._utils" && name === "_rebuild_tensor_v2") return rebuildTensor;
        if (module === "torch._utils" && name === "_rebuild_parameter") return rebuildParameter;
        if (module === "torch" && name in STORAGE_DTYPES) return new StorageType(name, STORAGE_DTYPES[name]);
        if (module === "torch" && name in UNSUPPORTED_STORAGES) {
          throw new Error(
            `${where}: torch.${name} (dtype ${UNSUPPORTED_STORAGES[name]}) is not supported by torch-ts ` +
              `(supported: ${Object.keys(STORAGE_DTYPES).map((s) => `torch.${s}`).join(", ")}); convert the tensor first, e.g. t.float()`,
          );
        }
        const hint = module.startsWith("torch.nn.modules") || module === "__main__" ? " (a pickled module: save model.state_dict() instead)" : "";
        throw unsupported(`unsupported global '${module}.${name}'${hint}`);
      },
      persistentLoad(pid) {
        const [kind, type, key, , numel] = Array.isArray(pid) ? pid : [];
        if (
          !Array.isArray(pid) ||
          pid.length !== 5 ||
          kind !== "storage" ||
          !(type instanceof StorageType) ||
          typeof key !== "string" ||
          typeof numel !== "number" ||
          !Number.isSafeInteger(numel) ||
          numel < 0
        ) {
          throw new Error(`${where}: malformed persistent id in data.pkl (expected ('storage', type, key, location, numel))`);
        }
        const known = storages.get(key);
        if (known !== undefined) {
          if (known.dtype !== type.dtype) throw new Error(`${where}: storage '${key}' is used as both ${known.dtype} and ${type.dtype}`);
          return known;
        }
        const ref = new StorageRef(key, type.dtype, numel);
        storages.set(key, ref);
        return ref;
      },
      build(obj, state) {
        // A state dict's `_metadata` attribute holds per-module version numbers that only PyTorch's
        // `_load_from_state_dict` hooks read; torch-ts has no such hooks, so attributes are dropped.
        if (!(obj instanceof Map) || !(state instanceof Map)) throw unsupported(`BUILD (setting the state) of a ${pyTypeName(obj)}`);
      },
    },
    where,
  );

  if (!(result instanceof Map)) throw unsupported(`the saved object is a ${pyTypeName(result)}, not a dict`);
  const buffers = new Map<string, { buf: ReturnType<typeof decodeElements>; version: VersionCounter }>();
  const out: Record<string, Tensor> = {};
  for (const [key, value] of result) {
    if (typeof key !== "string") throw unsupported(`a dict key is a ${pyTypeName(key)}, not a str`);
    if (!(value instanceof PendingTensor)) throw unsupported(`entry '${key}' is a ${pyTypeName(value)}, not a tensor`);
    const { storage, offset, size, stride } = value;
    let stored = buffers.get(storage.key);
    if (stored === undefined) {
      const record = `${prefix}/data/${storage.key}`;
      if (!zip.entries.has(record)) throw new Error(`${where}: zip entry '${record}' (storage of '${key}') is missing`);
      const raw = zip.read(record);
      const need = storage.numel * elementSize(storage.dtype);
      if (raw.length !== need) {
        throw new Error(
          `${where}: zip entry '${record}' holds ${raw.length} bytes, but its storage of ${storage.numel} ${storage.dtype} elements needs ${need}`,
        );
      }
      stored = { buf: decodeElements(raw, storage.dtype, littleEndian, `${where}: tensor '${key}'`), version: { value: 0 } };
      buffers.set(storage.key, stored);
    }
    let last = offset;
    let empty = false;
    for (let d = 0; d < size.length; d++) {
      if (size[d] === 0) empty = true;
      else last += (size[d] - 1) * stride[d];
    }
    if (empty ? offset > storage.numel : last >= storage.numel) {
      throw new Error(
        `${where}: tensor '${key}' (size [${size.join(", ")}], stride [${stride.join(", ")}], offset ${offset}) ` +
          `reaches beyond its storage of ${storage.numel} elements`,
      );
    }
    const t = new Tensor(stored.buf, storage.dtype, size, stride, offset, stored.version);
    if (value.requiresGrad && isFloating(t.dtype)) t.requiresGrad_(true);
    defineEntry(out, key, t);
  }
  return out;
}
