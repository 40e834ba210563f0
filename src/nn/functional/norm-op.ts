/**
 * The normalization primitive behind batch, instance, layer and group norm: `y = (x − μ)·rstd·w + b` over
 * `x` viewed as `[N, C, S]`, with μ and rstd per channel or per (sample, group) (`NormGrouping`). The
 * statistics are computed by the caller (which also updates running statistics) and passed in; `batchStats`
 * says whether they are functions of `x` (training) or constants (running statistics).
 *
 * Backward runs the fused kernel; when the backward itself is recorded (`createGraph`), it is written with
 * public ops instead, so gradients of gradients work.
 */
import { Tensor } from "../../tensor.js";
import { backend } from "../../backend/backend.js";
import type { NormGrouping } from "../../backend/interface/norm.js";
import { isGradEnabled } from "../../autograd/grad-mode.js";
import { defineUnaryOutputOp } from "../../ops/define.js";
import { add, mul, rsqrt, square, sub } from "../../ops/elementwise.js";
import { mean, sum } from "../../ops/reduce.js";
import { reshape, view } from "../../ops/view.js";
import { to } from "../../ops/cast.js";

export type { NormGrouping };

/** The primitive's attributes: geometry, statistics and which affine inputs follow `x`. */
export interface NormAttrs {
  /** Which elements share statistics: per channel (batch norm) or per (sample, group). */
  grouping: NormGrouping;
  /** `x` as `[N, C, S]`. */
  dims: [number, number, number];
  eps: number;
  /** float64 statistics: C entries (channel) or N·groups (group). */
  mean: Tensor;
  rstd: Tensor;
  /** Statistics depend on `x` (training) rather than being constants. */
  batchStats: boolean;
  hasWeight: boolean;
  hasBias: boolean;
}

/** Number of statistics for a grouping. */
export function statCount(dims: readonly number[], grouping: NormGrouping): number {
  return grouping.kind === "channel" ? dims[1] : dims[0] * grouping.groups;
}

/** Mean and biased variance (float64) of `x` viewed as `dims`, by the fused kernel (no autograd). */
export function normStats(x: Tensor, dims: [number, number, number], grouping: NormGrouping): { mean: Tensor; variance: Tensor } {
  const k = statCount(dims, grouping);
  const m = Tensor.empty([k], "float64");
  const v = Tensor.empty([k], "float64");
  backend().normStats(reshape(x.detach(), dims), grouping, m, v);
  return { mean: m, variance: v };
}

/** `1/√(variance + eps)` in float64. */
export function rstdOf(variance: Tensor, eps: number): Tensor {
  return rsqrt(add(to(variance.detach(), "float64"), eps));
}

function makeNormOp(name: string): (inputs: Tensor[], attrs: NormAttrs) => Tensor {
  return defineUnaryOutputOp<NormAttrs>({
    name,
    forward(ctx, inputs, a) {
      const [x, w, b] = unpack(inputs, a);
      const out = Tensor.empty(a.dims, x.dtype);
      backend().normForward(reshape(x, a.dims), a.grouping, a.mean, a.rstd, w ? reshape(w, [-1]) : null, b ? reshape(b, [-1]) : null, out);
      if (ctx.needsInputGrad.some(Boolean)) ctx.save(...inputs);
      return reshape(out, x.shape);
    },
    backward(ctx, [gy], a) {
      const [x, w, b] = unpack(ctx.saved, a);
      const need = ctx.needsInputGrad;
      const grads = isGradEnabled() ? compositeBackward(gy, x, w, a) : fusedBackward(gy, x, w, a, need[0], a.hasWeight && need[1], a.hasBias && need[a.hasWeight ? 2 : 1]);
      const out: Array<Tensor | null> = [need[0] ? grads.dx : null];
      if (w) out.push(need[1] ? reshape(grads.dw, w.shape) : null);
      if (b) out.push(need[out.length] ? reshape(grads.db, b.shape) : null);
      return out;
    },
  });
}

function unpack(inputs: Tensor[], a: NormAttrs): [Tensor, Tensor | null, Tensor | null] {
  return [inputs[0], a.hasWeight ? inputs[1] : null, a.hasBias ? inputs[a.hasWeight ? 2 : 1] : null];
}

interface NormGrads {
  dx: Tensor;
  dw: Tensor;
  db: Tensor;
}

function fusedBackward(gy: Tensor, x: Tensor, w: Tensor | null, a: NormAttrs, needX: boolean, needW: boolean, needB: boolean): NormGrads {
  const C = a.dims[1];
  const pdtype = w ? w.dtype : x.dtype;
  const dx = needX ? Tensor.empty(a.dims, x.dtype) : null;
  const dw = needW ? Tensor.empty([C], pdtype) : null;
  const db = needB ? Tensor.empty([C], pdtype) : null;
  backend().normBackward(reshape(gy, a.dims), reshape(x, a.dims), a.grouping, a.mean, a.rstd, w ? reshape(w, [-1]) : null, a.batchStats, dx, dw, db);
  // Unrequested gradients are dropped by the caller; the placeholders keep the record's types simple.
  return { dx: dx ? reshape(dx, x.shape) : x, dw: dw ?? x, db: db ?? x };
}

/**
 * The same gradients with public ops, the statistics recomputed from `x` when they depend on it, so that
 * the graph of this backward is itself differentiable.
 */
function compositeBackward(gy: Tensor, x: Tensor, w: Tensor | null, a: NormAttrs): NormGrads {
  const [N, C, S] = a.dims;
  const x3 = reshape(x, a.dims);
  const g3 = reshape(gy, a.dims);
  const wv = w ? reshape(w, [1, C, 1]) : null;
  // Each pool as reduced dims: channel pools are dims (0, 2) of [N, C, S]; group pools dims (2, 3) of [N, G, C/G, S].
  const groups = a.grouping.kind === "group" ? a.grouping.groups : 1;
  const pooled = (t: Tensor): Tensor => (a.grouping.kind === "channel" ? t : reshape(t, [N, groups, C / groups, S]));
  const dims = a.grouping.kind === "channel" ? [0, 2] : [2, 3];
  const xp = pooled(x3);
  let mu: Tensor;
  let r: Tensor;
  if (a.batchStats) {
    mu = mean(xp, dims, true);
    r = rsqrt(add(mean(square(sub(xp, mu)), dims, true), a.eps));
  } else {
    const shape = a.grouping.kind === "channel" ? [1, C, 1] : [N, groups, 1, 1];
    mu = view(to(a.mean, x.dtype), shape);
    r = view(to(a.rstd, x.dtype), shape);
  }
  const xhat = mul(sub(xp, mu), r);
  const xhat3 = reshape(xhat, a.dims);
  const dw = sum(mul(g3, xhat3), [0, 2]);
  const db = sum(g3, [0, 2]);
  const gh = pooled(wv ? mul(g3, wv) : g3);
  const dxp = a.batchStats ? mul(r, sub(sub(gh, mean(gh, dims, true)), mul(xhat, mean(mul(gh, xhat), dims, true)))) : mul(gh, r);
  return { dx: reshape(dxp, x.shape), dw, db };
}

/** The primitives, named as PyTorch's backward nodes. */
export const nativeBatchNorm = makeNormOp("NativeBatchNorm");
export const nativeLayerNorm = makeNormOp("NativeLayerNorm");
export const nativeGroupNorm = makeNormOp("NativeGroupNorm");
