/**
 * torch-ts's Node entry point (`import { save, load } from "torch-ts/node"`): what needs the file system
 * or native code. The core entry (`torch-ts`) stays browser-safe.
 *
 * Importing it also loads the native (oneDNN) backend and makes it the one ops run on when it loads
 * (`TORCH_TS_BACKEND=native|js` chooses; see src/backend/native/activate.ts and native/README.md), and
 * gives kernel outputs uninitialized memory (src/node-memory.ts).
 */
import "./node-memory.js";
import "./backend/native/activate.js";
export { save, load } from "./serialization/node.js";
export type { SaveOptions } from "./serialization/node.js";
export * from "./data/node.js";
