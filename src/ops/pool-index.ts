/**
 * The two index-addressed primitives behind max pooling's gradients: scatter-add into the input planes
 * (max pool backward, `max_pool2d_with_indices_backward`) and its adjoint, gather
 * (`max_pool_double_backward`, also max unpooling's backward). Each is the other's VJP, so gradients of
 * any order exist.
 */
import { Tensor } from "../tensor.js";
import { isContiguous } from "../layout.js";
import { backend } from "../backend/backend.js";
import { defineUnaryOutputOp } from "./define.js";
import { planeView, view5 } from "./pool-args.js";

interface ScatterAttrs {
  nd: number;
  /** Shape of the planes' tensor (the pooled input). */
  shape: number[];
}

const scatterAddOp = defineUnaryOutputOp<ScatterAttrs>({
  name: "MaxPoolWithIndicesBackward",
  forward(ctx, [src, indices], { nd, shape }) {
    const out = Tensor.forOutput(shape, src.dtype);
    backend().poolScatterAdd(view5(src, nd), view5(indices, nd), planeView(out, nd));
    ctx.save(indices);
    return out;
  },
  backward(ctx, [g], { nd }) {
    const [indices] = ctx.saved;
    return [poolGather(g, indices, nd), null];
  },
});

const gatherOp = defineUnaryOutputOp<{ nd: number }>({
  name: "MaxPoolDoubleBackward",
  forward(ctx, [plane, indices], { nd }) {
    let p = plane;
    if (!isContiguous(plane.shape, plane.strides)) {
      p = Tensor.empty(plane.shape, plane.dtype);
      backend().copy(plane, p);
    }
    const out = Tensor.empty(indices.shape, plane.dtype);
    backend().poolGather(planeView(p, nd), view5(indices, nd), view5(out, nd));
    ctx.save(indices);
    ctx.shape = plane.shape.slice();
    return out;
  },
  backward(ctx, [g], { nd }) {
    const [indices] = ctx.saved;
    return [poolScatterAdd(g, indices, ctx.shape as number[], nd), null];
  },
});

/**
 * A zero tensor of `shape` (rank `nd + 1` or `nd + 2`) with `src` added at the flat plane positions
 * `indices` (both shaped like the pooled output). Indices come from a pooling forward, so are in range.
 */
export function poolScatterAdd(src: Tensor, indices: Tensor, shape: readonly number[], nd: number): Tensor {
  return scatterAddOp([src, indices], { nd, shape: shape.slice() });
}

/** `plane[n, c].flatten()[indices[n, c, …]]`, shaped like `indices`. */
export function poolGather(plane: Tensor, indices: Tensor, nd: number): Tensor {
  return gatherOp([plane, indices], { nd });
}
