import { Image, type ImageMode } from "../image.js";

/** PIL's RGB → L luma in 16-bit fixed point (Convert.c `L24`): (19595·R + 38470·G + 7471·B + 2¹⁵) >> 16. */
export function luma(r: number, g: number, b: number): number {
  return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
}

/**
 * Converts an Image between L, RGB and RGBA as PIL's `Image.convert(mode)`: RGB(A) → L is ITU-R 601-2 luma
 * (`luma`), L → RGB replicates, alpha is dropped or set to 255 (no compositing).
 *
 * @example
 * convertImage(new Image(1, 1, "RGB", Uint8Array.of(255, 0, 0)), "L").data // [76]
 */
export function convertImage(img: Image, mode: ImageMode): Image {
  if (img.mode === mode) return img;
  const n = img.width * img.height;
  const src = img.data;
  const sc = img.channels;
  const dc = mode === "L" ? 1 : mode === "RGB" ? 3 : mode === "RGBA" ? 4 : 0;
  if (!dc) throw new Error(`convertImage: unknown mode ${JSON.stringify(mode)} (expected L, RGB or RGBA)`);
  const out = new Uint8Array(n * dc);
  for (let i = 0, s = 0, d = 0; i < n; i++, s += sc, d += dc) {
    if (dc === 1) {
      out[d] = luma(src[s], src[s + 1], src[s + 2]);
      continue;
    }
    if (sc === 1) out[d] = out[d + 1] = out[d + 2] = src[s];
    else {
      out[d] = src[s];
      out[d + 1] = src[s + 1];
      out[d + 2] = src[s + 2];
    }
    if (dc === 4) out[d + 3] = sc === 4 ? src[s + 3] : 255;
  }
  return new Image(img.width, img.height, mode, out);
}
