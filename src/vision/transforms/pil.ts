/**
 * torchvision's PIL code path for `Image` inputs, reproducing Pillow 9's 8-bit arithmetic so that an Image
 * pipeline gives the bytes torchvision gives a PIL image: resampling (Resample.c: fixed-point coefficients
 * with 22 fraction bits; nearest through ImagingScaleAffine), `Image.blend` (Blend.c, float32),
 * `ImageEnhance`, the HSV conversions (Convert.c) and the `ImageOps` lookup tables.
 */
import { Image } from "../image.js";
import { convertImage } from "./image-mode.js";

const PRECISION_BITS = 32 - 8 - 2;

/** Pillow's `precompute_coeffs` for the triangle (bilinear) filter, then `normalize_coeffs_8bpc`. */
function coeffs(inSize: number, outSize: number): { bounds: Int32Array; kk: Int32Array; ksize: number } {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = 1 * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const kk = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterscale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const t = Math.abs((x + xmin - center + 0.5) * ss);
      const w = t < 1 ? 1 - t : 0;
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) {
      const v = ww !== 0 ? k[x] / ww : k[x];
      kk[xx * ksize + x] = Math.trunc(v < 0 ? -0.5 + v * (1 << PRECISION_BITS) : 0.5 + v * (1 << PRECISION_BITS));
    }
    bounds[2 * xx] = xmin;
    bounds[2 * xx + 1] = xmax;
  }
  return { bounds, kk, ksize };
}

/**
 * One pass of Pillow's 8-bit resample (ImagingResampleHorizontal/Vertical_8bpc) along an axis: `lines`
 * lines of samples `step` bytes apart; each output sample is clip8(2²¹ + Σ in·k) of its taps.
 */
function resamplePass(src: Uint8Array, dst: Uint8Array, lines: number, lineIn: number, lineOut: number, outLen: number, step: number, outStep: number, shift: number, cf: { bounds: Int32Array; kk: Int32Array; ksize: number }): void {
  const { bounds, kk, ksize } = cf;
  const half = 1 << (PRECISION_BITS - 1);
  for (let l = 0; l < lines; l++) {
    const base = l * lineIn;
    const obase = l * lineOut;
    for (let o = 0; o < outLen; o++) {
      const xmin = bounds[2 * o] - shift;
      const xmax = bounds[2 * o + 1];
      const kb = o * ksize;
      let ss = half;
      let p = base + xmin * step;
      for (let x = 0; x < xmax; x++, p += step) ss += src[p] * kk[kb + x];
      dst[obase + o * outStep] = ss >= 1 << (PRECISION_BITS + 8) ? 255 : ss <= 0 ? 0 : ss >> PRECISION_BITS;
    }
  }
}

/** Pillow's two-pass 8-bit resample of interleaved `C`-channel pixels (ImagingResampleInner). */
function resampleBilinear(src: Uint8Array, C: number, W: number, H: number, ow: number, oh: number): Uint8Array {
  const vert = oh !== H ? coeffs(H, oh) : null;
  let cur = src;
  let curW = W;
  // Only the source rows the vertical pass reads go through the horizontal pass.
  const yFirst = vert ? vert.bounds[0] : 0;
  const yLast = vert ? vert.bounds[2 * oh - 2] + vert.bounds[2 * oh - 1] : H;
  if (ow !== W) {
    const rows = yLast - yFirst;
    const horiz = coeffs(W, ow);
    const out = new Uint8Array(ow * rows * C);
    // Each channel of each row is a line with samples C bytes apart.
    for (let c = 0; c < C; c++) {
      resamplePass(src.subarray(yFirst * W * C + c), out.subarray(c), rows, W * C, ow * C, ow, C, C, 0, horiz);
    }
    cur = out;
    curW = ow;
  }
  if (vert) {
    const shift = ow !== W ? yFirst : 0;
    const out = new Uint8Array(curW * oh * C);
    // Each byte column is a line with samples one row apart.
    resamplePass(cur, out, curW * C, 1, 1, oh, curW * C, curW * C, shift, vert);
    cur = out;
  }
  return cur === src ? src.slice() : cur;
}

