import type { Tensor } from "../../tensor.js";
import { flatten, unflatten } from "../../ops/view.js";
import { Module, typeName } from "../module.js";
import { pyTuple } from "../repr.js";

/**
 * Merges dims `startDim..endDim` into one, as `torch.nn.Flatten(start_dim=1, end_dim=-1)` (keeps the batch
 * dim by default, unlike `torch.flatten`).
 *
 * Shape: `(N, *dims) → (N, ∏ dims)` with the defaults.
 *
 * @example
 * new nn.Flatten().call(torch.zeros([64, 3, 32, 32])).shape; // [64, 3072]
 */
export class Flatten extends Module {
  constructor(
    public startDim = 1,
    public endDim = -1,
  ) {
    super();
  }

  override forward(input: Tensor): Tensor {
    return flatten(input, this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/**
 * Splits dim `dim` into `unflattenedSize` (one entry may be -1), as `torch.nn.Unflatten(dim, unflattened_size)`.
 *
 * Shape: `(*, S, *) → (*, u0, u1, …, *)` with `∏ u = S`.
 *
 * @example
 * new nn.Unflatten(1, [2, 5]).call(torch.zeros([4, 10])).shape; // [4, 2, 5]
 */
export class Unflatten extends Module {
  readonly unflattenedSize: number[];

  constructor(
    public dim: number,
    unflattenedSize: readonly number[],
  ) {
    super();
    if (!Array.isArray(unflattenedSize)) {
      throw new TypeError(`unflattened_size must be a tuple of ints, but found type ${typeName(unflattenedSize)}`);
    }
    unflattenedSize.forEach((e, i) => {
      if (!Number.isInteger(e)) {
        throw new TypeError(`unflattened_size must be tuple of ints, but found element of type ${typeName(e)} at pos ${i}`);
      }
    });
    this.unflattenedSize = unflattenedSize.slice();
  }

  override forward(input: Tensor): Tensor {
    return unflatten(input, this.dim, this.unflattenedSize);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=${pyTuple(this.unflattenedSize)}`;
  }
}

/**
 * Returns its input unchanged, as `torch.nn.Identity` (constructor arguments are accepted and ignored, so
 * it can stand in for any layer).
 *
 * @example
 * new nn.Identity(54, { unused: "x" }).call(x) === x; // true
 */
export class Identity extends Module {
  constructor(..._args: unknown[]) {
    super();
  }

  override forward(input: any): any {
    return input;
  }
}
