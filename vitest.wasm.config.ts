import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.js";

/**
 * Test suites on the WebAssembly backend (`npx vitest run --config vitest.wasm.config.ts test/diff-conv.test.ts
 * …`): every test file first imports `torch-ts/node` with TORCH_TS_BACKEND=wasm and fails at once if
 * the kernels did not load.
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      env: { TORCH_TS_BACKEND: "wasm" },
      setupFiles: ["test/wasm-setup.ts"],
    },
  }),
);
