import type { Backend } from "../backend.js";
import { coreKernels } from "./core.js";
import { reduceKernels } from "./reduce.js";
import { linalgKernels } from "./linalg.js";
import { indexingKernels } from "./indexing.js";
import { convKernels } from "./conv.js";
import { poolKernels } from "./pool.js";
import { normKernels } from "./norm.js";
import { lossKernels } from "./loss.js";

/** The TypeScript reference backend: runs everywhere, and every other backend is tested against it. */
export const cpuBackend: Backend = {
  name: "cpu",
  ...coreKernels,
  ...reduceKernels,
  ...linalgKernels,
  ...indexingKernels,
  ...convKernels,
  ...poolKernels,
  ...normKernels,
  ...lossKernels,
};
