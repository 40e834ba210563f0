import { Tensor } from "../tensor.js";
import { select } from "../ops/indexing.js";
import { Dataset } from "./dataset.js";

/** Samples are the i-th rows of each tensor, as `TensorDataset(*tensors)`. */
export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: Tensor[];
  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new Error("TensorDataset: expected at least one tensor");
    const n = tensors[0].shape[0];
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor) || t.dim() === 0) throw new TypeError(`TensorDataset: argument ${i} must be a tensor with at least 1 dim`);
      if (t.shape[0] !== n) throw new Error("Size mismatch between tensors");
    });
    this.tensors = tensors;
  }
  getItem(index: number): Tensor[] {
    const i = this.checkIndex(index);
    return this.tensors.map((t) => select(t, 0, i));
  }
  get length(): number {
    return this.tensors[0].shape[0];
  }
}
