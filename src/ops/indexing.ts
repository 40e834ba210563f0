import { Tensor } from "../tensor.js";
import { allocate } from "../dtype.js";
import { formatShape, normalizeDim } from "../layout.js";
import { backend } from "../backend/backend.js";
import { noGrad } from "../autograd/grad-mode.js";
import { defineUnaryOutputOp } from "./define.js";
import { checkTensor, type TensorLike } from "./util.js";
import { tensor as makeTensor } from "./creation.js";
import { clone, unsqueeze } from "./view.js";
import { add } from "./elementwise.js";
import { applyInplace } from "./inplace.js";
import { asStrided, contiguousGeometry, type Geometry, isIdentity, stridedScatterOp, viewBackwardOp } from "./strided.js";
import {
  indexPutRaw,
  indexPutWithTensors,
  indexWithTensors,
  maskToIndices,
  valueFor,
  writeNeedsGrad,
} from "./advanced-indexing.js";

export { nonzero, maskedSelect } from "./advanced-indexing.js";
export {
  gather,
  scatter,
  scatter_,
  scatterAdd,
  scatterAdd_,
  indexSelect,
  indexAdd,
  indexAdd_,
  maskedFill,
  maskedFill_,
} from "./gather-scatter.js";

function sliceGeometry(g: Geometry, dim: number, start: number, end: number, step: number): Geometry {
  const shape = g.shape.slice();
  const strides = g.strides.slice();
  shape[dim] = end > start ? Math.ceil((end - start) / step) : 0;
  strides[dim] = g.strides[dim] * step;
  return { shape, strides, offset: g.offset + start * g.strides[dim] };
}

function selectGeometry(g: Geometry, dim: number, index: number): Geometry {
  return {
    shape: g.shape.filter((_, i) => i !== dim),
    strides: g.strides.filter((_, i) => i !== dim),
    offset: g.offset + index * g.strides[dim],
  };
}

const sliceOp = defineUnaryOutputOp<{ dim: number; start: number; end: number; step: number }>({
  name: "Slice",
  forward(ctx, [x], { dim, start, end, step }) {
    const g = sliceGeometry(x, dim, start, end, step);
    ctx.inShape = x.shape.slice();
    return x._viewAs(g.shape, g.strides, g.offset);
  },
  backward(ctx, [g], { dim, start, end, step }) {
    const shape = ctx.inShape as number[];
    return [viewBackwardOp([g], { shape, geom: sliceGeometry(contiguousGeometry(shape), dim, start, end, step) })];
  },
});

const selectOp = defineUnaryOutputOp<{ dim: number; index: number }>({
  name: "Select",
  forward(ctx, [x], { dim, index }) {
    const g = selectGeometry(x, dim, index);
    ctx.inShape = x.shape.slice();
    return x._viewAs(g.shape, g.strides, g.offset);
  },
  backward(ctx, [g], { dim, index }) {
    const shape = ctx.inShape as number[];
    return [viewBackwardOp([g], { shape, geom: selectGeometry(contiguousGeometry(shape), dim, index) })];
  },
});

const aliasOp = defineUnaryOutputOp<undefined>({
  name: "Alias",
  forward(_ctx, [x]) {
    return x._viewAs(x.shape, x.strides, x.offset);
  },
  backward(_ctx, [g]) {
    return [g];
  },
});

function toInt(v: unknown, op: string, arg: string): number {
  const n = v instanceof Tensor ? v.item() : v;
  if (typeof n !== "number" || !Number.isInteger(n)) {
    throw new TypeError(`${op}(): argument '${arg}' must be int, not ${v === null ? "null" : typeof v}`);
  }
  return n;
}

/**
 * The view of `length` elements of `x` along `dim` starting at `start` (negative counts from the end), as
 * `torch.narrow`. Shares storage with `x`.
 *
 * @example
 * torch.narrow(torch.tensor([[1, 2, 3], [4, 5, 6]]), 1, 1, 2) // tensor([[2, 3], [5, 6]])
 */
export function narrow(x: Tensor, dim: number, start: number | Tensor, length: number): Tensor {
  checkTensor(x, "narrow");
  if (x.dim() === 0) throw new Error("narrow() cannot be applied to a 0-dim tensor.");
  const d = normalizeDim(dim, x.dim(), "narrow");
  let s = toInt(start, "narrow", "start");
  const len = toInt(length, "narrow", "length");
  const size = x.shape[d];
  if (len < 0) throw new Error("narrow(): length must be non-negative.");
  // PyTorch 2.x's checks (1.13 reports an out-of-range start as a dim error).
  if (s < -size || s > size) {
    throw new RangeError(`narrow: start out of range (expected to be in range of [${-size}, ${size}], but got ${s})`);
  }
  if (s < 0) s += size;
  if (s > size - len) throw new Error(`narrow: start (${s}) + length (${len}) exceeds dimension size (${size}).`);
  return sliceOp([x], { dim: d, start: s, end: s + len, step: 1 });
}

