import { Tensor } from "../../tensor.js";
import { arange } from "../../ops/creation.js";
import { indexSelect } from "../../ops/gather-scatter.js";
import { Transform } from "./transform.js";
import { applyToImage, assertImageTensor, type ImageOrTensor } from "./tensor-image.js";
import { randUnit, type RandomOptions } from "./random-params.js";

function flipDim(img: ImageOrTensor, dim: number, op: string): ImageOrTensor {
  return applyToImage(img, op, (t: Tensor) => {
    assertImageTensor(t, op);
    const d = t.dim() + dim;
    const n = t.shape[d];
    // Reversal as an index_select keeps the result differentiable (PyTorch: img.flip(dim)).
    return indexSelect(t, d, arange(n - 1, -1, -1, { dtype: "int64" }));
  });
}

/**
 * Mirrors an image left to right, as `F.hflip`: `out[..., i, j] = img[..., i, W − 1 − j]`.
 * Accepts an Image or a (…, H, W) tensor.
 *
 * @example
 * hflip(torch.tensor([[[1, 2, 3]]])) // tensor([[[3, 2, 1]]])
 */
export function hflip<T extends ImageOrTensor>(img: T): T {
  return flipDim(img, -1, "hflip") as T;
}

/**
 * Mirrors an image top to bottom, as `F.vflip`: `out[..., i, j] = img[..., H − 1 − i, j]`.
 *
 * @example
 * vflip(torch.tensor([[[1], [2]]])) // tensor([[[2], [1]]])
 */
export function vflip<T extends ImageOrTensor>(img: T): T {
  return flipDim(img, -2, "vflip") as T;
}

function checkP(p: number, op: string): number {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new RangeError(`${op}: p should be a probability in [0, 1], got ${String(p)}`);
  return p;
}

/**
 * Flips an image horizontally with probability `p` (default 0.5), as `transforms.RandomHorizontalFlip`.
 * Draws `torch.rand(1) < p` from `generator` (or the global stream), as torchvision does.
 */
export class RandomHorizontalFlip extends Transform<ImageOrTensor, ImageOrTensor> {
  readonly p: number;
  constructor(p = 0.5, readonly options: RandomOptions = {}) {
    super();
    this.p = checkP(p, "RandomHorizontalFlip");
  }
  forward(img: ImageOrTensor): ImageOrTensor {
    // torch.rand(1) < p compares in float32.
    return randUnit("RandomHorizontalFlip", this.options.generator) < Math.fround(this.p) ? flipDim(img, -1, "RandomHorizontalFlip") : img;
  }
  override extraRepr(): string {
    return `p=${this.p}`;
  }
}

/** Flips an image vertically with probability `p` (default 0.5), as `transforms.RandomVerticalFlip`. */
export class RandomVerticalFlip extends Transform<ImageOrTensor, ImageOrTensor> {
  readonly p: number;
  constructor(p = 0.5, readonly options: RandomOptions = {}) {
    super();
    this.p = checkP(p, "RandomVerticalFlip");
  }
  forward(img: ImageOrTensor): ImageOrTensor {
    return randUnit("RandomVerticalFlip", this.options.generator) < Math.fround(this.p) ? flipDim(img, -2, "RandomVerticalFlip") : img;
  }
  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
