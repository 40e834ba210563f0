import { Tensor, type View } from "../tensor.js";
import type { DType } from "../dtype.js";
import { broadcastShapes, numel } from "../layout.js";
import { backend } from "../backend/backend.js";
import { defineUnaryOutputOp, type Context } from "./define.js";
import { checkTensor } from "./util.js";
import { contiguous, expand, reshape, squeeze, t, transpose, unsqueeze, view } from "./view.js";
import { mul } from "./elementwise.js";
import { sumToShape } from "./reduce.js";

/**
 * The matmul family: mm, bmm, mv, dot and addmm are primitives (one backend `gemm` each, gradients beside
 * them); matmul dispatches over ranks exactly as PyTorch 1.13's `_matmul_impl` (aten LinearAlgebra.cpp), so
 * shapes, error messages and folding choices match; outer is `a.reshape(-1, 1) * b` as in PyTorch.
 */

/** PyTorch's scalar type names, used in its dtype-mismatch messages. */
const SCALAR_NAME: Record<DType, string> = {
  float32: "Float",
  float64: "Double",
  int32: "Int",
  int64: "Long",
  uint8: "Byte",
  bool: "Bool",
};

function checkSameDtype(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) {
    throw new TypeError(`${op}: expected scalar type ${SCALAR_NAME[a.dtype]} but found ${SCALAR_NAME[b.dtype]}`);
  }
}

function checkNotBool(op: string, kernel: string, x: Tensor): void {
  if (x.dtype === "bool") throw new TypeError(`${op}: "${kernel}" not implemented for 'Bool'`);
}

/** A 3-d view [batch, rows, cols] of a tensor's storage, for the gemm kernel. */
function view3(x: Tensor, shape: [number, number, number], strides: [number, number, number]): View {
  return { buf: x.buf, dtype: x.dtype, shape, strides, offset: x.offset };
}

/** A matrix as a batch of one. */
function asBatch(x: Tensor): View {
  return view3(x, [1, x.shape[0], x.shape[1]], [0, x.strides[0], x.strides[1]]);
}

/** Saves only the operands a backward will read, so an in-place change to an unneeded one is no error. */
function saveFor(ctx: Context, a: Tensor, b: Tensor): void {
  const [needA, needB] = ctx.needsInputGrad;
  // Each input's gradient needs the *other* operand.
  ctx.save(needB ? a : Tensor.empty([0], a.dtype), needA ? b : Tensor.empty([0], b.dtype));
}

const mmOp = defineUnaryOutputOp<undefined>({
  name: "Mm",
  forward(ctx, [a, b]) {
    const out = Tensor.forOutput([a.shape[0], b.shape[1]], a.dtype);
    backend().gemm(asBatch(a), asBatch(b), asBatch(out), 1, 0);
    saveFor(ctx, a, b);
    return out;
  },
  backward(ctx, [g]) {
    const [a, b] = ctx.saved;
    return [ctx.needsInputGrad[0] ? mm(g, t(b)) : null, ctx.needsInputGrad[1] ? mm(t(a), g) : null];
  },
});

function checkMmShapes(op: string, a: Tensor, b: Tensor): void {
  if (a.shape[1] !== b.shape[0]) {
    throw new Error(
      `${op}: mat1 and mat2 shapes cannot be multiplied (${a.shape[0]}x${a.shape[1]} and ${b.shape[0]}x${b.shape[1]})`,
    );
  }
}

/**
 * Matrix product of two 2-d tensors, as `torch.mm`: [n, m] @ [m, p] → [n, p].
 *
 * @example
 * torch.mm(torch.tensor([[1, 2]]), torch.tensor([[3], [4]])) // tensor([[11]])
 */
export function mm(a: Tensor, b: Tensor): Tensor {
  checkTensor(a, "mm", "input");
  checkTensor(b, "mm", "mat2");
  if (a.dim() !== 2) throw new Error("mm: self must be a matrix");
  if (b.dim() !== 2) throw new Error("mm: mat2 must be a matrix");
  checkMmShapes("mm", a, b);
  checkSameDtype("mm", a, b);
  checkNotBool("mm", "addmm_impl_cpu_", a);
  return mmOp([a, b], undefined);
}

