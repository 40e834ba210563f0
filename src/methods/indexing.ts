/** Tensor methods for indexing and joining (`x.index(...)`, `x.gather(...)`, `x.split(...)`, …). */
import { Tensor } from "../tensor.js";
import * as ix from "../ops/indexing.js";
import * as jn from "../ops/joining.js";
import type { IndexItem } from "../ops/indexing.js";
import type { TensorLike } from "../ops/util.js";

declare module "../tensor.js" {
  interface Tensor {
    /** `x[items]`: see `torch.index`. */
    index(...items: IndexItem[]): Tensor;
    /** `x[items] = value` in place (setitem): see `torch.indexPut_`. */
    indexPut_(items: IndexItem | readonly IndexItem[], value: TensorLike, accumulate?: boolean): Tensor;
    /** Out-of-place `x[items] = value`: see `torch.indexPut`. */
    indexPut(items: IndexItem | readonly IndexItem[], value: TensorLike, accumulate?: boolean): Tensor;
    narrow(dim: number, start: number | Tensor, length: number): Tensor;
    select(dim: number, index: number | Tensor): Tensor;
    gather(dim: number, index: Tensor): Tensor;
    scatter(dim: number, index: Tensor, src: Tensor | number | boolean): Tensor;
    scatter_(dim: number, index: Tensor, src: Tensor | number | boolean): Tensor;
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    scatterAdd_(dim: number, index: Tensor, src: Tensor): Tensor;
    indexSelect(dim: number, index: Tensor): Tensor;
    indexAdd(dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }): Tensor;
    indexAdd_(dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }): Tensor;
    maskedFill(mask: Tensor, value: Tensor | number | boolean): Tensor;
    maskedFill_(mask: Tensor, value: Tensor | number | boolean): Tensor;
    maskedSelect(mask: Tensor): Tensor;
    nonzero(opts?: { asTuple?: false }): Tensor;
    nonzero(opts: { asTuple: true }): Tensor[];
    split(splitSizeOrSections: number | readonly number[], dim?: number): Tensor[];
    chunk(chunks: number, dim?: number): Tensor[];
    unbind(dim?: number): Tensor[];
  }
}

const P = Tensor.prototype as any;

P.index = function (this: Tensor, ...items: IndexItem[]) {
  return ix.index(this, ...items);
};
P.indexPut_ = function (this: Tensor, items: IndexItem | readonly IndexItem[], value: TensorLike, accumulate?: boolean) {
  return ix.indexPut_(this, items, value, accumulate);
};
P.indexPut = function (this: Tensor, items: IndexItem | readonly IndexItem[], value: TensorLike, accumulate?: boolean) {
  return ix.indexPut(this, items, value, accumulate);
};
P.narrow = function (this: Tensor, dim: number, start: number | Tensor, length: number) {
  return ix.narrow(this, dim, start, length);
};
P.select = function (this: Tensor, dim: number, index: number | Tensor) {
  return ix.select(this, dim, index);
};
P.gather = function (this: Tensor, dim: number, index: Tensor) {
  return ix.gather(this, dim, index);
};
for (const name of ["scatter", "scatter_", "scatterAdd", "scatterAdd_"] as const) {
  const fn = ix[name] as (x: Tensor, d: number, i: Tensor, s: Tensor | number | boolean) => Tensor;
  P[name] = function (this: Tensor, dim: number, index: Tensor, src: Tensor | number | boolean) {
    return fn(this, dim, index, src);
  };
}
P.indexSelect = function (this: Tensor, dim: number, index: Tensor) {
  return ix.indexSelect(this, dim, index);
};
P.indexAdd = function (this: Tensor, dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }) {
  return ix.indexAdd(this, dim, index, source, opts);
};
P.indexAdd_ = function (this: Tensor, dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }) {
  return ix.indexAdd_(this, dim, index, source, opts);
};
P.maskedFill = function (this: Tensor, mask: Tensor, value: Tensor | number | boolean) {
  return ix.maskedFill(this, mask, value);
};
P.maskedFill_ = function (this: Tensor, mask: Tensor, value: Tensor | number | boolean) {
  return ix.maskedFill_(this, mask, value);
};
P.maskedSelect = function (this: Tensor, mask: Tensor) {
  return ix.maskedSelect(this, mask);
};
P.nonzero = function (this: Tensor, opts?: { asTuple?: boolean }) {
  return ix.nonzero(this, opts);
};
P.split = function (this: Tensor, s: number | readonly number[], dim?: number) {
  return jn.split(this, s, dim);
};
P.chunk = function (this: Tensor, chunks: number, dim?: number) {
  return jn.chunk(this, chunks, dim);
};
P.unbind = function (this: Tensor, dim?: number) {
  return jn.unbind(this, dim);
};
