/**
 * PyTorch's image path for TensorBoard (`torch/utils/tensorboard/summary.py image()` and `_utils.py
 * convert_to_HWC / make_grid`): layout → HWC grid, dtype-based scaling, PNG encoding.
 */
import { Tensor } from "../tensor.js";
import { encodePng } from "../vision/png.js";
import type { SummaryImage } from "./messages.js";

/** An 8-bit image in HWC order, ready to encode. */
export interface HWCImage {
  height: number;
  width: number;
  channels: number;
  data: Uint8Array;
}

/**
 * PyTorch's scaling: `(x.astype(float32) * (1 if uint8 else 255)).clip(0, 255).astype(uint8)` — float32
 * arithmetic, then truncation (not rounding). NaN becomes 0 (numpy leaves the cast undefined; x86 gives 0).
 */
export function scaleToUint8(values: ArrayLike<number>, isUint8: boolean): Uint8Array {
  const out = new Uint8Array(values.length);
  if (isUint8) {
    for (let i = 0; i < values.length; i++) out[i] = values[i];
    return out;
  }
  for (let i = 0; i < values.length; i++) {
    const v = Math.fround(Math.fround(values[i]) * 255);
    out[i] = v >= 255 ? 255 : v > 0 ? Math.trunc(v) : 0;
  }
  return out;
}

const FORMAT_LETTERS: Record<number, string> = { 2: "HW", 3: "HWC", 4: "NCHW" };

function checkFormat(op: string, shape: readonly number[], dataformats: string): string {
  const fmt = dataformats.toUpperCase();
  if (new Set(fmt).size !== fmt.length) {
    throw new Error(`${op}: You can not use the same dimension shorthand twice. input_format: ${dataformats}`);
  }
  if (fmt.length !== shape.length) {
    throw new Error(
      `${op}: size of input tensor and input format are different. tensor shape: [${shape.join(", ")}], input_format: ${dataformats}`,
    );
  }
  const letters = FORMAT_LETTERS[fmt.length];
  if (letters === undefined || [...letters].some((c) => !fmt.includes(c))) {
    throw new Error(
      `${op}: dataformats must be a permutation of NCHW, HWC or HW matching the tensor's ${shape.length} dimensions, got '${dataformats}'`,
    );
  }
  return fmt;
}

/**
 * `convert_to_HWC` on already-scaled bytes `data` (row-major in `shape`, laid out as `dataformats`):
 * 4-D → `make_grid` (1 channel tiled to 3, then exactly 3 required; `ncols = min(N, 8)`, rows filled in
 * order, no padding, black canvas); 3-D → HWC with 1 channel tiled to 3 (2, 3 or 4 channels kept: gray+alpha,
 * RGB, RGBA); 2-D → gray stacked to 3 channels.
 */
export function toHWC(op: string, data: Uint8Array, shape: readonly number[], dataformats: string): HWCImage {
  const fmt = checkFormat(op, shape, dataformats);
  const strides = new Array<number>(shape.length);
  for (let d = shape.length - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  const dim = (c: string): [number, number] => {
    const i = fmt.indexOf(c);
    return i < 0 ? [1, 0] : [shape[i], strides[i]];
  };
  const [N, sN] = dim("N");
  const [C, sC] = dim("C");
  const [H, sH] = dim("H");
  const [W, sW] = dim("W");
  const shapeStr = `[${shape.join(", ")}] with dataformats '${dataformats}'`;
  let channels: number;
  let tile: boolean;
  if (fmt.length === 4) {
    if (C !== 1 && C !== 3) {
      throw new Error(
        `${op}: a batch of images must have 1 or 3 channels (PyTorch's make_grid tiles 1 to 3 and rejects the rest), got ${C} channels in shape ${shapeStr}`,
      );
    }
    if (N === 0) throw new Error(`${op}: need at least one image, got shape ${shapeStr}`);
    channels = 3;
    tile = C === 1;
  } else if (fmt.length === 3) {
    // PIL's Image.fromarray takes 2 channels as LA (gray + alpha), 3 as RGB, 4 as RGBA.
    if (C < 1 || C > 4) {
      throw new Error(`${op}: an image must have 1 to 4 channels (gray, gray+alpha, RGB, RGBA), got ${C} in shape ${shapeStr}`);
    }
    channels = C === 1 ? 3 : C;
    tile = C === 1;
  } else {
    channels = 3;
    tile = true;
  }
  if (H === 0 || W === 0) throw new Error(`${op}: image has zero height or width: shape ${shapeStr}`);
  const ncols = Math.min(N, 8);
  const nrows = Math.ceil(N / ncols);
  const outH = H * nrows;
  const outW = W * ncols;
  const out = new Uint8Array(outH * outW * channels);
  for (let n = 0; n < N; n++) {
    const y0 = Math.floor(n / ncols) * H;
    const x0 = (n % ncols) * W;
    for (let h = 0; h < H; h++) {
      for (let w = 0; w < W; w++) {
        const src = n * sN + h * sH + w * sW;
        const dst = ((y0 + h) * outW + x0 + w) * channels;
        for (let c = 0; c < channels; c++) out[dst + c] = data[src + (tile ? 0 : c * sC)];
      }
    }
  }
  return { height: outH, width: outW, channels, data: out };
}

/**
 * The maximum of `values` when they look like 0–255 pixels (every finite value a whole number, some above 1),
 * else null. In such a non-uint8 image every value above 1 comes out white: PyTorch scales it by 255 as if it were in [0, 1].
 */
export function looksLike255(values: ArrayLike<number>): number | null {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== Math.floor(v) && Number.isFinite(v)) return null;
    if (v > max) max = v;
  }
  return max > 1 && Number.isFinite(max) ? max : null;
}

// A range warning is given once per op and tag, not at every step.
const warnedRange = new Set<string>();

/**
 * PyTorch's `summary.image` up to the proto: a tensor in `dataformats` → `Summary.Image` with PNG bytes.
 *
 * Values outside [0, 1] (or 0–255 for uint8) are clipped as PyTorch does, since layer outputs routinely
 * leave that range; a float or integer image that holds 0–255 pixels gets a warning instead of an error.
 */
export function makeImage(op: string, img: Tensor, dataformats: string, tag = ""): SummaryImage {
  if (!(img instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor, got ${describe(img)}`);
  const values = img.toTypedArray();
  if (img.dtype !== "uint8" && !warnedRange.has(`${op}\0${tag}`)) {
    const max = looksLike255(values);
    if (max !== null) {
      warnedRange.add(`${op}\0${tag}`);
      process.emitWarning(
        `${op}('${tag}'): the ${img.dtype} image holds whole numbers up to ${max}, but images of any dtype but uint8 are ` +
          `read as [0, 1] (scaled by 255, then clipped), so every value above 1 shows as white; for 0-255 pixels pass a uint8 tensor (img.to("uint8"))`,
        { code: "TORCH_TS_IMAGE_RANGE" },
      );
    }
  }
  const scaled = scaleToUint8(values, img.dtype === "uint8");
  const hwc = toHWC(op, scaled, img.shape, dataformats);
  return {
    height: hwc.height,
    width: hwc.width,
    colorspace: hwc.channels,
    encodedImageString: encodePng({ width: hwc.width, height: hwc.height, channels: hwc.channels, data: hwc.data }),
  };
}

export function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array";
  if (typeof x === "object") return (x as object).constructor?.name ?? "an object";
  return typeof x;
}