/**
 * The view of `x` at position `index` along `dim`, which is removed, as `torch.select` (`x[:, index]` for
 * dim 1). Negative `index` counts from the end.
 *
 * @example
 * torch.select(torch.tensor([[1, 2], [3, 4]]), 1, -1) // tensor([2, 4])
 */
export function select(x: Tensor, dim: number, index: number | Tensor): Tensor {
  checkTensor(x, "select");
  if (x.dim() === 0) throw new RangeError("select() cannot be applied to a 0-dim tensor.");
  const d = normalizeDim(dim, x.dim(), "select");
  const i = toInt(index, "select", "index");
  const size = x.shape[d];
  if (i < -size || i >= size) {
    throw new RangeError(`select(): index ${i} out of range for tensor of size ${formatShape(x.shape)} at dimension ${d}`);
  }
  return selectOp([x], { dim: d, index: i < 0 ? i + size : i });
}

/** Python's `slice.indices`: bounds clamped into [0, size], negative ones counted from the end. */
function clampBound(v: number | null | undefined, size: number, dflt: number): number {
  if (v === null || v === undefined) return dflt;
  const w = v < 0 ? v + size : v;
  return Math.min(Math.max(w, 0), size);
}

/** One Python slice `start:stop:step` as an index item; omitted bounds mean the whole extent. */
export class Slice {
  constructor(
    readonly start: number | null = null,
    readonly stop: number | null = null,
    readonly step: number | null = null,
  ) {}

  toString(): string {
    const f = (v: number | null): string => (v === null ? "" : String(v));
    return `${f(this.start)}:${f(this.stop)}${this.step === null ? "" : `:${this.step}`}`;
  }
}

/**
 * `x[start:end:step]` along `dim` as a view, with Python's rules (negative bounds count from the end,
 * out-of-range bounds clamp; `step` must be positive). Default dim 0, whole extent, step 1.
 *
 * Called without a tensor, `slice(start?, stop?, step?)` is Python's builtin `slice(...)`: an index item
 * for `x.index(...)`; as in Python, one argument is the stop.
 *
 * @example
 * torch.slice(torch.tensor([0, 1, 2, 3, 4]), 0, 1, null, 2) // tensor([1, 3])
 * x.index(torch.slice(1, 3)) // x[1:3]
 */
export function slice(x: Tensor, dim?: number, start?: number | null, end?: number | null, step?: number): Tensor;
export function slice(start?: number | null, stop?: number | null, step?: number | null): Slice;
export function slice(
  x?: Tensor | number | null,
  a?: number | null,
  b?: number | null,
  c?: number | null,
  e?: number,
): Tensor | Slice {
  if (!(x instanceof Tensor)) {
    if (a === undefined && b === undefined) return new Slice(null, x ?? null, null);
    return new Slice(x ?? null, a ?? null, b ?? null);
  }
  if (x.dim() === 0) throw new RangeError("slice() cannot be applied to a 0-dim tensor.");
  const d = normalizeDim(a ?? 0, x.dim(), "slice");
  const step = e ?? 1;
  if (!Number.isInteger(step) || step <= 0) throw new RangeError(`slice: slice step must be positive (got ${step})`);
  const size = x.shape[d];
  const s = clampBound(b, size, 0);
  const en = Math.max(clampBound(c, size, size), s);
  return sliceOp([x], { dim: d, start: s, end: en, step });
}

/**
 * One item of `x.index(...)`, as inside Python's brackets: a number (select), a `Slice` or a string such as
 * `":"`, `"1:3"`, `"::2"`, `"-2:"` (slice), `"..."` (ellipsis), `null` (new axis, Python's None), a boolean,
 * an int64/int32 tensor or number array (advanced indexing), or a bool tensor (mask).
 */
export type IndexItem = number | string | null | boolean | Slice | Tensor | readonly unknown[] | { start?: number | null; stop?: number | null; step?: number | null };

const ELLIPSIS = Symbol("ellipsis");
type Parsed = number | Slice | null | boolean | Tensor | typeof ELLIPSIS;

const SLICE_RE = /^\s*(-?\d+)?\s*:\s*(-?\d+)?\s*(?::\s*(-?\d+)?\s*)?$/;

