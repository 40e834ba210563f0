/**
 * Strided regions of a tensor as differentiable ops: `asStrided` (a region of a tensor's logical contiguous
 * layout) and `stridedScatterOp` (PyTorch's `as_strided_scatter`), which basic indexing and the in-place
 * writes through views (PyTorch's CopySlices) are built from.
 */
import { Tensor } from "../tensor.js";
import { contiguousStrides, isContiguous, shapeEquals } from "../layout.js";
import { backend } from "../backend/backend.js";
import { defineUnaryOutputOp } from "./define.js";
import type { PrimitiveOp } from "./index-util.js";

/** Where a view lies in a storage: element (i0, i1, …) at `offset + Σ ik·strides[k]`. */
export interface Geometry {
  shape: number[];
  strides: number[];
  offset: number;
}

/** The geometry of the same view taken from a fresh contiguous tensor of `shape` (what backward writes into). */
export const contiguousGeometry = (shape: readonly number[]): Geometry => ({
  shape: shape.slice(),
  strides: contiguousStrides(shape),
  offset: 0,
});

export const isIdentity = (g: Geometry, shape: readonly number[]): boolean =>
  g.offset === 0 && shapeEquals(g.shape, shape) && shapeEquals(g.strides, contiguousStrides(shape));

/**
 * A zero tensor of `shape` with `src` written into the region `geom` (relative to a contiguous tensor of
 * `shape`): the gradient of every basic view. Its own gradient is the view of the incoming gradient.
 */
export const viewBackwardOp: PrimitiveOp<{ shape: number[]; geom: Geometry }> = defineUnaryOutputOp<{ shape: number[]; geom: Geometry }>({
  name: "SliceBackward",
  forward(_ctx, [src], { shape, geom }) {
    const out = Tensor.empty(shape, src.dtype);
    backend().copy(src, out._viewAs(geom.shape, geom.strides, geom.offset));
    return out;
  },
  backward(_ctx, [g], { geom }) {
    return [asStrided(g, geom)];
  },
});

/** `base` with the region `geom` replaced by `src`, out of place (PyTorch's `as_strided_scatter`). */
export const stridedScatterOp: PrimitiveOp<{ geom: Geometry }> = defineUnaryOutputOp<{ geom: Geometry }>({
  name: "AsStridedScatter",
  forward(_ctx, [base, src], { geom }) {
    const out = Tensor.empty(base.shape, base.dtype);
    backend().copy(base, out);
    backend().copy(src, out._viewAs(geom.shape, geom.strides, geom.offset));
    return out;
  },
  backward(ctx, [g], { geom }) {
    return [
      ctx.needsInputGrad[0] ? stridedScatterOp([g, zerosOf(geom.shape, g)], { geom }) : null,
      ctx.needsInputGrad[1] ? asStrided(g, geom) : null,
    ];
  },
});

const zerosOf = (shape: readonly number[], like: Tensor): Tensor => Tensor.empty(shape, like.dtype);

/** The region `geom` (relative to `x`'s logical contiguous layout) of `x`: a view when `x` is contiguous. */
const asStridedOp: PrimitiveOp<{ geom: Geometry }> = defineUnaryOutputOp<{ geom: Geometry }>({
  name: "AsStrided",
  forward(ctx, [x], { geom }) {
    let c = x;
    if (!isContiguous(x.shape, x.strides)) {
      c = Tensor.empty(x.shape, x.dtype);
      backend().copy(x, c);
    }
    ctx.inShape = x.shape.slice();
    return c._viewAs(geom.shape, geom.strides, c.offset + geom.offset);
  },
  backward(ctx, [g], { geom }) {
    return [viewBackwardOp([g], { shape: ctx.inShape as number[], geom })];
  },
});

export function asStrided(x: Tensor, geom: Geometry): Tensor {
  return asStridedOp([x], { geom });
}
