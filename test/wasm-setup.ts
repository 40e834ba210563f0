/** Setup of vitest.wasm.config.ts: activates the WebAssembly backend before each test file runs. */
import "../src/node.js";
import { backends } from "../src/index.js";

if (backends.current() !== "wasm") {
  throw new Error(`wasm test run: expected the wasm backend, but ops run on '${backends.current()}' (${backends.wasm.unavailableReason()})`);
}
