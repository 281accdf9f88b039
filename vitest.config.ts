import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
    environment: "node",
    pool: "threads",
    // Every driver design and the nested kernel, as the runner has them (the page loads them on demand).
    setupFiles: ["./src/kernel/all.ts"],
    // Exhaustive explorations take a few seconds on a loaded 2-core machine.
    testTimeout: 30_000,
  },
});
