import type { LinalgKernels } from "../interface/linalg.js";

export const linalgKernels: LinalgKernels = {};
