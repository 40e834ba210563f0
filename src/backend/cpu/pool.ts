import type { PoolKernels } from "../interface/pool.js";
import { adaptiveMaxPool, maxPool } from "./max-pool.js";
import { adaptiveAvgPool, adaptiveAvgPoolBackward, avgPool, avgPoolBackward } from "./avg-pool.js";
import { poolGather, poolScatter, poolScatterAdd } from "./pool-index.js";
import { fractionalMaxPool, stochasticPoolIndices } from "./random-pool.js";

export const poolKernels: PoolKernels = {
  maxPool,
  avgPool,
  avgPoolBackward,
  adaptiveAvgPool,
  adaptiveAvgPoolBackward,
  adaptiveMaxPool,
  fractionalMaxPool,
  stochasticPoolIndices,
  poolScatter,
  poolScatterAdd,
  poolGather,
};
