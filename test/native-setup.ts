/** Setup of vitest.native.config.ts: activates the native backend before each test file runs. */
import "../src/node.js";
import { backends } from "../src/index.js";

if (backends.current() !== "native") {
  throw new Error(`native test run: expected the native backend, but ops run on '${backends.current()}'`);
}
