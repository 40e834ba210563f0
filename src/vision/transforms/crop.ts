import { Tensor } from "../../tensor.js";
import { narrow } from "../../ops/indexing.js";
import { Transform } from "./transform.js";
import { checkPadArgs, padImpl, padTensor, parsePadding, type PaddingMode } from "./pad.js";
import { assertImageTensor, checkInt, dispatch, getDimensions, pySlice, roundHalfEven, setupSize, type ImageOrTensor } from "./tensor-image.js";
import { pilCrop } from "./pil.js";
import { randInt, type RandomOptions } from "./random-params.js";

/** `F_t.crop`: a view of the box, zero-padded where it leaves the image (Python slicing rules included). */
export function cropTensor(img: Tensor, top: number, left: number, height: number, width: number, op: string): Tensor {
  assertImageTensor(img, op);
  const h = img.shape[img.dim() - 2];
  const w = img.shape[img.dim() - 1];
  const right = left + width;
  const bottom = top + height;
  const [y0, hn] = pySlice(Math.max(top, 0), bottom, h);
  const [x0, wn] = pySlice(Math.max(left, 0), right, w);
  const box = narrow(narrow(img, -2, y0, hn), -1, x0, wn);
  if (left < 0 || top < 0 || right > w || bottom > h) {
    const ltrb = [
      Math.max(-left + Math.min(0, right), 0),
      Math.max(-top + Math.min(0, bottom), 0),
      Math.max(right - Math.max(w, left), 0),
      Math.max(bottom - Math.max(h, top), 0),
    ];
    return padTensor(box, [ltrb[0], ltrb[2], ltrb[1], ltrb[3]], 0, "constant", op);
  }
  return box;
}

/** `F.crop` on an Image (PIL's exact box) or a tensor (torchvision's slicing); `op` names the caller. */
export function cropImpl(img: ImageOrTensor, top: number, left: number, height: number, width: number, op: string): ImageOrTensor {
  for (const [k, v] of [["top", top], ["left", left], ["height", height], ["width", width]] as const) checkInt(v, k, op);
  // PIL crops the exact box; the tensor path keeps torchvision's Python-slicing behaviour.
  return dispatch(img, op, (im) => pilCrop(im, top, left, height, width), (t) => cropTensor(t, top, left, height, width, op));
}

/**
 * Crops the box with top-left corner (top, left) and size height × width, as `F.crop`. Parts of the box
 * outside the image come out as zeros.
 *
 * Shape: (…, H, W) → (…, height, width).
 *
 * @example
 * crop(torch.arange(16).view(1, 4, 4), 1, 1, 2, 2) // tensor([[[5, 6], [9, 10]]])
 */
export function crop<T extends ImageOrTensor>(img: T, top: number, left: number, height: number, width: number): T {
  return cropImpl(img, top, left, height, width, "crop") as T;
}

/** `F.center_crop`; `op` names the caller in errors. */
export function centerCropImpl(img: ImageOrTensor, outputSize: number | readonly number[], op: string): ImageOrTensor {
  const [ch, cw] = setupSize(outputSize, op);
  let [, ih, iw] = getDimensions(img, op);
  if (cw > iw || ch > ih) {
    const ltrb = [cw > iw ? (cw - iw) >> 1 : 0, ch > ih ? (ch - ih) >> 1 : 0, cw > iw ? (cw - iw + 1) >> 1 : 0, ch > ih ? (ch - ih + 1) >> 1 : 0];
    img = padImpl(img, ltrb, 0, "constant", op);
    [, ih, iw] = getDimensions(img, op);
    if (cw === iw && ch === ih) return img;
  }
  // Python's round(): a .5 offset goes to the even side.
  const top = roundHalfEven((ih - ch) / 2);
  const left = roundHalfEven((iw - cw) / 2);
  return cropImpl(img, top, left, ch, cw, op);
}

/**
 * Crops the central `size` box (an int for a square, or [h, w]), as `F.center_crop`; an image smaller than
 * the box is zero-padded first. When the margin is odd, Python's `round` decides the extra pixel's side.
 *
 * @example
 * centerCrop(torch.arange(16).view(1, 4, 4), 2) // tensor([[[5, 6], [9, 10]]])
 */
