import { Tensor } from "../tensor.js";
import { stack } from "../ops/joining.js";
import { tensor } from "../ops/creation.js";

/**
 * Merges a list of samples into a batch, as `default_collate`: tensors are stacked on a new dim 0, numbers
 * become a tensor (int64 for integers, float64 for floats, bool for booleans — PyTorch's rules), arrays
 * (tuples) are collated position by position, plain objects key by key, strings stay a list.
 */
export function defaultCollate(batch: readonly unknown[]): any {
  if (batch.length === 0) throw new Error("defaultCollate: empty batch");
  const first = batch[0];
  if (first instanceof Tensor) {
    return stack(batch.map((b, i) => expectTensor(b, i)), 0);
  }
  if (typeof first === "number") {
    const allInts = batch.every((v) => typeof v === "number" && Number.isInteger(v));
    return tensor(batch as number[], { dtype: allInts ? "int64" : "float64" });
  }
  if (typeof first === "boolean") return tensor(batch as boolean[], { dtype: "bool" });
  if (typeof first === "string") return batch.slice();
  if (Array.isArray(first)) {
    const n = first.length;
    batch.forEach((b) => {
      if (!Array.isArray(b) || b.length !== n) throw new Error("each element in list of batch should be of equal size");
    });
    return Array.from({ length: n }, (_, k) => defaultCollate(batch.map((b) => (b as unknown[])[k])));
  }
  if (first !== null && typeof first === "object" && Object.getPrototypeOf(first) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first)) out[key] = defaultCollate(batch.map((b) => (b as Record<string, unknown>)[key]));
    return out;
  }
  throw new TypeError(
    `defaultCollate: batch must contain tensors, numbers, booleans, strings, arrays or plain objects; found ${first === null ? "null" : (first as object).constructor?.name ?? typeof first}`,
  );
}

function expectTensor(v: unknown, i: number): Tensor {
  if (!(v instanceof Tensor)) throw new TypeError(`defaultCollate: element ${i} of the batch is not a Tensor while element 0 is`);
  return v;
}
