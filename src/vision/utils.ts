/** `torchvision.utils`: `makeGrid` (a batch of images tiled into one) and `saveImage`. */
import { writeFileSync } from "node:fs";
import { Tensor } from "../tensor.js";
import { noGrad } from "../autograd/grad-mode.js";
import { full } from "../ops/creation.js";
import { add, clamp, div, mul, sub } from "../ops/elementwise.js";
import { amax, amin } from "../ops/extrema.js";
import { cat, stack, unbind } from "../ops/joining.js";
import { pad } from "../ops/pad.js";
import { to } from "../ops/cast.js";
import { permute, reshape, squeeze, unsqueeze } from "../ops/view.js";
import { Image } from "./image.js";
import { encodeImage, type ImageFormat } from "./io.js";
import { formatFromPath } from "./io-node.js";

export interface MakeGridOptions {
  /** Images per row (default 8). */
  nrow?: number;
  /** Pixels of `padValue` between and around the images (default 2). */
  padding?: number;
  /** Shift and scale the values to [0, 1] (default false): by `valueRange`, or by the min and max. */
  normalize?: boolean;
  /** `[low, high]` for `normalize`: values are clamped to it and mapped to [0, 1]. */
  valueRange?: readonly [number, number] | null;
  /** Normalize each image by its own min and max instead of the whole batch's (default false). */
  scaleEach?: boolean;
  /** Value of the padding (default 0). */
  padValue?: number;
}

function describe(x: unknown): string {
  return x === null ? "null" : Array.isArray(x) ? "Array" : typeof x === "object" ? ((x as object).constructor?.name ?? "object") : typeof x;
}

/** torchvision's `norm_ip`: clamp to [low, high], then (x − low) / max(high − low, 1e-5). */
function normRange(t: Tensor, range: readonly [number, number] | null): Tensor {
  const [low, high] = range ?? [amin(t).item(), amax(t).item()];
  return div(sub(clamp(t, low, high), low), Math.max(high - low, 1e-5));
}

/**
 * Tiles a batch of images into one image, as `torchvision.utils.make_grid(tensor, nrow=8, padding=2,
 * normalize=False, value_range=None, scale_each=False, pad_value=0)`. Layout: xmaps = min(nrow, N) columns,
 * ymaps = ⌈N / xmaps⌉ rows of (H + padding) × (W + padding) cells, plus `padding` on the right and bottom.
 * One-channel images become three-channel; a single image is returned without padding. Runs without
 * autograd, as torchvision's (decorated `@torch.no_grad()`): the grid never carries a graph.
 *
 * Shape: (N, C, H, W), a list of (C, H, W), (C, H, W) or (H, W) →
 * (C', ymaps·(H + padding) + padding, xmaps·(W + padding) + padding), C' = 3 when C = 1.
 *
 * @example
 * makeGrid(torch.rand(10, 1, 28, 28), { nrow: 5 }).shape // [3, 62, 152]
 */
export function makeGrid(tensor: Tensor | readonly Tensor[], opts: MakeGridOptions = {}): Tensor {
  return noGrad(() => makeGridImpl(tensor, opts));
}

