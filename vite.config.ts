import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";
import { scenarioJsonSchemaText } from "./src/scenario/json-schema.ts";

/**
 * The Content-Security-Policy of the built page: nothing from a URL can run, and no inline
 * script or eval is allowed. Only in the build: the dev server injects an inline script for
 * hot reload, which this policy would block.
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

function contentSecurityPolicy(): Plugin {
  return {
    name: "sva-lab-csp",
    apply: "build",
    transformIndexHtml: () => [
      {
        tag: "meta",
        attrs: { "http-equiv": "Content-Security-Policy", content: CSP },
        injectTo: "head-prepend",
      },
    ],
  };
}

/**
 * The first download's chunks (the entry and `view`) start with V8's explicit compile hint:
 * Chromium then compiles every function of them in the background while they stream, rather
 * than each on the page's thread at its first call, in the page's first task (the modules'
 * evaluation, 90-250 ms when opening the large link). Added after minification, which would
 * drop the comment.
 */
function compileHints(): Plugin {
  return {
    name: "sva-lab-compile-hints",
    apply: "build",
    enforce: "post",
    generateBundle: {
      order: "post",
      handler(_options, bundle) {
        for (const chunk of Object.values(bundle))
          if (chunk.type === "chunk" && (chunk.isEntry || chunk.name === "view"))
            chunk.code = `//# allFunctionsCalledOnLoad\n${chunk.code}`;
      },
    },
  };
}

/**
 * Beside the page: the scenario format's JSON Schema, generated from the validator, and the
 * documentation (docs/), which the glossary's references link to. The dev server serves docs/
 * from the repository as it is.
 */
function publishedDocs(): Plugin {
  return {
    name: "sva-lab-docs",
    apply: "build",
    generateBundle() {
      this.emitFile({ type: "asset", fileName: "scenario.schema.json", source: scenarioJsonSchemaText() });
      const dir = fileURLToPath(new URL("./docs/", import.meta.url));
      for (const f of readdirSync(dir).filter((n) => n.endsWith(".md") || n.endsWith(".json"))) {
        this.emitFile({ type: "asset", fileName: `docs/${f}`, source: readFileSync(join(dir, f), "utf8") });
      }
    },
  };
}

/**
 * `vite build --mode gallery` (the second half of `npm run build`): the diagram gallery for
 * development (gallery.html, src/ui/gallery; docs/code-layout.md), built into the same dist/
 * beside the page, its scripts under dist/gallery/. A build of its own rather than a second
 * entry of the page's: two entries sharing modules cut the page's first download into more
 * chunks (`node scripts/bundle-size.mjs`: 193.7 → 196.4 kB gzip), while this one leaves the
 * page's build as it was.
 */
const GALLERY = "gallery";

export default defineConfig(({ mode }) => ({
  plugins: [
    react(),
    tailwindcss(),
    contentSecurityPolicy(),
    ...(mode === GALLERY ? [] : [publishedDocs(), compileHints()]),
  ],
  base: "./",
  build: {
    ...(mode === GALLERY ? { emptyOutDir: false, assetsDir: "gallery" } : {}),
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 600,
    // The UI imports every view model through src/view/index.ts, which only re-exports: marked
    // free of side effects, it pulls in none of them itself, so a view model stays in the chunk
    // of the views that use it.
    rolldownOptions: {
      ...(mode === GALLERY
        ? {
            input: fileURLToPath(new URL("./gallery.html", import.meta.url)),
            // The gallery imports the view models the page fetches with import() (path.ts) at
            // once: that the import() then moves nothing is as meant here.
            checks: { ineffectiveDynamicImport: false, pluginTimings: false },
          }
        : {}),
      treeshake: {
        moduleSideEffects: (id: string) => (/\/src\/view\/(index|model)\.ts$/.test(id) ? false : undefined),
      },
      output: {
        // The first download's view models (and the store and scenario modules they share with
        // the panels fetched later) in one chunk with what they import: left to itself the
        // bundler cut them into eight small chunks, 2 kB gzip more than the same code in one
        // (`node scripts/bundle-size.mjs`: 201.9 → 193.7 kB initial). A module named here must
        // be in the first download: the bundle-size check of `npm run test:e2e` says if not.
        codeSplitting: {
          groups: [
            {
              name: "view",
              test: /\/src\/(view\/(cache|caches|cmdq|format|kernel-state|memory|navigate|nested|per-world|ring|safeguards|same|selection|stream|swimlane|tlb|warm)|store\/url-sync|scenario\/json-form)\.ts$/,
            },
          ],
        },
      },
    },
  },
  worker: { format: "es" },
}));
