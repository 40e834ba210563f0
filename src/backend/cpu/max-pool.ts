import type { View } from "../../tensor.js";
import type { PoolWindow } from "../interface/pool.js";
import { adaptiveBounds, maxPoolBounds } from "./pool-window.js";

/** Two-slot tables for the branch-free "keep or take" of the running maximum. */
const pickValue = new Float64Array(2);
const pickIndex = new Float64Array(2);

/**
 * The max over a box of taps with `cpu_max_pool`'s update rule `val > max || isnan(val)`: the first
 * maximum wins on ties and every NaN replaces the running value. Shared by max and adaptive max pooling;
 * bounds are per output position along D, H, W (start inclusive, end exclusive, step = dilation).
 */
function maxOverWindows(
  x: View,
  out: View,
  indices: View,
  ds: Int32Array,
  de: Int32Array,
  hs: Int32Array,
  he: Int32Array,
  ws: Int32Array,
  we: Int32Array,
  dilD: number,
  dilH: number,
  dilW: number,
): void {
  const [N, C, D, H, W] = x.shape;
  const [sN, sC, sD, sH, sW] = x.strides;
  if (D === 1 && ds.length === 1 && ds[0] === 0 && de[0] === 1 && sW === 1 && dilW === 1) {
    if (dilH === 1 && allPairs(hs, he) && allPairs(ws, we)) maxOver2x2(x, out, indices, hs, ws);
    else maxOverRows(x, out, indices, hs, he, ws, we, dilH);
    return;
  }
  const oD = ds.length;
  const oH = hs.length;
  const oW = ws.length;
  const xb = x.buf;
  const ob = out.buf;
  const ib = indices.buf;
  let o = out.offset;
  let oi = indices.offset;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const base = x.offset + n * sN + c * sC;
      for (let od = 0; od < oD; od++) {
        const d0 = ds[od];
        const d1 = de[od];
        for (let oh = 0; oh < oH; oh++) {
          const h0 = hs[oh];
          const h1 = he[oh];
          for (let ow = 0; ow < oW; ow++) {
            const w0 = ws[ow];
            const w1 = we[ow];
            let best = -Infinity;
            let bi = (d0 * H + h0) * W + w0;
            for (let d = d0; d < d1; d += dilD) {
              const pd = base + d * sD;
              for (let h = h0; h < h1; h += dilH) {
                const ph = pd + h * sH;
                const rowIndex = (d * H + h) * W;
                for (let w = w0; w < w1; w += dilW) {
                  const v = xb[ph + w * sW];
                  // Branch-free select: on unordered data the branch mispredicts often (35% slower).
                  const take = +(v > best) | +(v !== v);
                  pickValue[0] = best;
                  pickValue[1] = v;
                  best = pickValue[take];
                  pickIndex[0] = bi;
                  pickIndex[1] = rowIndex + w;
                  bi = pickIndex[take];
                }
              }
            }
            ob[o++] = best;
            ib[oi++] = bi;
          }
        }
      }
    }
  }
}

/** `maxOverWindows` for the common 2-d case: one depth window over one slice, unit stride along W, no W dilation. */
function maxOverRows(x: View, out: View, indices: View, hs: Int32Array, he: Int32Array, ws: Int32Array, we: Int32Array, dilH: number): void {
  const [N, C, , , W] = x.shape;
  const [sN, sC, , sH] = x.strides;
  const oH = hs.length;
  const oW = ws.length;
  const xb = x.buf;
  const ob = out.buf;
  const ib = indices.buf;
  let o = out.offset;
  let oi = indices.offset;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const base = x.offset + n * sN + c * sC;
      for (let oh = 0; oh < oH; oh++) {
        const h0 = hs[oh];
        const h1 = he[oh];
        for (let ow = 0; ow < oW; ow++) {
          const w0 = ws[ow];
          const w1 = we[ow];
          let best = -Infinity;
          let bi = h0 * W + w0;
          for (let h = h0; h < h1; h += dilH) {
            const row = base + h * sH;
            const rowIndex = h * W;
            for (let w = w0; w < w1; w++) {
              const v = xb[row + w];
              const take = +(v > best) | +(v !== v);
              pickValue[0] = best;
              pickValue[1] = v;
              best = pickValue[take];
              pickIndex[0] = bi;
              pickIndex[1] = rowIndex + w;
              bi = pickIndex[take];
            }
          }
          ob[o++] = best;
          ib[oi++] = bi;
        }
      }
    }
  }
}

/** Whether every window spans exactly two taps (`end = start + 2`), as MaxPool2d(2) without padding. */
function allPairs(start: Int32Array, end: Int32Array): boolean {
  for (let i = 0; i < start.length; i++) if (end[i] - start[i] !== 2) return false;
  return start.length > 0;
}

/** The four taps of a 2×2 window, for `maxOver2x2`'s selects by computed index. */
const quad = new Float64Array(4);
const pair = new Int32Array(2);

