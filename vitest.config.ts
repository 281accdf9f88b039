import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
    environment: "node",
    pool: "threads",
    // Exhaustive explorations take a few seconds on a loaded 2-core machine.
    testTimeout: 30_000,
  },
});
