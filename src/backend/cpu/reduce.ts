import type { View } from "../../tensor.js";
import type { ReduceKernels, ReduceKind } from "../interface/reduce.js";
import type { TypedArray } from "../../dtype.js";
import { coalesce } from "./compile-map.js";

const INIT: Record<ReduceKind, number> = { sum: 0, prod: 1, max: -Infinity, min: Infinity, any: 0, all: 1 };

/** Folds `n` elements starting at `p` with stride `s` into `acc`. One loop per kind keeps each monomorphic. */
function fold(kind: ReduceKind, buf: TypedArray, p: number, n: number, s: number, acc: number): number {
  switch (kind) {
    case "sum":
      for (let i = 0; i < n; i++, p += s) acc += buf[p];
      return acc;
    case "prod":
      for (let i = 0; i < n; i++, p += s) acc *= buf[p];
      return acc;
    case "max":
      for (let i = 0; i < n; i++, p += s) {
        const v = buf[p];
        if (v > acc || v !== v) {
          acc = v;
          if (v !== v) return v;
        }
      }
      return acc;
    case "min":
      for (let i = 0; i < n; i++, p += s) {
        const v = buf[p];
        if (v < acc || v !== v) {
          acc = v;
          if (v !== v) return v;
        }
      }
      return acc;
    case "any":
      for (let i = 0; i < n; i++, p += s) if (buf[p] !== 0) return 1;
      return acc;
    case "all":
      for (let i = 0; i < n; i++, p += s) if (buf[p] === 0) return 0;
      return acc;
  }
}

/** Calls `fn(offsetX, offsetOut)` for every index of the kept (outer) dims. */
function forOuter(
  shape: readonly number[],
  sx: readonly number[],
  so: readonly number[],
  px0: number,
  po0: number,
  fn: (px: number, po: number) => void,
): void {
  const nd = shape.length;
  let total = 1;
  for (const s of shape) total *= s;
  if (total === 0) return;
  const idx = new Int32Array(nd);
  let px = px0;
  let po = po0;
  for (let k = 0; k < total; k++) {
    fn(px, po);
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++;
      px += sx[d];
      po += so[d];
      if (idx[d] < shape[d]) break;
      px -= sx[d] * shape[d];
      po -= so[d] * shape[d];
      idx[d] = 0;
    }
  }
}

export const reduceKernels: ReduceKernels = {
  reduce(kind, x, dims, out) {
    const kept: number[] = [];
    for (let d = 0; d < x.shape.length; d++) if (!dims.includes(d)) kept.push(d);
    const inner = coalesce(
      dims.map((d) => x.shape[d]),
      [dims.map((d) => x.strides[d])],
    );
    const ishape = inner.shape;
    const istr = inner.strides[0];
    const last = ishape.length - 1;
    const n = ishape[last];
    const s = istr[last];
    const innerOuterShape = ishape.slice(0, last);
    const innerOuterStr = istr.slice(0, last);
    const zeros = innerOuterShape.map(() => 0);
    const buf = x.buf;
    const obuf = out.buf;
    const emptyInner = dims.some((d) => x.shape[d] === 0);
    forOuter(
      kept.map((d) => x.shape[d]),
      kept.map((d) => x.strides[d]),
      kept.map((d) => out.strides[d]),
      x.offset,
      out.offset,
      (px, po) => {
        let acc = INIT[kind];
        if (emptyInner) {
          obuf[po] = acc;
          return;
        }
        if (last === 0) acc = fold(kind, buf, px, n, s, acc);
        else forOuter(innerOuterShape, innerOuterStr, zeros, px, 0, (q) => (acc = fold(kind, buf, q, n, s, acc)));
        obuf[po] = acc;
      },
    );
  },

  argReduce(kind, x, dim, values, indices) {
    const kept: number[] = [];
    for (let d = 0; d < x.shape.length; d++) if (d !== dim) kept.push(d);
    const n = x.shape.length === 0 ? 1 : x.shape[dim];
    const s = x.shape.length === 0 ? 0 : x.strides[dim];
    const buf = x.buf;
    const ib = indices.buf;
    const isMax = kind === "max";
    const keptShape = kept.map((d) => x.shape[d]);
    const sx = kept.map((d) => x.strides[d]);
    const si = kept.map((d) => indices.strides[d]);
    const vOff = values ? values.offset - indices.offset : 0;
    const sv = values ? kept.map((d) => values.strides[d]) : si;
    // values and indices may be laid out differently: walk them with separate offsets when they are.
    const sameLayout = !values || sv.every((v, i) => v === si[i]);
    const emit = (px: number, pi: number, pv: number): void => {
      let best = buf[px];
      let bi = 0;
      let p = px;
      if (best === best) {
        for (let i = 1; i < n; i++) {
          p += s;
          const v = buf[p];
          if (v !== v) {
            best = v;
            bi = i;
            break;
          }
          if (isMax ? v > best : v < best) {
            best = v;
            bi = i;
          }
        }
      }
      ib[pi] = bi;
      if (values) values.buf[pv] = best;
    };
    if (sameLayout) {
      forOuter(keptShape, sx, si, x.offset, indices.offset, (px, pi) => emit(px, pi, pi + vOff));
    } else {
      const pvs: number[] = [];
      forOuter(keptShape, sx, sv, x.offset, values!.offset, (_px, pv) => pvs.push(pv));
      let k = 0;
      forOuter(keptShape, sx, si, x.offset, indices.offset, (px, pi) => emit(px, pi, pvs[k++]));
    }
  },
};
