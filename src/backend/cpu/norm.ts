import type { View } from "../../tensor.js";
import type { NormGrouping, NormKernels } from "../interface/norm.js";

/**
 * Normalization over strided `[N, C, S]` views with float64 accumulators. The per-channel affine is folded
 * into one scale and shift per (sample, channel), so the element loops are multiply-adds. Group pools are
 * walked group by group with local accumulators; channel pools accumulate into per-channel arrays. Every
 * kernel has a flat path for S = 1 (layer norm, BatchNorm1d on (N, C)), where a loop over S per element
 * would cost more than the arithmetic.
 */

/** A 1-d view's elements as float64 (`dflt` everywhere when the view is null). */
function vec(v: View | null, n: number, dflt: number): Float64Array {
  const out = new Float64Array(n);
  if (v === null) return out.fill(dflt);
  for (let i = 0; i < n; i++) out[i] = v.buf[v.offset + i * v.strides[0]];
  return out;
}

function store(v: View, values: Float64Array): void {
  for (let i = 0; i < values.length; i++) v.buf[v.offset + i * v.strides[0]] = values[i];
}

interface Geometry {
  N: number;
  C: number;
  S: number;
  /** Groups (group pools) or 0 (channel pools). */
  G: number;
  /** Channels per group. */
  cpg: number;
  /** Number of pools and elements per pool. */
  K: number;
  M: number;
}

function geometry(x: View, grouping: NormGrouping): Geometry {
  const [N, C, S] = x.shape;
  if (grouping.kind === "channel") return { N, C, S, G: 0, cpg: 1, K: C, M: N * S };
  const G = grouping.groups;
  return { N, C, S, G, cpg: C / G, K: N * G, M: (C / G) * S };
}

/** Σ over each pool of `f(x − centre)`: the sum (centre 0, plain) or the squared deviations. */
function poolSums(x: View, geo: Geometry, centre: Float64Array | null): Float64Array {
  const { N, C, S, G, cpg, K } = geo;
  const [sN, sC, sS] = x.strides;
  const b = x.buf;
  const out = new Float64Array(K);
  if (G === 0) {
    for (let n = 0; n < N; n++) {
      const base = x.offset + n * sN;
      if (S === 1) {
        for (let c = 0; c < C; c++) {
          const v = b[base + c * sC];
          if (centre === null) out[c] += v;
          else {
            const d = v - centre[c];
            out[c] += d * d;
          }
        }
        continue;
      }
      for (let c = 0; c < C; c++) {
        const mc = centre === null ? 0 : centre[c];
        let p = base + c * sC;
        let acc = 0;
        if (centre === null) for (let s = 0; s < S; s++, p += sS) acc += b[p];
        else
          for (let s = 0; s < S; s++, p += sS) {
            const d = b[p] - mc;
            acc += d * d;
          }
        out[c] += acc;
      }
    }
    return out;
  }
  // A group is channels [g·cpg, (g+1)·cpg) × S; contiguous in (c, s) it is one run.
  const merged = sC === S * sS;
  const len = merged ? cpg * S : S;
  const rows = merged ? 1 : cpg;
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < G; g++) {
      const k = n * G + g;
      const mk = centre === null ? 0 : centre[k];
      let acc = 0;
      for (let j = 0; j < rows; j++) {
        let p = x.offset + n * sN + (g * cpg + j) * sC;
        if (centre === null) for (let s = 0; s < len; s++, p += sS) acc += b[p];
        else
          for (let s = 0; s < len; s++, p += sS) {
            const d = b[p] - mk;
            acc += d * d;
          }
      }
      out[k] = acc;
    }
  }
  return out;
}

/**
 * How the kernels walk a sample's channels pool by pool: P pools of `width` consecutive channels; the pool
 * of sample n's p-th group is `p + n·poolStride` (channel pools are shared by all samples).
 */
function walk(geo: Geometry): { P: number; width: number; poolStride: number } {
  return geo.G === 0 ? { P: geo.C, width: 1, poolStride: 0 } : { P: geo.G, width: geo.cpg, poolStride: geo.G };
}

