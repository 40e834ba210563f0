import { Tensor } from "../../tensor.js";
import { isFloating } from "../../dtype.js";
import { to } from "../../ops/cast.js";
import { round } from "../../ops/elementwise.js";
import { Transform } from "./transform.js";
import { interpolate2d, type InterpolationMode as Mode } from "./interpolate.js";
import { cropImpl } from "./crop.js";
import { assertImageTensor, checkInt, describe, dispatch, getDimensions, type ImageOrTensor } from "./tensor-image.js";
import { pilResize } from "./pil.js";

/** How `resize` samples: "bilinear" or "nearest". */
export type InterpolationMode = Mode;

/** torchvision's `InterpolationMode` enum, for ported code: `InterpolationMode.BILINEAR`. */
export const InterpolationMode = { NEAREST: "nearest", BILINEAR: "bilinear" } as const;

export interface ResizeOptions {
  /** "bilinear" (default) or "nearest". */
  interpolation?: InterpolationMode;
  /** Cap on the longer side when `size` is one int (the shorter side). */
  maxSize?: number | null;
  /**
   * Antialias when downscaling (bilinear only). Default true, as PIL always does and as torchvision ≥ 0.17
   * does for tensors (torchvision 0.14's tensor default was false: pass `antialias: false` for that).
   */
  antialias?: boolean;
}

/** torchvision's `_compute_resized_output_size`: `[newH, newW]`. */
export function resizedOutputSize(h: number, w: number, size: readonly number[], maxSize: number | null, op: string): [number, number] {
  if (size.length === 1) {
    const [short, long] = w <= h ? [w, h] : [h, w];
    const requested = size[0];
    let newShort = requested;
    let newLong = Math.trunc((requested * long) / short);
    if (maxSize !== null) {
      if (maxSize <= requested) {
        throw new Error(`${op}: max_size = ${maxSize} must be strictly greater than the requested size for the smaller edge size = ${requested}`);
      }
      if (newLong > maxSize) {
        newShort = Math.trunc((maxSize * newShort) / newLong);
        newLong = maxSize;
      }
    }
    return w <= h ? [newLong, newShort] : [newShort, newLong];
  }
  return [size[0], size[1]];
}

/**
 * PyTorch's `compute_channels_last_contiguous_2d` on the 4-d tensor `F.interpolate` sees (an unbatched
 * image gets a leading 1): upsample_bilinear2d takes a different kernel, with different rounding, for it.
 */
function isChannelsLast(x: Tensor): boolean {
  const n = x.dim();
  if (n > 4) return false;
  const sizes = n === 4 ? x.shape : [1, ...x.shape];
  const strides = n === 4 ? x.strides : [0, ...x.strides];
  // A uint8 image is first cast to float32 by a dense copy; a non-dense input becomes contiguous.
  const dense = isFloating(x.dtype) || x.isContiguous() || isChannelsLastStrides(sizes, strides);
  const s = dense ? strides : [sizes[1] * sizes[2] * sizes[3], sizes[2] * sizes[3], sizes[3], 1];
  return isChannelsLastStrides(sizes, s);
}

function isChannelsLastStrides(sizes: readonly number[], strides: readonly number[]): boolean {
  let expected = 1;
  for (const d of [1, 3, 2, 0]) {
    if (sizes[d] !== 1) {
      if (strides[d] !== expected) return false;
      expected *= sizes[d];
    }
  }
  return true;
}

/** `F_t.resize` on a tensor: integer images are resized in float32 and rounded back (half to even). */
export function resizeTensor(img: Tensor, outH: number, outW: number, interpolation: InterpolationMode, antialias: boolean, op: string): Tensor {
  assertImageTensor(img, op);
  if (img.dim() < 3) throw new Error(`${op}: expected a tensor image of shape (…, C, H, W), got shape [${img.shape.join(", ")}]`);
  if (img.dtype === "bool") throw new TypeError(`${op}: cannot resize a bool tensor`);
  const cl = interpolation === "bilinear" && !antialias && isChannelsLast(img);
  const floating = isFloating(img.dtype);
  const x = floating ? img : to(img, "float32");
  const out = interpolate2d(x, [outH, outW], interpolation, antialias, cl);
  return floating ? out : to(round(out), img.dtype);
}

function checkMode(interpolation: unknown, antialias: boolean | undefined, op: string): { mode: InterpolationMode; aa: boolean } {
  if (interpolation !== "bilinear" && interpolation !== "nearest") {
    throw new Error(`${op}: interpolation must be "bilinear" or "nearest", got ${JSON.stringify(interpolation)}`);
  }
  if (antialias === true && interpolation === "nearest") {
    throw new Error(`${op}: Antialias option is supported for bilinear interpolation only, got interpolation "nearest"`);
  }
  return { mode: interpolation, aa: interpolation === "bilinear" && antialias !== false };
}

