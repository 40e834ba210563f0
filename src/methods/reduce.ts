/**
 * Tensor methods for the reductions (`x.sum()`, `x.max(1)`, `x.var(0, { correction: 0 })`, …), declared
 * on `Tensor` and installed on its prototype; each forwards to the function of the same name.
 */
import { Tensor } from "../tensor.js";
import * as r from "../ops/reduce.js";
import type { DimArg, ReduceDtypeOptions, ValuesIndices, VarArgs } from "../ops/reduce.js";

declare module "../tensor.js" {
  interface Tensor {
    sum(dim?: DimArg, keepdim?: boolean, opts?: ReduceDtypeOptions): Tensor;
    mean(dim?: DimArg, keepdim?: boolean, opts?: ReduceDtypeOptions): Tensor;
    prod(dim?: DimArg, keepdim?: boolean, opts?: ReduceDtypeOptions): Tensor;
    var(...args: VarArgs): Tensor;
    std(...args: VarArgs): Tensor;
    logsumexp(dim: DimArg, keepdim?: boolean): Tensor;
    amax(dim?: DimArg, keepdim?: boolean): Tensor;
    amin(dim?: DimArg, keepdim?: boolean): Tensor;
    max(): Tensor;
    max(dim: number, keepdim?: boolean): ValuesIndices;
    max(other: Tensor): Tensor;
    min(): Tensor;
    min(dim: number, keepdim?: boolean): ValuesIndices;
    min(other: Tensor): Tensor;
    argmax(dim?: number | null, keepdim?: boolean): Tensor;
    argmin(dim?: number | null, keepdim?: boolean): Tensor;
    all(dim?: DimArg, keepdim?: boolean): Tensor;
    any(dim?: DimArg, keepdim?: boolean): Tensor;
    norm(p?: number | "fro" | "nuc" | null, dim?: DimArg, keepdim?: boolean, opts?: ReduceDtypeOptions): Tensor;
    cumsum(dim: number, opts?: ReduceDtypeOptions): Tensor;
  }
}

const P = Tensor.prototype as any;

const methods: Record<string, (x: Tensor, ...args: any[]) => unknown> = {
  sum: r.sum,
  mean: r.mean,
  prod: r.prod,
  var: r.var,
  std: r.std,
  logsumexp: r.logsumexp,
  amax: r.amax,
  amin: r.amin,
  max: r.max,
  min: r.min,
  argmax: r.argmax,
  argmin: r.argmin,
  all: r.all,
  any: r.any,
  norm: r.norm,
  cumsum: r.cumsum,
};
for (const [name, fn] of Object.entries(methods)) {
  P[name] = function (this: Tensor, ...args: unknown[]) {
    return fn(this, ...args);
  };
}
