/**
 * Histograms exactly as PyTorch's SummaryWriter builds them: `numpy.histogram` (uniform and explicit-edge
 * paths, the automatic bin-width estimators) followed by `make_histogram`'s optional subsampling and its trim
 * to the non-empty support (pytorch `torch/utils/tensorboard/summary.py`, numpy `lib/histograms.py`).
 */
import type { HistogramProto } from "./messages.js";

/** A bin specification as `add_histogram(bins=…)` takes it. */
export type HistogramBins =
  | "tensorflow"
  | "auto"
  | "fd"
  | "sturges"
  | "sqrt"
  | "rice"
  | "scott"
  | "doane"
  | number
  | ArrayLike<number>;

let DEFAULT_BINS: Float64Array | null = null;

/**
 * PyTorch's `SummaryWriter.default_bins` (from TensorFlow's histogram.cc): `v = 1e-12; while v < 1e20:
 * push(v); v *= 1.1`, mirrored around 0 — 1549 edges from about -1e20 to 1e20.
 */
export function defaultBins(): Float64Array {
  if (DEFAULT_BINS) return DEFAULT_BINS;
  const pos: number[] = [];
  for (let v = 1e-12; v < 1e20; v *= 1.1) pos.push(v);
  const out = new Float64Array(pos.length * 2 + 1);
  for (let i = 0; i < pos.length; i++) {
    out[pos.length - 1 - i] = -pos[i];
    out[pos.length + 1 + i] = pos[i];
  }
  DEFAULT_BINS = out;
  return out;
}

/** numpy's pairwise summation of `a[start, start+n)` (`pairwise_sum_DOUBLE`, unrolled by 8, blocks of 128). */
function pairwiseSum(a: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i];
    return res;
  }
  if (n <= 128) {
    let r0 = a[start], r1 = a[start + 1], r2 = a[start + 2], r3 = a[start + 3];
    let r4 = a[start + 4], r5 = a[start + 5], r6 = a[start + 6], r7 = a[start + 7];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      const p = start + i;
      r0 += a[p]; r1 += a[p + 1]; r2 += a[p + 2]; r3 += a[p + 3];
      r4 += a[p + 4]; r5 += a[p + 5]; r6 += a[p + 6]; r7 += a[p + 7];
    }
    let res = (r0 + r1 + (r2 + r3)) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

/** `np.sum` of a contiguous float64 array: pairwise within 8192-element buffers, buffers added in order. */
export function numpySum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i += 8192) s += pairwiseSum(a, i, Math.min(8192, a.length - i));
  return s;
}

function minMax(a: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v !== v) return [NaN, NaN]; // numpy's min/max propagate NaN
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

function numpyStd(a: Float64Array): number {
  const mean = numpySum(a) / a.length;
  const sq = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - mean;
    sq[i] = d * d;
  }
  return Math.sqrt(numpySum(sq) / a.length);
}

