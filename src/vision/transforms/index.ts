/** `torchvision.transforms`: callable image transforms. */
export { Transform } from "./transform.js";
export type { TransformLike } from "./transform.js";
export { Compose } from "./compose.js";
export { Lambda } from "./lambda.js";
export { ToTensor, PILToTensor } from "./to-tensor.js";
export { Normalize } from "./normalize.js";