const bmmOp = defineUnaryOutputOp<undefined>({
  name: "Bmm",
  forward(ctx, [a, b]) {
    const out = Tensor.forOutput([a.shape[0], a.shape[1], b.shape[2]], a.dtype);
    const v = (x: Tensor): View => view3(x, x.shape as [number, number, number], x.strides as [number, number, number]);
    backend().gemm(v(a), v(b), v(out), 1, 0);
    saveFor(ctx, a, b);
    return out;
  },
  backward(ctx, [g]) {
    const [a, b] = ctx.saved;
    return [
      ctx.needsInputGrad[0] ? bmm(g, transpose(b, 1, 2)) : null,
      ctx.needsInputGrad[1] ? bmm(transpose(a, 1, 2), g) : null,
    ];
  },
});

/**
 * Batched matrix product of two 3-d tensors, as `torch.bmm`: [b, n, m] @ [b, m, p] → [b, n, p] (no
 * broadcasting; use `matmul` for that).
 */
export function bmm(a: Tensor, b: Tensor): Tensor {
  checkTensor(a, "bmm", "input");
  checkTensor(b, "bmm", "mat2");
  if (a.dim() !== 3) throw new Error("bmm: batch1 must be a 3D tensor");
  if (b.dim() !== 3) throw new Error("bmm: batch2 must be a 3D tensor");
  if (b.shape[0] !== a.shape[0] || b.shape[1] !== a.shape[2]) {
    throw new Error(
      `bmm: Expected size for first two dimensions of batch2 tensor to be: [${a.shape[0]}, ${a.shape[2]}] ` +
        `but got: [${b.shape[0]}, ${b.shape[1]}].`,
    );
  }
  checkSameDtype("bmm", a, b);
  checkNotBool("bmm", "bmm", a);
  return bmmOp([a, b], undefined);
}

const mvOp = defineUnaryOutputOp<undefined>({
  name: "Mv",
  forward(ctx, [a, v]) {
    const out = Tensor.empty([a.shape[0]], a.dtype);
    const col = view3(v, [1, v.shape[0], 1], [0, v.strides[0], 0]);
    backend().gemm(asBatch(a), col, view3(out, [1, a.shape[0], 1], [0, 1, 0]), 1, 0);
    saveFor(ctx, a, v);
    return out;
  },
  backward(ctx, [g]) {
    const [a, v] = ctx.saved;
    return [ctx.needsInputGrad[0] ? outer(g, v) : null, ctx.needsInputGrad[1] ? mv(t(a), g) : null];
  },
});

/** Matrix-vector product, as `torch.mv`: [n, m] @ [m] → [n]. */
export function mv(a: Tensor, v: Tensor): Tensor {
  checkTensor(a, "mv", "input");
  checkTensor(v, "mv", "vec");
  if (a.dim() !== 2 || v.dim() !== 1) {
    throw new Error(`mv: vector + matrix @ vector expected, got 1, ${a.dim()}, ${v.dim()}`);
  }
  if (a.shape[1] !== v.shape[0]) {
    throw new Error(`mv: size mismatch, got ${a.shape[0]}, ${a.shape[0]}x${a.shape[1]},${v.shape[0]}`);
  }
  checkSameDtype("mv", a, v);
  checkNotBool("mv", "addmv_impl_cpu", a);
  return mvOp([a, v], undefined);
}

const dotOp = defineUnaryOutputOp<undefined>({
  name: "Dot",
  forward(ctx, [a, b]) {
    const out = Tensor.empty([], a.dtype);
    const n = a.shape[0];
    backend().gemm(
      view3(a, [1, 1, n], [0, 0, a.strides[0]]),
      view3(b, [1, n, 1], [0, b.strides[0], 0]),
      view3(out, [1, 1, 1], [0, 0, 0]),
      1,
      0,
    );
    saveFor(ctx, a, b);
    return out;
  },
  backward(ctx, [g]) {
    const [a, b] = ctx.saved;
    return [ctx.needsInputGrad[0] ? mul(g, b) : null, ctx.needsInputGrad[1] ? mul(g, a) : null];
  },
});

/** Inner product of two 1-d tensors, as `torch.dot`: Σ a[i]·b[i] → 0-d tensor. */
export function dot(a: Tensor, b: Tensor): Tensor {
  checkTensor(a, "dot", "input");
  checkTensor(b, "dot", "tensor");
  if (a.dim() !== 1 || b.dim() !== 1) {
    throw new Error(`dot: 1D tensors expected, but got ${a.dim()}D and ${b.dim()}D tensors`);
  }
  if (a.dtype !== b.dtype) {
    throw new TypeError(
      `dot: expected both vectors to have same dtype, but found ${SCALAR_NAME[a.dtype]} and ${SCALAR_NAME[b.dtype]}`,
    );
  }
  if (a.shape[0] !== b.shape[0]) {
    throw new Error(
      `dot: inconsistent tensor size, expected tensor [${a.shape[0]}] and src [${b.shape[0]}] to have the same ` +
        `number of elements, but got ${a.shape[0]} and ${b.shape[0]} elements respectively`,
    );
  }
  checkNotBool("dot", "dot", a);
  return dotOp([a, b], undefined);
}

