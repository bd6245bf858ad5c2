import { defineConfig } from "vitest/config";
import { resolve } from "node:path";

export default defineConfig({
  resolve: { alias: { "@": resolve(import.meta.dirname) } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: [
            "lib/**/*.test.ts",
            "gateway/**/*.test.ts",
            "examples/**/*.test.ts",
            "components/**/*.test.ts",
            "bench/**/*.test.ts",
            "server/**/*.test.ts",
          ],
          environment: "node",
          // Not 5 s: on a shared 2-core machine (load 15 while helpers build) a CPU-bound property test of
          // ~1 s took over 5 s. A unit test that hangs still fails, after 30 s.
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/**/*.test.ts"],
          exclude: ["test/faults/**"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          // Fault injection (kills, restarts, network cuts) against real processes: docs/guarantees.md.
          name: "faults",
          include: ["test/faults/**/*.test.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
