/** Uniform draws for the randomized poolings, from a seeded `Generator` or the default one. */
import { Tensor } from "../tensor.js";
import type { DType } from "../dtype.js";
import type { Generator } from "../random/generator.js";
import { uniform_ } from "./random.js";

/**
 * `torch.rand(shape, dtype=dtype, generator=generator)`: uniform in [0, 1), the same draws. In ordinary
 * storage: these are per-call temporaries, not the long-lived tensors `torch.rand` makes for users.
 */
export function uniformTensor(shape: readonly number[], dtype: DType, generator: Generator | null | undefined): Tensor {
  return uniform_(Tensor.empty(shape, dtype), 0, 1, { generator: generator ?? undefined });
}

/** One uniform draw in [0, 1) (a float64 `torch.rand(())`). */
export function uniformScalar(generator: Generator | null | undefined): number {
  return uniformTensor([], "float64", generator).item();
}
