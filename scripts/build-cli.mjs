#!/usr/bin/env node
// Prebuilds the command-line runner (and the explorer's worker) into build/cli/, one ES module
// each, so `sva-lab` starts without transpiling the TypeScript sources at every start (tsx
// takes most of a short run's time). Runs at `npm install` (the `prepare` script);
// bin/sva-lab.mjs falls back to the sources through tsx when the build is absent or older
// than them.
import { rmSync } from "node:fs";
import { build } from "esbuild";

rmSync("build/cli", { recursive: true, force: true });

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
