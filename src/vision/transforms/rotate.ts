/**
 * Rotation of tensor images as torchvision's tensor path does it (`F.rotate` → `_get_inverse_affine_matrix`,
 * `_gen_affine_grid`, `grid_sample(align_corners=False, padding_mode="zeros")`, torchvision 0.14
 * `transforms/functional_tensor.py`): the sampling grid is computed here in the grid's precision (float32,
 * or float64 for float64 images) in PyTorch's op order, and the image is sampled with public ops (index
 * selects and products), so float results are differentiable.
 */
import { Tensor } from "../../tensor.js";
import { isFloating } from "../../dtype.js";
import { to } from "../../ops/cast.js";
import { cat } from "../../ops/joining.js";
import { zeros } from "../../ops/creation.js";
import { add, lt, mul, round, rsub, where } from "../../ops/elementwise.js";
import { indexSelect } from "../../ops/gather-scatter.js";
import { reshape } from "../../ops/view.js";
import { Transform } from "./transform.js";
import { applyToImage, assertImageTensor, describe, getDimensions, roundHalfEven, type ImageOrTensor } from "./tensor-image.js";
import { uniformFloat, type RandomOptions } from "./random-params.js";

export interface RotateOptions {
  /** "nearest" (default) or "bilinear". */
  interpolation?: "nearest" | "bilinear";
  /** Grow the output so the whole rotated image fits (default false: keep the input size). */
  expand?: boolean;
  /** Rotation center `[x, y]` in pixels from the top-left corner (default: the image center). */
  center?: readonly [number, number] | null;
  /** Value (or one per channel) for pixels that come from outside the image; null samples zeros. Default null. */
  fill?: number | readonly number[] | null;
}

/** torchvision's `_get_inverse_affine_matrix(center, angle, [0, 0], 1.0, [0, 0])`: output → input pixel map. */
function inverseRotation(center: [number, number], angle: number): number[] {
  const rot = angle * (Math.PI / 180); // math.radians
  const [cx, cy] = center;
  const a = Math.cos(rot);
  const b = -Math.sin(rot);
  const c = Math.sin(rot);
  const d = Math.cos(rot);
  const m = [d, -b, 0, -c, a, 0];
  m[2] += m[0] * -cx + m[1] * -cy;
  m[5] += m[3] * -cx + m[4] * -cy;
  m[2] += cx;
  m[5] += cy;
  return m;
}

/** torchvision's `_compute_affine_output_size` (float32, corners truncated to 1e-4 before ceil/floor): `[w, h]`. */
function expandedSize(m: number[], w: number, h: number): [number, number] {
  const f = Math.fround;
  const t = m.map(f);
  const pts = [
    [-0.5 * w, -0.5 * h],
    [-0.5 * w, 0.5 * h],
    [0.5 * w, 0.5 * h],
    [0.5 * w, -0.5 * h],
  ];
  const tol = f(1e-4);
  const size = [0, 1].map((k) => {
    const v = pts.map(([x, y]) => f(f(f(x * t[3 * k]) + f(y * t[3 * k + 1])) + t[3 * k + 2]));
    const half = f((k === 0 ? w : h) * 0.5);
    const lo = f(Math.min(...v) + half);
    const hi = f(Math.max(...v) + half);
    return Math.ceil(f(Math.trunc(f(hi / tol)) * tol)) - Math.floor(f(Math.trunc(f(lo / tol)) * tol));
  });
  return [size[0], size[1]];
}

function checkFill(fill: unknown, channels: number, op: string): number[] | null {
  if (fill === null || fill === undefined) return null;
  const list = typeof fill === "number" ? [fill] : Array.isArray(fill) ? fill.slice() : null;
  if (list === null || list.some((v) => typeof v !== "number")) throw new TypeError(`${op}: fill should be a number or a list of numbers, got ${describe(fill)}`);
  if (list.length > 1 && list.length !== channels) {
    throw new Error(`${op}: The number of elements in 'fill' cannot broadcast to match the number of channels of the image (${list.length} != ${channels})`);
  }
  return list;
}

