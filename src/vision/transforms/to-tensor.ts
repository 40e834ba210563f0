import { Tensor } from "../../tensor.js";
import { Image } from "../image.js";
import { Transform } from "./transform.js";

function imageToCHW(img: Image, scale: boolean): Tensor {
  const { width: W, height: H, channels: C, data } = img;
  const out = Tensor.empty([C, H, W], scale ? "float32" : "uint8");
  const o = out.buf;
  const plane = H * W;
  // HWC → CHW in one pass. `x / 255` (not `x * (1/255)`) rounds exactly as PyTorch's float division.
  for (let c = 0; c < C; c++) {
    const base = c * plane;
    for (let i = 0, p = c; i < plane; i++, p += C) o[base + i] = scale ? data[p] / 255 : data[p];
  }
  return out;
}

/** A value's class or type, for error messages (tensor-image.ts's `describe` imports this file). */
function typeOf(x: unknown): string {
  if (x === null) return "null";
  return typeof x === "object" ? ((x as object).constructor?.name ?? "object") : typeof x;
}

/**
 * A tensor standing for the NumPy array torchvision's `to_tensor` accepts: (H, W) or (H, W, C), any channel
 * count; transposed to (C, H, W); uint8 becomes float32 divided by 255, any other dtype keeps its values.
 */
function hwcTensorToCHW(t: Tensor, op: string): Tensor {
  if (t.dim() !== 2 && t.dim() !== 3) throw new Error(`${op}: pic should be 2/3 dimensional. Got ${t.dim()} dimensions.`);
  const hwc = t.dim() === 2 ? t.unsqueeze(2) : t;
  const chw = hwc.permute(2, 0, 1).contiguous();
  return t.dtype === "uint8" ? chw.to("float32").div(255) : chw;
}

/**
 * Image (HWC, uint8) → float32 tensor (C, H, W) in [0, 1], as `transforms.ToTensor()`.
 * Also accepts an (H, W) or (H, W, C) tensor, as torchvision accepts a NumPy array: uint8 is scaled to
 * [0, 1] as float32, other dtypes are only transposed.
 */
export class ToTensor extends Transform<Image | Tensor, Tensor> {
  forward(pic: Image | Tensor): Tensor {
    if (pic instanceof Image) return imageToCHW(pic, true);
    if (pic instanceof Tensor) return hwcTensorToCHW(pic, "ToTensor");
    throw new TypeError(`ToTensor: pic should be an Image or a tensor standing for an ndarray. Got ${typeOf(pic)}`);
  }
}

/** Image → uint8 tensor (C, H, W) without scaling, as `transforms.PILToTensor()`. */
export class PILToTensor extends Transform<Image, Tensor> {
  forward(pic: Image): Tensor {
    if (!(pic instanceof Image)) throw new TypeError(`PILToTensor: pic should be an Image. Got ${typeOf(pic)}`);
    return imageToCHW(pic, false);
  }
}
