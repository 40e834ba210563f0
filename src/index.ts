/**
 * torch-ts: PyTorch's `torch` for TypeScript. `import * as torch from "torch-ts"`.
 *
 * This entry point is the browser-safe core: it imports nothing from Node.
 */
import "./methods/core.js";
import "./methods/indexing.js";
import "./methods/reduce.js";
import "./methods/linalg.js";
import "./methods/random.js";
import "./methods/format.js";

export { Tensor, isTensor } from "./tensor.js";
export type { View } from "./tensor.js";
export * from "./dtype.js";
export { broadcastShapes, convOutputSize, convTransposeOutputSize, poolOutputSize } from "./layout.js";
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from "./autograd/grad-mode.js";
export * as autograd from "./autograd/index.js";
export { backend, setBackend } from "./backend/backend.js";
export type { Backend } from "./backend/backend.js";
export { setNumThreads, getNumThreads } from "./backend/threads.js";
export * as backends from "./backend/backends.js";

export * from "./ops/creation.js";
export * from "./ops/elementwise.js";
export * from "./ops/reduce.js";
export * from "./ops/indexing.js";
export * from "./ops/joining.js";
export * from "./ops/linalg.js";
export * from "./ops/random.js";
export * from "./random/generator.js";
export * from "./format.js";
export { view, reshape, expand, permute, transpose, t, squeeze, unsqueeze, flatten, unflatten, contiguous, clone } from "./ops/view.js";
export { to } from "./ops/cast.js";
export type { TensorLike } from "./ops/util.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export * from "./serialization/index.js";
export * as utils from "./utils.js";
