import type { View } from "../../tensor.js";
import type { PoolWindow } from "../interface/pool.js";
import { maxPoolBounds } from "./pool-window.js";

/**
 * `fractional_max_pool2d_generate_intervals` (aten/src/ATen/native/FractionalMaxPool2d.cpp): window
 * starts `trunc((i + u)·α) − trunc(u·α)` with `α = (L − k)/(out − 1)`, the last one pinned to `L − k`.
 * PyTorch evaluates it in the tensor's scalar type, so float32 rounds after every operation.
 */
function intervals(seq: Int32Array, u: number, L: number, out: number, k: number, single: boolean): void {
  if (out > 1) {
    if (single) {
      const f = Math.fround;
      const fu = f(u);
      const alpha = f(f(L - k) / f(out - 1));
      const shift = Math.trunc(f(fu * alpha));
      for (let i = 0; i < out - 1; i++) seq[i] = Math.trunc(f(f(i + fu) * alpha)) - shift;
    } else {
      const alpha = (L - k) / (out - 1);
      const shift = Math.trunc(u * alpha);
      for (let i = 0; i < out - 1; i++) seq[i] = Math.trunc((i + u) * alpha) - shift;
    }
  }
  if (out > 0) seq[out - 1] = L - k;
}

export function fractionalMaxPool(
  x: View,
  samples: View,
  kernel: readonly [number, number],
  single: boolean,
  out: View,
  indices: View,
): void {
  const [N, C, , , W] = x.shape;
  const [sN, sC, , sH, sW] = x.strides;
  const [, , , oH, oW] = out.shape;
  const [kH, kW] = kernel;
  const [uN, uC, uK] = samples.strides;
  const H = x.shape[3];
  const seqH = new Int32Array(oH);
  const seqW = new Int32Array(oW);
  const xb = x.buf;
  const ub = samples.buf;
  const ob = out.buf;
  const ib = indices.buf;
  let o = out.offset;
  let oi = indices.offset;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const base = x.offset + n * sN + c * sC;
      const ubase = samples.offset + n * uN + c * uC;
      intervals(seqW, ub[ubase], W, oW, kW, single);
      intervals(seqH, ub[ubase + uK], H, oH, kH, single);
      for (let oh = 0; oh < oH; oh++) {
        const h0 = seqH[oh];
        for (let ow = 0; ow < oW; ow++) {
          const w0 = seqW[ow];
          let best = -Infinity;
          let bi = h0 * W + w0;
          for (let h = h0; h < h0 + kH; h++) {
            const ph = base + h * sH;
            for (let w = w0; w < w0 + kW; w++) {
              const v = xb[ph + w * sW];
              if (v > best || v !== v) {
                best = v;
                bi = h * W + w;
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

export function stochasticPoolIndices(x: View, win: PoolWindow, uniform: View, indices: View): void {
  const [N, C, D, H, W] = x.shape;
  const [sN, sC, sD, sH, sW] = x.strides;
  const [, , oD, oH, oW] = indices.shape;
  const [uN, uC, uD, uH, uW] = uniform.strides;
  const { kernel: k, stride: s, padding: p, dilation: dl } = win;
  const [ds, de] = maxPoolBounds(D, oD, k[0], s[0], p[0], dl[0]);
  const [hs, he] = maxPoolBounds(H, oH, k[1], s[1], p[1], dl[1]);
  const [ws, we] = maxPoolBounds(W, oW, k[2], s[2], p[2], dl[2]);
  const [dD, dH, dW] = dl;
  const xb = x.buf;
  const ub = uniform.buf;
  const ib = indices.buf;
  let oi = indices.offset;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const base = x.offset + n * sN + c * sC;
      const ubase = uniform.offset + n * uN + c * uC;
      for (let od = 0; od < oD; od++) {
        for (let oh = 0; oh < oH; oh++) {
          for (let ow = 0; ow < oW; ow++) {
            // Pass 1: the total positive mass, and the max-pooling index for windows without any.
            let total = 0;
            let best = -Infinity;
            let bi = (ds[od] * H + hs[oh]) * W + ws[ow];
            let lastPositive = -1;
            for (let d = ds[od]; d < de[od]; d += dD) {
              for (let h = hs[oh]; h < he[oh]; h += dH) {
                const ph = base + d * sD + h * sH;
                const row = (d * H + h) * W;
                for (let w = ws[ow]; w < we[ow]; w += dW) {
                  const v = xb[ph + w * sW];
                  if (v > 0) {
                    total += v;
                    lastPositive = row + w;
                  }
                  if (v > best || v !== v) {
                    best = v;
                    bi = row + w;
                  }
                }
              }
            }
            if (total > 0 && total < Infinity && best === best) {
              // Pass 2: the first tap whose cumulative share exceeds u (rounding can leave none: the last).
              const target = ub[ubase + od * uD + oh * uH + ow * uW] * total;
              let acc = 0;
              bi = lastPositive;
              search: for (let d = ds[od]; d < de[od]; d += dD) {
                for (let h = hs[oh]; h < he[oh]; h += dH) {
                  const ph = base + d * sD + h * sH;
                  const row = (d * H + h) * W;
                  for (let w = ws[ow]; w < we[ow]; w += dW) {
                    const v = xb[ph + w * sW];
                    if (v > 0) {
                      acc += v;
                      if (acc > target) {
                        bi = row + w;
                        break search;
                      }
                    }
                  }
                }
              }
            }
            ib[oi++] = bi;
          }
        }
      }
    }
  }
}
