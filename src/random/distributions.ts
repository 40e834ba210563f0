/**
 * The CPU sampling kernels of PyTorch 1.13, reproduced value for value on top of `Generator`:
 * - uniform: `transformation::uniform_real` (aten/src/ATen/core/TransformationHelper.h): 24 random bits for
 *   float, 53 for double, then `x · (to − from) + from`, which PyTorch's build contracts into one fused
 *   multiply-add (verified against its output);
 * - normal, contiguous float tensors of ≥ 16 elements: `normal_fill_AVX2` (native/cpu/DistributionTemplates.h)
 *   with the float polynomial log/sincos of avx_mathfun.h, emulated operation by operation in float32
 *   including the FMAs GCC formed (read off the shipped libtorch_cpu.so);
 * - normal, contiguous double tensors of ≥ 16 elements: `normal_fill<double>` (Box–Muller on 16-blocks);
 * - normal otherwise: `normal_distribution<double>`, which caches the second Box–Muller value on the
 *   generator.
 * Double-precision paths call libm's log/sin/cos in PyTorch and V8's (fdlibm) here: they agree to the last
 * bit almost always; a rare 1-ulp difference is the known limit of the double-precision normal.
 */
import type { Generator } from "./generator.js";
import { fma32, fma64 } from "../fma.js";

const TWO_M24 = 2 ** -24;
const TWO_M53 = 2 ** -53;

/** A uniform float in [0, 1) from 24 bits of one draw (`uniform_real_distribution<float>(0, 1)`). */
export function uniform24(g: Generator): number {
  return (g.random() & 0xffffff) * TWO_M24;
}

/** A uniform double in [0, 1) from 53 bits of `random64()` (`uniform_real_distribution<double>(0, 1)`). */
export function uniform53(g: Generator): number {
  return g.random64Low(53) * TWO_M53;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Fills `out[0..n)` with uniforms in [from, to) for a float32 (`single`) or float64 tensor. */
export function fillUniform(out: Float32Array | Float64Array, n: number, from: number, to: number, single: boolean, g: Generator): void {
  if (single) {
    const lo = Math.fround(from);
    const range = Math.fround(Math.fround(to) - lo);
    for (let i = 0; i < n; i++) out[i] = fma32(uniform24(g), range, lo);
  } else {
    const range = to - from;
    for (let i = 0; i < n; i++) out[i] = fma64(uniform53(g), range, from);
  }
}

/** One `normal_distribution<double>(mean, std)` draw, using and refilling the generator's cached value. */
export function normalDouble(g: Generator, mean: number, std: number): number {
  let z: number;
  if (g._nextDoubleNormal !== null) {
    z = g._nextDoubleNormal;
    g._nextDoubleNormal = null;
  } else {
    const u1 = uniform53(g);
    const u2 = uniform53(g);
    const r = Math.sqrt(-2 * Math.log(1 - u2));
    const theta = 2 * Math.PI * u1;
    g._nextDoubleNormal = r * Math.sin(theta);
    z = r * Math.cos(theta);
  }
  return fma64(z, std, mean);
}

/**
 * Fills `out[0..n)` with normal values exactly as PyTorch's CPU `normal_` does for a tensor of n elements
 * (`contiguous` selects the 16-block paths for n ≥ 16).
 */
export function fillNormal(
  out: Float32Array | Float64Array,
  n: number,
  mean: number,
  std: number,
  single: boolean,
  contiguous: boolean,
  g: Generator,
): void {
  if (n >= 16 && contiguous) {
    if (single) normalFillAvx2(out as Float32Array, n, mean, std, g);
    else normalFillDouble(out as Float64Array, n, mean, std, g);
    return;
  }
  for (let i = 0; i < n; i++) out[i] = normalDouble(g, mean, std);
}

/** `normal_fill<double>`: uniforms for every element, then Box–Muller over 16-blocks (the tail block redrawn). */
function normalFillDouble(data: Float64Array, n: number, mean: number, std: number, g: Generator): void {
  for (let i = 0; i < n; i++) data[i] = uniform53(g);
  for (let i = 0; i + 16 <= n; i += 16) boxMuller16Double(data, i, mean, std);
  if (n % 16 !== 0) {
    for (let i = n - 16; i < n; i++) data[i] = uniform53(g);
    boxMuller16Double(data, n - 16, mean, std);
  }
}

function boxMuller16Double(data: Float64Array, o: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = 1 - data[o + j];
    const u2 = data[o + j + 8];
    const radius = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    data[o + j] = fma64(radius * Math.cos(theta), std, mean);
    data[o + j + 8] = fma64(radius * Math.sin(theta), std, mean);
  }
}

