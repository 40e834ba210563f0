import { Tensor } from "../../tensor.js";
import { type DType, isFloating } from "../../dtype.js";
import { div, mul } from "../../ops/elementwise.js";
import { to } from "../../ops/cast.js";
import { unsqueeze } from "../../ops/view.js";
import { Image, type ImageMode } from "../image.js";
import { Transform } from "./transform.js";
import { describe, imageToUint8Tensor, modeForChannels, uint8TensorToImage } from "./tensor-image.js";
import { ToTensor } from "./to-tensor.js";

// int64's maximum 2⁶³ − 1 is what Python's float() makes of it: 2⁶³.
const MAX_VALUE: Record<DType, number> = { bool: 1, uint8: 255, int32: 2147483647, int64: 2 ** 63, float32: 1, float64: 1 };

/** `F_t.convert_image_dtype`; `op` names the caller in errors. */
export function convertImageDtypeTensor(image: Tensor, dtype: DType, op: string): Tensor {
  if (!(image instanceof Tensor)) throw new TypeError(`${op}: Input img should be Tensor Image. Got ${describe(image)}`);
  if (image.dtype === dtype) return image;
  if (isFloating(image.dtype)) {
    if (isFloating(dtype)) return to(image, dtype);
    if ((image.dtype === "float32" && (dtype === "int32" || dtype === "int64")) || (image.dtype === "float64" && dtype === "int64")) {
      throw new Error(`${op}: The cast from ${image.dtype} to ${dtype} cannot be performed safely.`);
    }
    // (max + 1 − ε) maps [0, 1] onto the integer bins evenly: only exactly 1.0 lands on max.
    const eps = 1e-3;
    return to(mul(image, MAX_VALUE[dtype] + 1 - eps), dtype);
  }
  const inMax = MAX_VALUE[image.dtype];
  if (isFloating(dtype)) return div(to(image, dtype), inMax);
  const outMax = MAX_VALUE[dtype];
  if (inMax > outMax) {
    const factor = Math.floor((inMax + 1) / (outMax + 1));
    return to(div(image, factor, { roundingMode: "floor" }), dtype);
  }
  const factor = Math.floor((outMax + 1) / (inMax + 1));
  return mul(to(image, dtype), factor);
}

/**
 * Converts a tensor image's dtype and rescales its values, as `F.convert_image_dtype(image, dtype)`:
 * integer → float divides by the integer maximum (uint8: 255); float → integer multiplies by
 * (max + 1 − 0.001) and truncates; integer → integer shifts by the ratio of the ranges.
 *
 * @example
 * convertImageDtype(torch.tensor([[[0, 255]]], { dtype: "uint8" }), "float32") // [[[0, 1]]]
 */
export function convertImageDtype(image: Tensor, dtype: DType = "float32"): Tensor {
  return convertImageDtypeTensor(image, dtype, "convertImageDtype");
}

/** Converts a tensor image's dtype with rescaling, as `transforms.ConvertImageDtype(dtype)`. */
export class ConvertImageDtype extends Transform<Tensor, Tensor> {
  constructor(readonly dtype: DType) {
    super();
  }
  forward(image: Tensor): Tensor {
    return convertImageDtypeTensor(image, this.dtype, "ConvertImageDtype");
  }
  override extraRepr(): string {
    return `dtype=${this.dtype}`;
  }
}

/** `F.to_pil_image`; `op` names the caller in errors. */
export function toImageImpl(pic: Tensor, mode: ImageMode | undefined, op: string): Image {
  if (!(pic instanceof Tensor)) throw new TypeError(`${op}: pic should be Tensor. Got ${describe(pic)}.`);
  if (pic.dim() !== 2 && pic.dim() !== 3) throw new Error(`${op}: pic should be 2/3 dimensional. Got ${pic.dim()} dimensions.`);
  let x = pic.dim() === 2 ? unsqueeze(pic, 0) : pic;
  const c = x.shape[0];
  if (c > 4) throw new Error(`${op}: pic should not have > 4 channels. Got ${c} channels.`);
  // torchvision's pic.mul(255).byte(): truncation, not rounding.
  if (isFloating(x.dtype)) x = to(mul(x, 255), "uint8");
  if (x.dtype !== "uint8") throw new TypeError(`${op}: Input type ${x.dtype} is not supported (expected a float or uint8 tensor)`);
  const expected = modeForChannels(c, op);
  if (mode !== undefined && mode !== expected) throw new Error(`${op}: Incorrect mode (${mode}) supplied for a ${c}-channel image. Should be ${expected}`);
  return uint8TensorToImage(x, op);
}

/**
 * A (C, H, W) or (H, W) tensor as an `Image`, as `F.to_pil_image`: float values in [0, 1] are scaled by 255
 * and truncated (torchvision's `pic.mul(255).byte()`), uint8 values are taken as they are. 1, 3 and 4
 * channels give L, RGB and RGBA images.
 *
 * @example
 * toImage(torch.rand(3, 8, 8)).mode // "RGB"
 */
export function toImage(pic: Tensor, mode?: ImageMode): Image {
  return toImageImpl(pic, mode, "toImage");
}

/** Tensor → Image, as `transforms.ToPILImage(mode=None)`; see `toImage`. */
export class ToPILImage extends Transform<Tensor, Image> {
  constructor(readonly mode?: ImageMode) {
    super();
  }
  forward(pic: Tensor): Image {
    return toImageImpl(pic, this.mode, "ToPILImage");
  }
  override extraRepr(): string {
    return this.mode ? `mode=${this.mode}` : "";
  }
}

const toTensorT = new ToTensor();

/**
 * Image (or an (H, W[, C]) tensor standing for an ndarray) → (C, H, W) tensor, float32 in [0, 1] from bytes,
 * as `F.to_tensor`.
 *
 * @example
 * toTensor(image).shape // [3, H, W]
 */
export function toTensor(pic: Image | Tensor): Tensor {
  return toTensorT(pic);
}

/** Image → uint8 (C, H, W) tensor without scaling, as `F.pil_to_tensor`. */
export function pilToTensor(pic: Image): Tensor {
  if (!(pic instanceof Image)) throw new TypeError(`pilToTensor: pic should be an Image. Got ${describe(pic)}`);
  return imageToUint8Tensor(pic);
}

