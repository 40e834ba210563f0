import { Tensor } from "../../tensor.js";
import type { Image } from "../image.js";
import { isFloating } from "../../dtype.js";
import { add, clamp, div, ge, isfinite, logicalNot, mul, pow, reciprocal, remainder, sub, where } from "../../ops/elementwise.js";
import { amax, amin } from "../../ops/extrema.js";
import { stack, unbind } from "../../ops/joining.js";
import { mean } from "../../ops/reduce.js";
import { zerosLike } from "../../ops/creation.js";
import { scalarTensor } from "../../ops/util.js";
import { to } from "../../ops/cast.js";
import { applyToImage, assertChannels, assertImageTensor, assertMinDims, dispatch, getDimensions, type ImageOrTensor } from "./tensor-image.js";
import { pilAutocontrast, pilBrightness, pilContrast, pilGamma, pilHue, pilSaturation } from "./pil.js";
import { grayscaleTensor } from "./grayscale.js";
import { hsvToRgb, rgbToHsv } from "./hsv.js";
import { convertImageDtypeTensor } from "./convert.js";
import { pyFloat } from "./scalar.js";

/** `_blend`: (ratio·img1 + (1 − ratio)·img2) clamped to [0, 1] (float) or [0, 255] (uint8), in img1's dtype. */
function blend(img1: Tensor, img2: Tensor, ratio: number): Tensor {
  const bound = isFloating(img1.dtype) ? 1 : 255;
  const mixed = add(mul(pyFloat(ratio, img1), img1), mul(pyFloat(1 - ratio, img1), img2));
  return to(clamp(mixed, 0, bound), img1.dtype);
}

function checkFactor(v: number, name: string, op: string): void {
  if (typeof v !== "number" || Number.isNaN(v)) throw new TypeError(`${op}: ${name} should be a number, got ${String(v)}`);
  if (v < 0) throw new RangeError(`${op}: ${name} (${v}) is not non-negative.`);
}

/** `F_t.adjust_brightness`: blend with zeros. */
export function brightnessTensor(img: Tensor, factor: number, op: string): Tensor {
  checkFactor(factor, "brightness_factor", op);
  assertImageTensor(img, op);
  assertChannels(img, [1, 3], op);
  return blend(img, zerosLike(img), factor);
}

/** `F_t.adjust_contrast`: blend with the mean of the grayscale image (float32 for uint8). */
export function contrastTensor(img: Tensor, factor: number, op: string): Tensor {
  checkFactor(factor, "contrast_factor", op);
  assertImageTensor(img, op);
  assertChannels(img, [1, 3], op);
  const dtype = isFloating(img.dtype) ? img.dtype : "float32";
  const c = getDimensions(img, op)[0];
  const source = c === 3 ? to(grayscaleTensor(img, 1, op), dtype) : to(img, dtype);
  const m = mean(source, [-3, -2, -1], true);
  return blend(img, m, factor);
}

/** `F_t.adjust_saturation`: blend with the grayscale image; one channel passes through. */
export function saturationTensor(img: Tensor, factor: number, op: string): Tensor {
  checkFactor(factor, "saturation_factor", op);
  assertImageTensor(img, op);
  assertChannels(img, [1, 3], op);
  if (getDimensions(img, op)[0] === 1) return img;
  return blend(img, grayscaleTensor(img, 1, op), factor);
}

/** `F_t.adjust_hue`: shift h in HSV (uint8 goes through float32 / 255 and back, truncated). */
export function hueTensor(img: Tensor, factor: number, op: string): Tensor {
  checkHue(factor, op);
  assertImageTensor(img, op);
  assertChannels(img, [1, 3], op);
  if (getDimensions(img, op)[0] === 1) return img;
  const orig = img.dtype;
  let x = img;
  if (orig === "uint8") x = div(to(x, "float32"), 255);
  const hsv = rgbToHsv(x);
  const cd = hsv.dim() - 3;
  const [h, s, v] = unbind(hsv, cd);
  const shifted = remainder(add(h, pyFloat(factor, h)), 1);
  let out = hsvToRgb(stack([shifted, s, v], cd));
  if (orig === "uint8") out = to(mul(out, 255), orig);
  return out;
}

function checkHue(factor: number, op: string): void {
  if (typeof factor !== "number" || !(factor >= -0.5 && factor <= 0.5)) throw new RangeError(`${op}: hue_factor (${factor}) is not in [-0.5, 0.5].`);
}

