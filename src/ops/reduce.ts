import { Tensor } from "../tensor.js";
import { type DType, isFloating } from "../dtype.js";
import { normalizeDims, shapeEquals } from "../layout.js";
import { backend } from "../backend/backend.js";
import { defineUnaryOutputOp } from "./define.js";
import { checkTensor } from "./util.js";
import { expand, reshape } from "./view.js";

/** The keepdim shape: reduced dims set to 1. */
export function keepShape(shape: readonly number[], dims: readonly number[]): number[] {
  return shape.map((s, i) => (dims.includes(i) ? 1 : s));
}

/** The output shape with or without the reduced dims. */
export function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  return keepdim ? keepShape(shape, dims) : shape.filter((_, i) => !dims.includes(i));
}

const sumOp = defineUnaryOutputOp<{ dims: number[]; keepdim: boolean; dtype: DType }>({
  name: "Sum",
  forward(ctx, [x], { dims, keepdim, dtype }) {
    const kshape = keepShape(x.shape, dims);
    const out = Tensor.empty(kshape, dtype);
    backend().reduce("sum", x, dims, out);
    ctx.inShape = x.shape.slice();
    // Dropping size-1 dims of a contiguous result is still contiguous: no copy.
    return keepdim ? out : new Tensor(out.buf, dtype, reducedShape(x.shape, dims, false));
  },
  backward(ctx, [g], { dims }) {
    const inShape = ctx.inShape as number[];
    return [expand(reshape(g, keepShape(inShape, dims)), inShape)];
  },
});

/**
 * Sum over `dim` (all dims when omitted), as `torch.sum`. Integer and bool inputs sum to int64.
 *
 * @example
 * torch.sum(torch.tensor([[1, 2], [3, 4]]), 1) // tensor([3, 7])
 */
export function sum(x: Tensor, dim?: number | number[] | null, keepdim = false, opts: { dtype?: DType } = {}): Tensor {
  checkTensor(x, "sum");
  const dims = normalizeDims(dim, x.dim(), "sum");
  const dtype = opts.dtype ?? (isFloating(x.dtype) ? x.dtype : "int64");
  return sumOp([x], { dims, keepdim, dtype });
}

/** Sums a broadcast gradient back to `shape` (leading dims and size-1 dims), for broadcasting ops' vjps. */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (shapeEquals(g.shape, shape)) return g;
  const lead = g.dim() - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.dim(); i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  }
  const s = dims.length ? sum(g, dims, true) : g;
  return reshape(s, shape);
}
