/** Uniform draws for the randomized poolings, from a seeded `Generator` or the default one. */
import type { Tensor } from "../tensor.js";
import type { DType } from "../dtype.js";
import type { Generator } from "../random/generator.js";
import { rand } from "./random.js";

/** `torch.rand(shape, dtype=dtype, generator=generator)`: uniform in [0, 1). */
export function uniformTensor(shape: readonly number[], dtype: DType, generator: Generator | null | undefined): Tensor {
  return rand(shape.slice(), { dtype, generator: generator ?? undefined });
}

/** One uniform draw in [0, 1) (a float64 `torch.rand(())`). */
export function uniformScalar(generator: Generator | null | undefined): number {
  return uniformTensor([], "float64", generator).item();
}