function checkSize(size: unknown, maxSize: number | null, op: string): number[] {
  const list = typeof size === "number" ? [size] : Array.isArray(size) ? size.slice() : null;
  if (!list) throw new TypeError(`${op}: Size should be int or sequence. Got ${describe(size)}`);
  if (list.length !== 1 && list.length !== 2) {
    throw new Error(`${op}: Size must be an int or a 1 or 2 element tuple/list, not a ${list.length} element tuple/list`);
  }
  list.forEach((v) => {
    checkInt(v, "size", op);
    if (v <= 0) throw new RangeError(`${op}: size must be positive, got ${JSON.stringify(size)}`);
  });
  if (maxSize !== null && list.length !== 1) {
    throw new Error(`${op}: max_size should only be passed if size specifies the length of the smaller edge, i.e. size should be an int`);
  }
  return list;
}

/** The shared implementation of `resize` and `Resize`. */
export function resizeImpl(img: ImageOrTensor, size: number | readonly number[], opts: ResizeOptions, op: string): ImageOrTensor {
  const maxSize = opts.maxSize ?? null;
  const list = checkSize(size, maxSize, op);
  const { mode, aa } = checkMode(opts.interpolation ?? "bilinear", opts.antialias, op);
  const [, h, w] = getDimensions(img, op);
  const [oh, ow] = resizedOutputSize(h, w, list, maxSize, op);
  if (oh === h && ow === w) return img;
  // A tiny maxSize can round the shorter side down to 0.
  if (oh <= 0 || ow <= 0) throw new Error(`${op}: Input and output sizes should be greater than 0, but got input (H: ${h}, W: ${w}) output (H: ${oh}, W: ${ow})`);
  // PIL images are always antialiased (bilinear), whatever `antialias` says, as in torchvision.
  return dispatch(img, op, (im) => pilResize(im, oh, ow, mode), (t) => resizeTensor(t, oh, ow, mode, aa, op));
}

/**
 * Resizes an image, as `F.resize(img, size, interpolation, max_size, antialias)`. `size` [h, w] is the
 * output size; one int is the shorter side's new length, the longer side keeping the aspect ratio
 * (`long' = ⌊size · long / short⌋`, then capped by `maxSize`). Returns `img` itself when the size is
 * unchanged. Bilinear with antialias (default) widens the triangle filter by the downscale factor as PIL
 * does; integer tensors are resized in float32 and rounded half to even; Images get Pillow's own 8-bit
 * resampling (always antialiased), byte for byte.
 *
 * Shape: (…, C, H, W) → (…, C, h, w). Differentiable for float tensors.
 *
 * @example
 * resize(torch.rand(3, 32, 48), 16).shape // [3, 16, 24]
 */
export function resize<T extends ImageOrTensor>(img: T, size: number | readonly number[], opts: ResizeOptions = {}): T {
  return resizeImpl(img, size, opts, "resize") as T;
}

/** Resizes an image, as `transforms.Resize(size, interpolation, max_size, antialias)`; see `resize`. */
export class Resize extends Transform<ImageOrTensor, ImageOrTensor> {
  readonly size: number | readonly number[];
  constructor(size: number | readonly number[], readonly options: ResizeOptions = {}) {
    super();
    checkSize(size, options.maxSize ?? null, "Resize");
    checkMode(options.interpolation ?? "bilinear", options.antialias, "Resize");
    this.size = typeof size === "number" ? size : size.slice();
  }
  forward(img: ImageOrTensor): ImageOrTensor {
    return resizeImpl(img, this.size, this.options, "Resize");
  }
  override extraRepr(): string {
    const o = this.options;
    return `size=${JSON.stringify(this.size)}, interpolation=${o.interpolation ?? "bilinear"}, max_size=${o.maxSize ?? "None"}, antialias=${o.antialias ?? true}`;
  }
}

/** `F.resized_crop`; `op` names the caller in errors. */
export function resizedCropImpl(img: ImageOrTensor, top: number, left: number, height: number, width: number, size: number | readonly number[], opts: ResizeOptions, op: string): ImageOrTensor {
  return resizeImpl(cropImpl(img, top, left, height, width, op), size, opts, op);
}

/**
 * Crops the box (top, left, height, width) and resizes it to `size`, as `F.resized_crop`.
 *
 * @example
 * resizedCrop(torch.rand(3, 32, 32), 4, 4, 16, 16, [8, 8]).shape // [3, 8, 8]
 */
export function resizedCrop<T extends ImageOrTensor>(img: T, top: number, left: number, height: number, width: number, size: number | readonly number[], opts: ResizeOptions = {}): T {
  return resizedCropImpl(img, top, left, height, width, size, opts, "resizedCrop") as T;
}
