import type { IndexingKernels } from "../interface/indexing.js";

export const indexingKernels: IndexingKernels = {};
