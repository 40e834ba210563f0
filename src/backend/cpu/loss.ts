import type { View } from "../../tensor.js";
import type { LossKernels } from "../interface/loss.js";

/** The weight of class t (1 without weights). */
const weightOf = (w: View | null, t: number): number => (w === null ? 1 : w.buf[w.offset + t * w.strides[0]]);

export const lossKernels: LossKernels = {
  nllLoss(x, target, weight, ignoreIndex, reduction, out, totalWeight) {
    const [N, C, D] = x.shape;
    const [sN, sC, sD] = x.strides;
    const [tN, tD] = target.strides;
    const xb = x.buf;
    const tb = target.buf;
    const none = reduction === "none";
    let total = 0;
    let acc = 0;
    for (let n = 0; n < N; n++) {
      for (let d = 0; d < D; d++) {
        const t = tb[target.offset + n * tN + d * tD];
        let l = 0;
        if (t !== ignoreIndex) {
          if (!(t >= 0 && t < C)) return t;
          const w = weightOf(weight, t);
          total += w;
          l = -w * xb[x.offset + n * sN + t * sC + d * sD];
          acc += l;
        }
        if (none) out.buf[out.offset + n * out.strides[0] + d * out.strides[1]] = l;
      }
    }
    totalWeight.buf[totalWeight.offset] = total;
    // PyTorch divides even when nothing counted: an all-ignored or empty batch gives 0/0 = NaN.
    if (!none) out.buf[out.offset] = reduction === "mean" ? acc / total : acc;
    return null;
  },

  nllLossBackward(grad, target, weight, ignoreIndex, reduction, totalWeight, gradInput) {
    const [N, , D] = gradInput.shape;
    const [sN, sC, sD] = gradInput.strides;
    const [tN, tD] = target.strides;
    const gb = gradInput.buf;
    const tb = target.buf;
    const none = reduction === "none";
    const scalar = none ? 0 : grad.buf[grad.offset] / (reduction === "mean" ? totalWeight : 1);
    for (let n = 0; n < N; n++) {
      for (let d = 0; d < D; d++) {
        const t = tb[target.offset + n * tN + d * tD];
        if (t === ignoreIndex) continue;
        const g = none ? grad.buf[grad.offset + n * grad.strides[0] + d * grad.strides[1]] : scalar;
        gb[gradInput.offset + n * sN + t * sC + d * sD] = -weightOf(weight, t) * g;
      }
    }
  },

  crossEntropyLoss(x, target, weight, ignoreIndex, reduction, out, totalWeight, lse) {
    const [N, C, D] = x.shape;
    const [sN, sC, sD] = x.strides;
    const [tN, tD] = target.strides;
    const xb = x.buf;
    const tb = target.buf;
    const none = reduction === "none";
    let total = 0;
    let acc = 0;
    for (let n = 0; n < N; n++) {
      for (let d = 0; d < D; d++) {
        const t = tb[target.offset + n * tN + d * tD];
        const base = x.offset + n * sN + d * sD;
        // max, then Σ exp(x − max): a NaN anywhere makes the max NaN, so the row's log-softmax is NaN.
        let mx = -Infinity;
        for (let c = 0, p = base; c < C; c++, p += sC) {
          const v = xb[p];
          if (v > mx || v !== v) mx = v;
          if (v !== v) break;
        }
        let se = 0;
        for (let c = 0, p = base; c < C; c++, p += sC) se += Math.exp(xb[p] - mx);
        const logSum = Math.log(se);
        lse.buf[lse.offset + n * lse.strides[0] + d * lse.strides[1]] = logSum + mx;
        let l = 0;
        if (t !== ignoreIndex) {
          if (!(t >= 0 && t < C)) return t;
          const w = weightOf(weight, t);
          total += w;
          l = -w * (xb[base + t * sC] - mx - logSum);
          acc += l;
        }
        if (none) out.buf[out.offset + n * out.strides[0] + d * out.strides[1]] = l;
      }
    }
    totalWeight.buf[totalWeight.offset] = total;
    if (!none) out.buf[out.offset] = reduction === "mean" ? acc / total : acc;
    return null;
  },

  crossEntropyLossBackward(grad, x, lse, target, weight, ignoreIndex, reduction, totalWeight, gradInput) {
    const [N, C, D] = x.shape;
    const [sN, sC, sD] = x.strides;
    const [gN, gC, gD] = gradInput.strides;
    const [tN, tD] = target.strides;
    const xb = x.buf;
    const ob = gradInput.buf;
    const tb = target.buf;
    const none = reduction === "none";
    const scalar = none ? 0 : grad.buf[grad.offset] / (reduction === "mean" ? totalWeight : 1);
    for (let n = 0; n < N; n++) {
      for (let d = 0; d < D; d++) {
        const t = tb[target.offset + n * tN + d * tD];
        const o = gradInput.offset + n * gN + d * gD;
        if (t === ignoreIndex) {
          for (let c = 0; c < C; c++) ob[o + c * gC] = 0;
          continue;
        }
        const g = (none ? grad.buf[grad.offset + n * grad.strides[0] + d * grad.strides[1]] : scalar) * weightOf(weight, t);
        const l = lse.buf[lse.offset + n * lse.strides[0] + d * lse.strides[1]];
        const base = x.offset + n * sN + d * sD;
        for (let c = 0; c < C; c++) ob[o + c * gC] = g * Math.exp(xb[base + c * sC] - l);
        ob[o + t * gC] -= g;
      }
    }
  },
};