export function centerCrop<T extends ImageOrTensor>(img: T, outputSize: number | readonly number[]): T {
  return centerCropImpl(img, outputSize, "centerCrop") as T;
}

/** Crops the center, as `transforms.CenterCrop(size)`; see `centerCrop`. */
export class CenterCrop extends Transform<ImageOrTensor, ImageOrTensor> {
  readonly size: [number, number];
  constructor(size: number | readonly number[]) {
    super();
    this.size = setupSize(size, "CenterCrop");
  }
  forward(img: ImageOrTensor): ImageOrTensor {
    return centerCropImpl(img, this.size, "CenterCrop");
  }
  override extraRepr(): string {
    return `size=(${this.size.join(", ")})`;
  }
}

export interface RandomCropOptions extends RandomOptions {
  /** Padding applied before cropping (see `pad`); default none. */
  padding?: number | readonly number[] | null;
  /** Pad the image up to `size` when it is smaller (default false). */
  padIfNeeded?: boolean;
  /** Fill for constant padding (default 0). */
  fill?: number;
  /** Padding mode (default "constant"). */
  paddingMode?: PaddingMode;
}

/**
 * Crops a random `size` box, as `transforms.RandomCrop(size, padding=None, pad_if_needed=False, fill=0,
 * padding_mode="constant")`. Order as torchvision: optional padding, then padding up to the size when
 * `padIfNeeded`, then `i = randint(0, h − th + 1)`, `j = randint(0, w − tw + 1)` (no draw when the image
 * already has the crop's size).
 */
export class RandomCrop extends Transform<ImageOrTensor, ImageOrTensor> {
  readonly size: [number, number];
  readonly padding: number | readonly number[] | null;
  readonly padIfNeeded: boolean;
  readonly fill: number;
  readonly paddingMode: PaddingMode;
  constructor(size: number | readonly number[], readonly options: RandomCropOptions = {}) {
    super();
    this.size = setupSize(size, "RandomCrop");
    this.padding = options.padding ?? null;
    this.padIfNeeded = options.padIfNeeded ?? false;
    this.fill = options.fill ?? 0;
    this.paddingMode = options.paddingMode ?? "constant";
    checkPadArgs(this.fill, this.paddingMode, "RandomCrop");
    if (this.padding !== null) parsePadding(this.padding, "RandomCrop");
  }

  /** torchvision's `RandomCrop.get_params`: `[i, j, th, tw]` for an image of `[h, w]`. */
  static getParams(img: ImageOrTensor, outputSize: [number, number], generator?: RandomOptions["generator"]): [number, number, number, number] {
    const [, h, w] = getDimensions(img, "RandomCrop");
    const [th, tw] = outputSize;
    if (h < th || w < tw) throw new Error(`RandomCrop: Required crop size (${th}, ${tw}) is larger than input image size (${h}, ${w})`);
    if (w === tw && h === th) return [0, 0, h, w];
    const i = randInt("RandomCrop", 0, h - th + 1, generator);
    const j = randInt("RandomCrop", 0, w - tw + 1, generator);
    return [i, j, th, tw];
  }

  forward(img: ImageOrTensor): ImageOrTensor {
    const op = "RandomCrop";
    if (this.padding !== null) img = padImpl(img, this.padding, this.fill, this.paddingMode, op);
    const [, height, width] = getDimensions(img, op);
    if (this.padIfNeeded && width < this.size[1]) img = padImpl(img, [this.size[1] - width, 0], this.fill, this.paddingMode, op);
    if (this.padIfNeeded && height < this.size[0]) img = padImpl(img, [0, this.size[0] - height], this.fill, this.paddingMode, op);
    const [i, j, h, w] = RandomCrop.getParams(img, this.size, this.options.generator);
    return cropImpl(img, i, j, h, w, op);
  }

  override extraRepr(): string {
    return `size=(${this.size.join(", ")}), padding=${this.padding === null ? "None" : JSON.stringify(this.padding)}`;
  }
}
