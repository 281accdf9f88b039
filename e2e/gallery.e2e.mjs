// The diagram gallery (gallery.html, src/ui/gallery) and the SVG snapshot test on it: every
// diagram on every named fixture (src/view/fixtures.ts), each cell's drawing as normalized text
// (src/ui/gallery/svg-snapshot.ts: numbers rounded, ids renumbered, attributes sorted) compared
// with e2e/snapshots/<diagram>/<fixture>.txt. In Chromium on the build, as users see the
// diagrams drawn (real layout, ResizeObserver, d3-zoom), not a DOM imitation. The dev server
// draws the same modules, so there it is a smoke check only: the gallery loads and every cell
// draws something, with no page or console error (the comparison took 8 s more there).
//
// UPDATE_SNAPSHOTS=1 writes the files instead (and removes those no cell draws any more):
// `npm run update:snapshots` builds and does that on the build only.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { equal, ok, waitForStep } from "./lib/assert.mjs";
import { ROOT } from "./lib/runner.mjs";

const SNAPSHOTS = join(ROOT, "e2e", "snapshots");
const UPDATE = process.env.UPDATE_SNAPSHOTS === "1";

/** Opens the gallery with transitions off (reduced motion: every diagram draws its end state at once). */
async function openGallery(page, base, query = "") {
  await page.emulateMedia({ reducedMotion: "reduce" });
  const r = await page.goto(`${base}gallery.html${query}`);
  if (!r?.ok())
    throw new Error(
      `gallery.html: HTTP ${r?.status()}: a build without the gallery (npm run build makes it: vite build --mode gallery)`,
    );
  await page.waitForSelector("html[data-gallery=ready]", { timeout: 60_000 });
}

/** The cells' snapshots once two reads a moment apart agree (a diagram drawn after a measured width, or when idle). */
async function settledSnapshots(page) {
  let last = null;
  for (let i = 0; i < 40; i++) {
    const now = await page.evaluate(() => window.svaGallery.snapshots());
    if (last !== null && JSON.stringify(now) === JSON.stringify(last)) return now;
    last = now;
    await page.waitForTimeout(150);
  }
  throw new Error("the gallery's drawings did not settle in 6 s");
}

const fileOf = (s) => join(SNAPSHOTS, s.diagram, `${s.fixture}.txt`);

/** Every snapshot file on disk, as paths. */
function filesOnDisk() {
  if (!existsSync(SNAPSHOTS)) return [];
  return readdirSync(SNAPSHOTS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(join(SNAPSHOTS, d.name))
        .filter((f) => f.endsWith(".txt"))
        .map((f) => join(SNAPSHOTS, d.name, f)),
    );
}

/** Where two texts first differ, as a line for the report. */
function firstDifference(want, got) {
  const a = want.split("\n");
  const b = got.split("\n");
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i])
      return `line ${i + 1}:\n        want ${JSON.stringify(a[i] ?? "(end)").slice(0, 200)}\n        got  ${JSON.stringify(b[i] ?? "(end)").slice(0, 200)}`;
  }
  return "same text";
}

export default [
  {
    name: "gallery: SVG snapshots of every diagram on every fixture",
    async run(page, ctx) {
      await openGallery(page, ctx.base);
      const snaps = await settledSnapshots(page);
      ok(snaps.length >= 100, `the gallery drew only ${snaps.length} cells`);
      for (const s of snaps) ok(s.text.trim() !== "", `${s.diagram} on ${s.fixture} drew nothing`);
      const drawn = new Set(snaps.map(fileOf));
      const stale = filesOnDisk().filter((f) => !drawn.has(f));
      if (UPDATE && ctx.mode === "build") {
        let written = 0;
        for (const s of snaps) {
          const file = fileOf(s);
          if (existsSync(file) && readFileSync(file, "utf8") === s.text) continue;
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, s.text);
          written += 1;
        }
        for (const f of stale) rmSync(f);
        console.log(`    snapshots: ${written} written, ${stale.length} removed, ${snaps.length} in all`);
        return;
      }
      const problems = [];
      for (const s of snaps) {
        const file = fileOf(s);
        if (!existsSync(file)) problems.push(`${s.diagram} on ${s.fixture}: no snapshot file`);
        else {
          const want = readFileSync(file, "utf8");
          if (want !== s.text)
            problems.push(
              `${s.diagram} on ${s.fixture} differs from its snapshot, ${firstDifference(want, s.text)}`,
            );
        }
      }
      for (const f of stale) problems.push(`${f.slice(ROOT.length)}: no cell of the gallery draws it`);
      if (problems.length > 0)
        throw new Error(
          `${problems.length} snapshot(s) do not match (if the change is meant: npm run update:snapshots, then review the diff of e2e/snapshots/):\n    ${problems.slice(0, 8).join("\n    ")}`,
        );
    },
  },
  {
    name: "gallery: loads and draws every diagram on every fixture, with no error",
    dev: "only",
    async run(page, ctx) {
      await openGallery(page, ctx.base);
      const snaps = await page.evaluate(() => window.svaGallery.snapshots());
      ok(snaps.length >= 100, `the gallery drew only ${snaps.length} cells`);
      const empty = snaps.filter((s) => s.text.trim() === "").map((s) => `${s.diagram} on ${s.fixture}`);
      equal(empty, [], "cells that drew nothing");
    },
  },
  {
    name: "gallery: the lists narrow it to one diagram and one fixture; an unknown name says so",
    async run(page, ctx) {
      await openGallery(page, ctx.base, "?diagram=cmdq&fixture=lifecycle%4026");
      equal(await page.getByTestId("gallery-section").count(), 1, "sections");
      equal(await page.locator("figure[data-cell]").count(), 1, "cells");
      equal(
        await page.locator("figure[data-cell]").getAttribute("data-fixture"),
        "lifecycle@26",
        "the fixture",
      );
      await page.getByLabel("Diagram").selectOption("");
      equal(await page.getByTestId("gallery-section").count(), 13, "every diagram again");
      ok(
        page.url().endsWith("gallery.html?fixture=lifecycle%4026"),
        `the address follows the lists: ${page.url()}`,
      );
      await openGallery(page, ctx.base, "?fixture=nope");
      const alert = (await page.getByRole("alert").first().textContent()) ?? "";
      ok(alert.includes("no fixture “nope”"), `the message: ${alert}`);
      equal(await page.locator("figure[data-cell]").count(), 0, "no cell");
    },
  },
  {
    name: "gallery: an entry selected in a cell is marked there, and its link opens the page at the fixture's step",
    async run(page, ctx) {
      await openGallery(page, ctx.base, "?diagram=stream-table&fixture=lifecycle%4026");
      const entry = page.locator('figure[data-cell] svg g[role="button"]').first();
      await entry.click();
      const key = (await page.getByTestId("cell-selection").textContent()) ?? "";
      ok(/^selected: \S+/.test(key), `the cell names the selection: ${key}`);
      equal(await page.locator("figure[data-cell] svg g.selected").count(), 1, "entries marked selected");
      await entry.click();
      equal(await page.getByTestId("cell-selection").count(), 0, "a second click unselects");
      await page.getByRole("link", { name: "open in the page" }).click();
      await waitForStep(page, 26);
    },
  },
  ...[
    [1280, 800],
    [1920, 1080],
  ].map(([width, height]) => ({
    name: `gallery: screenshot at ${width}×${height}`,
    viewport: { width, height },
    async run(page, ctx) {
      await openGallery(page, ctx.base);
      await settledSnapshots(page);
      await page.screenshot({ path: join(ctx.screenshots, `gallery-${width}x${height}.png`) });
    },
  })),
];
