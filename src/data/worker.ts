/**
 * Entry point of a DataLoader worker thread (Node). It seeds the default generator, imports the dataset
 * module, calls the factory export to rebuild the dataset, then answers `{task, indices}` messages with
 * `{task, value}` (the collated, packed batch) or `{task, error}`, in the order received. After each message it
 * bumps a shared counter so the main thread, which may be blocked in `Atomics.wait`, wakes up; on exit it
 * marks itself dead in the same shared memory, so a blocked main thread notices a worker that died.
 */
import { type MessagePort, workerData } from "node:worker_threads";
// The whole core, for its side effects: Tensor methods are installed by the entry module, and a dataset module
// that imports only "torch-ts/vision" must still find them in this thread.
import "../index.js";
import { manualSeed } from "../random/generator.js";
import { defaultCollate } from "./collate.js";
import { packBatch } from "./batch-transfer.js";
import { setWorkerInfo } from "./prefetch.js";
import type { Dataset } from "./dataset.js";

/** What the pool hands each worker (see ./worker-pool.ts). */
export interface WorkerBoot {
  module: string;
  exportName: string;
  args: unknown[];
  collate: string | null;
  id: number;
  numWorkers: number;
  seed: bigint;
  autoCollate: boolean;
  port: MessagePort;
  /** [0]: message counter; [1 + id]: exit code + 1 once this worker has exited. */
  signal: Int32Array;
}

export type WorkerMessage =
  | { kind: "ready"; length: number }
  | { kind: "result"; task: number; value: unknown }
  | { kind: "error"; task: number | null; name: string; message: string; stack: string };

const boot = workerData as WorkerBoot;

function notify(): void {
  Atomics.add(boot.signal, 0, 1);
  Atomics.notify(boot.signal, 0);
}

function post(msg: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  boot.port.postMessage(msg, transfer);
  notify();
}

function postError(task: number | null, e: unknown): void {
  const err = e instanceof Error ? e : new Error(String(e));
  post({ kind: "error", task, name: err.name, message: err.message, stack: err.stack ?? `${err.name}: ${err.message}` });
}

process.on("exit", (code) => {
  Atomics.store(boot.signal, 1 + boot.id, code + 1);
  notify();
});
process.on("uncaughtException", (e) => {
  postError(null, e);
  process.exit(1);
});

async function main(): Promise<void> {
  manualSeed(boot.seed);
  setWorkerInfo({ id: boot.id, numWorkers: boot.numWorkers, seed: boot.seed, dataset: null });
  let dataset: Dataset<unknown>;
  let collate: (samples: unknown[]) => unknown = defaultCollate;
  try {
    const mod = (await import(boot.module)) as Record<string, unknown>;
    const factory = mod[boot.exportName];
    if (typeof factory !== "function") {
      throw new TypeError(`${boot.module} has no function export ${JSON.stringify(boot.exportName)} (exports: ${Object.keys(mod).join(", ") || "none"})`);
    }
    dataset = (await factory(...boot.args)) as Dataset<unknown>;
    if (!dataset || typeof dataset.getItem !== "function" || typeof dataset.length !== "number") {
      throw new TypeError(`${boot.module}#${boot.exportName} returned ${dataset === null ? "null" : typeof dataset}, not a map-style Dataset (getItem, length)`);
    }
    if (boot.collate !== null) {
      const c = mod[boot.collate];
      if (typeof c !== "function") throw new TypeError(`${boot.module} has no function export ${JSON.stringify(boot.collate)} to collate with`);
      collate = c as typeof collate;
    }
  } catch (e) {
    postError(null, e);
    return;
  }
  setWorkerInfo({ id: boot.id, numWorkers: boot.numWorkers, seed: boot.seed, dataset });
  post({ kind: "ready", length: dataset.length });
  boot.port.on("message", ({ task, indices }: { task: number; indices: number[] }) => {
    try {
      const samples = indices.map((i) => dataset.getItem(i));
      const transfer: ArrayBuffer[] = [];
      // Without automatic batching a named collate export still converts each sample, as PyTorch's collate_fn does.
      const batch = boot.autoCollate ? collate(samples) : boot.collate !== null ? (collate as (s: unknown) => unknown)(samples[0]) : samples[0];
      const value = packBatch(batch, transfer);
      post({ kind: "result", task, value }, transfer);
    } catch (e) {
      postError(task, e);
    }
  });
}

void main();