/** `normal_fill_AVX2`: float uniforms for every element, then the 16-block transform (tail block redrawn). */
function normalFillAvx2(data: Float32Array, n: number, mean: number, std: number, g: Generator): void {
  const m = Math.fround(mean);
  const s = Math.fround(std);
  for (let i = 0; i < n; i++) data[i] = uniform24(g);
  for (let i = 0; i + 16 <= n; i += 16) normal16Avx2(data, i, m, s);
  if (n % 16 !== 0) {
    for (let i = n - 16; i < n; i++) data[i] = uniform24(g);
    normal16Avx2(data, n - 16, m, s);
  }
}

const fr = Math.fround;
// avx_mathfun.h's constants as the float bit patterns in libtorch_cpu.so.
const TWO_PI = fr(2 * Math.PI);
const SQRTHF = fr(Math.SQRT1_2);
const LOG_P = [7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1].map(fr);
const LOG_Q1 = fr(-2.1219444e-4);
const LOG_Q2 = fr(0.693359375);
const FOPI = fr(1.27323954473516);
const DP1 = fr(-0.78515625);
const DP2 = fr(-2.4187564849853515625e-4);
const DP3 = fr(-3.774894977445941e-8);
const SIN_P0 = fr(-1.9515295891e-4);
const SIN_P1 = fr(8.3321608736e-3);
const SIN_P2 = fr(-1.6666654611e-1);
const COS_P0 = fr(2.443315711809948e-5);
const COS_P1 = fr(-1.388731625493765e-3);
const COS_P2 = fr(4.166664568298827e-2);

/** log256_ps for u in (0, 1] (never ≤ 0 or denormal here, so its masks are no-ops), float by float. */
function logAvx(u: number): number {
  f32[0] = u;
  const bits = u32[0];
  let e = fr((bits >>> 23) - 127 + 1);
  u32[0] = (bits & ~0x7f800000) | 0x3f000000;
  let x = f32[0];
  const small = x < SQRTHF;
  const tmp = small ? x : 0;
  x = fr(x - 1);
  if (small) e = fr(e - 1);
  const eq1 = fr(e * LOG_Q1);
  x = fr(tmp + x);
  let y = LOG_P[0];
  for (let k = 1; k < 9; k++) y = fma32(y, x, LOG_P[k]);
  const z = fr(x * x);
  y = fr(y * x);
  y = fma32(y, z, eq1);
  y = fr(y - z * 0.5);
  x = fr(x + y);
  return fma32(e, LOG_Q2, x);
}

let sinOut = 0;
let cosOut = 0;

/** sincos256_ps for theta in [0, 2π), results in `sinOut`/`cosOut`. */
function sincosAvx(theta: number): void {
  const x0 = theta; // non-negative: the sign masks are no-ops
  let j = Math.trunc(fr(x0 * FOPI)) | 0;
  j = (j + 1) & ~1;
  const yf = j;
  const sinSwap = (j & 4) !== 0;
  const polyMask = (j & 2) === 0;
  const cosSign = (~(j - 2) & 4) !== 0;
  let x = fma32(yf, DP1, x0);
  x = fma32(yf, DP2, x);
  x = fma32(yf, DP3, x);
  const z = fr(x * x);
  let y = fma32(COS_P0, z, COS_P1);
  y = fma32(y, z, COS_P2);
  const half = fr(z * 0.5);
  y = fr(z * y);
  y = fma32(y, z, -half);
  let y2 = fma32(SIN_P0, z, SIN_P1);
  y2 = fma32(z, y2, SIN_P2);
  y = fr(y + 1);
  y2 = fr(z * y2);
  y2 = fma32(y2, x, x);
  const s = polyMask ? y2 : y;
  const c = polyMask ? y : y2;
  sinOut = sinSwap ? -s : s;
  cosOut = cosSign ? -c : c;
}

function normal16Avx2(data: Float32Array, o: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = fr(1 - data[o + j]);
    const theta = fr(TWO_PI * data[o + j + 8]);
    const radius = fr(Math.sqrt(fr(logAvx(u1) * -2)));
    sincosAvx(theta);
    data[o + j] = fma32(fr(radius * cosOut), std, mean);
    data[o + j + 8] = fma32(fr(radius * sinOut), std, mean);
  }
}
