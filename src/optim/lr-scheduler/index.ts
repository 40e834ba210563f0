/** `torch.optim.lr_scheduler`: learning-rate schedules driven by `step()` after each epoch (or batch). */
export { LRScheduler } from "./lr-scheduler.js";
export { LambdaLR, type LrLambda } from "./lambda-lr.js";
export { MultiplicativeLR } from "./multiplicative-lr.js";
export { StepLR } from "./step-lr.js";
export { MultiStepLR } from "./multi-step-lr.js";
export { ConstantLR } from "./constant-lr.js";
export { LinearLR, type LinearLROptions } from "./linear-lr.js";
export { ExponentialLR } from "./exponential-lr.js";
export { PolynomialLR } from "./polynomial-lr.js";
export { CosineAnnealingLR } from "./cosine-annealing-lr.js";
export { ChainedScheduler } from "./chained-scheduler.js";
export { OneCycleLR, type OneCycleLROptions } from "./one-cycle-lr.js";
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from "./reduce-lr-on-plateau.js";