function makeGridImpl(tensor: Tensor | readonly Tensor[], opts: MakeGridOptions): Tensor {
  const op = "makeGrid";
  const { nrow = 8, padding = 2, normalize = false, valueRange = null, scaleEach = false, padValue = 0 } = opts;
  if (Array.isArray(tensor)) {
    tensor.forEach((t) => {
      if (!(t instanceof Tensor)) throw new TypeError(`${op}: tensor or list of tensors expected, got a list containing ${describe(t)}`);
    });
    if (tensor.length === 0) throw new Error(`${op}: expected a non-empty list of tensors`);
  } else if (!(tensor instanceof Tensor)) {
    throw new TypeError(`${op}: tensor or list of tensors expected, got ${describe(tensor)}`);
  }
  if (!Number.isInteger(nrow) || nrow < 1) throw new RangeError(`${op}: nrow must be a positive integer, got ${nrow}`);
  if (!Number.isInteger(padding) || padding < 0) throw new RangeError(`${op}: padding must be a non-negative integer, got ${padding}`);
  if (valueRange !== null && (!Array.isArray(valueRange) || valueRange.length !== 2)) {
    throw new TypeError(`${op}: valueRange has to be a pair [min, max] if specified, got ${JSON.stringify(valueRange)}`);
  }
  let t = Array.isArray(tensor) ? stack(tensor as Tensor[], 0) : (tensor as Tensor);
  if (t.dim() < 2 || t.dim() > 4) throw new Error(`${op}: expected a 2-d (H, W), 3-d (C, H, W) or 4-d (N, C, H, W) tensor, got shape [${t.shape.join(", ")}]`);
  if (t.dim() === 2) t = unsqueeze(t, 0);
  if (t.dim() === 3) {
    if (t.shape[0] === 1) t = cat([t, t, t], 0);
    t = unsqueeze(t, 0);
  }
  if (t.shape[1] === 1) t = cat([t, t, t], 1);
  if (normalize) {
    t = scaleEach ? stack(unbind(t, 0).map((img) => normRange(img, valueRange)), 0) : normRange(t, valueRange);
  }
  const [N, C, H, W] = t.shape;
  if (N === 1) return squeeze(t, 0);
  const xmaps = Math.min(nrow, N);
  const ymaps = Math.ceil(N / xmaps);
  // Each cell is its image with `padding` above and to the left; the grid adds one more strip at the
  // right and bottom. Missing cells at the end are all padding.
  let cells = pad(t, [padding, 0, padding, 0], "constant", padValue);
  const missing = xmaps * ymaps - N;
  if (missing > 0) cells = cat([cells, full([missing, C, H + padding, W + padding], padValue, { dtype: t.dtype })], 0);
  const rows = permute(reshape(cells, [ymaps, xmaps, C, H + padding, W + padding]), [2, 0, 3, 1, 4]);
  const grid = reshape(rows, [C, ymaps * (H + padding), xmaps * (W + padding)]);
  return pad(grid, [0, padding, 0, padding], "constant", padValue);
}

export interface SaveImageOptions extends MakeGridOptions {
  /** "png" or "jpeg"; default from the file extension. */
  format?: ImageFormat;
  /** JPEG quality 1–100 (default 75). */
  quality?: number;
}

/**
 * The 8-bit HWC image `saveImage` writes: `makeGrid`, then torchvision's
 * `grid.mul(255).add_(0.5).clamp_(0, 255)` rounded by truncation to uint8.
 */
export function gridToImage(tensor: Tensor | readonly Tensor[], opts: MakeGridOptions = {}): Image {
  return noGrad(() => {
    const grid = makeGrid(tensor, opts);
    if (grid.dim() !== 3) throw new Error(`saveImage: expected the grid to be (C, H, W), got shape [${grid.shape.join(", ")}]`);
    const [C, H, W] = grid.shape;
    if (C !== 1 && C !== 3 && C !== 4) {
      throw new Error(`saveImage: cannot write a ${C}-channel image (PNG and JPEG hold 1, 3 or 4 channels)`);
    }
    const bytes = to(permute(clamp(add(mul(grid, 255), 0.5), 0, 255), [1, 2, 0]), "uint8");
    const data = Uint8Array.from(bytes.toTypedArray());
    return new Image(W, H, C === 1 ? "L" : C === 3 ? "RGB" : "RGBA", data);
  });
}

/**
 * Saves a tensor (or a batch, tiled by `makeGrid` with the same options) as an image file, as
 * `torchvision.utils.save_image(tensor, fp, format=None, **kwargs)`: values in [0, 1] map to 0–255 by
 * `⌊255·x + 0.5⌋` clamped. PNG or JPEG by extension or `format`.
 *
 * @example
 * saveImage(torch.rand(16, 3, 32, 32), "samples.png", { nrow: 4 });
 */
export function saveImage(tensor: Tensor | readonly Tensor[], path: string, opts: SaveImageOptions = {}): void {
  const format = opts.format ?? formatFromPath(path, "saveImage");
  const img = gridToImage(tensor, opts);
  writeFileSync(path, encodeImage(img, format, { quality: opts.quality }));
}
