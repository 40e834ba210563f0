import type { Tensor } from "../../tensor.js";
import { normalizeDim } from "../../layout.js";
import { max } from "../../ops/extrema.js";
import { narrow } from "../../ops/indexing.js";
import { reshape } from "../../ops/view.js";
import { checkTensor } from "../../ops/util.js";

/**
 * Maxout (Goodfellow et al. 2013) in ConvNetJS's layout: the maximum over consecutive groups of `groupSize`
 * entries along `dim`; `floor(C/groupSize)` outputs, trailing entries that fill no group are dropped. The
 * gradient goes to the first maximum of each group. Not in PyTorch (pytorch/pytorch#805).
 *
 * Shape: `(*, C, *) → (*, ⌊C/groupSize⌋, *)`.
 *
 * @example
 * F.maxout(torch.tensor([[1, 5, 3, 2]]), 2) // tensor([[5, 3]])
 */
export function maxout(input: Tensor, groupSize = 2, dim = 1): Tensor {
  checkTensor(input, "maxout");
  if (!Number.isInteger(groupSize) || groupSize < 1) {
    throw new RangeError(`maxout: groupSize must be a positive integer, got ${groupSize}`);
  }
  const d = normalizeDim(dim, input.dim(), "maxout");
  const c = input.dim() === 0 ? 1 : input.shape[d];
  const out = Math.floor(c / groupSize);
  if (out === 0) {
    throw new Error(`maxout: dimension ${d} has size ${c}, smaller than the group size ${groupSize}`);
  }
  const x = out * groupSize === c ? input : narrow(input, d, 0, out * groupSize);
  const grouped = reshape(x, [...x.shape.slice(0, d), out, groupSize, ...x.shape.slice(d + 1)]);
  return max(grouped, d + 1).values;
}
