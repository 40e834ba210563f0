import { Tensor } from "../tensor.js";
import { contiguousStrides, formatShape, isContiguous, normalizeDim, numel, shapeEquals } from "../layout.js";
import { backend } from "../backend/backend.js";
import { defineUnaryOutputOp } from "./define.js";
import { checkTensor } from "./util.js";
import { sumToShape } from "./reduce.js";

/**
 * Strides for viewing (shape, strides) as `newShape` without a copy, or null when impossible
 * (PyTorch's `computeStride`: each run of merged/split dims must be contiguous within itself).
 */
export function viewStrides(shape: readonly number[], strides: readonly number[], newShape: readonly number[]): number[] | null {
  if (numel(shape) === 0) return contiguousStrides(newShape);
  const out = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBase = strides[strides.length - 1] ?? 1;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d];
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = strides[d - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) {
    while (viewD >= 0) out[viewD--] = 1; // trailing size-1 dims of a 0-dim source
  }
  return out;
}

/** Resolves one `-1` in a requested shape and checks the element count. */
export function inferShape(shape: readonly number[], n: number, op: string): number[] {
  const out = shape.slice();
  const neg = out.indexOf(-1);
  if (neg !== out.lastIndexOf(-1)) throw new Error(`${op}: only one dimension can be inferred`);
  for (const s of out) {
    if (!Number.isInteger(s) || s < -1) throw new RangeError(`${op}: invalid shape dimension ${s}`);
  }
  if (neg >= 0) {
    const rest = out.reduce((a, s, i) => (i === neg ? a : a * s), 1);
    if (rest === 0 || n % rest !== 0) {
      throw new Error(`${op}: shape '${formatShape(shape)}' is invalid for input of size ${n}`);
    }
    out[neg] = n / rest;
  }
  if (numel(out) !== n) throw new Error(`${op}: shape '${formatShape(shape)}' is invalid for input of size ${n}`);
  return out;
}

const viewOp = defineUnaryOutputOp<{ shape: number[] }>({
  name: "View",
  forward(ctx, [x], { shape }) {
    const st = viewStrides(x.shape, x.strides, shape)!;
    ctx.inShape = x.shape.slice();
    return x._viewAs(shape, st, x.offset);
  },
  backward(ctx, [g]) {
    return [reshape(g, ctx.inShape as number[])];
  },
});

function shapeArgs(args: Array<number | readonly number[]>): number[] {
  return args.length === 1 && Array.isArray(args[0]) ? (args[0] as number[]).slice() : (args as number[]);
}

/** A view with another shape sharing storage, as `tensor.view(*shape)`; fails when strides forbid it. */
export function view(x: Tensor, ...shape: Array<number | readonly number[]>): Tensor {
  checkTensor(x, "view");
  const s = inferShape(shapeArgs(shape), x.numel(), "view");
  if (viewStrides(x.shape, x.strides, s) === null) {
    throw new Error(
      "view size is not compatible with input tensor's size and stride (at least one dimension spans across " +
        "two contiguous subspaces). Use .reshape(...) instead.",
    );
  }
  return viewOp([x], { shape: s });
}

/** `view` when the strides allow it, else a contiguous copy, as `torch.reshape`. */
export function reshape(x: Tensor, ...shape: Array<number | readonly number[]>): Tensor {
  checkTensor(x, "reshape");
  const s = inferShape(shapeArgs(shape), x.numel(), "reshape");
  if (viewStrides(x.shape, x.strides, s) !== null) return viewOp([x], { shape: s });
  return viewOp([contiguous(x)], { shape: s });
}

const contiguousOp = defineUnaryOutputOp<undefined>({
  name: "Clone",
  forward(_ctx, [x]) {
    const out = Tensor.empty(x.shape, x.dtype);
    backend().copy(x, out);
    return out;
  },
  backward(_ctx, [g]) {
    return [g];
  },
});

/** A copy with its own storage, as `tensor.clone()` (gradient flows through). */
export function clone(x: Tensor): Tensor {
  return contiguousOp([checkTensor(x, "clone")], undefined);
}

/** The tensor itself if contiguous, else a contiguous copy, as `tensor.contiguous()`. */
export function contiguous(x: Tensor): Tensor {
  checkTensor(x, "contiguous");
  return isContiguous(x.shape, x.strides) ? x : contiguousOp([x], undefined);
}

const expandOp = defineUnaryOutputOp<{ shape: number[] }>({
  name: "Expand",
  forward(ctx, [x], { shape }) {
    const lead = shape.length - x.dim();
    const strides = shape.map((s, i) => {
      if (i < lead) return 0;
      return x.shape[i - lead] === 1 && s !== 1 ? 0 : x.strides[i - lead];
    });
    ctx.inShape = x.shape.slice();
    return x._viewAs(shape, strides, x.offset);
  },
  backward(ctx, [g]) {
    return [sumToShape(g, ctx.inShape as number[])];
  },
});

