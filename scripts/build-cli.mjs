#!/usr/bin/env node
// Prebuilds the command-line runner (and the explorer's worker) into build/cli/, one ES module
// each, so `sva-lab` starts without transpiling the TypeScript sources at every start (tsx
// takes most of a short run's time). Runs at `npm install` (the `prepare` script);
// bin/sva-lab.mjs falls back to the sources through tsx when the build is absent or older
// than them.
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
process.chdir(root);
rmSync("build/cli", { recursive: true, force: true });

try {
  const { build } = await import("esbuild");
  await build({
    entryPoints: { main: "src/cli/main.ts", "explore-worker": "src/explorer/node-worker.ts" },
    outdir: "build/cli",
    outExtension: { ".js": ".mjs" },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "bundle",
    logLevel: "warning",
    // Bundled CommonJS dependencies may still call require().
    banner: {
      js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);',
    },
  });
} catch (e) {
  // An install must not fail for want of the build: the runner then uses the sources.
  rmSync("build/cli", { recursive: true, force: true });
  console.warn(
    `sva-lab: the runner was not prebuilt (${e instanceof Error ? e.message : e}); it will run from the sources`,
  );
}