function parseItem(item: IndexItem, op: string): Parsed {
  if (item === null || typeof item === "boolean" || typeof item === "number" || item instanceof Tensor || item instanceof Slice) {
    if (typeof item === "number" && !Number.isInteger(item)) {
      throw new TypeError(
        `${op}: only integers, slices (\`:\`), ellipsis (\`...\`), None and long or byte Variables are valid indices (got ${item})`,
      );
    }
    return item;
  }
  if (typeof item === "string") {
    if (item.trim() === "...") return ELLIPSIS;
    const m = SLICE_RE.exec(item);
    if (!m) throw new TypeError(`${op}: invalid index string "${item}" (expected a slice such as "1:3", "::2", ":" or "...")`);
    const num = (s: string | undefined): number | null => (s === undefined ? null : Number(s));
    return new Slice(num(m[1]), num(m[2]), num(m[3]));
  }
  if (Array.isArray(item)) {
    // A nested list is an index tensor, as in Python; an empty one indexes nothing.
    return item.length === 0 ? Tensor.empty([0], "int64") : makeTensor(item as never);
  }
  if (typeof item === "object" && item !== undefined) {
    const o = item as { start?: number | null; stop?: number | null; step?: number | null };
    return new Slice(o.start ?? null, o.stop ?? null, o.step ?? null);
  }
  throw new TypeError(`${op}: unsupported index item ${String(item)}`);
}

const isIntegralIndex = (t: Tensor): boolean => t.dtype === "int64" || t.dtype === "int32" || t.dtype === "uint8";

/** Dims an item consumes (PyTorch's `count_specified_dimensions`). */
function specifiedDims(p: Parsed): number {
  if (p === null || p === ELLIPSIS || typeof p === "boolean") return 0;
  if (p instanceof Tensor) {
    if (p.dim() === 0) return p.dtype === "bool" ? 0 : 1;
    return p.dtype === "bool" || p.dtype === "uint8" ? p.dim() : 1;
  }
  return 1;
}

/**
 * Applies the basic items (numbers, slices, None, ellipsis) to `x` as views, and records the tensor
 * items at the dims they index in the resulting view (a mask expands into one index tensor per dim it
 * covers, so a k-dim mask consumes k dims as in numpy).
 */
function applyItems(x: Tensor, rawItems: readonly IndexItem[], op: string): { view: Tensor; tensors: Array<Tensor | null> } {
  const items = rawItems.map((it) => parseItem(it, op));
  const specified = items.reduce((n: number, p) => n + specifiedDims(p), 0);
  if (specified > x.dim()) {
    const first = items.find((p) => specifiedDims(p) > 0);
    // PyTorch names the 0-dim case by the item that fails first.
    if (x.dim() === 0 && first instanceof Slice) throw new RangeError(`${op}: slice() cannot be applied to a 0-dim tensor.`);
    if (x.dim() === 0 && !(first instanceof Tensor && !isIntegralIndex(first))) {
      throw new RangeError(`${op}: invalid index of a 0-dim tensor. Use \`tensor.item()\` to convert a 0-dim tensor to a number`);
    }
    throw new RangeError(`${op}: too many indices for tensor of dimension ${x.dim()}`);
  }
  if (items.filter((p) => p === ELLIPSIS).length > 1) throw new RangeError(`${op}: an index can only have a single ellipsis ('...')`);
  let result = x;
  let dim = 0;
  let realDim = 0;
  const tensors: Array<Tensor | null> = [];
  const record = (t: Tensor, at: number): void => {
    while (tensors.length < at) tensors.push(null);
    tensors[at] = t;
  };
  const boolIndex = (v: boolean): void => {
    result = unsqueeze(result, dim);
    record(v ? Tensor.empty([1], "int64") : Tensor.empty([0], "int64"), dim);
    dim++;
  };
  for (const p of items) {
    if (p === ELLIPSIS) {
      dim += x.dim() - specified;
      realDim += x.dim() - specified;
    } else if (p === null) {
      result = unsqueeze(result, dim);
      dim++;
    } else if (typeof p === "boolean") {
      boolIndex(p);
    } else if (typeof p === "number" || (p instanceof Tensor && p.dim() === 0 && isIntegralIndex(p))) {
      const i = typeof p === "number" ? p : p.item();
      if (result.dim() === 0) {
        throw new RangeError(`${op}: invalid index of a 0-dim tensor. Use \`tensor.item()\` to convert a 0-dim tensor to a number`);
      }
      const size = result.shape[dim];
      if (i < -size || i >= size) throw new RangeError(`${op}: index ${i} is out of bounds for dimension ${realDim} with size ${size}`);
      result = selectOp([result], { dim, index: i < 0 ? i + size : i });
      realDim++;
    } else if (p instanceof Slice) {
      if (result.dim() === 0) throw new RangeError(`${op}: slice() cannot be applied to a 0-dim tensor.`);
      if (p.step === 0) throw new RangeError(`${op}: slice step cannot be zero`);
      if (p.step !== null && p.step < 0) throw new RangeError(`${op}: step must be greater than zero`);
      result = slice(result, dim, p.start, p.stop, p.step ?? 1);
      dim++;
      realDim++;
    } else if (p.dtype === "bool" && p.dim() === 0) {
      boolIndex(p.item() !== 0);
    } else if (p.dtype === "bool" || p.dtype === "uint8") {
      maskToIndices(p, result.shape, dim, op).forEach((t, j) => record(t, dim + j));
      dim += p.dim();
      realDim += p.dim();
    } else if (p.dtype === "int64" || p.dtype === "int32") {
      record(p, dim);
      dim++;
      realDim++;
    } else {
      throw new TypeError(`${op}: tensors used as indices must be long, int, byte or bool tensors`);
    }
  }
  return { view: result, tensors };
}