/** Broadcasts size-1 dims to `shape` without copying (-1 keeps a size), as `tensor.expand`. */
export function expand(x: Tensor, ...shape: Array<number | readonly number[]>): Tensor {
  checkTensor(x, "expand");
  const s = shapeArgs(shape);
  if (s.length < x.dim()) {
    throw new Error(
      `expand: the number of sizes provided (${s.length}) must be greater or equal to the number of dimensions in the tensor (${x.dim()})`,
    );
  }
  const lead = s.length - x.dim();
  const target = s.map((v, i) => {
    if (i < lead) {
      if (v < 0) throw new Error(`expand: the expanded size of the tensor (${v}) isn't allowed in a leading, non-existing dimension ${i}`);
      return v;
    }
    const cur = x.shape[i - lead];
    if (v === -1) return cur;
    if (cur !== 1 && cur !== v) {
      throw new Error(
        `The expanded size of the tensor (${v}) must match the existing size (${cur}) at non-singleton dimension ${i}.  Target sizes: ${formatShape(s)}.  Tensor sizes: ${formatShape(x.shape)}`,
      );
    }
    return v;
  });
  if (shapeEquals(target, x.shape)) return viewOp([x], { shape: target });
  return expandOp([x], { shape: target });
}

const permuteOp = defineUnaryOutputOp<{ dims: number[] }>({
  name: "Permute",
  forward(_ctx, [x], { dims }) {
    return x._viewAs(
      dims.map((d) => x.shape[d]),
      dims.map((d) => x.strides[d]),
      x.offset,
    );
  },
  backward(_ctx, [g], { dims }) {
    const inv = new Array<number>(dims.length);
    dims.forEach((d, i) => (inv[d] = i));
    return [permute(g, inv)];
  },
});

/** Reorders dims (a view), as `tensor.permute(*dims)`. */
export function permute(x: Tensor, ...dims: Array<number | readonly number[]>): Tensor {
  checkTensor(x, "permute");
  const d = shapeArgs(dims);
  if (d.length !== x.dim()) {
    throw new Error(
      `permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${x.dim()} is not equal to len(dims) = ${d.length}`.replace(
        "permute(sparse_coo)",
        "permute",
      ),
    );
  }
  const nd = d.map((v) => normalizeDim(v, x.dim(), "permute"));
  if (new Set(nd).size !== nd.length) throw new Error("permute: repeated dim");
  return permuteOp([x], { dims: nd });
}

/** Swaps two dims (a view), as `torch.transpose`. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  checkTensor(x, "transpose");
  const n = x.dim();
  if (n === 0) {
    normalizeDim(dim0, 0, "transpose");
    normalizeDim(dim1, 0, "transpose");
    return viewOp([x], { shape: [] });
  }
  const a = normalizeDim(dim0, n, "transpose");
  const b = normalizeDim(dim1, n, "transpose");
  const order = Array.from({ length: n }, (_, i) => i);
  order[a] = b;
  order[b] = a;
  return permuteOp([x], { dims: order });
}

/** `transpose(0, 1)` of a matrix (and identity for ≤1-d), as `tensor.t()`. */
export function t(x: Tensor): Tensor {
  checkTensor(x, "t");
  if (x.dim() > 2) throw new Error(`t() expects a tensor with <= 2 dimensions, but self is ${x.dim()}D`);
  return x.dim() < 2 ? viewOp([x], { shape: x.shape.slice() }) : transpose(x, 0, 1);
}

/** Removes size-1 dims (all, or the given ones), as `torch.squeeze`. */
export function squeeze(x: Tensor, dim?: number | number[]): Tensor {
  checkTensor(x, "squeeze");
  const dims =
    dim === undefined
      ? x.shape.map((_, i) => i)
      : (typeof dim === "number" ? [dim] : dim).map((d) => normalizeDim(d, x.dim(), "squeeze"));
  const shape = x.shape.filter((s, i) => !(s === 1 && dims.includes(i)));
  return viewOp([x], { shape });
}

/** Inserts a size-1 dim at `dim` (in [-ndim-1, ndim]), as `torch.unsqueeze`. */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  checkTensor(x, "unsqueeze");
  const d = normalizeDim(dim, x.dim() + 1, "unsqueeze");
  const shape = x.shape.slice();
  shape.splice(d, 0, 1);
  return viewOp([x], { shape });
}

/** Merges dims `startDim..endDim` into one, as `torch.flatten`. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  checkTensor(x, "flatten");
  if (x.dim() === 0) return reshape(x, [1]);
  const s = normalizeDim(startDim, x.dim(), "flatten");
  const e = normalizeDim(endDim, x.dim(), "flatten");
  if (s > e) throw new Error("flatten() has invalid args: start_dim cannot come after end_dim");
  const shape = [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

/** Splits dim `dim` into `sizes` (one may be -1), as `torch.unflatten`. */
export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  checkTensor(x, "unflatten");
  const d = normalizeDim(dim, x.dim(), "unflatten");
  if (sizes.length === 0) throw new Error("unflatten: sizes must be non-empty");
  const inner = inferShape(sizes, x.shape[d], "unflatten");
  return view(x, [...x.shape.slice(0, d), ...inner, ...x.shape.slice(d + 1)]);
}
