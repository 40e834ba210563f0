/** `torch.nn.functional`: the ops under PyTorch's names. */
export * from "./conv.js";
export * from "./pool.js";
export * from "./activation.js";
export * from "./linear.js";