/** `F_t.rotate` on a (C, H, W) or (N, C, H, W) tensor. */
export function rotateTensor(img: Tensor, angle: number, opts: RotateOptions, op: string): Tensor {
  assertImageTensor(img, op);
  if (img.dim() !== 3 && img.dim() !== 4) {
    throw new Error(`${op}: expected a (C, H, W) or (N, C, H, W) tensor image, got shape [${img.shape.join(", ")}]`);
  }
  if (typeof angle !== "number" || !Number.isFinite(angle)) throw new TypeError(`${op}: Argument angle should be int or float, got ${String(angle)}`);
  const mode = opts.interpolation ?? "nearest";
  if (mode !== "nearest" && mode !== "bilinear") throw new Error(`${op}: Interpolation mode '${String(mode)}' is unsupported with Tensor input`);
  const [C, H, W] = getDimensions(img, op);
  const fill = checkFill(opts.fill, C, op);
  let centerF: [number, number] = [0, 0];
  if (opts.center !== null && opts.center !== undefined) {
    if (!Array.isArray(opts.center) || opts.center.length !== 2) throw new TypeError(`${op}: Argument center should be a sequence of two numbers`);
    centerF = [opts.center[0] - W * 0.5, opts.center[1] - H * 0.5];
  }
  // The sign: torchvision's rotate turns counter-clockwise for positive angles, its affine clockwise.
  const m = inverseRotation(centerF, -angle);
  const [ow, oh] = opts.expand ? expandedSize(m, W, H) : [W, H];

  const double = img.dtype === "float64";
  const R = double ? (x: number): number => x : Math.fround;
  const th = m.map(R);
  // theta.transpose(1, 2) / [0.5·w, 0.5·h]: the grid in [-1, 1] units of the input.
  const sx = R(0.5 * W);
  const sy = R(0.5 * H);
  const r = [R(th[0] / sx), R(th[1] / sx), R(th[2] / sx), R(th[3] / sy), R(th[4] / sy), R(th[5] / sy)];
  const halfW = R(W / 2);
  const halfH = R(H / 2);
  const n = oh * ow;
  const outside = H * W; // the zero appended to each plane: padding_mode="zeros"
  const taps = mode === "nearest" ? 1 : 4;
  const idx = Array.from({ length: taps }, () => new Float64Array(n));
  const wts = Array.from({ length: taps }, () => (double ? new Float64Array(n) : new Float32Array(n)));
  const mask = double ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0, p = 0; i < oh; i++) {
    const yb = -oh * 0.5 + 0.5 + i;
    for (let j = 0; j < ow; j++, p++) {
      const xb = -ow * 0.5 + 0.5 + j;
      const gx = R(R(R(xb * r[0]) + R(yb * r[1])) + r[2]);
      const gy = R(R(R(xb * r[3]) + R(yb * r[4])) + r[5]);
      // grid_sample's unnormalize for align_corners=False: (g + 1)·size/2 − 0.5.
      const ix = R(R(R(gx + 1) * halfW) - 0.5);
      const iy = R(R(R(gy + 1) * halfH) - 0.5);
      if (mode === "nearest") {
        const x = roundHalfEven(ix);
        const y = roundHalfEven(iy);
        const ok = x > -1 && x < W && y > -1 && y < H;
        idx[0][p] = ok ? y * W + x : outside;
        mask[p] = ok ? 1 : 0;
        continue;
      }
      const x0 = Math.floor(ix);
      const y0 = Math.floor(iy);
      const we = R(ix - x0);
      const ea = R(1 - we);
      const no = R(iy - y0);
      const so = R(1 - no);
      const corner = [
        [x0, y0, R(so * ea)],
        [x0 + 1, y0, R(so * we)],
        [x0, y0 + 1, R(no * ea)],
        [x0 + 1, y0 + 1, R(no * we)],
      ];
      let acc = 0;
      corner.forEach(([x, y, w], k) => {
        const ok = x > -1 && x < W && y > -1 && y < H;
        idx[k][p] = ok ? y * W + x : outside;
        wts[k][p] = w;
        acc = k === 0 ? (ok ? w : 0) : R(acc + (ok ? w : 0));
      });
      mask[p] = acc;
    }
  }

  const dtype = isFloating(img.dtype) ? img.dtype : "float32";
  const x = isFloating(img.dtype) ? img : to(img, "float32");
  const N = img.dim() === 4 ? img.shape[0] : 1;
  const rows = N * C;
  const planes = cat([reshape(x, [rows, H * W]), zeros([rows, 1], { dtype })], 1);
  const gather = (k: number): Tensor => indexSelect(planes, 1, new Tensor(idx[k], "int64", [n]));
  let out: Tensor;
  if (mode === "nearest") {
    out = gather(0);
  } else {
    const w = (k: number): Tensor => new Tensor(wts[k], dtype, [n]);
    out = add(add(add(mul(gather(0), w(0)), mul(gather(1), w(1))), mul(gather(2), w(2))), mul(gather(3), w(3)));
  }
  if (fill !== null) {
    // torchvision samples a channel of ones along with the image and blends the fill in by it.
    const values = Array.from({ length: rows }, (_, row) => (fill.length === 1 ? fill[0] : fill[row % C]));
    const fillRows = new Tensor(double ? Float64Array.from(values) : Float32Array.from(values), dtype, [rows, 1]);
    const maskT = new Tensor(mask, dtype, [n]);
    out = mode === "nearest" ? where(lt(maskT, 0.5), fillRows, out) : add(mul(out, maskT), mul(rsub(maskT, 1), fillRows));
  }
  out = reshape(out, img.dim() === 4 ? [N, C, oh, ow] : [C, oh, ow]);
  return isFloating(img.dtype) ? out : to(round(out), img.dtype);
}

