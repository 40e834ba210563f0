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

function hwcTensorToCHW(t: Tensor, op: string): Tensor {
  if (t.dtype !== "uint8") {
    throw new TypeError(`${op}: expected a uint8 HWC tensor or an Image, got a ${t.dtype} tensor (convert with .to("uint8"))`);
  }
  if (t.dim() !== 2 && t.dim() !== 3) throw new Error(`${op}: expected a 2-d (HW) or 3-d (HWC) tensor, got ${t.dim()}-d`);
  const [H, W, C] = t.dim() === 2 ? [t.shape[0], t.shape[1], 1] : t.shape;
  const data = t.contiguous().toTypedArray() as Uint8Array;
  const mode = C === 1 ? "L" : C === 3 ? "RGB" : C === 4 ? "RGBA" : null;
  if (!mode) throw new Error(`${op}: expected 1, 3 or 4 channels, got ${C}`);
  return imageToCHW(new Image(W, H, mode, data), true);
}

/**
 * Image (HWC, uint8) → float32 tensor (C, H, W) in [0, 1], as `transforms.ToTensor()`.
 * Also accepts a uint8 tensor in HW or HWC layout.
 */
export class ToTensor extends Transform<Image | Tensor, Tensor> {
  forward(pic: Image | Tensor): Tensor {
    if (pic instanceof Image) return imageToCHW(pic, true);
    if (pic instanceof Tensor) return hwcTensorToCHW(pic, "ToTensor");
    throw new TypeError(`ToTensor: pic should be an Image or a uint8 tensor. Got ${pic === null ? "null" : typeof pic}`);
  }
}

/** Image → uint8 tensor (C, H, W) without scaling, as `transforms.PILToTensor()`. */
export class PILToTensor extends Transform<Image, Tensor> {
  forward(pic: Image): Tensor {
    if (!(pic instanceof Image)) throw new TypeError(`PILToTensor: pic should be an Image. Got ${typeof pic}`);
    return imageToCHW(pic, false);
  }
}