/** `img.crop((left, top, left + width, top + height))`: the box, zeros where it leaves the image. */
export function pilCrop(img: Image, top: number, left: number, height: number, width: number): Image {
  const C = img.channels;
  const out = new Uint8Array(Math.max(width, 0) * Math.max(height, 0) * C);
  const x0 = Math.max(left, 0);
  const x1 = Math.min(left + width, img.width);
  for (let y = Math.max(top, 0); y < Math.min(top + height, img.height); y++) {
    if (x1 > x0) out.set(img.data.subarray((y * img.width + x0) * C, (y * img.width + x1) * C), ((y - top) * width + (x0 - left)) * C);
  }
  return new Image(Math.max(width, 0), Math.max(height, 0), img.mode, out);
}

/** Pillow's NEAREST resize: ImagingScaleAffine steps a double source coordinate by in/out per pixel. */
function resampleNearest(src: Uint8Array, C: number, W: number, H: number, ow: number, oh: number): Uint8Array {
  const coord = (v: number): number => (v < 0 ? -1 : Math.trunc(v));
  const a0 = W / ow;
  const a4 = H / oh;
  const xs = new Int32Array(ow);
  let xo = a0 * 0.5;
  for (let x = 0; x < ow; x++, xo += a0) xs[x] = Math.min(coord(xo), W - 1);
  const out = new Uint8Array(ow * oh * C);
  let yo = a4 * 0.5;
  for (let y = 0; y < oh; y++, yo += a4) {
    const yi = Math.min(coord(yo), H - 1);
    for (let x = 0; x < ow; x++) for (let c = 0; c < C; c++) out[(y * ow + x) * C + c] = src[(yi * W + xs[x]) * C + c];
  }
  return out;
}

/** MULDIV255 of Convert.c: round(a·b / 255) in integers. */
function mulDiv255(a: number, b: number): number {
  const t = a * b + 128;
  return ((t >> 8) + t) >> 8;
}

/**
 * `Image.resize((w, h), BILINEAR | NEAREST)` as Pillow computes it. RGBA images are resampled with
 * premultiplied alpha (RGBA → RGBa → resize → RGBA), as Pillow does for bilinear.
 */
export function pilResize(img: Image, oh: number, ow: number, mode: "bilinear" | "nearest"): Image {
  const { width: W, height: H, channels: C } = img;
  if (W === ow && H === oh) return new Image(W, H, img.mode, img.data.slice());
  if (mode === "nearest") return new Image(ow, oh, img.mode, resampleNearest(img.data, C, W, H, ow, oh));
  if (img.mode !== "RGBA") return new Image(ow, oh, img.mode, resampleBilinear(img.data, C, W, H, ow, oh));
  const pre = img.data.slice();
  for (let i = 0; i < pre.length; i += 4) {
    const a = pre[i + 3];
    pre[i] = mulDiv255(pre[i], a);
    pre[i + 1] = mulDiv255(pre[i + 1], a);
    pre[i + 2] = mulDiv255(pre[i + 2], a);
  }
  const out = resampleBilinear(pre, 4, W, H, ow, oh);
  for (let i = 0; i < out.length; i += 4) {
    const a = out[i + 3];
    if (a !== 255 && a !== 0) {
      out[i] = Math.min(Math.trunc((255 * out[i]) / a), 255);
      out[i + 1] = Math.min(Math.trunc((255 * out[i + 1]) / a), 255);
      out[i + 2] = Math.min(Math.trunc((255 * out[i + 2]) / a), 255);
    }
  }
  return new Image(ow, oh, "RGBA", out);
}

/**
 * Blend.c: out = in1 + α·(in2 − in1) in float32 (α is a C float), truncated; clamped when α is outside
 * [0, 1]. α = 0 and α = 1 return copies of the inputs.
 */
