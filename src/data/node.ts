/** The Node-only part of `torch.utils.data`: DataLoader workers on `worker_threads`. */
export { workerDataset, WorkerDataset, WorkerPool } from "./worker-pool.js";
export type { WorkerDatasetOptions } from "./worker-pool.js";
