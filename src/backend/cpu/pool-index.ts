import type { View } from "../../tensor.js";

/**
 * Index-addressed moves between a 5-d element view and a flat plane per (n, c): what max pooling's
 * backward (scatter-add), max unpooling (scatter-write) and their adjoints (gather) share.
 */

export function poolScatter(src: View, indices: View, plane: View, accumulate: boolean): number | null {
  const [N, C, A, B, E] = src.shape;
  const [sN, sC, sA, sB, sE] = src.strides;
  const [iN, iC, iA, iB, iE] = indices.strides;
  const L = plane.shape[2];
  const [pN, pC] = plane.strides;
  const sb = src.buf;
  const ib = indices.buf;
  const pb = plane.buf;
  let bad: number | null = null;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const sbase = src.offset + n * sN + c * sC;
      const ibase = indices.offset + n * iN + c * iC;
      const pbase = plane.offset + n * pN + c * pC;
      for (let a = 0; a < A; a++) {
        for (let b = 0; b < B; b++) {
          const so = sbase + a * sA + b * sB;
          const io = ibase + a * iA + b * iB;
          for (let e = 0; e < E; e++) {
            const idx = ib[io + e * iE];
            if (!(idx >= 0 && idx < L)) {
              if (!accumulate) return idx;
              bad ??= idx;
              continue;
            }
            if (accumulate) pb[pbase + idx] += sb[so + e * sE];
            else pb[pbase + idx] = sb[so + e * sE];
          }
        }
      }
    }
  }
  return bad;
}

/** Zeroes `plane` (`[N, C, L]`, unit stride along L), then scatter-adds `src` at `indices` into it. */
export function poolScatterAdd(src: View, indices: View, plane: View): void {
  zeroPlanes(plane);
  poolScatter(src, indices, plane, true);
}

/** Sets every element of a `[N, C, L]` plane view with unit stride along L to zero. */
export function zeroPlanes(plane: View): void {
  const [N, C, L] = plane.shape;
  const [pN, pC, pL] = plane.strides;
  if (pL !== 1) throw new Error(`poolScatterAdd: expected a plane with unit stride along its positions, got stride ${pL}`);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const at = plane.offset + n * pN + c * pC;
      plane.buf.fill(0, at, at + L);
    }
  }
}

export function poolGather(plane: View, indices: View, out: View): void {
  const [N, C, A, B, E] = indices.shape;
  const [iN, iC, iA, iB, iE] = indices.strides;
  const [oN, oC, oA, oB, oE] = out.strides;
  const [pN, pC] = plane.strides;
  const L = plane.shape[2];
  const ib = indices.buf;
  const pb = plane.buf;
  const ob = out.buf;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const ibase = indices.offset + n * iN + c * iC;
      const obase = out.offset + n * oN + c * oC;
      const pbase = plane.offset + n * pN + c * pC;
      for (let a = 0; a < A; a++) {
        for (let b = 0; b < B; b++) {
          const io = ibase + a * iA + b * iB;
          const oo = obase + a * oA + b * oB;
          for (let e = 0; e < E; e++) {
            const idx = ib[io + e * iE];
            ob[oo + e * oE] = idx >= 0 && idx < L ? pb[pbase + idx] : 0;
          }
        }
      }
    }
  }
}