/** Brightness of an Image (Pillow's `ImageEnhance.Brightness`) or a tensor (torchvision's tensor code). */
export function brightnessImpl(img: ImageOrTensor, factor: number, op: string): ImageOrTensor {
  return dispatch(img, op, (im) => (checkFactor(factor, "brightness_factor", op), pilBrightness(im, factor)), (t) => brightnessTensor(t, factor, op));
}

/** Contrast of an Image (Pillow's `ImageEnhance.Contrast`) or a tensor. */
export function contrastImpl(img: ImageOrTensor, factor: number, op: string): ImageOrTensor {
  return dispatch(img, op, (im) => (checkFactor(factor, "contrast_factor", op), pilContrast(im, factor)), (t) => contrastTensor(t, factor, op));
}

/** Saturation of an Image (Pillow's `ImageEnhance.Color`) or a tensor. */
export function saturationImpl(img: ImageOrTensor, factor: number, op: string): ImageOrTensor {
  return dispatch(img, op, (im) => (checkFactor(factor, "saturation_factor", op), pilSaturation(im, factor)), (t) => saturationTensor(t, factor, op));
}

/** Hue of an Image (Pillow's HSV round trip) or a tensor. */
export function hueImpl(img: ImageOrTensor, factor: number, op: string): ImageOrTensor {
  return dispatch(img, op, (im) => (checkHue(factor, op), pilHue(im, factor)), (t) => hueTensor(t, factor, op));
}

/**
 * Scales brightness, as `F.adjust_brightness(img, factor)`: out = clamp(factor · img), 0 gives black,
 * 1 the original. Images: 1 or 3 channels; uint8 results are truncated.
 *
 * @example
 * adjustBrightness(torch.full([3, 1, 1], 0.4), 2) // 0.8 everywhere
 */
export function adjustBrightness<T extends ImageOrTensor>(img: T, brightnessFactor: number): T {
  return brightnessImpl(img, brightnessFactor, "adjustBrightness") as T;
}

/**
 * Scales contrast around the mean gray level, as `F.adjust_contrast(img, factor)`:
 * out = clamp(factor · img + (1 − factor) · mean(grayscale(img))); 0 gives solid gray.
 *
 * @example
 * adjustContrast(img, 0) // every pixel equal to the image's mean luma
 */
export function adjustContrast<T extends ImageOrTensor>(img: T, contrastFactor: number): T {
  return contrastImpl(img, contrastFactor, "adjustContrast") as T;
}

/**
 * Scales saturation, as `F.adjust_saturation(img, factor)`: out = clamp(factor · img + (1 − factor) ·
 * grayscale(img)); 0 gives grayscale, 2 doubles the saturation. One-channel images pass through.
 *
 * @example
 * adjustSaturation(img, 0) // r = g = b = luma
 */
export function adjustSaturation<T extends ImageOrTensor>(img: T, saturationFactor: number): T {
  return saturationImpl(img, saturationFactor, "adjustSaturation") as T;
}

/**
 * Rotates hue, as `F.adjust_hue(img, factor)`: RGB → HSV, h ← (h + factor) mod 1, HSV → RGB, with
 * `factor` in [−0.5, 0.5] (±0.5 gives the complementary colors). One-channel images pass through.
 *
 * @example
 * adjustHue(torch.tensor([[[1]], [[0]], [[0]]]), 1 / 3) // red → green: [[[0]], [[1]], [[0]]]
 */
export function adjustHue<T extends ImageOrTensor>(img: T, hueFactor: number): T {
  return hueImpl(img, hueFactor, "adjustHue") as T;
}

/**
 * Gamma correction, as `F.adjust_gamma(img, gamma, gain=1)`: out = clamp(gain · img^gamma, 0, 1) on
 * [0, 1] values (integer images are converted there and back with `convertImageDtype`).
 *
 * @example
 * adjustGamma(torch.full([1, 1, 1], 0.25), 0.5) // 0.5
 */
