import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.js";

/**
 * The test suites on the native backend (`bash scripts/test-backend.sh native`): every test file first imports
 * `torch-ts/node` with TORCH_TS_BACKEND=native, so the run fails at once if the addon is missing.
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      env: { TORCH_TS_BACKEND: "native" },
      setupFiles: ["test/native-setup.ts"],
    },
  }),
);
