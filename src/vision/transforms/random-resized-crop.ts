import { Tensor } from "../../tensor.js";
import { tensor } from "../../ops/creation.js";
import { exp, log } from "../../ops/elementwise.js";
import { uniform_ } from "../../ops/random.js";
import { Transform } from "./transform.js";
import { resizedCropImpl, type ResizeOptions } from "./resize.js";
import { getDimensions, roundHalfEven, setupSize, type ImageOrTensor } from "./tensor-image.js";
import { randInt, type RandomOptions } from "./random-params.js";

export interface RandomResizedCropOptions extends RandomOptions, Omit<ResizeOptions, "maxSize"> {
  /** Range of the crop's area as a fraction of the image's (default [0.08, 1]). */
  scale?: readonly [number, number];
  /** Range of the crop's aspect ratio w/h, sampled log-uniformly (default [3/4, 4/3]). */
  ratio?: readonly [number, number];
}

/**
 * Crops a random area and aspect ratio and resizes it to `size`, as `transforms.RandomResizedCrop(size,
 * scale=(0.08, 1.0), ratio=(3/4, 4/3))` (the Inception crop). Up to 10 tries draw an area fraction
 * uniformly from `scale` and an aspect ratio log-uniformly from `ratio`; the first box that fits is taken
 * at a random position; otherwise the largest center crop whose ratio lies in `ratio`.
 */
export class RandomResizedCrop extends Transform<ImageOrTensor, ImageOrTensor> {
  readonly size: [number, number];
  readonly scale: [number, number];
  readonly ratio: [number, number];
  constructor(size: number | readonly number[], readonly options: RandomResizedCropOptions = {}) {
    super();
    this.size = setupSize(size, "RandomResizedCrop");
    const scale = options.scale ?? [0.08, 1.0];
    const ratio = options.ratio ?? [3 / 4, 4 / 3];
    for (const [name, v] of [["scale", scale], ["ratio", ratio]] as const) {
      if (!Array.isArray(v) || v.length !== 2) throw new TypeError(`RandomResizedCrop: ${name} should be a sequence of two numbers, got ${JSON.stringify(v)}`);
    }
    this.scale = [scale[0], scale[1]];
    this.ratio = [ratio[0], ratio[1]];
  }

  /** torchvision's `RandomResizedCrop.get_params`: `[top, left, height, width]` of the crop. */
  static getParams(img: ImageOrTensor, scale: readonly [number, number], ratio: readonly [number, number], generator?: RandomOptions["generator"]): [number, number, number, number] {
    const op = "RandomResizedCrop";
    const [, height, width] = getDimensions(img, op);
    const area = height * width;
    const logRatio = log(tensor([ratio[0], ratio[1]], { dtype: "float32" })).toTypedArray();
    const g = generator ? { generator } : {};
    for (let attempt = 0; attempt < 10; attempt++) {
      const targetArea = area * uniform_(Tensor.empty([1]), scale[0], scale[1], g).item();
      const aspect = exp(uniform_(Tensor.empty([1]), logRatio[0], logRatio[1], g)).item();
      const w = roundHalfEven(Math.sqrt(targetArea * aspect));
      const h = roundHalfEven(Math.sqrt(targetArea / aspect));
      if (w > 0 && w <= width && h > 0 && h <= height) {
        const i = randInt(op, 0, height - h + 1, generator);
        const j = randInt(op, 0, width - w + 1, generator);
        return [i, j, h, w];
      }
    }
    const inRatio = width / height;
    let w: number;
    let h: number;
    const lo = Math.min(ratio[0], ratio[1]);
    const hi = Math.max(ratio[0], ratio[1]);
    if (inRatio < lo) {
      w = width;
      h = roundHalfEven(w / lo);
    } else if (inRatio > hi) {
      h = height;
      w = roundHalfEven(h * hi);
    } else {
      w = width;
      h = height;
    }
    return [Math.floor((height - h) / 2), Math.floor((width - w) / 2), h, w];
  }

  forward(img: ImageOrTensor): ImageOrTensor {
    const [i, j, h, w] = RandomResizedCrop.getParams(img, this.scale, this.ratio, this.options.generator);
    const { interpolation, antialias } = this.options;
    return resizedCropImpl(img, i, j, h, w, this.size, { interpolation, antialias }, "RandomResizedCrop");
  }

  override extraRepr(): string {
    const r4 = (v: number): number => Math.round(v * 1e4) / 1e4;
    return `size=(${this.size.join(", ")}), scale=(${this.scale.map(r4).join(", ")}), ratio=(${this.ratio.map(r4).join(", ")}), interpolation=${this.options.interpolation ?? "bilinear"}, antialias=${this.options.antialias ?? true}`;
  }
}
