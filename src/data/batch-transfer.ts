/**
 * Batches cross threads by structured clone, which keeps typed arrays but drops class prototypes. Tensors are
 * therefore packed as `{dtype, shape, data}` (data copied once, then transferred rather than cloned) and
 * rebuilt on the receiving side; arrays and plain objects are walked; other class instances are refused by
 * name rather than arriving as lookalike plain objects.
 */
import { Tensor } from "../tensor.js";
import type { DType } from "../dtype.js";

const TAG = "__torchTsTensor";

interface PackedTensor {
  [TAG]: true;
  dtype: DType;
  shape: number[];
  data: ArrayBufferView;
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Replaces the tensors in `value` by transferable descriptions and collects their buffers in `transfer`.
 * @throws TypeError for class instances other than Tensor (structured clone would strip their class)
 */
export function packBatch(value: unknown, transfer: ArrayBuffer[]): unknown {
  if (value instanceof Tensor) {
    // A copy: the tensor may share storage with the dataset, and transferring that would detach it.
    const src = value.contiguous().toTypedArray();
    const data = src.slice() as typeof src;
    transfer.push(data.buffer as ArrayBuffer);
    const packed: PackedTensor = { [TAG]: true, dtype: value.dtype, shape: [...value.shape], data };
    return packed;
  }
  if (value === null || typeof value !== "object") {
    if (typeof value === "function" || typeof value === "symbol") throw new TypeError(`DataLoader: a batch cannot hold a ${typeof value} (it cannot be sent between threads)`);
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => packBatch(v, transfer));
  if (ArrayBuffer.isView(value) || value instanceof Map || value instanceof Set || value instanceof Date) return value;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = packBatch(v, transfer);
    return out;
  }
  const name = (value as object).constructor?.name ?? "object";
  throw new TypeError(
    `DataLoader: a batch holds a ${name}, which cannot be sent between threads; worker batches may hold tensors, numbers, ` +
      `strings, booleans, arrays, plain objects and typed arrays (for images, add transforms.ToTensor())`,
  );
}

/** Rebuilds what `packBatch` packed. */
export function unpackBatch(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(unpackBatch);
  if (ArrayBuffer.isView(value) || value instanceof Map || value instanceof Set || value instanceof Date) return value;
  if ((value as PackedTensor)[TAG] === true) {
    const p = value as PackedTensor;
    return new Tensor(p.data as Tensor["buf"], p.dtype, p.shape);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = unpackBatch(v);
  return out;
}
