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

export default defineConfig({
  plugins: [react(), tailwindcss(), contentSecurityPolicy(), publishedDocs()],
  base: "./",
  build: { target: "es2022", sourcemap: false, chunkSizeWarningLimit: 600 },
  worker: { format: "es" },
});
