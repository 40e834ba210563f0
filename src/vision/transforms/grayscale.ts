import { Tensor } from "../../tensor.js";
import { add, mul } from "../../ops/elementwise.js";
import { unbind } from "../../ops/joining.js";
import { to } from "../../ops/cast.js";
import { clone, expand, unsqueeze } from "../../ops/view.js";
import { Transform } from "./transform.js";
import { assertChannels, assertMinDims, dispatch, getDimensions, type ImageOrTensor } from "./tensor-image.js";
import { pilGrayscale } from "./pil.js";
import { pyFloat } from "./scalar.js";
import { randUnit, type RandomOptions } from "./random-params.js";

/**
 * `F_t.rgb_to_grayscale` on a (…, 1 or 3, H, W) tensor: L = 0.2989·R + 0.587·G + 0.114·B in the image's
 * float dtype (float32 for uint8, then truncated back to uint8), repeated to 3 channels when asked.
 */
export function grayscaleTensor(img: Tensor, numOutputChannels: number, op: string): Tensor {
  assertMinDims(img, 3, op);
  assertChannels(img, [1, 3], op);
  if (numOutputChannels !== 1 && numOutputChannels !== 3) throw new RangeError(`${op}: num_output_channels should be either 1 or 3, got ${numOutputChannels}`);
  let l: Tensor;
  if (img.shape[img.dim() - 3] === 3) {
    const [r, g, b] = unbind(img, img.dim() - 3);
    const sum = add(add(mul(pyFloat(0.2989, r), r), mul(pyFloat(0.587, g), g)), mul(pyFloat(0.114, b), b));
    l = unsqueeze(to(sum, img.dtype), img.dim() - 3);
  } else {
    l = clone(img);
  }
  return numOutputChannels === 3 ? expand(l, img.shape) : l;
}

/** Grayscale of an Image (Pillow's `convert("L")`) or a tensor (torchvision's weighted sum). */
export function grayscaleImpl(img: ImageOrTensor, numOutputChannels: number, op: string): ImageOrTensor {
  return dispatch(img, op, (im) => pilGrayscale(im, checkChannels(numOutputChannels, op)), (t) => grayscaleTensor(t, numOutputChannels, op));
}

function checkChannels(n: unknown, op: string): number {
  if (n !== 1 && n !== 3) throw new RangeError(`${op}: num_output_channels should be either 1 or 3, got ${String(n)}`);
  return n;
}

/**
 * Converts an RGB image to grayscale, as `F.rgb_to_grayscale(img, num_output_channels=1)`:
 * L = 0.2989·R + 0.587·G + 0.114·B (ITU-R 601-2 luma, torchvision's weights). A grayscale input passes
 * through; `numOutputChannels` 3 repeats L (r = g = b).
 *
 * Shape: (…, 3, H, W) → (…, 1 or 3, H, W).
 *
 * @example
 * rgbToGrayscale(torch.ones(3, 2, 2)) // 0.2989 + 0.587 + 0.114 = 0.9999 everywhere, shape [1, 2, 2]
 */
export function rgbToGrayscale<T extends ImageOrTensor>(img: T, numOutputChannels = 1): T {
  checkChannels(numOutputChannels, "rgbToGrayscale");
  return grayscaleImpl(img, numOutputChannels, "rgbToGrayscale") as T;
}

/** Converts to grayscale, as `transforms.Grayscale(num_output_channels=1)`; see `rgbToGrayscale`. */
export class Grayscale extends Transform<ImageOrTensor, ImageOrTensor> {
  readonly numOutputChannels: number;
  constructor(numOutputChannels = 1) {
    super();
    this.numOutputChannels = checkChannels(numOutputChannels, "Grayscale");
  }
  forward(img: ImageOrTensor): ImageOrTensor {
    return grayscaleImpl(img, this.numOutputChannels, "Grayscale");
  }
  override extraRepr(): string {
    return `num_output_channels=${this.numOutputChannels}`;
  }
}

/**
 * Converts to grayscale with probability `p` (default 0.1), keeping the channel count, as
 * `transforms.RandomGrayscale(p)`.
 */
export class RandomGrayscale extends Transform<ImageOrTensor, ImageOrTensor> {
  constructor(
    readonly p = 0.1,
    readonly options: RandomOptions = {},
  ) {
    super();
    if (!(p >= 0 && p <= 1)) throw new RangeError(`RandomGrayscale: p should be a probability in [0, 1], got ${p}`);
  }
  forward(img: ImageOrTensor): ImageOrTensor {
    const [c] = getDimensions(img, "RandomGrayscale");
    if (randUnit("RandomGrayscale", this.options.generator) < Math.fround(this.p)) {
      return grayscaleImpl(img, c, "RandomGrayscale");
    }
    return img;
  }
  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
