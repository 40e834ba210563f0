/**
 * Per-output window bounds along one spatial dim, computed once per kernel call so the inner loops only
 * read typed arrays.
 */

/**
 * Max pooling bounds (`cpu_max_pool`): start `o·s − p` advanced by the dilation while negative, end
 * `min(o·s − p + (k−1)·d + 1, L)`, exclusive.
 */
export function maxPoolBounds(L: number, out: number, k: number, s: number, p: number, d: number): [Int32Array, Int32Array] {
  const start = new Int32Array(out);
  const end = new Int32Array(out);
  for (let o = 0; o < out; o++) {
    let a = o * s - p;
    const b = Math.min(a + (k - 1) * d + 1, L);
    while (a < 0) a += d;
    start[o] = a;
    end[o] = b;
  }
  return [start, end];
}

/**
 * Average pooling bounds (`cpu_avg_pool`): the window is first clipped to the padded extent `L + p`
 * (its length there is what count_include_pad divides by), then to the input.
 */
export function avgPoolBounds(L: number, out: number, k: number, s: number, p: number): [Int32Array, Int32Array, Int32Array] {
  const start = new Int32Array(out);
  const end = new Int32Array(out);
  const padded = new Int32Array(out);
  for (let o = 0; o < out; o++) {
    const a = o * s - p;
    const b = Math.min(a + k, L + p);
    padded[o] = b - a;
    start[o] = Math.max(a, 0);
    end[o] = Math.min(b, L);
  }
  return [start, end, padded];
}

/** Adaptive bounds (`aten/src/ATen/native/AdaptivePooling.h`): `[floor(o·L/out), ceil((o+1)·L/out))`. */
export function adaptiveBounds(L: number, out: number): [Int32Array, Int32Array] {
  const start = new Int32Array(out);
  const end = new Int32Array(out);
  for (let o = 0; o < out; o++) {
    start[o] = Math.floor((o * L) / out);
    end[o] = Math.ceil(((o + 1) * L) / out);
  }
  return [start, end];
}
