import type { View } from "../../tensor.js";
import type { AvgPoolMode, PoolWindow } from "../interface/pool.js";
import { adaptiveBounds, avgPoolBounds } from "./pool-window.js";
import { isFloating } from "../../dtype.js";

interface AvgBounds {
  ds: Int32Array;
  de: Int32Array;
  dp: Int32Array;
  hs: Int32Array;
  he: Int32Array;
  hp: Int32Array;
  ws: Int32Array;
  we: Int32Array;
  wp: Int32Array;
}

function bounds(inShape: readonly number[], outShape: readonly number[], w: PoolWindow): AvgBounds {
  const { kernel: k, stride: s, padding: p } = w;
  const [ds, de, dp] = avgPoolBounds(inShape[2], outShape[2], k[0], s[0], p[0]);
  const [hs, he, hp] = avgPoolBounds(inShape[3], outShape[3], k[1], s[1], p[1]);
  const [ws, we, wp] = avgPoolBounds(inShape[4], outShape[4], k[2], s[2], p[2]);
  return { ds, de, dp, hs, he, hp, ws, we, wp };
}

/**
 * `cpu_avg_pool`'s divisor: the override, else the window size within the padded extent
 * (count_include_pad), else the number of real taps. Under ceil mode the part of the last window past
 * `L + pad` is never counted, even with count_include_pad.
 */
function divisor(mode: AvgPoolMode, padded: number, real: number): number {
  if (mode.divisorOverride !== null) return mode.divisorOverride;
  return mode.countIncludePad ? padded : real;
}

/**
 * Whether pooling is 2-d with every window a full 2×2 box inside the input (AvgPool2d(2) without padding):
 * then each divisor is 4 (or the override) and the loops need no bounds.
 */
function full2x2(inShape: readonly number[], b: AvgBounds): boolean {
  if (inShape[2] !== 1 || b.ds.length !== 1 || b.ds[0] !== 0 || b.de[0] !== 1 || b.dp[0] !== 1) return false;
  for (let i = 0; i < b.hs.length; i++) if (b.he[i] - b.hs[i] !== 2 || b.hp[i] !== 2) return false;
  for (let i = 0; i < b.ws.length; i++) if (b.we[i] - b.ws[i] !== 2 || b.wp[i] !== 2) return false;
  return b.hs.length > 0 && b.ws.length > 0;
}

/** `avgPool` over full 2×2 windows, summed in the general loop's order (row by row, in double). */
function avgPool2x2(x: View, b: AvgBounds, div: number, integral: boolean, out: View): void {
  const [N, C] = x.shape;
  const [sN, sC, , sH, sW] = x.strides;
  const { hs, ws } = b;
  const xb = x.buf;
  const ob = out.buf;
  let o = out.offset;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const base = x.offset + n * sN + c * sC;
      for (let oh = 0; oh < hs.length; oh++) {
        const r0 = base + hs[oh] * sH;
        const r1 = r0 + sH;
        for (let ow = 0; ow < ws.length; ow++) {
          const e = ws[ow] * sW;
          // From 0, as the general loop: a window of −0s sums to +0.
          const sum = 0 + xb[r0 + e] + xb[r0 + e + sW] + xb[r1 + e] + xb[r1 + e + sW];
          ob[o++] = integral ? Math.trunc(sum / div) : sum / div;
        }
      }
    }
  }
}

export function avgPool(x: View, w: PoolWindow, mode: AvgPoolMode, out: View): void {
  const [N, C] = x.shape;
  const [sN, sC, sD, sH, sW] = x.strides;
  const b = bounds(x.shape, out.shape, w);
  // Integer tensors divide in integer arithmetic (C++ truncation), as PyTorch's integral avg_pool.
  if (full2x2(x.shape, b)) {
    avgPool2x2(x, b, divisor(mode, 4, 4), !isFloating(x.dtype), out);
    return;
  }
  const { ds, de, dp, hs, he, hp, ws, we, wp } = b;
  const oD = ds.length;
  const oH = hs.length;
  const oW = ws.length;
  const integral = !isFloating(x.dtype);
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
            if (d0 >= d1 || h0 >= h1 || w0 >= w1) {
              ob[o++] = 0;
              continue;
            }
            let sum = 0;
            for (let d = d0; d < d1; d++) {
              const pd = base + d * sD;
              for (let h = h0; h < h1; h++) {
                const ph = pd + h * sH;
                for (let ww = w0; ww < w1; ww++) sum += xb[ph + ww * sW];
              }
            }
            const div = divisor(mode, dp[od] * hp[oh] * wp[ow], (d1 - d0) * (h1 - h0) * (w1 - w0));
            ob[o++] = integral ? Math.trunc(sum / div) : sum / div;
          }
        }
      }
    }
  }
}

