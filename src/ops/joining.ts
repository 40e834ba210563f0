import { Tensor } from "../tensor.js";
import { type DType, isFloating, promoteTypes } from "../dtype.js";
import { formatShape, normalizeDim, shapeEquals } from "../layout.js";
import { backend } from "../backend/backend.js";
import { defineOp, defineUnaryOutputOp } from "./define.js";
import { checkTensor } from "./util.js";
import { zeros } from "./creation.js";
import { unsqueeze } from "./view.js";
import { to } from "./cast.js";
import { narrow } from "./indexing.js";

export { pad } from "./pad.js";
export type { PadMode } from "./pad.js";

/** PyTorch still skips 1-d empty tensors in `cat` whatever their other sizes (legacy behaviour). */
const skipped = (t: Tensor): boolean => t.dim() === 1 && t.shape[0] === 0;

const catOp = defineUnaryOutputOp<{ dim: number; dtype: DType }>({
  name: "Cat",
  forward(ctx, inputs, { dim, dtype }) {
    const used = inputs.filter((t) => !skipped(t));
    const ref = used[0] ?? inputs[0];
    const shape = ref.shape.slice();
    shape[dim] = used.reduce((n, t) => n + t.shape[dim], 0);
    const out = Tensor.empty(shape, dtype);
    backend().cat(used, dim, out);
    ctx.metas = inputs.map((t) => ({ size: skipped(t) ? -1 : t.shape[dim], dtype: t.dtype }));
    return out;
  },
  backward(ctx, [g], { dim }) {
    const metas = ctx.metas as Array<{ size: number; dtype: DType }>;
    let at = 0;
    return metas.map((m, i) => {
      if (m.size < 0) return ctx.needsInputGrad[i] ? zeros([0], { dtype: m.dtype }) : null;
      const start = at;
      at += m.size;
      if (!ctx.needsInputGrad[i]) return null;
      const part = narrow(g, dim, start, m.size);
      return part.dtype !== m.dtype && isFloating(m.dtype) ? to(part, m.dtype) : part;
    });
  },
});

function checkList(tensors: readonly Tensor[], op: string, empty: string): void {
  if (!Array.isArray(tensors)) throw new TypeError(`${op}(): argument 'tensors' must be a list of Tensors`);
  if (tensors.length === 0) throw new Error(empty);
  tensors.forEach((t, i) => checkTensor(t, op, `tensors[${i}]`));
}

/**
 * Joins tensors along an existing dim, as `torch.cat`. All must have the same shape except along `dim`;
 * the result has their promoted dtype. (1-d empty tensors are skipped, as in PyTorch.) Default dim 0.
 *
 * Shape: `dim` has the sum of the inputs' sizes.
 *
 * @example
 * torch.cat([torch.tensor([[1, 2]]), torch.tensor([[3, 4]])], 0) // tensor([[1, 2], [3, 4]])
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  checkList(tensors, "cat", "cat(): expected a non-empty list of Tensors");
  tensors.forEach((t, i) => {
    if (t.dim() === 0) throw new Error(`cat: zero-dimensional tensor (at position ${i}) cannot be concatenated`);
  });
  const dtype = tensors.map((t) => t.dtype).reduce(promoteTypes);
  const used = tensors.map((t, i) => [t, i] as const).filter(([t]) => !skipped(t));
  const ref = used.length ? used[0][0] : tensors[0];
  const d = normalizeDim(dim, ref.dim(), "cat");
  for (const [t, i] of used) {
    if (t.dim() !== ref.dim()) {
      throw new Error(`cat: Tensors must have same number of dimensions: got ${ref.dim()} and ${t.dim()}`);
    }
    for (let k = 0; k < ref.dim(); k++) {
      if (k !== d && t.shape[k] !== ref.shape[k]) {
        throw new Error(
          `cat: Sizes of tensors must match except in dimension ${d}. Expected size ${ref.shape[k]} but got size ` +
            `${t.shape[k]} for tensor number ${i} in the list.`,
        );
      }
    }
  }
  return catOp(tensors.slice(), { dim: d, dtype });
}

/** PyTorch's alias of `cat`. */
export const concat = cat;
/** PyTorch's alias of `cat`. */
export const concatenate = cat;

/**
 * Joins equal-shaped tensors along a new dim `dim` (in [-ndim-1, ndim]), as `torch.stack`. Default dim 0.
 *
 * Shape: the inputs' shape with `tensors.length` inserted at `dim`.
 *
 * @example
 * torch.stack([torch.tensor([1, 2]), torch.tensor([3, 4])], 1) // tensor([[1, 3], [2, 4]])
 */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  checkList(tensors, "stack", "stack expects a non-empty TensorList");
  const ref = tensors[0];
  tensors.forEach((t, i) => {
    if (!shapeEquals(t.shape, ref.shape)) {
      throw new Error(
        `stack expects each tensor to be equal size, but got ${formatShape(ref.shape)} at entry 0 and ` +
          `${formatShape(t.shape)} at entry ${i}`,
      );
    }
  });
  const d = normalizeDim(dim, ref.dim() + 1, "stack");
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}

