/** `torch.utils.data`: datasets, samplers and the DataLoader. */
export { Dataset, IterableDataset, Subset, ConcatDataset } from "./dataset.js";
export { TensorDataset } from "./tensor-dataset.js";
export { randomSplit } from "./random-split.js";
export { Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler, BatchSampler } from "./sampler.js";
export { defaultCollate } from "./collate.js";
export { DataLoader } from "./dataloader.js";
export type { DataLoaderOptions } from "./dataloader.js";
export { getWorkerInfo } from "./prefetch.js";
export type { WorkerInfo, WorkerBackend, WorkerChannel, WorkerStartOptions } from "./prefetch.js";
