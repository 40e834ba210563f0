/** `torch.nn`: modules, `functional` and `init`. */
export * from "./module.js";
export * from "./parameter.js";
export * from "./modules/index.js";
export * as functional from "./functional/index.js";
export * as init from "./init.js";
export * as utils from "./utils/index.js";
