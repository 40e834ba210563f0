/** `torch.nn.functional`: the ops under PyTorch's names. */
export * from "./conv.js";
export * from "./pool.js";
export * from "./activation.js";
export * from "./linear.js";
export * from "./loss.js";
export * from "./normalization.js";
export * from "./dropout.js";
/** `F.pad(input, pad, mode="constant", value=None)`: the same function as `torch.pad`. */
export { pad } from "../../ops/pad.js";
export type { PadMode } from "../../ops/pad.js";