/** `avgPoolBackward` over full 2×2 windows (each tap receives its window's share). */
function avgPoolBackward2x2(grad: View, b: AvgBounds, div: number, gradInput: View): void {
  const [N, C, , H, W] = gradInput.shape;
  const [gN, gC, , gH, gW] = grad.strides;
  const { hs, ws } = b;
  const gb = grad.buf;
  const ib = gradInput.buf;
  const plane = H * W;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const gbase = grad.offset + n * gN + c * gC;
      const ibase = gradInput.offset + (n * C + c) * plane;
      for (let oh = 0; oh < hs.length; oh++) {
        const r0 = ibase + hs[oh] * W;
        const r1 = r0 + W;
        const grow = gbase + oh * gH;
        for (let ow = 0; ow < ws.length; ow++) {
          const g = gb[grow + ow * gW] / div;
          const e = ws[ow];
          ib[r0 + e] += g;
          ib[r0 + e + 1] += g;
          ib[r1 + e] += g;
          ib[r1 + e + 1] += g;
        }
      }
    }
  }
}

export function avgPoolBackward(grad: View, w: PoolWindow, mode: AvgPoolMode, gradInput: View): void {
  const [N, C, D, H, W] = gradInput.shape;
  const [gN, gC, gD, gH, gW] = grad.strides;
  const b = bounds(gradInput.shape, grad.shape, w);
  if (full2x2(gradInput.shape, b)) {
    avgPoolBackward2x2(grad, b, divisor(mode, 4, 4), gradInput);
    return;
  }
  const { ds, de, dp, hs, he, hp, ws, we, wp } = b;
  const oD = ds.length;
  const oH = hs.length;
  const oW = ws.length;
  const gb = grad.buf;
  const ib = gradInput.buf;
  const plane = D * H * W;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const gbase = grad.offset + n * gN + c * gC;
      const ibase = gradInput.offset + (n * C + c) * plane;
      for (let od = 0; od < oD; od++) {
        const d0 = ds[od];
        const d1 = de[od];
        for (let oh = 0; oh < oH; oh++) {
          const h0 = hs[oh];
          const h1 = he[oh];
          for (let ow = 0; ow < oW; ow++) {
            const w0 = ws[ow];
            const w1 = we[ow];
            if (d0 >= d1 || h0 >= h1 || w0 >= w1) continue;
            const div = divisor(mode, dp[od] * hp[oh] * wp[ow], (d1 - d0) * (h1 - h0) * (w1 - w0));
            const g = gb[gbase + od * gD + oh * gH + ow * gW] / div;
            for (let d = d0; d < d1; d++) {
              for (let h = h0; h < h1; h++) {
                const row = ibase + (d * H + h) * W;
                for (let ww = w0; ww < w1; ww++) ib[row + ww] += g;
              }
            }
          }
        }
      }
    }
  }
}

export function adaptiveAvgPool(x: View, out: View): void {
  const [N, C, D, H, W] = x.shape;
  const [sN, sC, sD, sH, sW] = x.strides;
  const [ds, de] = adaptiveBounds(D, out.shape[2]);
  const [hs, he] = adaptiveBounds(H, out.shape[3]);
  const [ws, we] = adaptiveBounds(W, out.shape[4]);
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
            let sum = 0;
            for (let d = d0; d < d1; d++) {
              const pd = base + d * sD;
              for (let h = h0; h < h1; h++) {
                const ph = pd + h * sH;
                for (let ww = w0; ww < w1; ww++) sum += xb[ph + ww * sW];
              }
            }
            // Divided one extent at a time, as `cpu_adaptive_avg_pool` does (the rounding can differ).
            ob[o++] = sum / (d1 - d0) / (h1 - h0) / (w1 - w0);
          }
        }
      }
    }
  }
}

export function adaptiveAvgPoolBackward(grad: View, gradInput: View): void {
  const [N, C, D, H, W] = gradInput.shape;
  const [gN, gC, gD, gH, gW] = grad.strides;
  const [ds, de] = adaptiveBounds(D, grad.shape[2]);
  const [hs, he] = adaptiveBounds(H, grad.shape[3]);
  const [ws, we] = adaptiveBounds(W, grad.shape[4]);
  const oD = ds.length;
  const oH = hs.length;
  const oW = ws.length;
  const gb = grad.buf;
  const ib = gradInput.buf;
  const plane = D * H * W;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const gbase = grad.offset + n * gN + c * gC;
      const ibase = gradInput.offset + (n * C + c) * plane;
      for (let od = 0; od < oD; od++) {
        const d0 = ds[od];
        const d1 = de[od];
        for (let oh = 0; oh < oH; oh++) {
          const h0 = hs[oh];
          const h1 = he[oh];
          for (let ow = 0; ow < oW; ow++) {
            const w0 = ws[ow];
            const w1 = we[ow];
            const g = gb[gbase + od * gD + oh * gH + ow * gW] / (d1 - d0) / (h1 - h0) / (w1 - w0);
            for (let d = d0; d < d1; d++) {
              for (let h = h0; h < h1; h++) {
                const row = ibase + (d * H + h) * W;
                for (let ww = w0; ww < w1; ww++) ib[row + ww] += g;
              }
            }
          }
        }
      }
    }
  }
}
