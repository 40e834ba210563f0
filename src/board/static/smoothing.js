/**
 * TensorBoard's scalar smoothing (tensorboard/components/vz_line_chart2/line-chart.ts, `resmoothDataset`): an
 * exponential moving average started at 0 and debiased by 1 - w^n, where n counts the finite values so far.
 * Non-finite values pass through unsmoothed (and are not counted); a constant series is returned as is.
 *
 *     last_n = w·last_(n-1) + (1 - w)·y_n,    smoothed_n = last_n / (1 - w^n)
 *
 * @param {readonly number[]} values the raw values, in step order
 * @param {number} weight the slider value w in [0, 1]; 0 returns the values unchanged
 * @returns {number[]} the smoothed values
 */
export function smooth(values, weight) {
  const out = new Array(values.length);
  let last = values.length > 0 ? 0 : NaN;
  let numAccum = 0;
  // TensorBoard compares with ==, so a NaN-containing series is never "constant".
  const isConstant = values.every((v) => v === values[0]);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isConstant || !Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    numAccum++;
    const debias = weight === 1 ? 1 : 1 - Math.pow(weight, numAccum);
    out[i] = last / debias;
  }
  return out;
}
