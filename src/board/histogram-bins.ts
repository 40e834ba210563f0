/**
 * Histograms over steps on one x axis: every step's `[left, right, count]` buckets re-binned into the same
 * `binCount` equal bins spanning all steps (as TensorBoard's histogram dashboard does before drawing), each
 * bucket's count spread uniformly over its width.
 */
import type { HistogramEntry } from "./run-data.js";

/** TensorBoard's histogram dashboard draws 30 bins. */
export const DEFAULT_BIN_COUNT = 30;

/** The histograms of one tag on a common grid: bin i covers `[lo + i·w, lo + (i+1)·w)`, `w = (hi - lo) / binCount`. */
export interface BinnedHistograms {
  lo: number;
  hi: number;
  binCount: number;
  entries: { step: number; wallTime: number; min: number; max: number; num: number; counts: number[] }[];
}

const finiteBucket = (b: [number, number, number]): boolean => Number.isFinite(b[0]) && Number.isFinite(b[1]) && b[2] > 0;

/**
 * Spreads `buckets` over `binCount` equal bins on `[lo, hi]`. A bucket of zero width lands in the bin holding
 * it; mass outside `[lo, hi]` goes to the end bins. The total count is preserved.
 */
export function rebin(buckets: readonly [number, number, number][], lo: number, hi: number, binCount: number): number[] {
  const counts = new Array<number>(binCount).fill(0);
  const w = (hi - lo) / binCount;
  const binOf = (x: number): number => Math.min(binCount - 1, Math.max(0, Math.floor((x - lo) / w)));
  for (const b of buckets) {
    if (!finiteBucket(b)) continue;
    const [l, r, c] = b;
    if (!(r > l)) {
      counts[binOf(l)] += c;
      continue;
    }
    const i0 = binOf(l);
    const i1 = binOf(r);
    if (i0 === i1) {
      counts[i0] += c;
      continue;
    }
    // Interior bins get their overlap share; the two end bins take what is left, so nothing is lost to rounding.
    let given = 0;
    for (let i = i0 + 1; i < i1; i++) {
      const share = (c * w) / (r - l);
      counts[i] += share;
      given += share;
    }
    const first = (c * (Math.max(lo + (i0 + 1) * w, l) - l)) / (r - l);
    counts[i0] += Math.min(first, c - given);
    counts[i1] += c - given - Math.min(first, c - given);
  }
  return counts;
}

/** Re-bins every entry onto one grid spanning all of them (a degenerate range is widened by ±0.5). */
export function binHistograms(entries: readonly HistogramEntry[], binCount = DEFAULT_BIN_COUNT): BinnedHistograms {
  let lo = Infinity;
  let hi = -Infinity;
  for (const e of entries) {
    for (const b of e.buckets) {
      if (!finiteBucket(b)) continue;
      lo = Math.min(lo, b[0]);
      hi = Math.max(hi, b[1]);
    }
  }
  if (lo > hi) [lo, hi] = [-0.5, 0.5];
  else if (lo === hi) [lo, hi] = [lo - 0.5, hi + 0.5];
  return {
    lo,
    hi,
    binCount,
    entries: entries.map((e) => ({ step: e.step, wallTime: e.wallTime, min: e.min, max: e.max, num: e.num, counts: rebin(e.buckets, lo, hi, binCount) })),
  };
}
