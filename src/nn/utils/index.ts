/** `torch.nn.utils`: gradient clipping and parameter/vector conversion. */
export { clipGradNorm_, clipGradValue_ } from "./clip-grad.js";
export { parametersToVector, vectorToParameters } from "./convert-parameters.js";
