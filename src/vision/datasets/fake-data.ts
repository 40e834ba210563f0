import { Dataset } from "../../data/dataset.js";
import { randint, randn } from "../../ops/random.js";
import { Generator } from "../../random/generator.js";
import { Image, type ImageMode } from "../image.js";
import type { TransformLike } from "../transforms/transform.js";

export interface FakeDataOptions {
  /** Number of samples (default 1000). */
  size?: number;
  /** `[C, H, W]` with C = 1, 3 or 4, or `[H, W]` (default [3, 224, 224]). */
  imageSize?: readonly number[];
  /** Targets are uniform over 0…numClasses−1 (default 10). */
  numClasses?: number;
  transform?: TransformLike | null;
  targetTransform?: TransformLike | null;
  /** Added to the index to seed each sample (default 0). */
  randomOffset?: number;
}

const MODES: Record<number, ImageMode> = { 1: "L", 3: "RGB", 4: "RGBA" };

/**
 * Random images and targets, as `torchvision.datasets.FakeData(size, image_size, num_classes, transform,
 * target_transform, random_offset)`. Sample `i` is the same on every call and equals torchvision's: a
 * generator seeded with `i + randomOffset` draws `randn(imageSize)` then `randint(0, numClasses, [1])`; the
 * image is `ToPILImage`'s conversion of those floats (`x·255` truncated to uint8, wrapping modulo 256). The
 * default generator is left untouched (torchvision saves and restores its state).
 *
 * @example
 * const ds = new FakeData({ size: 100, imageSize: [3, 32, 32], transform: new transforms.ToTensor() });
 * const [img, target] = ds.getItem(0); // float32 [3, 32, 32], an integer in 0..9
 */
export class FakeData extends Dataset<[any, any]> {
  readonly size: number;
  readonly imageSize: number[];
  readonly numClasses: number;
  readonly randomOffset: number;
  readonly transform: TransformLike | null;
  readonly targetTransform: TransformLike | null;
  private readonly mode: ImageMode;

  constructor(opts: FakeDataOptions = {}) {
    super();
    this.size = opts.size ?? 1000;
    this.imageSize = [...(opts.imageSize ?? [3, 224, 224])];
    this.numClasses = opts.numClasses ?? 10;
    this.randomOffset = opts.randomOffset ?? 0;
    this.transform = opts.transform ?? null;
    this.targetTransform = opts.targetTransform ?? null;
    if (!Number.isInteger(this.size) || this.size < 0) throw new RangeError(`FakeData: size must be a non-negative integer, got ${this.size}`);
    if (!Number.isInteger(this.numClasses) || this.numClasses <= 0) {
      throw new RangeError(`FakeData: numClasses must be a positive integer, got ${this.numClasses}`);
    }
    const dims = this.imageSize;
    if ((dims.length !== 2 && dims.length !== 3) || !dims.every((d) => Number.isInteger(d) && d > 0)) {
      throw new Error(`FakeData: imageSize must be [C, H, W] or [H, W] of positive integers, got [${dims.join(", ")}]`);
    }
    const c = dims.length === 2 ? 1 : dims[0];
    if (!MODES[c]) throw new Error(`FakeData: images with ${c} channels are not supported (expected 1, 3 or 4), imageSize [${dims.join(", ")}]`);
    this.mode = MODES[c];
  }

  get length(): number {
    return this.size;
  }

  getItem(index: number): [any, any] {
    if (!Number.isInteger(index)) throw new TypeError(`FakeData: index must be an integer, got ${index}`);
    // As torchvision: only the upper bound is checked; a negative index seeds with index + randomOffset.
    if (index >= this.size) throw new RangeError("FakeData index out of range");
    const g = new Generator().manualSeed(index + this.randomOffset);
    const chw = randn(this.imageSize, { generator: g }).mul(255).to("uint8");
    const target = randint(0, this.numClasses, [1], { generator: g }).item();
    const [h, w] = this.imageSize.slice(-2);
    const hwc = (chw.dim() === 2 ? chw : chw.permute(1, 2, 0)).contiguous().toTypedArray() as Uint8Array;
    const img = new Image(w, h, this.mode, hwc);
    return [this.transform ? this.transform(img) : img, this.targetTransform ? this.targetTransform(target) : target];
  }

  override toString(): string {
    return `Dataset FakeData\n    Number of datapoints: ${this.size}`;
  }
}
