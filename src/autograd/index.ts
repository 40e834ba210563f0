/** `torch.autograd`: the engine's entry points and the graph node types. */
export { backward, grad } from "./engine.js";
export type { BackwardOptions, GradOptions } from "./engine.js";
export { Node, AccumulateGrad } from "./node.js";
export { gradcheck } from "./gradcheck.js";
