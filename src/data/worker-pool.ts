/**
 * DataLoader workers on Node's `worker_threads`. A worker cannot receive the dataset object (functions and
 * class instances do not cross threads), so each one rebuilds it: it imports a module and calls one of its
 * exports, a dataset factory, with structured-cloneable arguments (`workerDataset(module, { export, args })`).
 *
 * Waiting works from synchronous code too: each worker posts on its own MessageChannel and bumps a shared
 * counter; the main thread takes messages with `receiveMessageOnPort` and sleeps in `Atomics.wait` on the
 * counter, so `for (const batch of loader)` needs no `await`. Workers are `unref`'d (an abandoned iterator
 * cannot keep the process alive) and terminated when the iteration ends, breaks or throws.
 */
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort } from "node:worker_threads";
import { unpackBatch } from "./batch-transfer.js";
import type { WorkerBackend, WorkerChannel, WorkerStartOptions } from "./prefetch.js";
import type { WorkerBoot, WorkerMessage } from "./worker.js";

/** `Atomics.waitAsync` (Node 16+; TypeScript's ES2022 lib does not declare it). */
const waitAsync = (Atomics as unknown as {
  waitAsync(a: Int32Array, index: number, value: number, timeout: number): { async: boolean; value: Promise<string> | string };
}).waitAsync;

/** How long one `Atomics.wait` lasts before the loop checks timeouts again, in ms. */
const POLL_MS = 1000;

function workerError(id: number, msg: Extract<WorkerMessage, { kind: "error" }>, where: string): Error {
  // PyTorch's wording ("Caught ValueError in DataLoader worker process 0. Original Traceback …").
  const e = new Error(`Caught ${msg.name} in DataLoader worker ${id}${where}.\nOriginal ${msg.stack}`);
  e.name = msg.name;
  return e;
}

/** The running workers of one DataLoader iteration (or of a loader with persistent workers). */
export class WorkerPool implements WorkerChannel {
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly ready: boolean[] = [];
  private readonly threadIds: number[] = [];
  /** Exit codes seen through the Worker 'exit' event (async waits only). */
  private readonly exited: Array<number | null> = [];
  private readonly errors: Array<Error | null> = [];
  private readonly signal: Int32Array;
  private _closed = false;

  constructor(
    private readonly spec: WorkerDataset,
    private readonly opts: WorkerStartOptions,
  ) {
    const n = opts.numWorkers;
    this.signal = new Int32Array(new SharedArrayBuffer(4 * (1 + n)));
    const entry = new URL("./worker.js", import.meta.url);
    for (let id = 0; id < n; id++) {
      const { port1, port2 } = new MessageChannel();
      const boot: WorkerBoot = {
        module: spec.module,
        exportName: spec.exportName,
        args: spec.args,
        collate: spec.collate,
        id,
        numWorkers: n,
        seed: opts.baseSeed + BigInt(id),
        autoCollate: opts.autoCollate,
        port: port2,
        signal: this.signal,
      };
      let worker: Worker;
      try {
        worker = new Worker(entry, { workerData: boot, transferList: [port2] });
      } catch (e) {
        this.close();
        throw new Error(`DataLoader: could not start worker ${id} (${entry.href}): ${(e as Error).message}`);
      }
      worker.unref();
      port1.unref();
      this.exited.push(null);
      this.errors.push(null);
      this.ready.push(false);
      // Without listeners an uncaught worker error would be rethrown in this thread, outside any iteration.
      worker.on("error", (e) => (this.errors[id] = e));
      worker.on("exit", (code) => (this.exited[id] = code));
      this.workers.push(worker);
      this.threadIds.push(worker.threadId);
      this.ports.push(port1);
    }
  }

  get closed(): boolean {
    return this._closed;
  }

  send(worker: number, task: number, indices: number[]): void {
    if (this._closed) throw new Error("DataLoader: the worker pool is closed");
    this.ports[worker].postMessage({ task, indices });
  }

  /** Handles one message of `worker`; returns the batch when it is `task`'s result. */
  private handle(worker: number, task: number, msg: WorkerMessage): { value: unknown } | null {
    if (msg.kind === "ready") {
      this.ready[worker] = true;
      if (msg.length !== this.opts.datasetLength) {
        throw new Error(
          `DataLoader worker ${worker}: ${this.spec.description} built a dataset of length ${msg.length}, ` +
            `but the DataLoader's dataset has length ${this.opts.datasetLength}; the factory must rebuild the same dataset`,
        );
      }
      return null;
    }
    if (msg.kind === "error") {
      throw workerError(worker, msg, msg.task === null ? (this.ready[worker] ? "" : ` while building its dataset (${this.spec.description})`) : "");
    }
    if (msg.task !== task) throw new Error(`DataLoader worker ${worker}: expected the result of task ${task}, got task ${msg.task}`);
    return { value: unpackBatch(msg.value) };
  }

  /**
   * Throws when `worker` has died (seen through shared memory, or the exit event in async waits), after one
   * last look for what it posted before dying (its error, usually).
   */
  private checkAlive(worker: number, task: number): { value: unknown } | null {
    const fromSignal = Atomics.load(this.signal, 1 + worker);
    const code = fromSignal > 0 ? fromSignal - 1 : this.exited[worker];
    const err = this.errors[worker];
    if (code === null && !err) return null;
    const r = this.poll(worker, task);
    if (r) return r;
    const why = err ? `: ${err.message}` : ` with exit code ${code}`;
    throw new Error(`DataLoader worker ${worker} (thread ${this.threadIds[worker]}) exited unexpectedly${why}`);
  }