type SplitAttrs = { dim: number; sizes: number[] };

function splitForward(x: Tensor, { dim, sizes }: SplitAttrs): Tensor[] {
  let at = 0;
  return sizes.map((n) => {
    const shape = x.shape.slice();
    shape[dim] = n;
    const v = x._viewAs(shape, x.strides, x.offset + at * x.strides[dim]);
    at += n;
    return v;
  });
}

const splitBackward = (grads: Tensor[], { dim }: SplitAttrs): Tensor[] => [cat(grads, dim)];

// Two names, as PyTorch's nodes: an integer split size (Split) or explicit sizes (SplitWithSizes).
const splitOp = defineOp<SplitAttrs>({
  name: "Split",
  forward: (_ctx, [x], a) => splitForward(x, a),
  backward: (_ctx, grads, a) => splitBackward(grads, a),
});
const splitWithSizesOp = defineOp<SplitAttrs>({
  name: "SplitWithSizes",
  forward: (_ctx, [x], a) => splitForward(x, a),
  backward: (_ctx, grads, a) => splitBackward(grads, a),
});

/**
 * Splits `x` along `dim` into views, as `torch.split`: an integer gives chunks of that size (the last may be
 * smaller), a list gives the exact sizes (which must sum to the dim's size). Default dim 0.
 *
 * @example
 * torch.split(torch.tensor([0, 1, 2, 3, 4]), 2) // [tensor([0, 1]), tensor([2, 3]), tensor([4])]
 * torch.split(torch.tensor([0, 1, 2, 3, 4]), [1, 4]) // [tensor([0]), tensor([1, 2, 3, 4])]
 */
export function split(x: Tensor, splitSizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  checkTensor(x, "split");
  if (x.dim() === 0) throw new Error("split expects at least a 1-dimensional tensor");
  const d = normalizeDim(dim, x.dim(), "split");
  const size = x.shape[d];
  if (typeof splitSizeOrSections === "number") {
    const s = splitSizeOrSections;
    if (!Number.isInteger(s) || s < 0) throw new Error(`split expects split_size be non-negative, but got split_size=${s}`);
    if (s === 0 && size !== 0) {
      throw new Error(`split_size can only be 0 if dimension size is 0, but got dimension size of ${size}`);
    }
    const n = Math.max(s === 0 ? 1 : Math.ceil(size / s), 1);
    const sizes = Array.from({ length: n }, (_, i) => Math.min(s, size - i * s));
    return splitOp([x], { dim: d, sizes });
  }
  const sizes = splitSizeOrSections.slice();
  if (sizes.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new Error(`split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=[${sizes.join(", ")}]`);
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== size) {
    throw new Error(
      `split_with_sizes expects split_sizes to sum exactly to ${size} (input tensor's size at dimension ${d}), ` +
        `but got split_sizes=[${sizes.join(", ")}]`,
    );
  }
  return splitWithSizesOp([x], { dim: d, sizes });
}

/**
 * Splits `x` into `chunks` views along `dim`, as `torch.chunk`: each of size ceil(size / chunks), the last
 * smaller, so fewer than `chunks` may come back (a 5-element dim in 4 chunks gives sizes 2, 2, 1).
 * Default dim 0.
 *
 * @example
 * torch.chunk(torch.tensor([0, 1, 2, 3, 4, 5]), 4) // [tensor([0, 1]), tensor([2, 3]), tensor([4, 5])]
 */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  checkTensor(x, "chunk");
  if (x.dim() === 0) throw new Error("chunk expects at least a 1-dimensional tensor");
  if (!Number.isInteger(chunks) || chunks <= 0) throw new Error(`chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  const d = normalizeDim(dim, x.dim(), "chunk");
  const size = x.shape[d];
  const splitSize = Math.ceil(size / chunks);
  // An empty dim still yields `chunks` empty pieces (a split size of 0 would yield one).
  if (size === 0) return split(x, new Array<number>(chunks).fill(0), d);
  return split(x, splitSize, d);
}

const unbindOp = defineOp<{ dim: number }>({
  name: "Unbind",
  forward(_ctx, [x], { dim }) {
    const shape = x.shape.filter((_, i) => i !== dim);
    const strides = x.strides.filter((_, i) => i !== dim);
    return Array.from({ length: x.shape[dim] }, (_, i) => x._viewAs(shape, strides, x.offset + i * x.strides[dim]));
  },
  backward(_ctx, grads, { dim }) {
    return [stack(grads, dim)];
  },
});

/**
 * The slices of `x` along `dim` (removed), as views, as `torch.unbind`. Default dim 0.
 *
 * @example
 * torch.unbind(torch.tensor([[1, 2], [3, 4]]), 1) // [tensor([1, 3]), tensor([2, 4])]
 */
export function unbind(x: Tensor, dim = 0): Tensor[] {
  checkTensor(x, "unbind");
  if (x.dim() === 0) throw new RangeError("unbind: Dimension specified as 0 but tensor has no dimensions");
  const d = normalizeDim(dim, x.dim(), "unbind");
  if (x.shape[d] === 0) return [];
  return unbindOp([x], { dim: d });
}