export const normKernels: NormKernels = {
  normStats(x, grouping, mean, variance) {
    const geo = geometry(x, grouping);
    const m = poolSums(x, geo, null);
    for (let k = 0; k < geo.K; k++) m[k] /= geo.M;
    // Second pass on the centred values: no cancellation, unlike E[x²] − E[x]².
    const v = poolSums(x, geo, m);
    for (let k = 0; k < geo.K; k++) v[k] /= geo.M;
    store(mean, m);
    store(variance, v);
  },

  normForward(x, grouping, mean, rstd, weight, bias, out) {
    const geo = geometry(x, grouping);
    const { N, C, S, K } = geo;
    const [sN, sC, sS] = x.strides;
    const [oN, oC, oS] = out.strides;
    const xb = x.buf;
    const ob = out.buf;
    const m = vec(mean, K, 0);
    const r = vec(rstd, K, 1);
    const w = vec(weight, C, 1);
    const bi = vec(bias, C, 0);
    const { P, width, poolStride } = walk(geo);
    for (let n = 0; n < N; n++) {
      const xo = x.offset + n * sN;
      const oo = out.offset + n * oN;
      for (let pi = 0; pi < P; pi++) {
        const k = pi + n * poolStride;
        const mk = m[k];
        const rk = r[k];
        const c1 = (pi + 1) * width;
        if (S === 1) {
          for (let c = pi * width; c < c1; c++) ob[oo + c * oC] = (xb[xo + c * sC] - mk) * (rk * w[c]) + bi[c];
          continue;
        }
        for (let c = pi * width; c < c1; c++) {
          // y = x·a + (β − μ·a) with a = rstd·γ.
          const a = rk * w[c];
          const sh = bi[c] - mk * a;
          let p = xo + c * sC;
          let q = oo + c * oC;
          for (let s = 0; s < S; s++, p += sS, q += oS) ob[q] = xb[p] * a + sh;
        }
      }
    }
  },

  normBackward(dy, x, grouping, mean, rstd, weight, batchStats, dx, dweight, dbias) {
    const geo = geometry(x, grouping);
    const { N, C, S, K, M } = geo;
    const [sN, sC, sS] = x.strides;
    const [gN, gC, gS] = dy.strides;
    const xb = x.buf;
    const gb = dy.buf;
    const m = vec(mean, K, 0);
    const r = vec(rstd, K, 1);
    const w = vec(weight, C, 1);
    const { P, width, poolStride } = walk(geo);
    // Σ dy and Σ dy·(x − μ) per (n, c), folded per channel (weight, bias) and, scaled by γ, per pool; the
    // pool sums stay in locals while a pool is walked.
    const dW = new Float64Array(C);
    const dB = new Float64Array(C);
    const poolG = new Float64Array(K);
    const poolGX = new Float64Array(K);
    for (let n = 0; n < N; n++) {
      const xo = x.offset + n * sN;
      const go = dy.offset + n * gN;
      for (let pi = 0; pi < P; pi++) {
        const k = pi + n * poolStride;
        const mk = m[k];
        const rk = r[k];
        const c1 = (pi + 1) * width;
        let pg = 0;
        let pgx = 0;
        for (let c = pi * width; c < c1; c++) {
          let s0 = 0;
          let s1 = 0;
          if (S === 1) {
            s0 = gb[go + c * gC];
            s1 = s0 * (xb[xo + c * sC] - mk);
          } else {
            let p = xo + c * sC;
            let q = go + c * gC;
            for (let s = 0; s < S; s++, p += sS, q += gS) {
              const g = gb[q];
              s0 += g;
              s1 += g * (xb[p] - mk);
            }
          }
          dB[c] += s0;
          dW[c] += s1 * rk;
          pg += w[c] * s0;
          pgx += w[c] * s1;
        }
        poolG[k] += pg;
        poolGX[k] += pgx;
      }
    }
    if (dweight) store(dweight, dW);
    if (dbias) store(dbias, dB);
    if (!dx) return;
    const [dN, dC, dS] = dx.strides;
    const ob = dx.buf;
    for (let n = 0; n < N; n++) {
      const xo = x.offset + n * sN;
      const go = dy.offset + n * gN;
      const oo = dx.offset + n * dN;
      for (let pi = 0; pi < P; pi++) {
        const k = pi + n * poolStride;
        const rk = r[k];
        // dx = r·(ĝ − Σĝ/M − (x − μ)·r²·Σĝ(x − μ)/M), ĝ = γ·dy: γ_c·r·dy + k2·x + k3 with k2, k3 per pool.
        const k2 = batchStats ? (-rk * rk * rk * poolGX[k]) / M : 0;
        const k3 = batchStats ? -rk * (poolG[k] / M) - k2 * m[k] : 0;
        const c1 = (pi + 1) * width;
        if (S === 1) {
          for (let c = pi * width; c < c1; c++) ob[oo + c * dC] = w[c] * rk * gb[go + c * gC] + k2 * xb[xo + c * sC] + k3;
          continue;
        }
        for (let c = pi * width; c < c1; c++) {
          const k1 = w[c] * rk;
          let p = xo + c * sC;
          let q = go + c * gC;
          let o = oo + c * dC;
          for (let s = 0; s < S; s++, p += sS, q += gS, o += dS) ob[o] = k1 * gb[q] + k2 * xb[p] + k3;
        }
      }
    }
  },
};