/** `np.percentile(x, q)` with the default 'linear' method, for a sorted copy `s` of x. */
function percentileSorted(s: Float64Array, q: number): number {
  const n = s.length;
  const virtual = (n - 1) * (q / 100);
  let prev = Math.floor(virtual);
  let next = prev + 1;
  if (virtual >= n - 1) prev = next = n - 1;
  const gamma = virtual - Math.floor(virtual);
  const a = s[prev];
  const b = s[next];
  const diff = b - a;
  // numpy's _lerp: a + d·t below t = 0.5, b - d·(1 - t) from 0.5 on (monotone and exact at the ends).
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

const BIN_WIDTH: Record<string, (x: Float64Array) => number> = {
  sqrt: (x) => ptp(x) / Math.sqrt(x.length),
  sturges: (x) => ptp(x) / (Math.log2(x.length) + 1.0),
  rice: (x) => ptp(x) / (2.0 * x.length ** (1.0 / 3)),
  scott: (x) => (((24.0 * Math.PI ** 0.5) / x.length) ** (1.0 / 3.0)) * numpyStd(x),
  doane: (x) => {
    const n = x.length;
    if (n > 2) {
      const sg1 = Math.sqrt((6.0 * (n - 2)) / ((n + 1.0) * (n + 3)));
      const sigma = numpyStd(x);
      if (sigma > 0.0) {
        const mean = numpySum(x) / n;
        const t = new Float64Array(n);
        for (let i = 0; i < n; i++) t[i] = ((x[i] - mean) / sigma) ** 3;
        const g1 = numpySum(t) / n;
        return ptp(x) / (1.0 + Math.log2(n) + Math.log2(1.0 + Math.abs(g1) / sg1));
      }
    }
    return 0.0;
  },
  fd: (x) => {
    const s = Float64Array.from(x).sort();
    const iqr = percentileSorted(s, 75) - percentileSorted(s, 25);
    return 2.0 * iqr * x.length ** (-1.0 / 3.0);
  },
  auto: (x) => {
    const fd = BIN_WIDTH.fd(x);
    const sturges = BIN_WIDTH.sturges(x);
    return fd ? Math.min(fd, sturges) : sturges;
  },
};

function ptp(x: Float64Array): number {
  const [lo, hi] = minMax(x);
  return hi - lo;
}

/** `np.linspace(first, last, num)` bit for bit: `i·step + first`, with the last point set to `last`. */
export function linspace(first: number, last: number, num: number): Float64Array {
  const y = new Float64Array(num);
  const div = num - 1;
  const delta = last - first;
  const step = delta / div;
  for (let i = 0; i < num; i++) y[i] = (step === 0 ? (i / div) * delta : i * step) + first;
  if (num > 1) y[num - 1] = last;
  return y;
}

/** `np.histogram(values, bins)`: counts per bin and the bin edges. */
export function numpyHistogram(
  values: Float64Array,
  bins: Exclude<HistogramBins, "tensorflow">,
  op = "histogram",
): { counts: Float64Array; edges: Float64Array } {
  let nEqual: number | null = null;
  let first = 0;
  let last = 1;
  const outerEdges = (): void => {
    if (values.length > 0) {
      [first, last] = minMax(values);
      if (!Number.isFinite(first) || !Number.isFinite(last)) {
        throw new Error(`${op}: autodetected range of [${pyFloat(first)}, ${pyFloat(last)}] is not finite`);
      }
    }
    if (first === last) {
      first -= 0.5;
      last += 0.5;
    }
  };
  if (typeof bins === "string") {
    const estimator = BIN_WIDTH[bins];
    if (!estimator) {
      throw new Error(`${op}: '${bins}' is not a valid estimator for \`bins\` (supported: 'tensorflow', ${Object.keys(BIN_WIDTH).map((k) => `'${k}'`).join(", ")}, a number or an array of edges)`);
    }
    outerEdges();
    if (values.length === 0) nEqual = 1;
    else {
      const width = estimator(values);
      nEqual = width ? Math.ceil((last - first) / width) : 1;
    }
  } else if (typeof bins === "number") {
    if (!Number.isInteger(bins)) throw new TypeError(`${op}: \`bins\` must be an integer, a string, or an array (got ${bins})`);
    if (bins < 1) throw new Error(`${op}: \`bins\` must be positive, when an integer (got ${bins})`);
    nEqual = bins;
    outerEdges();
  }
  if (nEqual !== null) {
    const edges = linspace(first, last, nEqual + 1);
    const counts = new Float64Array(nEqual);
    const norm = nEqual / (last - first);
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      if (!(x >= first && x <= last)) continue;
      let idx = Math.trunc((x - first) * norm);
      if (idx === nEqual) idx--;
      // numpy's ±1 ULP corrections around the computed index.
      if (x < edges[idx]) idx--;
      if (x >= edges[idx + 1] && idx !== nEqual - 1) idx++;
      counts[idx]++;
    }
    return { counts, edges };
  }
  const edges = Float64Array.from(bins as ArrayLike<number>);
  if (edges.length === 0) throw new Error(`${op}: bin edges must not be empty`);
  for (let i = 1; i < edges.length; i++) {
    if (edges[i - 1] > edges[i]) throw new Error(`${op}: \`bins\` must increase monotonically, when an array`);
  }
  const nb = edges.length - 1;
  const counts = new Float64Array(Math.max(nb, 0));
  const lastEdge = edges[nb];
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    // Bins are [e_i, e_{i+1}) except the last, which includes its right edge; outside values and NaN drop out.
    if (!(x >= edges[0] && x <= lastEdge)) continue;
    if (x === lastEdge) {
      counts[nb - 1]++;
      continue;
    }
    let lo = 0;
    let hi = edges.length; // upper bound: first index with edges[i] > x
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (edges[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    counts[lo - 1]++;
  }
  return { counts, edges };
}

/**
 * PyTorch's `make_histogram(values, bins, max_bins)`: numpy histogram, optional subsampling to at most
 * `maxBins` bins, then only the non-empty support plus one empty bin on its left is kept (TensorBoard stores
 * right edges only). `sum` is numpy's pairwise sum; `sumSquares` (numpy: a BLAS dot) uses the same summation
 * and may differ from PyTorch's in the last bits.
 */
export function makeHistogram(values: Float64Array, bins: HistogramBins, maxBins?: number | null, op = "histogram"): HistogramProto {
  if (values.length === 0) throw new Error(`${op}: The input has no element.`);
  let { counts, edges } = numpyHistogram(values, bins === "tensorflow" ? defaultBins() : bins, op);
  const numBins = counts.length;
  if (maxBins !== undefined && maxBins !== null && numBins > maxBins) {
    if (!Number.isInteger(maxBins) || maxBins < 1) throw new Error(`${op}: maxBins must be a positive integer, got ${maxBins}`);
    const sub = Math.floor(numBins / maxBins);
    // PyTorch pads with `sub - numBins % sub` zeros (its remainder is taken modulo `sub`, not `maxBins`).
    const rem = numBins % sub;
    const padded = rem !== 0 ? numBins + (sub - rem) : numBins;
    const merged = new Float64Array(padded / sub);
    for (let i = 0; i < numBins; i++) merged[Math.floor(i / sub)] += counts[i];
    const newEdges = new Float64Array(merged.length + 1);
    for (let i = 0, j = 0; j < edges.length - 1; i++, j += sub) newEdges[i] = edges[j];
    newEdges[merged.length] = edges[edges.length - 1];
    counts = merged;
    edges = newEdges;
  }
  // start = first bin with a count, end = one past the last (np.searchsorted on the cumulative non-empty count).
  let start = counts.length;
  let endIdx = -1;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] > 0) {
      if (start === counts.length) start = i;
      endIdx = i;
    }
  }
  // All bins empty: numpy's searchsorted gives end = 0, so end = 1.
  const end = endIdx === -1 ? 1 : endIdx + 1;
  const keptCounts = start > 0 ? Array.from(counts.subarray(start - 1, end)) : [0, ...counts.subarray(0, end)];
  const keptLimits = Array.from(edges.subarray(start, end + 1));
  if (keptCounts.length === 0 || keptLimits.length === 0) throw new Error(`${op}: The histogram is empty, please file a bug report.`);
  const [min, max] = minMax(values);
  const squares = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) squares[i] = values[i] * values[i];
  return {
    min,
    max,
    num: values.length,
    sum: numpySum(values),
    sumSquares: numpySum(squares),
    bucketLimit: keptLimits,
    bucket: keptCounts,
  };
}

/** A float as Python's str() prints it (for error messages that quote numpy). */
function pyFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  return Number.isInteger(x) ? `${x}.0` : String(x);
}
