import type { Generator } from "../random/generator.js";
import { Dataset, IterableDataset } from "./dataset.js";
import { BatchSampler, RandomSampler, SequentialSampler } from "./sampler.js";
import { defaultCollate } from "./collate.js";

export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1); null yields samples one by one without collation. */
  batchSize?: number | null;
  /** Reshuffle the indices every epoch (with `generator` when given, else the default generator). */
  shuffle?: boolean;
  /** Where indices come from (mutually exclusive with `shuffle`). */
  sampler?: Iterable<number> & { length?: number };
  /** Where lists of indices come from (mutually exclusive with batchSize, shuffle, sampler, dropLast). */
  batchSampler?: Iterable<number[]> & { length?: number };
  /** Merges samples into a batch (default: `defaultCollate`). */
  collateFn?: (samples: T[]) => B;
  /** Drop the last incomplete batch. */
  dropLast?: boolean;
  generator?: Generator;
  /** Loader workers: 0 loads in the calling thread. */
  numWorkers?: number;
}

/**
 * Batches a dataset, as `torch.utils.data.DataLoader(dataset, batch_size=1, shuffle=False, …)`.
 * Iterate with `for (const [x, y] of loader)` or `for await`; `loader.length` is the number of batches.
 */
export class DataLoader<T = any, B = any> implements Iterable<B>, AsyncIterable<B> {
  readonly batchSize: number | null;
  readonly dropLast: boolean;
  readonly sampler: (Iterable<number> & { length?: number }) | null;
  readonly batchSampler: (Iterable<number[]> & { length?: number }) | null;
  readonly collateFn: (samples: T[]) => B;
  readonly numWorkers: number;

  constructor(
    readonly dataset: Dataset<T> | IterableDataset<T>,
    opts: DataLoaderOptions<T, B> = {},
  ) {
    const { shuffle = false, sampler, batchSampler, generator } = opts;
    this.numWorkers = opts.numWorkers ?? 0;
    if (!Number.isInteger(this.numWorkers) || this.numWorkers < 0) {
      throw new RangeError(`DataLoader: num_workers option should be non-negative; use numWorkers: 0 to disable multiprocessing (got ${opts.numWorkers})`);
    }
    if (this.numWorkers > 0) {
      throw new Error("DataLoader: numWorkers > 0 is not supported yet; batches load in the calling thread (numWorkers: 0)");
    }
    const bs = opts.batchSize === undefined ? 1 : opts.batchSize;
    if (bs !== null && (!Number.isInteger(bs) || bs <= 0)) {
      throw new RangeError(`DataLoader: batch_size should be a positive integer value, but got batch_size=${bs}`);
    }
    const isIterable = dataset instanceof IterableDataset;
    if (isIterable && (shuffle || sampler || batchSampler)) {
      throw new Error(`DataLoader with IterableDataset: expected unspecified shuffle, sampler and batch_sampler options`);
    }
    if (sampler && shuffle) throw new Error("sampler option is mutually exclusive with shuffle");
    if (batchSampler && (opts.batchSize !== undefined || shuffle || sampler || opts.dropLast)) {
      throw new Error("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last");
    }
    this.dropLast = opts.dropLast ?? false;
    this.batchSize = batchSampler ? null : bs;
    if (isIterable) {
      this.sampler = null;
    } else {
      const ds = dataset as Dataset<T>;
      this.sampler = sampler ?? (shuffle ? new RandomSampler(ds, { generator }) : new SequentialSampler(ds));
    }
    this.batchSampler =
      batchSampler ?? (this.sampler && this.batchSize !== null ? new BatchSampler(this.sampler, this.batchSize, this.dropLast) : null);
    this.collateFn = opts.collateFn ?? (defaultCollate as (s: T[]) => B);
  }

  /** Number of batches (or samples when batchSize is null), as `len(loader)`. */
  get length(): number {
    if (this.dataset instanceof IterableDataset) throw new TypeError("DataLoader: an IterableDataset has no length");
    const src = this.batchSampler ?? this.sampler!;
    if (src.length === undefined) throw new TypeError("DataLoader: the sampler has no length");
    return src.length;
  }

  *[Symbol.iterator](): Iterator<B> {
    if (this.dataset instanceof IterableDataset) {
      yield* this.iterateStream(this.dataset);
      return;
    }
    const ds = this.dataset as Dataset<T>;
    if (this.batchSampler) {
      for (const indices of this.batchSampler) yield this.collateFn(indices.map((i) => ds.getItem(i)));
    } else {
      for (const i of this.sampler!) yield ds.getItem(i) as unknown as B;
    }
  }

  private *iterateStream(ds: IterableDataset<T>): IterableIterator<B> {
    if (this.batchSize === null) {
      yield* ds as unknown as Iterable<B>;
      return;
    }
    let batch: T[] = [];
    for (const s of ds) {
      batch.push(s);
      if (batch.length === this.batchSize) {
        yield this.collateFn(batch);
        batch = [];
      }
    }
    if (batch.length && !this.dropLast) yield this.collateFn(batch);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<B> {
    for (const b of this) yield b;
  }
}
