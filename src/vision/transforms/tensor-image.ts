/**
 * What every image transform shares: torchvision's checks on tensor images, and the round trip that lets an
 * `Image` (torchvision's PIL image) go through the tensor implementation: Image → uint8 (C, H, W) tensor →
 * transform → Image of the same kind.
 */
import { Tensor } from "../../tensor.js";
import { Image, type ImageMode } from "../image.js";
import { PILToTensor } from "./to-tensor.js";

/** An `Image` or a tensor image of shape (…, C, H, W) (or (H, W)). */
export type ImageOrTensor = Image | Tensor;

const pilToTensor = new PILToTensor();

/** A short description of a value for error messages: its class or type. */
export function describe(x: unknown): string {
  if (x === null) return "null";
  if (x === undefined) return "undefined";
  if (Array.isArray(x)) return "Array";
  if (typeof x === "object") return (x as object).constructor?.name ?? "object";
  return typeof x;
}

/** torchvision's `_assert_image_tensor`: a tensor image has at least two dims (H, W). */
export function assertImageTensor(t: Tensor, op: string): void {
  if (t.dim() < 2) throw new TypeError(`${op}: Tensor is not a torch image: expected at least 2 dims (H, W), got shape [${t.shape.join(", ")}]`);
}

/** `[channels, height, width]` of an Image or a tensor image, as `F.get_dimensions`. */
export function getDimensions(img: ImageOrTensor, op = "getDimensions"): [number, number, number] {
  if (img instanceof Image) return [img.channels, img.height, img.width];
  if (img instanceof Tensor) {
    assertImageTensor(img, op);
    const s = img.shape;
    const n = s.length;
    return [n === 2 ? 1 : s[n - 3], s[n - 2], s[n - 1]];
  }
  throw new TypeError(`${op}: img should be an Image or a Tensor. Got ${describe(img)}`);
}

/** torchvision's `_assert_channels`, with the op named. */
export function assertChannels(img: ImageOrTensor, permitted: readonly number[], op: string): void {
  const c = getDimensions(img, op)[0];
  if (!permitted.includes(c)) {
    throw new TypeError(`${op}: Input image tensor permitted channel values are [${permitted.join(", ")}], but found ${c}`);
  }
}

/** Throws unless `t` is a tensor with at least `min` dims; `what` says what the dims mean. */
export function assertMinDims(t: Tensor, min: number, op: string): void {
  if (t.dim() < min) throw new TypeError(`${op}: Input image tensor should have at least ${min} dimensions, but found ${t.dim()}`);
}

const MODE_OF_CHANNELS: Record<number, ImageMode | undefined> = { 1: "L", 3: "RGB", 4: "RGBA" };

/** The Image mode for a channel count, or a clear error (Image has no two-channel mode). */
export function modeForChannels(c: number, op: string): ImageMode {
  const mode = MODE_OF_CHANNELS[c];
  if (!mode) throw new Error(`${op}: an Image has 1 (L), 3 (RGB) or 4 (RGBA) channels, got ${c}`);
  return mode;
}

/** A uint8 (C, H, W) or (H, W) tensor as an Image (HWC bytes). */
export function uint8TensorToImage(t: Tensor, op: string): Image {
  if (t.dtype !== "uint8") throw new TypeError(`${op}: expected a uint8 tensor, got ${t.dtype}`);
  if (t.dim() !== 2 && t.dim() !== 3) throw new Error(`${op}: expected a (C, H, W) or (H, W) tensor, got shape [${t.shape.join(", ")}]`);
  const [C, H, W] = t.dim() === 2 ? [1, t.shape[0], t.shape[1]] : t.shape;
  const mode = modeForChannels(C, op);
  const src = t.toTypedArray() as Uint8Array;
  const data = new Uint8Array(H * W * C);
  const plane = H * W;
  for (let c = 0; c < C; c++) {
    const base = c * plane;
    for (let i = 0, p = c; i < plane; i++, p += C) data[p] = src[base + i];
  }
  return new Image(W, H, mode, data);
}

/** An Image's pixels as a uint8 (C, H, W) tensor (what `PILToTensor` gives). */
export function imageToUint8Tensor(img: Image): Tensor {
  return pilToTensor(img);
}

/**
 * Runs a tensor implementation on an Image or a tensor: a tensor goes straight through; an Image's uint8
 * pixels go through as a (C, H, W) tensor and come back as an Image. Anything else is a TypeError that
 * names `op`.
 */
export function applyToImage(img: ImageOrTensor, op: string, fn: (t: Tensor) => Tensor): ImageOrTensor {
  if (img instanceof Tensor) return fn(img);
  if (img instanceof Image) return uint8TensorToImage(fn(imageToUint8Tensor(img)), op);
  throw new TypeError(`${op}: img should be an Image or a Tensor. Got ${describe(img)}`);
}

/**
 * torchvision's dispatch between its PIL and tensor implementations: an Image goes to `onImage` (Pillow's
 * arithmetic, see pil.ts), a tensor to `onTensor`; anything else is a TypeError naming `op`.
 */
export function dispatch(img: ImageOrTensor, op: string, onImage: (im: Image) => Image, onTensor: (t: Tensor) => Tensor): ImageOrTensor {
  if (img instanceof Tensor) return onTensor(img);
  if (img instanceof Image) return onImage(img);
  throw new TypeError(`${op}: img should be an Image or a Tensor. Got ${describe(img)}`);
}

/** Python's `round()` for the halves that `x / 2` produces: ties go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * torchvision's `_setup_size`: an int gives a square, a one-element list repeats, a pair is (h, w).
 */
export function setupSize(size: number | readonly number[], op: string): [number, number] {
  if (typeof size === "number") {
    checkInt(size, "size", op);
    return [size, size];
  }
  if (Array.isArray(size) && size.length === 1) {
    checkInt(size[0], "size", op);
    return [size[0], size[0]];
  }
  if (!Array.isArray(size) || size.length !== 2) {
    throw new Error(`${op}: Please provide only two dimensions (h, w) for size. Got ${JSON.stringify(size)}`);
  }
  checkInt(size[0], "size", op);
  checkInt(size[1], "size", op);
  return [size[0], size[1]];
}

/** Throws unless `v` is an integer (Python ints are what torchvision's size arguments hold). */
export function checkInt(v: unknown, name: string, op: string): asserts v is number {
  if (typeof v !== "number" || !Number.isInteger(v)) throw new TypeError(`${op}: ${name} should be an integer, got ${String(v)}`);
}

/** Python slicing `start:stop` of a dim of `size` (negative bounds count from the end, then clamp). */
export function pySlice(start: number, stop: number, size: number): [number, number] {
  const norm = (v: number): number => (v < 0 ? Math.max(v + size, 0) : Math.min(v, size));
  const a = norm(start);
  const b = norm(stop);
  return [a, Math.max(b - a, 0)];
}
