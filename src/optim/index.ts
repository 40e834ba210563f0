/** `torch.optim`: optimizers and, under `lrScheduler`, learning-rate schedulers. */
export { Optimizer, type ParamGroup, type ParamGroupInput, type Params, type OptimizerStateDict } from "./optimizer.js";
export { SGD, type SGDOptions, type SGDState } from "./sgd.js";
export { Adam, AdamW, type AdamOptions, type AdamState } from "./adam.js";
export { RMSprop, type RMSpropOptions, type RMSpropState } from "./rmsprop.js";
export { Adagrad, type AdagradOptions, type AdagradState } from "./adagrad.js";
export { Adadelta, type AdadeltaOptions, type AdadeltaState } from "./adadelta.js";
export * as lrScheduler from "./lr-scheduler/index.js";
/** PyTorch's spelling, `torch.optim.lr_scheduler`, for line-by-line ports. */
export * as lr_scheduler from "./lr-scheduler/index.js";