/**
 * Rotates an image by `angle` degrees counter-clockwise around its center (or `center`), as
 * `F.rotate(img, angle, interpolation=NEAREST, expand=False, center=None, fill=None)` on tensors.
 * An `Image` is rotated through its uint8 pixels by the same tensor algorithm (torchvision would use
 * Pillow's, which can differ by a pixel at the edges of the sampling grid).
 *
 * Shape: (C, H, W) or (N, C, H, W); the output keeps H and W unless `expand`.
 *
 * @example
 * rotate(torch.tensor([[[1, 2], [3, 4]]], { dtype: "float32" }), 90) // tensor([[[2, 4], [1, 3]]])
 */
export function rotate<T extends ImageOrTensor>(img: T, angle: number, opts: RotateOptions = {}): T {
  return applyToImage(img, "rotate", (t) => rotateTensor(t, angle, opts, "rotate")) as T;
}

export interface RandomRotationOptions extends RandomOptions, Omit<RotateOptions, "fill"> {
  /** Value (or one per channel) for pixels from outside the image. Default 0. */
  fill?: number | readonly number[];
}

/**
 * Rotates by an angle drawn uniformly from `degrees` (`[-d, d]` for a number d), as
 * `transforms.RandomRotation(degrees, interpolation=NEAREST, expand=False, center=None, fill=0)`; the
 * angle is `torch.empty(1).uniform_(lo, hi)`, from `generator` or the global stream.
 */
export class RandomRotation extends Transform<ImageOrTensor, ImageOrTensor> {
  readonly degrees: [number, number];
  readonly fill: number | readonly number[];
  constructor(degrees: number | readonly number[], readonly options: RandomRotationOptions = {}) {
    super();
    const op = "RandomRotation";
    if (typeof degrees === "number") {
      if (degrees < 0) throw new RangeError(`${op}: If degrees is a single number, it must be positive.`);
      this.degrees = [-degrees, degrees];
    } else if (Array.isArray(degrees) && degrees.length === 2 && degrees.every((d) => typeof d === "number")) {
      this.degrees = [degrees[0], degrees[1]];
    } else {
      throw new Error(`${op}: degrees should be a sequence of length 2.`);
    }
    const { center } = options;
    if (center !== null && center !== undefined && (!Array.isArray(center) || center.length !== 2)) {
      throw new TypeError(`${op}: center should be a sequence of length 2.`);
    }
    const fill = options.fill ?? 0;
    if (typeof fill !== "number" && !Array.isArray(fill)) throw new TypeError(`${op}: Fill should be either a sequence or a number.`);
    this.fill = fill;
  }

  /** The angle `torch.empty(1).uniform_(degrees[0], degrees[1])`, as `get_params`. */
  static getParams(degrees: readonly [number, number], generator?: RandomOptions["generator"]): number {
    return uniformFloat("RandomRotation", degrees[0], degrees[1], generator);
  }

  forward(img: ImageOrTensor): ImageOrTensor {
    const op = "RandomRotation";
    const [C] = getDimensions(img, op);
    // torchvision turns a number into one value per channel for tensors.
    const fill = typeof this.fill === "number" ? Array.from({ length: C }, () => this.fill as number) : this.fill.slice();
    const angle = RandomRotation.getParams(this.degrees, this.options.generator);
    const { interpolation, expand, center } = this.options;
    return applyToImage(img, op, (t) => rotateTensor(t, angle, { interpolation, expand, center, fill }, op));
  }

  override extraRepr(): string {
    const f = (v: number): string => (Number.isInteger(v) ? `${v}.0` : String(v));
    let s = `degrees=[${this.degrees.map(f).join(", ")}], interpolation=${this.options.interpolation ?? "nearest"}, expand=${this.options.expand ? "True" : "False"}`;
    if (this.options.center) s += `, center=[${this.options.center.join(", ")}]`;
    return `${s}, fill=${Array.isArray(this.fill) ? `[${this.fill.join(", ")}]` : String(this.fill)}`;
  }
}
