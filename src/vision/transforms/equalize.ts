import { Tensor } from "../../tensor.js";
import { Transform } from "./transform.js";
import { applyToImage, assertChannels, assertImageTensor, type ImageOrTensor } from "./tensor-image.js";
import { randUnit, type RandomOptions } from "./random-params.js";

/**
 * torchvision's `_scale_channel` on one plane of `n` bytes: histogram, step = ⌊(Σ nonzero bins except the
 * last nonzero one) / 255⌋, lut[i] = ⌊(cumsum[i−1] + ⌊step/2⌋) / step⌋ clamped to 255; step 0 keeps the plane.
 */
function equalizePlane(src: Uint8Array, start: number, n: number, out: Uint8Array): void {
  const hist = new Float64Array(256);
  for (let i = 0; i < n; i++) hist[src[start + i]]++;
  let total = 0;
  let last = 0;
  for (let v = 0; v < 256; v++) {
    if (hist[v] !== 0) {
      total += hist[v];
      last = hist[v];
    }
  }
  const step = Math.floor((total - last) / 255);
  if (step === 0) {
    out.set(src.subarray(start, start + n), start);
    return;
  }
  const lut = new Uint8Array(256);
  let cum = Math.floor(step / 2);
  for (let v = 0; v < 256; v++) {
    lut[v] = Math.min(Math.floor(cum / step), 255);
    cum += hist[v];
  }
  for (let i = 0; i < n; i++) out[start + i] = lut[src[start + i]];
}

/** `F_t.equalize` on a uint8 (C, H, W) or (N, C, H, W) tensor. */
export function equalizeTensor(img: Tensor, op: string): Tensor {
  assertImageTensor(img, op);
  if (img.dim() < 3 || img.dim() > 4) throw new TypeError(`${op}: Input image tensor should have 3 or 4 dimensions, but found ${img.dim()}`);
  if (img.dtype !== "uint8") throw new TypeError(`${op}: Only uint8 image tensors are supported, but found ${img.dtype}`);
  assertChannels(img, [1, 3], op);
  const src = img.toTypedArray() as Uint8Array;
  const out = new Uint8Array(src.length);
  const plane = img.shape[img.dim() - 1] * img.shape[img.dim() - 2];
  for (let s = 0; s < src.length; s += plane) equalizePlane(src, s, plane, out);
  return new Tensor(out, "uint8", img.shape.slice());
}

/**
 * Histogram equalization of a uint8 image, channel by channel, as `F.equalize` (and PIL's
 * `ImageOps.equalize`, which it mirrors): each value maps through the scaled cumulative histogram so the
 * output histogram is roughly flat.
 *
 * Shape: (C, H, W) or (N, C, H, W), C = 1 or 3, uint8.
 *
 * @example
 * // 510 pixels each of 0, 100 and 200: step = ⌊1020 / 255⌋ = 4, so 0 → 0, 100 → 128, 200 → 255.
 * equalize(img)
 */
export function equalize<T extends ImageOrTensor>(img: T): T {
  return applyToImage(img, "equalize", (t) => equalizeTensor(t, "equalize")) as T;
}

/** Equalizes the histogram with probability `p` (default 0.5), as `transforms.RandomEqualize(p)`. */
export class RandomEqualize extends Transform<ImageOrTensor, ImageOrTensor> {
  constructor(
    readonly p = 0.5,
    readonly options: RandomOptions = {},
  ) {
    super();
    if (!(p >= 0 && p <= 1)) throw new RangeError(`RandomEqualize: p should be a probability in [0, 1], got ${p}`);
  }
  forward(img: ImageOrTensor): ImageOrTensor {
    if (randUnit("RandomEqualize", this.options.generator) < Math.fround(this.p)) {
      return applyToImage(img, "RandomEqualize", (t) => equalizeTensor(t, "RandomEqualize"));
    }
    return img;
  }
  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
