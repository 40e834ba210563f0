/**
 * Fused multiply-add (a·b + c rounded once) in float32 and float64. PyTorch's CPU kernels are compiled with
 * FMA contraction, so reproducing its random streams and range factories bit for bit needs the fused
 * rounding, which JavaScript has no instruction for.
 */

/**
 * Fused multiply-add rounded once to float32, as `vfmadd…ps`. a·b is exact in double; the double sum is
 * rounded to float unless it falls exactly on a float midpoint, where its own rounding error decides.
 */
export function fma32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = Math.fround(s);
  const t = s - r;
  if (t === 0) return r;
  const r2 = r + 2 * t;
  if (Math.fround(r2) !== r2) return r;
  const bb = s - p;
  const err = p - (s - bb) + (c - bb);
  if (err === 0) return r;
  return err > 0 === t > 0 ? r2 : r;
}

const SPLIT = 134217729; // 2^27 + 1, Veltkamp's splitter

/**
 * Fused multiply-add in double (a·b + c rounded once) from Dekker's exact product and a two-sum; exact but
 * for double-rounding ties that need more than 106 bits to resolve.
 */
export function fma64(a: number, b: number, c: number): number {
  const p = a * b;
  if (!Number.isFinite(p) || p === 0) return p + c;
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const pe = ah * bh - p + ah * bl + al * bh + al * bl; // p + pe = a·b exactly
  const s = p + c;
  const bb = s - p;
  const se = p - (s - bb) + (c - bb); // s + se = p + c exactly
  return s + (pe + se);
}