export function adjustGamma<T extends ImageOrTensor>(img: T, gamma: number, gain = 1): T {
  const op = "adjustGamma";
  if (typeof gamma !== "number" || gamma < 0) throw new RangeError(`${op}: Gamma should be a non-negative real number, got ${gamma}`);
  return dispatch(img, op, (im) => pilGamma(im, gamma, gain), (t) => {
    assertChannels(t, [1, 3], op);
    const dtype = t.dtype;
    let r = isFloating(dtype) ? t : convertImageDtypeTensor(t, "float32", op);
    // r is floating here, so plain numbers act as Python's int or float scalars alike (and pow keeps its
    // special cases for exponents such as 2 and 0.5).
    r = clamp(mul(pow(r, gamma), gain), 0, 1);
    return convertImageDtypeTensor(r, dtype, op);
  }) as T;
}

/**
 * Inverts colors, as `F.invert`: out = bound − img with bound 1 (float) or 255 (uint8).
 *
 * @example
 * invert(torch.tensor([[[0, 100]]], { dtype: "uint8" })) // [[[255, 155]]]
 */
export function invert<T extends ImageOrTensor>(img: T): T {
  return applyToImage(img, "invert", (t) => invertTensor(t, "invert")) as T;
}

function invertTensor(t: Tensor, op: string): Tensor {
  assertMinDims(t, 3, op);
  assertChannels(t, [1, 3], op);
  return sub(scalarTensor(isFloating(t.dtype) ? 1 : 255, t.dtype), t);
}

/**
 * Keeps the top `bits` bits of each uint8 value, as `F.posterize(img, bits)`: out = img & ~(2^(8−bits) − 1).
 *
 * @example
 * posterize(torch.tensor([[[200]]], { dtype: "uint8" }), 2) // [[[192]]]
 */
export function posterize<T extends ImageOrTensor>(img: T, bits: number): T {
  const op = "posterize";
  if (!Number.isInteger(bits) || bits < 0 || bits > 8) throw new RangeError(`${op}: The number if bits should be between 0 and 8. Got ${bits}`);
  return applyToImage(img, op, (t) => {
    assertMinDims(t, 3, op);
    if (t.dtype !== "uint8") throw new TypeError(`${op}: Only uint8 image tensors are supported, but found ${t.dtype}`);
    assertChannels(t, [1, 3], op);
    const mask = -(2 ** (8 - bits)) & 0xff;
    const src = t.toTypedArray() as Uint8Array;
    const out = new Uint8Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = src[i] & mask;
    return new Tensor(out, "uint8", t.shape.slice());
  }) as T;
}

/**
 * Inverts every value at or above `threshold`, as `F.solarize(img, threshold)`.
 *
 * @example
 * solarize(torch.tensor([[[0.2, 0.8]]]), 0.5) // [[[0.2, 0.2]]]
 */
export function solarize<T extends ImageOrTensor>(img: T, threshold: number): T {
  const op = "solarize";
  return applyToImage(img, op, (t) => {
    assertMinDims(t, 3, op);
    assertChannels(t, [1, 3], op);
    const bound = isFloating(t.dtype) ? 1 : 255;
    if (threshold > bound) throw new TypeError(`${op}: Threshold should be less than bound of img (${bound}), got ${threshold}`);
    return where(ge(t, threshold), invertTensor(t, op), t);
  }) as T;
}

/**
 * Stretches each channel to the full range, as `F.autocontrast`: out = (img − min) · bound / (max − min)
 * per channel; a constant channel is left as is.
 *
 * @example
 * autocontrast(torch.tensor([[[0.25, 0.5]]])) // [[[0, 1]]]
 */
export function autocontrast<T extends ImageOrTensor>(img: T): T {
  const op = "autocontrast";
  const onImage = (im: Image): Image => {
    assertChannels(im, [1, 3], op);
    return pilAutocontrast(im);
  };
  return dispatch(img, op, onImage, (t) => {
    assertMinDims(t, 3, op);
    assertChannels(t, [1, 3], op);
    const bound = isFloating(t.dtype) ? 1 : 255;
    const dtype = isFloating(t.dtype) ? t.dtype : "float32";
    let minimum = to(amin(t, [-2, -1], true), dtype);
    const maximum = to(amax(t, [-2, -1], true), dtype);
    // Python's `bound / tensor` is Tensor.__rtruediv__: reciprocal(tensor) · bound, rounded twice.
    let scale = mul(reciprocal(sub(maximum, minimum)), pyFloat(bound, minimum));
    const constant = logicalNot(isfinite(scale));
    minimum = where(constant, pyFloat(0, minimum), minimum);
    scale = where(constant, pyFloat(1, scale), scale);
    return to(clamp(mul(sub(t, minimum), scale), 0, bound), t.dtype);
  }) as T;
}
