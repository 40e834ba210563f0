/**
 * `torchvision.transforms.functional`: the transforms as plain functions of an `Image` or a tensor image.
 * Tensor inputs follow torchvision's tensor implementation op for op (so float results are differentiable);
 * Images go through the same code on their uint8 pixels.
 */
import { Tensor } from "../../tensor.js";
import { Normalize } from "./normalize.js";
import { getDimensions as dims, type ImageOrTensor } from "./tensor-image.js";

export { hflip, vflip } from "./flip.js";
export { crop, centerCrop } from "./crop.js";
export { pad } from "./pad.js";
export type { PaddingMode } from "./pad.js";
export { resize, resizedCrop, InterpolationMode } from "./resize.js";
export type { ResizeOptions } from "./resize.js";
export { rgbToGrayscale } from "./grayscale.js";
export { adjustBrightness, adjustContrast, adjustSaturation, adjustHue, adjustGamma, invert, posterize, solarize, autocontrast } from "./color.js";
export { equalize } from "./equalize.js";
export { rotate } from "./rotate.js";
export { convertImageDtype, toImage, toTensor, pilToTensor } from "./convert.js";
export { minMaxNormalize, zScoreNormalize } from "./standardize.js";

/**
 * `(x − mean[c]) / std[c]` per channel of a float (…, C, H, W) tensor, as `F.normalize(tensor, mean, std)`.
 *
 * @example
 * normalize(torch.ones(3, 2, 2), [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]) // all ones
 */
export function normalize(tensor: Tensor, mean: number[] | number, std: number[] | number, inplace = false): Tensor {
  return new Normalize(mean, std, inplace)(tensor);
}

/** `[channels, height, width]` of an Image or tensor image, as `F.get_dimensions`. */
export function getDimensions(img: ImageOrTensor): [number, number, number] {
  return dims(img, "getDimensions");
}

/** `[width, height]`, as `F.get_image_size`. */
export function getImageSize(img: ImageOrTensor): [number, number] {
  const [, h, w] = dims(img, "getImageSize");
  return [w, h];
}

/** The channel count, as `F.get_image_num_channels`. */
export function getImageNumChannels(img: ImageOrTensor): number {
  return dims(img, "getImageNumChannels")[0];
}
