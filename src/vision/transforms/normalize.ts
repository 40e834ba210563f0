import { Tensor } from "../../tensor.js";
import { isFloating } from "../../dtype.js";
import { tensor } from "../../ops/creation.js";
import { div, sub } from "../../ops/elementwise.js";
import { Transform } from "./transform.js";

/**
 * `(x − mean[c]) / std[c]` per channel of a (…, C, H, W) float tensor, as `transforms.Normalize(mean, std)`.
 * Differentiable (plain tensor ops).
 */
export class Normalize extends Transform<Tensor, Tensor> {
  readonly mean: number[];
  readonly std: number[];
  constructor(mean: number[] | number, std: number[] | number, readonly inplace = false) {
    super();
    this.mean = typeof mean === "number" ? [mean] : mean.slice();
    this.std = typeof std === "number" ? [std] : std.slice();
    if (this.std.some((s) => s === 0)) {
      throw new RangeError(`Normalize: std evaluated to zero after conversion to float32, leading to division by zero.`);
    }
  }

  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw new TypeError(`Normalize: input should be a Tensor. Got ${typeof x}`);
    if (!isFloating(x.dtype)) throw new TypeError(`Normalize: input tensor should be a float tensor. Got ${x.dtype}.`);
    if (x.dim() < 3) {
      throw new Error(`Normalize: expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = [${x.shape.join(", ")}]`);
    }
    const C = x.shape[x.dim() - 3];
    for (const [name, v] of [["mean", this.mean], ["std", this.std]] as const) {
      if (v.length !== 1 && v.length !== C) {
        throw new Error(`Normalize: ${name} has ${v.length} values but the image has ${C} channels`);
      }
    }
    const shape = [this.mean.length === 1 && this.std.length === 1 ? 1 : C, 1, 1];
    const m = tensor(expandTo(this.mean, shape[0]), { dtype: x.dtype }).view(shape);
    const s = tensor(expandTo(this.std, shape[0]), { dtype: x.dtype }).view(shape);
    const out = div(sub(x, m), s);
    return this.inplace ? x.copy_(out) : out;
  }

  override extraRepr(): string {
    return `mean=[${this.mean.join(", ")}], std=[${this.std.join(", ")}]`;
  }
}

function expandTo(v: number[], n: number): number[] {
  return v.length === n ? v : Array.from({ length: n }, () => v[0]);
}
