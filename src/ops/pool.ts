/** Every pooling op: max, average, unpooling, adaptive, power-average, fractional, stochastic and mixed. */
export * from "./max-pool.js";
export * from "./avg-pool.js";
export * from "./unpool.js";
export * from "./adaptive-pool.js";
export * from "./lp-pool.js";
export * from "./fractional-pool.js";
export * from "./stochastic-pool.js";
export * from "./mixed-pool.js";
export type { IntOrTuple } from "./pool-args.js";