/**
 * Outer product of two 1-d tensors, as `torch.outer` (alias `ger`): out[i, j] = a[i]·b[j], [n] × [m] → [n, m].
 * Types promote as for `mul`.
 */
export function outer(a: Tensor, b: Tensor): Tensor {
  checkTensor(a, "outer", "input");
  checkTensor(b, "outer", "vec2");
  if (a.dim() !== 1) throw new Error(`outer: Expected 1-D argument self, but got ${a.dim()}-D`);
  if (b.dim() !== 1) throw new Error(`outer: Expected 1-D argument vec2, but got ${b.dim()}-D`);
  return mul(reshape(a, [a.shape[0], 1]), b);
}

/** `torch.ger`, the old name of `outer`. */
export const ger = outer;

interface AddmmAttrs {
  beta: number;
  alpha: number;
}

const addmmOp = defineUnaryOutputOp<AddmmAttrs>({
  name: "Addmm",
  forward(ctx, [input, a, b], { beta, alpha }) {
    // Written whole: by the copy of input when beta ≠ 0, by the product (beta = 0 overwrites) otherwise.
    const out = Tensor.forOutput([a.shape[0], b.shape[1]], a.dtype);
    if (beta !== 0) backend().copy(expand(input, out.shape), out);
    backend().gemm(asBatch(a), asBatch(b), asBatch(out), alpha, beta);
    const n = ctx.needsInputGrad;
    if (n[0] || n[1] || n[2]) {
      ctx.inShape = input.shape.slice();
      ctx.save(n[2] ? a : Tensor.empty([0], a.dtype), n[1] ? b : Tensor.empty([0], b.dtype));
    }
    return out;
  },
  backward(ctx, [g], { beta, alpha }) {
    const [a, b] = ctx.saved;
    const scale = (x: Tensor, s: number): Tensor => (s === 1 ? x : mul(x, s));
    return [
      ctx.needsInputGrad[0] ? sumToShape(scale(g, beta), ctx.inShape as number[]) : null,
      ctx.needsInputGrad[1] ? scale(mm(g, t(b)), alpha) : null,
      ctx.needsInputGrad[2] ? scale(mm(t(a), g), alpha) : null,
    ];
  },
});

/**
 * `beta · input + alpha · (mat1 @ mat2)`, as `torch.addmm` (input broadcasts to [n, p]; beta = 0 ignores
 * input entirely, NaN included). Defaults: beta = 1, alpha = 1.
 *
 * @example
 * torch.addmm(torch.zeros(2), torch.ones(1, 3), torch.ones(3, 2)) // tensor([[3., 3.]])
 */
export function addmm(input: Tensor, mat1: Tensor, mat2: Tensor, opts: { beta?: number; alpha?: number } = {}): Tensor {
  checkTensor(input, "addmm", "input");
  checkTensor(mat1, "addmm", "mat1");
  checkTensor(mat2, "addmm", "mat2");
  const beta = opts.beta ?? 1;
  const alpha = opts.alpha ?? 1;
  if (mat1.dim() !== 2) throw new Error(`addmm: mat1 must be a matrix, got ${mat1.dim()}-D tensor`);
  if (mat2.dim() !== 2) throw new Error(`addmm: mat2 must be a matrix, got ${mat2.dim()}-D tensor`);
  checkMmShapes("addmm", mat1, mat2);
  if (input.dtype !== mat2.dtype) throw new TypeError("addmm: self and mat2 must have the same dtype");
  if (mat1.dtype !== mat2.dtype) throw new TypeError("addmm: mat1 and mat2 must have the same dtype");
  checkNotBool("addmm", "addmm_impl_cpu_", mat1);
  // Validates broadcasting with PyTorch's expand message before any work.
  expand(input, [mat1.shape[0], mat2.shape[1]]);
  return addmmOp([input, mat1, mat2], { beta, alpha });
}