/**
 * `x[items]` with Python/PyTorch indexing semantics, e.g. `x.index(0, ":", null, "1:3")` for
 * `x[0, :, None, 1:3]`. Numbers, slices, `null` and `"..."` give a view sharing storage; tensor (or
 * array) items select by advanced indexing and copy: index tensors broadcast together, and the broadcast
 * dims replace the indexed dims when those are adjacent, else go first. A k-dim bool mask consumes k dims
 * (numpy's rule; PyTorch 1.13 miscounts a multi-dim mask followed by more items).
 *
 * @example
 * const x = torch.tensor([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]);
 * x.index(1)                                  // tensor([4, 5, 6, 7]) (a view)
 * x.index(":", "::2")                         // tensor([[0, 2], [4, 6], [8, 10]])
 * x.index(torch.tensor([0, 2]), -1)           // tensor([3, 11])
 * x.index(x.gt(9))                            // tensor([10, 11])
 */
export function index(x: Tensor, ...items: IndexItem[]): Tensor {
  checkTensor(x, "index");
  const { view, tensors } = applyItems(x, items, "index");
  if (tensors.length === 0) return view === x ? aliasOp([x], undefined) : view;
  return indexWithTensors(view, tensors, "index");
}

/**
 * `x[items] = value` out of place: a new tensor equal to `x` except at the indexed positions, which get
 * `value` (or, with `accumulate`, `x + value`; repeated advanced indices then add up). Differentiable in
 * `x` and `value`. `value` broadcasts to the indexed shape and converts to `x.dtype`.
 */
export function indexPut(x: Tensor, items: IndexItem | readonly IndexItem[], value: TensorLike, accumulate = false): Tensor {
  checkTensor(x, "indexPut");
  const list = Array.isArray(items) ? (items as readonly IndexItem[]) : [items as IndexItem];
  // The items' view geometry relative to a contiguous x, found by indexing a storage-less stand-in.
  const probe = new Tensor(allocate(x.dtype, 0), x.dtype, x.shape);
  const { view, tensors } = noGrad(() => applyItems(probe, list, "indexPut"));
  const geom: Geometry = { shape: view.shape, strides: view.strides, offset: view.offset };
  const whole = isIdentity(geom, x.shape);
  const region = whole ? x : asStrided(x, geom);
  let updated: Tensor;
  if (tensors.length > 0) {
    updated = indexPutWithTensors(region, tensors, value, accumulate, "indexPut");
  } else {
    const v = valueFor(value, geom.shape, x.dtype, "indexPut");
    // A whole-tensor write must still return fresh storage, never a view of `value`.
    updated = accumulate ? add(region, v) : whole ? clone(v) : v;
  }
  return whole ? updated : stridedScatterOp([x, updated], { geom });
}

/**
 * `x[items] = value` in place (Python's setitem), returning `x`; see `index` for the items and `indexPut`
 * for `value` and `accumulate`. The storage version is bumped; autograd records the write when `x` or
 * `value` requires grad.
 *
 * @example
 * const x = torch.zeros(2, 3);
 * x.indexPut_([0, "1:"], 5);                  // x[0, 1:] = 5
 * x.indexPut_([x.lt(1)], -1);                 // x[x < 1] = -1
 */
export function indexPut_(x: Tensor, items: IndexItem | readonly IndexItem[], value: TensorLike, accumulate = false): Tensor {
  checkTensor(x, "indexPut_");
  const list = Array.isArray(items) ? (items as readonly IndexItem[]) : [items as IndexItem];
  if (writeNeedsGrad(x, value)) {
    return applyInplace(x, "indexPut_", (s) => indexPut(s, list, value, accumulate), true);
  }
  x._checkInplace("indexPut_");
  // A value that views x's own storage is read before any write lands (numpy's result; PyTorch refuses
  // partially overlapping writes).
  if (value instanceof Tensor && value.buf === x.buf) value = noGrad(() => clone(value as Tensor));
  noGrad(() => {
    const { view, tensors } = applyItems(x, list, "indexPut_");
    if (tensors.length > 0) {
      indexPutRaw(view, tensors, value, accumulate, "indexPut_");
    } else {
      const v = valueFor(value, view.shape, x.dtype, "indexPut_");
      backend().copy(accumulate ? add(view, v) : v, view);
    }
  });
  x._bumpVersion();
  return x;
}
