/**
 * The platform-neutral half of `DataLoader`'s `numWorkers > 0`: what a worker backend provides (Node's
 * `worker_threads` in ./worker-pool.ts; Web Workers could provide the same) and the order-keeping prefetch
 * loop, which follows PyTorch's `_MultiProcessingDataLoaderIter`: task k goes to worker k mod numWorkers,
 * `prefetchFactor · numWorkers` tasks are in flight, one more is sent for each batch handed out, and batches
 * come out in sampler order. Nothing here imports Node.
 */

/** What a worker backend is started with, for one pass over the data (or for the loader's life). */
export interface WorkerStartOptions {
  numWorkers: number;
  /** Worker w seeds its default generator with `baseSeed + w`, as PyTorch's workers do. */
  baseSeed: bigint;
  /** Collate each task's samples into a batch (false: a task is one index and yields one sample). */
  autoCollate: boolean;
  /** The length of the loader's dataset; a worker whose rebuilt dataset differs fails. */
  datasetLength: number;
  /** Seconds to wait for one batch before failing (0: forever), as `DataLoader(timeout=…)`. */
  timeout: number;
}

/** Running workers: tasks go to a worker by index, results come back per worker in the order sent. */
export interface WorkerChannel {
  send(worker: number, task: number, indices: number[]): void;
  /** Blocks the calling thread until worker's result for `task` arrives; throws the worker's error. */
  receiveSync(worker: number, task: number): unknown;
  /** Waits (without blocking the event loop) for worker's result for `task`; rejects with the worker's error. */
  receive(worker: number, task: number): Promise<unknown>;
  /** Stops the workers; safe to call more than once. */
  close(): void;
  readonly closed: boolean;
}

/**
 * How `DataLoader` gets workers: an object that can rebuild the dataset in other threads. On Node,
 * `workerDataset(module, { export, args })` from "torch-ts/node" makes one.
 */
export interface WorkerBackend {
  /** Names the dataset source in error messages. */
  readonly description: string;
  /** The name under which the workers find a collate function (null: `defaultCollate`). */
  readonly collate: string | null;
  start(opts: WorkerStartOptions): WorkerChannel;
}

/** What `getWorkerInfo()` returns inside a worker, as PyTorch's `WorkerInfo`. */
export interface WorkerInfo {
  id: number;
  numWorkers: number;
  /** The seed of this worker's default generator: `baseSeed + id`. */
  seed: bigint;
  /** This worker's copy of the dataset (set once the factory has returned it). */
  dataset: unknown;
}

let workerInfo: WorkerInfo | null = null;

/**
 * Inside a DataLoader worker: its id, the worker count, its seed and its dataset; in the main thread: null.
 * As `torch.utils.data.get_worker_info()`; a dataset factory can use it to shard work.
 */
export function getWorkerInfo(): WorkerInfo | null {
  return workerInfo;
}

/** Set by the worker entry point; not for users. */
export function setWorkerInfo(info: WorkerInfo | null): void {
  workerInfo = info;
}

/**
 * Hands out batches from a `WorkerChannel` in task order while keeping `prefetchFactor · numWorkers` tasks in
 * flight. `tasks` yields the index lists (the batch sampler's output).
 */
export class PrefetchIterator<B> {
  private sent = 0;
  private received = 0;
  private exhausted = false;

  constructor(
    private readonly tasks: Iterator<number[]>,
    private readonly channel: WorkerChannel,
    private readonly numWorkers: number,
    private readonly prefetchFactor: number,
  ) {}

  private fill(): void {
    while (!this.exhausted && this.sent - this.received < this.prefetchFactor * this.numWorkers) {
      const r = this.tasks.next();
      if (r.done) {
        this.exhausted = true;
        break;
      }
      this.channel.send(this.sent % this.numWorkers, this.sent, r.value);
      this.sent++;
    }
  }

  /** The next batch, blocking until it is ready; `done` once the tasks are used up. */
  next(): IteratorResult<B> {
    this.fill();
    if (this.received === this.sent) return { done: true, value: undefined };
    const task = this.received;
    const value = this.channel.receiveSync(task % this.numWorkers, task) as B;
    this.received++;
    this.fill();
    return { done: false, value };
  }

  /** As `next`, waiting asynchronously. */
  async nextAsync(): Promise<IteratorResult<B>> {
    this.fill();
    if (this.received === this.sent) return { done: true, value: undefined };
    const task = this.received;
    const value = (await this.channel.receive(task % this.numWorkers, task)) as B;
    this.received++;
    this.fill();
    return { done: false, value };
  }
}