function blendBytes(in1: Uint8Array, in2: Uint8Array, alpha: number): Uint8Array {
  const a = Math.fround(alpha);
  if (a === 0) return in1.slice();
  if (a === 1) return in2.slice();
  const inside = a >= 0 && a <= 1;
  const one = (x: number, y: number): number => {
    const t = Math.fround(x + Math.fround(a * (y - x)));
    return inside ? t : t <= 0 ? 0 : t >= 255 ? 255 : t;
  };
  const out = new Uint8Array(in1.length);
  if (in1.length <= 1 << 16) {
    for (let i = 0; i < in1.length; i++) out[i] = one(in1[i], in2[i]);
    return out;
  }
  // Large images: every (in1, in2) pair precomputed once.
  const lut = new Uint8Array(1 << 16);
  for (let x = 0; x < 256; x++) for (let y = 0; y < 256; y++) lut[(x << 8) | y] = one(x, y);
  for (let i = 0; i < in1.length; i++) out[i] = lut[(in1[i] << 8) | in2[i]];
  return out;
}

function withAlphaOf(degenerate: Uint8Array, img: Image): Uint8Array {
  if (img.mode === "RGBA") for (let i = 3; i < degenerate.length; i += 4) degenerate[i] = img.data[i];
  return degenerate;
}

/** `ImageEnhance.Brightness(img).enhance(f)`: blend with black (alpha kept). */
export function pilBrightness(img: Image, factor: number): Image {
  const black = withAlphaOf(new Uint8Array(img.data.length), img);
  return new Image(img.width, img.height, img.mode, blendBytes(black, img.data, factor));
}

/** `ImageEnhance.Contrast(img).enhance(f)`: blend with the mean luma, ⌊mean + 0.5⌋ (alpha kept). */
export function pilContrast(img: Image, factor: number): Image {
  const gray = convertImage(img, "L").data;
  let sum = 0;
  for (let i = 0; i < gray.length; i++) sum += gray[i];
  const mean = Math.trunc(sum / gray.length + 0.5);
  const C = img.channels;
  const degenerate = new Uint8Array(img.data.length);
  for (let i = 0; i < degenerate.length; i++) degenerate[i] = C === 4 && i % 4 === 3 ? 255 : mean;
  return new Image(img.width, img.height, img.mode, blendBytes(withAlphaOf(degenerate, img), img.data, factor));
}

/** `ImageEnhance.Color(img).enhance(f)`: blend with the grayscale image (saturation; alpha kept). */
export function pilSaturation(img: Image, factor: number): Image {
  const degenerate = img.mode === "L" ? img.data : withAlphaOf(convertImage(convertImage(img, "L"), img.mode).data.slice(), img);
  return new Image(img.width, img.height, img.mode, blendBytes(degenerate, img.data, factor));
}

/** Convert.c `rgb2hsv_row`: 8-bit H, S, V with the float arithmetic of the C source. */
function rgbToHsv8(r: number, g: number, b: number, out: Uint8Array, o: number): void {
  const f = Math.fround;
  const maxc = Math.max(r, g, b);
  const minc = Math.min(r, g, b);
  out[o + 2] = maxc;
  if (minc === maxc) {
    out[o] = 0;
    out[o + 1] = 0;
    return;
  }
  const cr = maxc - minc;
  const s = f(cr / maxc);
  const rc = f((maxc - r) / cr);
  const gc = f((maxc - g) / cr);
  const bc = f((maxc - b) / cr);
  // `2.0 + rc - bc` is double arithmetic stored into a float.
  const h0 = r === maxc ? f(bc - gc) : g === maxc ? f(2 + rc - bc) : f(4 + gc - rc);
  const h = f((h0 / 6 + 1) % 1);
  out[o] = Math.min(Math.max(Math.trunc(h * 255), 0), 255);
  out[o + 1] = Math.min(Math.max(Math.trunc(s * 255), 0), 255);
}

/** Convert.c `hsv2rgb`. */
function hsvToRgb8(h: number, s: number, v: number, out: Uint8Array, o: number): void {
  if (s === 0) {
    out[o] = out[o + 1] = out[o + 2] = v;
    return;
  }
  const i = Math.floor((h * 6) / 255);
  const f = Math.fround((h * 6) / 255 - i);
  const fs = Math.fround(s / 255);
  // C's round() (halves away from zero; every value here is non-negative), clipped to 8 bits. fs·f is a
  // float product; the other factors are doubles.
  const p = Math.min(Math.round(v * (1 - fs)), 255);
  const q = Math.min(Math.round(v * (1 - Math.fround(fs * f))), 255);
  const t = Math.min(Math.round(v * (1 - fs * (1 - f))), 255);
  let r: number, g: number, b: number;
  switch (i % 6) {
    case 0: r = v; g = t; b = p; break;
    case 1: r = q; g = v; b = p; break;
    case 2: r = p; g = v; b = t; break;
    case 3: r = p; g = q; b = v; break;
    case 4: r = t; g = p; b = v; break;
    default: r = v; g = p; b = q;
  }
  out[o] = r;
  out[o + 1] = g;
  out[o + 2] = b;
}

