/**
 * torch-ts's Node entry point (`import { save, load } from "torch-ts/node"`): what needs the file system.
 * The core entry (`torch-ts`) stays browser-safe.
 */
export { save, load } from "./serialization/node.js";
export type { SaveOptions } from "./serialization/node.js";
export * from "./data/node.js";
