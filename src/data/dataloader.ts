import { type Generator, defaultGenerator } from "../random/generator.js";
import { Dataset, IterableDataset } from "./dataset.js";
import { BatchSampler, RandomSampler, SequentialSampler } from "./sampler.js";
import { defaultCollate } from "./collate.js";
import { PrefetchIterator, type WorkerBackend, type WorkerChannel } from "./prefetch.js";

export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1); null yields samples one by one without collation. */
  batchSize?: number | null;
  /** Reshuffle the indices every epoch (with `generator` when given, else the default generator). */
  shuffle?: boolean;
  /** Where indices come from (mutually exclusive with `shuffle`). */
  sampler?: Iterable<number> & { length?: number };
  /** Where lists of indices come from (mutually exclusive with batchSize, shuffle, sampler, dropLast). */
  batchSampler?: Iterable<number[]> & { length?: number };
  /**
   * Merges samples into a batch (default: `defaultCollate`). With `batchSize: null` it is applied to each
   * sample by itself (PyTorch's `default_convert` case), and the default passes samples through.
   */
  collateFn?: (samples: T[]) => B;
  /** Drop the last incomplete batch. */
  dropLast?: boolean;
  generator?: Generator;
  /**
   * Worker threads that load and collate batches ahead of the training loop (default 0: load in the calling
   * thread). Needs `workerDataset`, because workers rebuild the dataset instead of receiving it.
   */
  numWorkers?: number;
  /** Batches each worker loads ahead (default 2; only with numWorkers > 0). */
  prefetchFactor?: number;
  /**
   * How the workers rebuild the dataset: on Node, `workerDataset(new URL("./data.js", import.meta.url), { export,
   * args })` from "torch-ts/node". It must build the same dataset (same length and samples) as `dataset`.
   */
  workerDataset?: WorkerBackend;
  /** Seconds to wait for a batch from the workers before failing (default 0: no limit). */
  timeout?: number;
  /** Keep the workers (and their datasets) alive between epochs instead of starting them for each one. */
  persistentWorkers?: boolean;
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
  /** Whether the user gave `collateFn` (then it also converts single samples when batchSize is null). */
  private readonly customCollate: boolean;
  readonly numWorkers: number;
  readonly prefetchFactor: number | null;
  readonly workerDataset: WorkerBackend | null;
  readonly timeout: number;
  readonly persistentWorkers: boolean;
  readonly generator: Generator | undefined;
  private pool: WorkerChannel | null = null;

  constructor(
    readonly dataset: Dataset<T> | IterableDataset<T>,
    opts: DataLoaderOptions<T, B> = {},
  ) {
    const { shuffle = false, sampler, batchSampler, generator } = opts;
    this.numWorkers = opts.numWorkers ?? 0;
    if (!Number.isInteger(this.numWorkers) || this.numWorkers < 0) {
      throw new RangeError(`DataLoader: num_workers option should be non-negative; use numWorkers: 0 to disable multiprocessing (got ${opts.numWorkers})`);
    }
    this.timeout = opts.timeout ?? 0;
    if (!(this.timeout >= 0)) throw new RangeError("DataLoader: timeout option should be non-negative");
    if (this.numWorkers === 0 && opts.prefetchFactor !== undefined && opts.prefetchFactor !== 2) {
      throw new Error(
        "DataLoader: prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 to enable multiprocessing.",
      );
    }
    this.prefetchFactor = this.numWorkers > 0 ? (opts.prefetchFactor ?? 2) : null;
    if (this.prefetchFactor !== null && (!Number.isInteger(this.prefetchFactor) || this.prefetchFactor <= 0)) {
      throw new RangeError(`DataLoader: prefetchFactor must be a positive integer, got ${opts.prefetchFactor}`);
    }
    this.persistentWorkers = opts.persistentWorkers ?? false;
    if (this.persistentWorkers && this.numWorkers === 0) throw new Error("DataLoader: persistent_workers option needs num_workers > 0");
    this.workerDataset = opts.workerDataset ?? null;
    this.generator = generator;
    if (this.numWorkers > 0) {
      if (!this.workerDataset) {
        throw new Error(
          "DataLoader: numWorkers > 0 needs the workerDataset option: worker threads cannot receive the dataset object, so each one " +
            'rebuilds it from a module (on Node: workerDataset(new URL("./data.js", import.meta.url), { export: "makeDataset" }) ' +
            'from "torch-ts/node"). Or load in this thread with numWorkers: 0.',
        );
      }
      if (dataset instanceof IterableDataset) throw new Error("DataLoader: numWorkers > 0 is not supported for an IterableDataset; use numWorkers: 0");
      if (opts.collateFn && !this.workerDataset.collate) {
        throw new Error(
          "DataLoader: with numWorkers > 0 the workers collate, and a collateFn cannot be sent to them; export it from the " +
            "dataset module and name it in workerDataset(…, { collate: \"exportName\" })",
        );
      }
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
    this.customCollate = opts.collateFn !== undefined;
  }

  /** A sample as yielded without automatic batching: through `collateFn` when one was given, as PyTorch does. */
  private convert(sample: T): B {
    return this.customCollate ? (this.collateFn as unknown as (s: T) => B)(sample) : (sample as unknown as B);
  }

  /** Number of batches (or samples when batchSize is null), as `len(loader)`. */
  get length(): number {
    if (this.dataset instanceof IterableDataset) throw new TypeError("DataLoader: an IterableDataset has no length");
    const src = this.batchSampler ?? this.sampler!;
    if (src.length === undefined) throw new TypeError("DataLoader: the sampler has no length");
    return src.length;
  }

  /**
   * Draws the iteration's base seed as PyTorch's iterator does (one int64 from the loader's generator, or
   * the default one), whatever numWorkers is, so the random stream — and the shuffle order — is the same with
   * and without workers. Worker w seeds its default generator with baseSeed + w.
   */
  private drawBaseSeed(): bigint {
    return (this.generator ?? defaultGenerator).random64() % (1n << 63n);
  }

  /** Starts (or, with persistent workers, reuses) the workers and returns the prefetching iterator. */
  private startWorkers(baseSeed: bigint): PrefetchIterator<B> {
    const backend = this.workerDataset!;
    if (!this.pool || this.pool.closed) {
      this.pool = backend.start({
        numWorkers: this.numWorkers,
        baseSeed,
        autoCollate: this.batchSampler !== null,
        datasetLength: (this.dataset as Dataset<T>).length,
        timeout: this.timeout,
      });
    }
    const tasks = this.batchSampler ? this.batchSampler[Symbol.iterator]() : indexTasks(this.sampler!);
    return new PrefetchIterator<B>(tasks, this.pool, this.numWorkers, this.prefetchFactor!);
  }

  /**
   * Ends the iteration's use of the workers: stops them unless they persist and the epoch ran to its end
   * (an abandoned epoch leaves tasks in flight, so its workers are not reused).
   */
  private releaseWorkers(finished: boolean): void {
    if (this.pool && (!this.persistentWorkers || !finished)) {
      this.pool.close();
      this.pool = null;
    }
  }

  /** Stops persistent workers (they are also stopped when the process exits). */
  shutdownWorkers(): void {
    this.pool?.close();
    this.pool = null;
  }

  *[Symbol.iterator](): Iterator<B> {
    const baseSeed = this.drawBaseSeed();
    if (this.numWorkers > 0) {
      const it = this.startWorkers(baseSeed);
      let finished = false;
      try {
        for (let r = it.next(); !r.done; r = it.next()) yield r.value;
        finished = true;
      } finally {
        this.releaseWorkers(finished);
      }
      return;
    }
    if (this.dataset instanceof IterableDataset) {
      yield* this.iterateStream(this.dataset);
      return;
    }
    const ds = this.dataset as Dataset<T>;
    if (this.batchSampler) {
      for (const indices of this.batchSampler) yield this.collateFn(indices.map((i) => ds.getItem(i)));
    } else {
      for (const i of this.sampler!) yield this.convert(ds.getItem(i));
    }
  }

  private *iterateStream(ds: IterableDataset<T>): IterableIterator<B> {
    if (this.batchSize === null) {
      for (const s of ds) yield this.convert(s);
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
    if (this.numWorkers === 0) {
      for (const b of this) yield b;
      return;
    }
    const it = this.startWorkers(this.drawBaseSeed());
    let finished = false;
    try {
      for (let r = await it.nextAsync(); !r.done; r = await it.nextAsync()) yield r.value;
      finished = true;
    } finally {
      this.releaseWorkers(finished);
    }
  }
}

function* indexTasks(sampler: Iterable<number>): Iterator<number[]> {
  for (const i of sampler) yield [i];
}
