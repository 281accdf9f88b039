// Browser tests: serves the built page (npm run build first), drives Chromium through
// playwright-core, and ends with the line "N passed, M failed" (exit status 1 on a failure).
//
// Each e2e/*.e2e.mjs exports `default` an array of { name, run(page, ctx), viewport? }.
// Every test gets a fresh browser context; a console error or an uncaught page error fails it.
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { launchChromium } from "./lib/chromium.mjs";
import { fragmentOf, ROOT, runJson } from "./lib/runner.mjs";
import { serve } from "./lib/server.mjs";

const LIFECYCLE = "src/scenario/library/lifecycle.json";
// E2E_DIST: test another build (two people building at once need not share dist/).
const dist = process.env.E2E_DIST ? resolve(process.env.E2E_DIST) : join(ROOT, "dist");
if (!existsSync(join(dist, "index.html"))) {
  console.error("dist/index.html is missing: run `npm run build` first");
  process.exit(2);
}

/** The newest modification time under `dir`. */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
if (newest(join(ROOT, "src")) > statSync(join(dist, "index.html")).mtimeMs) {
  console.warn("warning: src/ changed after the last build; the page under test may not match the runner");
}

const only = process.argv[2];
const files = readdirSync(join(ROOT, "e2e"))
  .filter((f) => f.endsWith(".e2e.mjs"))
  .sort();
const tests = [];
for (const f of files) {
  const mod = await import(pathToFileURL(join(ROOT, "e2e", f)).href);
  for (const t of mod.default) tests.push({ ...t, file: f });
}

const screenshots = join(ROOT, "e2e", "screenshots");
mkdirSync(screenshots, { recursive: true });

const server = await serve(dist);
const ctx = {
  base: server.url,
  root: ROOT,
  screenshots,
  lifecycle: LIFECYCLE,
  expected: runJson(LIFECYCLE),
  fragment: fragmentOf(LIFECYCLE),
  runJson,
  fragmentOf,
};

const browser = await launchChromium();

let passed = 0;
let failed = 0;
for (const t of tests) {
  if (only && !t.name.includes(only)) continue;
  const context = await browser.newContext({ viewport: t.viewport ?? { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const problems = [];
  page.on("console", (m) => {
    // The repository has no favicon yet (public/ is not the page's to fill); the 404 is not the page's fault.
    if (m.type() === "error" && !m.location().url?.endsWith("/favicon.ico")) {
      problems.push(`console error: ${m.text()} (${m.location().url ?? "?"})`);
    }
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  const started = Date.now();
  try {
    await t.run(page, { ...ctx, context });
    if (problems.length > 0) throw new Error(problems.join("\n    "));
    passed += 1;
    console.log(`✓ ${t.name} (${Date.now() - started} ms)`);
  } catch (e) {
    failed += 1;
    console.log(
      `✗ ${t.name} [${t.file}]\n    ${String(e?.stack ?? e)
        .split("\n")
        .slice(0, 6)
        .join("\n    ")}`,
    );
  } finally {
    await context.close();
  }
}

await browser.close();
await server.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
