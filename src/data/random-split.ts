import { randperm } from "../ops/random.js";
import type { Generator } from "../random/generator.js";
import { Dataset, Subset } from "./dataset.js";

/**
 * Splits a dataset into non-overlapping random subsets of the given lengths (counts, or fractions summing to 1),
 * as `random_split(dataset, lengths, generator)`.
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], generator?: Generator): Array<Subset<T>> {
  const n = dataset.length;
  let sizes = lengths.slice();
  const total = sizes.reduce((a, b) => a + b, 0);
  if (Math.abs(total - 1) < 1e-9 && total <= 1 && sizes.some((s) => !Number.isInteger(s) || s === 1)) {
    // Fractions: floor each, then hand out the remainder round-robin, as PyTorch does.
    sizes.forEach((f, i) => {
      if (f < 0 || f > 1) throw new RangeError(`randomSplit: Fraction at index ${i} is not between 0 and 1`);
    });
    sizes = sizes.map((f) => Math.floor(n * f));
    let rem = n - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; rem > 0; i = (i + 1) % sizes.length, rem--) sizes[i]++;
    sizes.forEach((s, i) => {
      if (s === 0) console.warn(`randomSplit: Length of split at index ${i} is 0. This might result in an empty dataset.`);
    });
  }
  if (sizes.reduce((a, b) => a + b, 0) !== n) {
    throw new Error("randomSplit: Sum of input lengths does not equal the length of the input dataset!");
  }
  const perm = Array.from(randperm(n, { generator }).toTypedArray());
  let off = 0;
  return sizes.map((s) => {
    const idx = perm.slice(off, off + s);
    off += s;
    return new Subset(dataset, idx);
  });
}