/**
 * torchvision's `F_pil.adjust_hue`: RGB → HSV (8 bits), h += uint8(factor · 255) with wraparound, back to
 * RGB. Gray images pass through; RGBA comes back with alpha 255, as PIL's merge of H, S, V does.
 */
export function pilHue(img: Image, factor: number): Image {
  if (img.mode === "L") return img;
  // np.uint8(x): truncate toward zero, then wrap modulo 256.
  const shift = ((Math.trunc(factor * 255) % 256) + 256) % 256;
  const C = img.channels;
  const n = img.width * img.height;
  const out = new Uint8Array(n * C);
  const hsv = new Uint8Array(3);
  for (let i = 0; i < n; i++) {
    rgbToHsv8(img.data[i * C], img.data[i * C + 1], img.data[i * C + 2], hsv, 0);
    hsvToRgb8((hsv[0] + shift) & 0xff, hsv[1], hsv[2], out, i * C);
    if (C === 4) out[i * C + 3] = 255;
  }
  return new Image(img.width, img.height, img.mode, out);
}

/** `img.point(lut)` on every color band (alpha untouched). */
function applyLut(img: Image, lut: (band: number) => Uint8Array | number[]): Image {
  const C = img.channels;
  const bands = Math.min(C, 3);
  const luts = Array.from({ length: bands }, (_, b) => lut(b));
  const out = img.data.slice();
  for (let i = 0; i < out.length; i++) {
    const b = i % C;
    if (b < bands) out[i] = luts[b][out[i]];
  }
  return new Image(img.width, img.height, img.mode, out);
}

/**
 * `F_pil.adjust_gamma`: lut[v] = ⌊(255 + 1 − 10⁻³) · gain · (v / 255)^γ⌋ applied through RGB, so RGBA
 * comes back with alpha 255.
 */
export function pilGamma(img: Image, gamma: number, gain: number): Image {
  const lut = Array.from({ length: 256 }, (_, v) => Math.min(Math.trunc((255 + 1 - 1e-3) * gain * Math.pow(v / 255, gamma)), 255));
  const out = applyLut(img, () => lut);
  if (img.mode === "RGBA") for (let i = 3; i < out.data.length; i += 4) out.data[i] = 255;
  return out;
}

/** `ImageOps.autocontrast(img)` (cutoff 0): per band, lut[v] = clamp(⌊v · 255/(hi − lo) − lo · 255/(hi − lo)⌋). */
export function pilAutocontrast(img: Image): Image {
  const C = img.channels;
  return applyLut(img, (band) => {
    const hist = new Float64Array(256);
    for (let i = band; i < img.data.length; i += C) hist[img.data[i]]++;
    let lo = 0;
    while (lo < 255 && !hist[lo]) lo++;
    let hi = 255;
    while (hi > 0 && !hist[hi]) hi--;
    if (hi <= lo) return Array.from({ length: 256 }, (_, v) => v);
    const scale = 255 / (hi - lo);
    const offset = -lo * scale;
    return Array.from({ length: 256 }, (_, v) => Math.min(Math.max(Math.trunc(v * scale + offset), 0), 255));
  });
}

/** `F_pil.to_grayscale`: `convert("L")`, repeated into RGB when 3 channels are asked for. */
export function pilGrayscale(img: Image, numOutputChannels: number): Image {
  const l = convertImage(img, "L");
  if (numOutputChannels === 1) return l;
  const out = new Uint8Array(l.data.length * 3);
  for (let i = 0; i < l.data.length; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = l.data[i];
  return new Image(img.width, img.height, "RGB", out);
}

