/**
 * Precision-recall curves for TensorBoard's pr_curves plugin: PyTorch's `compute_curve`
 * (`torch/utils/tensorboard/summary.py`, after tensorflow/tensorboard `plugins/pr_curve/summary.py`).
 */
import { linspace } from "./histogram.js";

/** TensorBoard's pr_curves plugin keeps at most this many thresholds (PyTorch: "value > 127 breaks protobuf"). */
export const MAX_PR_THRESHOLDS = 127;

// numpy's histogram works through its input in blocks of this many values, adding each block's bincount.
const NUMPY_HISTOGRAM_BLOCK = 65536;

// Divisors below this count are raised to it, so an empty threshold gives precision/recall 0, not NaN.
const MINIMUM_COUNT = 1e-7;

/**
 * The six rows `[tp, fp, tn, fn, precision, recall]` of a PR curve at `numThresholds` thresholds, each
 * `numThresholds` long: threshold i is `i / (numThresholds − 1)`.
 *
 * As PyTorch: prediction p falls in bucket `int32(floor(p · (numThresholds − 1)))` (the product in float32
 * when `float32Predictions`), buckets outside `[0, numThresholds − 1]` (p < 0, p > 1, NaN) are left out, the
 * buckets are counted with `np.histogram(..., bins=numThresholds, range=(0, numThresholds − 1))` weighted by
 * `label · weight` (true positives) and `(1 − label) · weight` (false positives), and counts are reverse
 * cumulative sums. `precision = tp / max(1e-7, tp + fp)`, `recall = tp / max(1e-7, tp + fn)`.
 */
export function computeCurve(
  labels: Float64Array,
  predictions: Float64Array,
  numThresholds: number,
  weights: Float64Array | number = 1,
  float32Predictions = false,
  op = "addPrCurve",
): Float64Array[] {
  const n = numThresholds;
  if (labels.length !== predictions.length) {
    throw new Error(`${op}: labels and predictions must have the same number of elements, got ${labels.length} and ${predictions.length}`);
  }
  if (typeof weights !== "number" && weights.length !== 1 && weights.length !== labels.length) {
    throw new Error(`${op}: weights must be one number or one per label, got ${weights.length} for ${labels.length} labels`);
  }
  const weightAt = (i: number): number => (typeof weights === "number" ? weights : weights.length === 1 ? weights[0] : weights[i]);
  // np.histogram's uniform-bin path with range (0, n − 1); a zero-width range is widened by ±0.5.
  let first = 0;
  let last = n - 1;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const edges = linspace(first, last, n + 1);
  const norm = n / (last - first);
  const tpBuckets = new Float64Array(n);
  const fpBuckets = new Float64Array(n);
  const tpBlock = new Float64Array(n);
  const fpBlock = new Float64Array(n);
  for (let start = 0; start < predictions.length; start += NUMPY_HISTOGRAM_BLOCK) {
    tpBlock.fill(0);
    fpBlock.fill(0);
    const end = Math.min(predictions.length, start + NUMPY_HISTOGRAM_BLOCK);
    for (let i = start; i < end; i++) {
      const scaled = float32Predictions ? Math.fround(predictions[i] * (n - 1)) : predictions[i] * (n - 1);
      // np.int32 of NaN, ±inf or anything beyond int32 is INT32_MIN on x86: outside the range, so dropped.
      const k = Math.floor(scaled);
      if (!(k >= first && k <= last) || k > 2147483647) continue;
      let idx = Math.trunc((k - first) * norm);
      if (idx === n) idx--;
      if (k < edges[idx]) idx--;
      if (k >= edges[idx + 1] && idx !== n - 1) idx++;
      const w = weightAt(i);
      tpBlock[idx] += labels[i] * w;
      fpBlock[idx] += (1 - labels[i]) * w;
    }
    for (let b = 0; b < n; b++) {
      tpBuckets[b] += tpBlock[b];
      fpBuckets[b] += fpBlock[b];
    }
  }
  const tp = new Float64Array(n);
  const fp = new Float64Array(n);
  for (let i = n - 1, accTp = 0, accFp = 0; i >= 0; i--) {
    accTp += tpBuckets[i];
    accFp += fpBuckets[i];
    tp[i] = accTp;
    fp[i] = accFp;
  }
  const tn = fp.map((x) => fp[0] - x);
  const fn = tp.map((x) => tp[0] - x);
  const precision = tp.map((x, i) => x / Math.max(MINIMUM_COUNT, x + fp[i]));
  const recall = tp.map((x, i) => x / Math.max(MINIMUM_COUNT, x + fn[i]));
  return [tp, fp, tn, fn, precision, recall];
}