/** Swaps the last two dims (`tensor.mT`). */
function mT(x: Tensor): Tensor {
  return transpose(x, -2, -1);
}

/**
 * PyTorch 1.13's `should_fold(tensor, otherDim)`: a ≥3-d operand times a 1-d or 2-d one folds its batch dims
 * into rows and runs one mm/mv instead of bmm, except for a 3-d operand whose matrices are transposed
 * inside a batch-major layout (`permute(0, 2, 1)`): folding that would copy, bmm reads it in place.
 */
function shouldFold(x: Tensor, otherDim: number): boolean {
  if (!(x.dim() >= 3 && (otherDim === 1 || otherDim === 2))) return false;
  const [s0, , s2] = x.strides;
  return !(x.dim() === 3 && otherDim === 2 && s2 !== 1 && s0 === x.shape[1] * x.shape[2]);
}

/**
 * Matrix product with PyTorch's rank rules, as `torch.matmul` (the `@` operator):
 * 1-d·1-d → dot (0-d); 2-d·2-d → mm; 2-d·1-d → mv; a 1-d first operand is treated as [1, n] and the added
 * dim removed; a 1-d second operand as [n, 1] likewise; otherwise batch dims (all but the last two)
 * broadcast: [j, 1, n, m] @ [k, m, p] → [j, k, n, p].
 *
 * @example
 * torch.matmul(torch.ones(2, 3, 4), torch.ones(4)).shape // [2, 3]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor(a, "matmul", "input");
  checkTensor(b, "matmul", "other");
  const d1 = a.dim();
  const d2 = b.dim();
  if (d1 === 0 || d2 === 0) {
    throw new Error(`matmul: both arguments to matmul need to be at least 1D, but they are ${d1}D and ${d2}D`);
  }
  if (d1 === 1 && d2 === 1) return dot(a, b);
  if (d1 === 2 && d2 === 1) return mv(a, b);
  if (d1 === 1 && d2 === 2) return squeeze(mm(unsqueeze(a, 0), b), 0);
  if (d1 === 2 && d2 === 2) return mm(a, b);
  if (shouldFold(a, d2) || shouldFold(b, d1)) {
    const transposed = d2 > d1;
    const t1 = transposed ? mT(b) : a;
    const t2 = !transposed ? b : d1 === 2 ? t(a) : a;
    const outShape = t1.shape.slice(0, -1);
    const folded = numel(outShape);
    const t1Folded = reshape(t1, [folded, t1.shape[t1.dim() - 1]]);
    if (t2.dim() === 2) {
      outShape.push(t2.shape[1]);
      const out = view(mm(t1Folded, t2), outShape);
      // PyTorch's own copy here: a 2-d @ N-d product computed transposed is returned contiguous.
      return transposed ? contiguous(mT(out)) : out;
    }
    return view(mv(t1Folded, t2), outShape);
  }
  const batch1 = a.shape.slice(0, Math.max(d1 - 2, 0));
  const batch2 = b.shape.slice(0, Math.max(d2 - 2, 0));
  // A size-1 batch that needs a gradient is dropped rather than broadcast (PyTorch does the same), so its
  // gradient is not a sum over an expanded product.
  if (d1 === 3 && d2 === 3 && batch1[0] !== batch2[0]) {
    if (batch1[0] === 1 && a.requiresGrad) return matmul(squeeze(a, 0), b);
    if (batch2[0] === 1 && b.requiresGrad) return matmul(a, squeeze(b, 0));
  }
  const n = d1 > 1 ? a.shape[d1 - 2] : 1;
  const m1 = a.shape[d1 - 1];
  const m2 = d2 > 1 ? b.shape[d2 - 2] : b.shape[0];
  const p = d2 > 1 ? b.shape[d2 - 1] : 1;
  const outBatch = broadcastShapes(batch1, batch2);
  const nb = numel(outBatch);
  const aExp = reshape(expand(a, [...outBatch, n, m1]), [nb, n, m1]);
  const vectorRhs = d2 === 1;
  const bExp = vectorRhs
    ? unsqueeze(reshape(expand(b, [...outBatch, m2]), [nb, m2]), 2)
    : reshape(expand(b, [...outBatch, m2, p]), [nb, m2, p]);
  const outShape = outBatch.slice();
  if (d1 > 1) outShape.push(n);
  if (d2 > 1) outShape.push(p);
  const r = bmm(aExp, bExp);
  return view(vectorRhs ? squeeze(r, -1) : r, outShape);
}
