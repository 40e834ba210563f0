import { Transform, type TransformLike } from "./transform.js";
import { randUnit, type RandomOptions } from "./random-params.js";

/**
 * Applies a list of transforms in order with probability `p` (default 0.5), as
 * `transforms.RandomApply(transforms, p)`: skipped when `p < torch.rand(1)`.
 */
export class RandomApply extends Transform {
  constructor(
    readonly transforms: TransformLike[],
    readonly p = 0.5,
    readonly options: RandomOptions = {},
  ) {
    super();
    if (!Array.isArray(transforms)) throw new TypeError("RandomApply: expected an array of transforms");
    transforms.forEach((t, i) => {
      if (typeof t !== "function") throw new TypeError(`RandomApply: transform ${i} is not callable (got ${typeof t})`);
    });
    if (!(p >= 0 && p <= 1)) throw new RangeError(`RandomApply: p should be a probability in [0, 1], got ${p}`);
  }
  forward(img: unknown): unknown {
    if (Math.fround(this.p) < randUnit("RandomApply", this.options.generator)) return img;
    for (const t of this.transforms) img = t(img);
    return img;
  }
  override toString(): string {
    return `RandomApply(\n    p=${this.p}\n${this.transforms.map((t) => `    ${String(t)}`).join("\n")}\n)`;
  }
}