  private deadline(): number {
    return this.opts.timeout > 0 ? Date.now() + this.opts.timeout * 1000 : Infinity;
  }

  private timedOut(): Error {
    return new Error(`DataLoader timed out after ${this.opts.timeout} seconds`);
  }

  private poll(worker: number, task: number): { value: unknown } | null {
    for (;;) {
      const m = receiveMessageOnPort(this.ports[worker]);
      if (!m) return null;
      const r = this.handle(worker, task, m.message as WorkerMessage);
      if (r) return r;
    }
  }

  receiveSync(worker: number, task: number): unknown {
    const deadline = this.deadline();
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      const r = this.poll(worker, task) ?? this.checkAlive(worker, task);
      if (r) return r.value;
      const left = deadline - Date.now();
      if (left <= 0) throw this.timedOut();
      Atomics.wait(this.signal, 0, seen, Math.min(left, POLL_MS));
    }
  }

  async receive(worker: number, task: number): Promise<unknown> {
    const deadline = this.deadline();
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      const r = this.poll(worker, task) ?? this.checkAlive(worker, task);
      if (r) return r.value;
      const left = deadline - Date.now();
      if (left <= 0) throw this.timedOut();
      const w = waitAsync(this.signal, 0, seen, Math.min(left, POLL_MS));
      if (w.async) {
        // A pending waitAsync does not keep Node's event loop alive (and the workers are unref'd); without
        // this timer an awaited loop would end the process with "unsettled top-level await".
        const keepAlive = setTimeout(() => undefined, POLL_MS + 1000);
        try {
          await w.value;
        } finally {
          clearTimeout(keepAlive);
        }
      }
    }
  }

  close(): void {
    if (this._closed) return;
    this._closed = true;
    for (const p of this.ports) p.close();
    for (const w of this.workers) w.terminate().catch(() => undefined);
  }
}

export interface WorkerDatasetOptions {
  /** The export to call (default "default"). */
  export?: string;
  /** Arguments for the factory; they are structured-cloned into each worker. */
  args?: unknown[];
  /** The export that collates samples into a batch, when the DataLoader has a custom `collateFn`. */
  collate?: string | null;
}

/** A dataset that worker threads can rebuild: see {@link workerDataset}. */
export class WorkerDataset implements WorkerBackend {
  readonly module: string;
  readonly exportName: string;
  readonly args: unknown[];
  readonly collate: string | null;

  constructor(module: string | URL, opts: WorkerDatasetOptions = {}) {
    this.module = moduleURL(module);
    this.exportName = opts.export ?? "default";
    this.args = opts.args ?? [];
    this.collate = opts.collate ?? null;
    try {
      structuredClone(this.args);
    } catch (e) {
      throw new TypeError(`workerDataset: args must be structured-cloneable (strings, numbers, arrays, plain objects, …): ${(e as Error).message}`);
    }
  }

  get description(): string {
    return `${this.module}#${this.exportName}`;
  }

  /** Builds the dataset in this thread, exactly as the workers do. */
  async load<T = unknown>(): Promise<T> {
    const mod = (await import(this.module)) as Record<string, unknown>;
    const factory = mod[this.exportName];
    if (typeof factory !== "function") throw new TypeError(`workerDataset: ${this.module} has no function export ${JSON.stringify(this.exportName)}`);
    return (await factory(...this.args)) as T;
  }

  start(opts: WorkerStartOptions): WorkerChannel {
    return new WorkerPool(this, opts);
  }
}

function moduleURL(module: string | URL): string {
  const href = module instanceof URL ? module.href : /^(file|data):/.test(module) ? module : null;
  if (href === null && !isAbsolute(module as string) && !/^\.\.?[/\\]/.test(module as string)) {
    throw new TypeError(
      `workerDataset: expected a file path or URL for the dataset module, got ${JSON.stringify(module)}; ` +
        `pass new URL("./datasets.js", import.meta.url)`,
    );
  }
  const url = href ?? pathToFileURL(resolve(module as string)).href;
  if (url.startsWith("file:") && !existsSync(fileURLToPath(url))) throw new Error(`workerDataset: ${fileURLToPath(url)} does not exist`);
  return url;
}

/**
 * Describes how DataLoader worker threads rebuild a dataset: each worker imports `module` (a URL or a file
 * path; relative paths are taken from the current directory) and calls its export `export` (default
 * "default") with `args`. The factory may be async; `getWorkerInfo()` tells it which worker it runs in.
 *
 * @example
 * // datasets.js
 * export function fashion(root) {
 *   return new FashionMNIST(root, { transform: new Compose([new ToTensor(), new Normalize([0.286], [0.353])]) });
 * }
 * // train.js
 * const source = workerDataset(new URL("./datasets.js", import.meta.url), { export: "fashion", args: [root] });
 * const loader = new DataLoader(await source.load(), { batchSize: 64, shuffle: true, numWorkers: 4, workerDataset: source });
 */
export function workerDataset(module: string | URL, opts: WorkerDatasetOptions = {}): WorkerDataset {
  return new WorkerDataset(module, opts);
}
