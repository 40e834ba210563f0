import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The differential suite talks to one PyTorch process per worker; two cores, two workers.
    poolOptions: { threads: { maxThreads: 2, minThreads: 1 }, forks: { maxForks: 2, minForks: 1 } },
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
