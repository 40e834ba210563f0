/**
 * `torch.utils.data` datasets: an indexable collection of samples (`getItem(i)`, `length`), as PyTorch's
 * map-style `Dataset` with `__getitem__`/`__len__`.
 */
export abstract class Dataset<T = unknown> {
  abstract getItem(index: number): T;
  abstract get length(): number;

  /** Iterates the samples in order. */
  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.length; i++) yield this.getItem(i);
  }

  /** Checks an index against the length, with PyTorch's wording. */
  protected checkIndex(index: number): number {
    const n = this.length;
    if (!Number.isInteger(index)) throw new TypeError(`${this.constructor.name}: index must be an integer, got ${index}`);
    const i = index < 0 ? index + n : index;
    if (i < 0 || i >= n) throw new RangeError(`${this.constructor.name}: index ${index} is out of range for a dataset of size ${n}`);
    return i;
  }
}

/** A dataset that yields samples from an iterator instead of by index, as `IterableDataset`. */
export abstract class IterableDataset<T = unknown> {
  abstract [Symbol.iterator](): Iterator<T>;
}

/** Samples of a subset of indices of another dataset, as `Subset`. */
export class Subset<T> extends Dataset<T> {
  constructor(
    readonly dataset: Dataset<T>,
    readonly indices: readonly number[],
  ) {
    super();
  }
  getItem(index: number): T {
    return this.dataset.getItem(this.indices[this.checkIndex(index)]);
  }
  get length(): number {
    return this.indices.length;
  }
}

/** Several datasets one after another, as `ConcatDataset`. */
export class ConcatDataset<T> extends Dataset<T> {
  readonly cumulativeSizes: number[];
  constructor(readonly datasets: Array<Dataset<T>>) {
    super();
    if (datasets.length === 0) throw new Error("ConcatDataset: datasets should not be an empty iterable");
    let acc = 0;
    this.cumulativeSizes = datasets.map((d) => (acc += d.length));
  }
  getItem(index: number): T {
    const i = this.checkIndex(index);
    let d = 0;
    while (i >= this.cumulativeSizes[d]) d++;
    return this.datasets[d].getItem(d === 0 ? i : i - this.cumulativeSizes[d - 1]);
  }
  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1];
  }
}
