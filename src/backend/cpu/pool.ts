import type { PoolKernels } from "../interface/pool.js";

export const poolKernels: PoolKernels = {};