/**
 * `maxOverRows` for full 2×2 windows (MaxPool2d(2), the common CNN case), as a tournament: the two row
 * pairs are decided independently, then the winners, so the dependency chain is two selects long instead of
 * four. The combine rule reproduces the sequential update `v > max || isnan(v)`: the right side wins when
 * it holds a NaN (the last NaN is kept), or when the left side has none and the right one is larger (the
 * first maximum wins ties). About twice as fast as the sequential loop.
 */
function maxOver2x2(x: View, out: View, indices: View, hs: Int32Array, ws: Int32Array): void {
  const [N, C, , , W] = x.shape;
  const [sN, sC, , sH] = x.strides;
  const oH = hs.length;
  const oW = ws.length;
  const xb = x.buf;
  const ob = out.buf;
  const ib = indices.buf;
  const q = quad;
  const pick = pair;
  let o = out.offset;
  let oi = indices.offset;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const base = x.offset + n * sN + c * sC;
      for (let oh = 0; oh < oH; oh++) {
        const h0 = hs[oh];
        const r0 = base + h0 * sH;
        const r1 = r0 + sH;
        for (let ow = 0; ow < oW; ow++) {
          const w0 = ws[ow];
          const v0 = xb[r0 + w0];
          const v1 = xb[r0 + w0 + 1];
          const v2 = xb[r1 + w0];
          const v3 = xb[r1 + w0 + 1];
          q[0] = v0;
          q[1] = v1;
          q[2] = v2;
          q[3] = v3;
          const a = +(v1 > v0) | +(v1 !== v1);
          const b = 2 + (+(v3 > v2) | +(v3 !== v3));
          const va = q[a];
          const vb = q[b];
          pick[0] = a;
          pick[1] = b;
          const k = pick[+(vb !== vb) | (+(vb > va) & +(va === va))];
          ob[o++] = q[k];
          ib[oi++] = (h0 + (k >> 1)) * W + w0 + (k & 1);
        }
      }
    }
  }
}

/**
 * `maxOverWindows` without the indices: the same update rule over the same taps in the same order, so the
 * same values bit for bit (a window with no tap gives −∞ there too).
 */
function maxValuesOverWindows(
  x: View,
  out: View,
  ds: Int32Array,
  de: Int32Array,
  hs: Int32Array,
  he: Int32Array,
  ws: Int32Array,
  we: Int32Array,
  dilD: number,
  dilH: number,
  dilW: number,
): void {
  const [N, C] = x.shape;
  const [sN, sC, sD, sH, sW] = x.strides;
  const oD = ds.length;
  const oH = hs.length;
  const oW = ws.length;
  const xb = x.buf;
  const ob = out.buf;
  let o = out.offset;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const base = x.offset + n * sN + c * sC;
      for (let od = 0; od < oD; od++) {
        const d0 = ds[od];
        const d1 = de[od];
        for (let oh = 0; oh < oH; oh++) {
          const h0 = hs[oh];
          const h1 = he[oh];
          for (let ow = 0; ow < oW; ow++) {
            const w0 = ws[ow];
            const w1 = we[ow];
            let best = -Infinity;
            for (let d = d0; d < d1; d += dilD) {
              const pd = base + d * sD;
              for (let h = h0; h < h1; h += dilH) {
                const ph = pd + h * sH;
                for (let w = w0; w < w1; w += dilW) {
                  const v = xb[ph + w * sW];
                  const take = +(v > best) | +(v !== v);
                  pickValue[0] = best;
                  pickValue[1] = v;
                  best = pickValue[take];
                }
              }
            }
            ob[o++] = best;
          }
        }
      }
    }
  }
}

export function maxPool(x: View, w: PoolWindow, out: View, indices: View | null): void {
  const [, , D, H, W] = x.shape;
  const [, , oD, oH, oW] = out.shape;
  const { kernel: k, stride: s, padding: p, dilation: dl } = w;
  const [ds, de] = maxPoolBounds(D, oD, k[0], s[0], p[0], dl[0]);
  const [hs, he] = maxPoolBounds(H, oH, k[1], s[1], p[1], dl[1]);
  const [ws, we] = maxPoolBounds(W, oW, k[2], s[2], p[2], dl[2]);
  if (indices === null) maxValuesOverWindows(x, out, ds, de, hs, he, ws, we, dl[0], dl[1], dl[2]);
  else maxOverWindows(x, out, indices, ds, de, hs, he, ws, we, dl[0], dl[1], dl[2]);
}

export function adaptiveMaxPool(x: View, out: View, indices: View): void {
  const [, , D, H, W] = x.shape;
  const [, , oD, oH, oW] = out.shape;
  const [ds, de] = adaptiveBounds(D, oD);
  const [hs, he] = adaptiveBounds(H, oH);
  const [ws, we] = adaptiveBounds(W, oW);
  maxOverWindows(x, out, indices, ds, de, hs, he, ws, we, 1, 1, 1);
}
