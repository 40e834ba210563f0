import { Tensor } from "../../tensor.js";
import { isFloating } from "../../dtype.js";
import { to } from "../../ops/cast.js";
import { tensor } from "../../ops/creation.js";
import { indexSelect } from "../../ops/gather-scatter.js";
import { narrow } from "../../ops/indexing.js";
import { pad as torchPad } from "../../ops/pad.js";
import { squeeze, unsqueeze } from "../../ops/view.js";
import { Transform } from "./transform.js";
import { applyToImage, assertImageTensor, checkInt, describe, pySlice, type ImageOrTensor } from "./tensor-image.js";

/** How `pad` fills the border: a constant, the edge pixel repeated, a mirror without or with the edge. */
export type PaddingMode = "constant" | "edge" | "reflect" | "symmetric";

const MODES: readonly PaddingMode[] = ["constant", "edge", "reflect", "symmetric"];

/** `[left, right, top, bottom]` from torchvision's int / [all] / [left-right, top-bottom] / [l, t, r, b]. */
export function parsePadding(padding: number | readonly number[], op: string): [number, number, number, number] {
  if (typeof padding === "number") {
    checkInt(padding, "padding", op);
    return [padding, padding, padding, padding];
  }
  if (!Array.isArray(padding)) throw new TypeError(`${op}: Got inappropriate padding arg: ${describe(padding)}`);
  if (![1, 2, 4].includes(padding.length)) {
    throw new Error(`${op}: Padding must be an int or a 1, 2, or 4 element tuple, not a ${padding.length} element tuple`);
  }
  padding.forEach((p) => checkInt(p, "padding", op));
  if (padding.length === 1) return [padding[0], padding[0], padding[0], padding[0]];
  if (padding.length === 2) return [padding[0], padding[0], padding[1], padding[1]];
  return [padding[0], padding[2], padding[1], padding[3]];
}

/** torchvision's `_pad_symmetric`: crop for negative pads, then gather mirrored indices (edge repeated). */
function padSymmetric(img: Tensor, p: [number, number, number, number], op: string): Tensor {
  if (img.dim() !== 3 && img.dim() !== 4) {
    throw new Error(`${op}: Symmetric padding of ${img.dim()}-D tensors is not supported (expected 3 or 4 dims)`);
  }
  let x = img;
  if (p.some((v) => v < 0)) {
    const [cl, cr, ct, cb] = p.map((v) => -Math.min(v, 0));
    const H = x.shape[x.dim() - 2];
    const W = x.shape[x.dim() - 1];
    const [y0, hn] = pySlice(ct, H - cb, H);
    const [x0, wn] = pySlice(cl, W - cr, W);
    // torchvision indexes with torch.tensor(indices), which fails for an empty (float) index list.
    if (hn === 0 || wn === 0) throw new Error(`${op}: negative symmetric padding [${p.join(", ")}] crops the ${H}x${W} image to nothing`);
    x = narrow(narrow(x, -2, y0, hn), -1, x0, wn);
    p = p.map((v) => Math.max(v, 0)) as [number, number, number, number];
  }
  const mirrored = (size: number, before: number, after: number, what: string): Tensor => {
    if (before > size || after > size) {
      throw new RangeError(`${op}: symmetric padding (${before}, ${after}) is larger than the ${what} ${size} of the image`);
    }
    const idx: number[] = [];
    for (let i = before - 1; i >= 0; i--) idx.push(i);
    for (let i = 0; i < size; i++) idx.push(i);
    for (let i = 0; i < after; i++) idx.push(size - 1 - i);
    return tensor(idx, { dtype: "int64" });
  };
  const H = x.shape[x.dim() - 2];
  const W = x.shape[x.dim() - 1];
  const rows = indexSelect(x, x.dim() - 2, mirrored(H, p[2], p[3], "height"));
  return indexSelect(rows, x.dim() - 1, mirrored(W, p[0], p[1], "width"));
}

/** `F_t.pad` on a tensor image: padding `[left, right, top, bottom]` (negative crops). */
export function padTensor(img: Tensor, p: [number, number, number, number], fill: number, mode: PaddingMode, op: string): Tensor {
  assertImageTensor(img, op);
  if (mode === "symmetric") return padSymmetric(img, p, op);
  let x = img;
  const squeezeBack = x.dim() < 4;
  if (squeezeBack) x = unsqueeze(x, 0);
  const outDtype = x.dtype;
  // PyTorch's reflect/replicate kernels take floats only; torchvision casts there and back.
  const cast = mode !== "constant" && !isFloating(x.dtype);
  if (cast) x = to(x, "float32");
  try {
    x = mode === "constant" ? torchPad(x, p, "constant", fill) : torchPad(x, p, mode === "edge" ? "replicate" : "reflect");
  } catch (e) {
    throw new Error(`${op}: ${(e as Error).message.replace(/^pad: /, "")}`);
  }
  if (squeezeBack) x = squeeze(x, 0);
  return cast ? to(x, outDtype) : x;
}

/** Validates `fill` (a number) and the padding mode, naming `op`. */
export function checkPadArgs(fill: unknown, mode: unknown, op: string): void {
  if (typeof fill !== "number") throw new TypeError(`${op}: fill must be a number, got ${describe(fill)}`);
  if (!MODES.includes(mode as PaddingMode)) {
    throw new Error(`${op}: Padding mode should be either constant, edge, reflect or symmetric, got ${JSON.stringify(mode)}`);
  }
}

/** The shared implementation of `pad` and `Pad`, with the caller's name in errors. */
export function padImpl(img: ImageOrTensor, padding: number | readonly number[], fill: number, mode: PaddingMode, op: string): ImageOrTensor {
  checkPadArgs(fill, mode, op);
  const p = parsePadding(padding, op);
  return applyToImage(img, op, (t) => padTensor(t, p, fill, mode, op));
}

/**
 * Pads every side of an image, as `F.pad(img, padding, fill=0, padding_mode="constant")`.
 * `padding`: an int for all sides, `[leftRight, topBottom]`, or `[left, top, right, bottom]`; negative
 * values crop. Modes: "constant" (`fill`), "edge" (repeat the last pixel), "reflect" (mirror without the
 * edge: [1,2,3,4] padded by 2 → [3,2,1,2,3,4,3,2]), "symmetric" (mirror with it: → [2,1,1,2,3,4,4,3]).
 *
 * Shape: (…, H, W) → (…, H + top + bottom, W + left + right).
 *
 * @example
 * pad(torch.tensor([[[1, 2, 3]]]), [2, 0], 0, "reflect") // tensor([[[3, 2, 1, 2, 3, 2, 1]]])
 */
export function pad<T extends ImageOrTensor>(img: T, padding: number | readonly number[], fill = 0, paddingMode: PaddingMode = "constant"): T {
  return padImpl(img, padding, fill, paddingMode, "pad") as T;
}

/** Pads an image on all sides, as `transforms.Pad(padding, fill=0, padding_mode="constant")`; see `pad`. */
export class Pad extends Transform<ImageOrTensor, ImageOrTensor> {
  constructor(
    readonly padding: number | readonly number[],
    readonly fill = 0,
    readonly paddingMode: PaddingMode = "constant",
  ) {
    super();
    checkPadArgs(fill, paddingMode, "Pad");
    parsePadding(padding, "Pad");
  }
  forward(img: ImageOrTensor): ImageOrTensor {
    return padImpl(img, this.padding, this.fill, this.paddingMode, "Pad");
  }
  override extraRepr(): string {
    return `padding=${JSON.stringify(this.padding)}, fill=${this.fill}, padding_mode=${this.paddingMode}`;
  }
}
