// Browser tests: serves the built page (npm run build first), drives Chromium through
// playwright-core, and ends with the line "N passed, M failed" (exit status 1 on a failure).
//
// Each e2e/*.e2e.mjs exports `default` an array of { name, run(page, ctx), viewport?, dev?,
// init? }. Every test gets a fresh browser context; a console error or an uncaught page error
// fails it (a test that provokes one on purpose declares it in `ctx.allowConsoleError(re)`).
//
// Then the tests marked `dev: true` (the smoke pass: open, step, every panel tab, every dialog,
// the Lessons menu; the crashes the dev server alone showed) run again against the Vite dev
// server, as `npm start` serves the page (hot reload, StrictMode's double effects, React Refresh).
// A test marked `dev: "only"` runs on the dev server alone: the cheaper twin of a build test
// (the gallery's load check beside its SVG snapshot comparison).
// E2E_DEV=0 skips that pass; `node e2e/run.mjs <name part>` runs only the tests named so.
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { launchChromium } from "./lib/chromium.mjs";
import { fragmentOf, ROOT, runJson } from "./lib/runner.mjs";
import { serve, serveDev } from "./lib/server.mjs";

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

async function runOne(t, base, mode) {
  const context = await browser.newContext({ viewport: t.viewport ?? { width: 1280, height: 800 } });
  if (t.init) await context.addInitScript(t.init);
  const page = await context.newPage();
  page.setDefaultTimeout(mode === "dev" ? 20_000 : 10_000);
  const problems = [];
  const allowed = [];
  page.on("console", (m) => {
    // The repository has no favicon yet (public/ is not the page's to fill); the 404 is not the page's fault.
    if (m.type() !== "error" || m.location().url?.endsWith("/favicon.ico")) return;
    if (allowed.some((re) => re.test(m.text()))) return;
    problems.push(`console error: ${m.text()} (${m.location().url ?? "?"})`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  const started = Date.now();
  const label = mode === "dev" ? `[dev server] ${t.name}` : t.name;
  try {
    await t.run(page, { ...ctx, base, mode, context, allowConsoleError: (re) => allowed.push(re) });
    if (problems.length > 0) throw new Error(problems.join("\n    "));
    passed += 1;
    console.log(`✓ ${label} (${Date.now() - started} ms)`);
  } catch (e) {
    failed += 1;
    console.log(
      `✗ ${label} [${t.file}]\n    ${String(e?.stack ?? e)
        .split("\n")
        .slice(0, 6)
        .join("\n    ")}`,
    );
  } finally {
    await context.close();
  }
}

const chosen = tests.filter((t) => !only || t.name.includes(only));
for (const t of chosen.filter((t) => t.dev !== "only")) await runOne(t, server.url, "build");
await server.close();

const devTests = chosen.filter((t) => t.dev);
if (devTests.length > 0 && process.env.E2E_DEV !== "0") {
  const dev = await serveDev(ROOT);
  try {
    for (const t of devTests) await runOne(t, dev.url, "dev");
  } finally {
    await dev.close();
  }
}

await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
