/** Every layer module. */
export * from "./container.js";
export * from "./conv.js";
export * from "./pool.js";
export * from "./activation.js";
export * from "./linear.js";
export * from "./flatten.js";
