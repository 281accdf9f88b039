/**
 * The page's step latency: the built page (dist/, rebuilt when src/ is newer) served locally
 * and opened in Chromium through playwright-core, with `?bench` (src/ui/app/bench.ts records, for
 * each key press, the time from the key event to the page having rendered the step: its
 * JavaScript, style and layout done; and, apart, to the next painted frame). Step forward (→) is pressed 400 times, 100 at each of
 * four points of the run, a pause between presses (as a person pressing, or a held key's
 * repeat: the page prefetches the next step in that idle time).
 *
 * The large scenario (64 processes × 16 devices, ~14,000 steps) is measured against the small
 * lifecycle lesson, the baseline, in the same run on the same machine. Goal: p95 < 8 ms.
 * Then opening `#large` and jumping in it (page-jumps.ts): its longest task, End's and a
 * link's `step=` render latency. BENCH_BEFORE_DIST=<a dist/ built from another commit>
 * measures that build too, each scenario before then after, in the same run.
 */

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
// @ts-expect-error: a plain .mjs module without types (the e2e tests' browser launcher)
import { CHROMIUM_PATH, launchChromium } from "../e2e/lib/chromium.mjs";
// @ts-expect-error: a plain .mjs module without types (the e2e tests' static server)
import { serve } from "../e2e/lib/server.mjs";
import { benchJumps } from "./page-jumps.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** Presses per scenario (BENCH_PRESSES overrides: more presses, a steadier p95). */
const PRESSES = Number(process.env.BENCH_PRESSES ?? 400);
const POINTS = 4;
/** Between presses: about a held key's repeat rate. */
const PAUSE_MS = 60;

interface Sample {
  readonly key: string;
  readonly cursor: number;
  readonly work: number;
  readonly frame: number;
  readonly queued: number;
  readonly layout: number;
}

interface State {
  cursor: number;
  total: number;
  busy: boolean;
  title: string;
  checkpointEvery: number;
}

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** dist/ as the sources are now: reused when newer than src/, else rebuilt. */
export function ensureBuild(): void {
  const index = join(ROOT, "dist", "index.html");
  if (existsSync(index) && statSync(index).mtimeMs >= newest(join(ROOT, "src"))) {
    console.log("dist/ is up to date: reused");
    return;
  }
  console.log("building dist/ (npx vite build)…");
  const r = spawnSync("npx", ["--no-install", "vite", "build", "--logLevel", "error"], {
    cwd: ROOT,
    stdio: "inherit",
  });
  if (r.status !== 0) throw new Error("vite build failed");
}

const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? Number.NaN;
};

const state = (page: Page): Promise<State> =>
  page.evaluate(() => (window as unknown as { __svaBench: { state(): State } }).__svaBench.state());

async function waitFor(page: Page, ok: (s: State) => boolean, what: string, ms = 120_000): Promise<State> {
  const end = Date.now() + ms;
  for (;;) {
    const s = await state(page).catch(() => null);
    if (s && ok(s)) return s;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await page.waitForTimeout(50);
  }
}

async function measure(browser: Browser, url: string, label: string, large: boolean): Promise<void> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const t0 = Date.now();
  await page.goto(url);
  await page.waitForFunction(() => "__svaBench" in window);
  const loaded = await waitFor(
    page,
    (s) => !s.busy && (large ? s.total > 5000 : s.total > 0),
    `${label} to load`,
  );
  const loadMs = Date.now() - t0;
  await page.waitForTimeout(500);
  const total = loaded.total;
  const per = Math.ceil(PRESSES / POINTS);
  // Four points spread over the run (each with room for its presses); a short run repeats from 0.
  const points = Array.from({ length: POINTS }, (_, i) =>
    total > per * POINTS ? Math.floor(((total - per) * i) / POINTS) : 0,
  );
  const count = async (): Promise<number> =>
    page.evaluate(
      () => (window as unknown as { __svaBench: { samples: unknown[] } }).__svaBench.samples.length,
    );
  for (const p of points) {
    await page.evaluate(
      (k) => (window as unknown as { __svaBench: { goTo(k: number): void } }).__svaBench.goTo(k),
      p,
    );
    await page.waitForTimeout(400);
    for (let i = 0; i < per; i++) {
      const before = await count();
      await page.keyboard.press("ArrowRight");
      while ((await count()) === before) await page.waitForTimeout(2);
      await page.waitForTimeout(PAUSE_MS);
    }
  }
  const samples: Sample[] = await page.evaluate(
    () => (window as unknown as { __svaBench: { samples: Sample[] } }).__svaBench.samples,
  );
  const work = samples.map((s) => s.work);
  const frame = samples.map((s) => s.frame);
  const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const f = (x: number): string => x.toFixed(1).padStart(6);
  console.log(
    `${label.padEnd(44)} ${String(total).padStart(6)} steps, checkpoint every ${String(loaded.checkpointEvery).padStart(3)}, loaded in ${(loadMs / 1000).toFixed(1)} s`,
  );
  console.log(
    `  key → rendered (JS + style + layout), ms: median ${f(quantile(work, 0.5))}  p95 ${f(quantile(work, 0.95))}  max ${f(Math.max(...work))}   (${samples.length} presses)`,
  );
  console.log(
    `  key → next painted frame (rAF ×2), ms:    median ${f(quantile(frame, 0.5))}  p95 ${f(quantile(frame, 0.95))}  max ${f(Math.max(...frame))}`,
  );
  const slow = samples.filter((s) => s.work >= quantile(work, 0.95));
  const parts = (xs: readonly Sample[]): string =>
    `waiting for the main thread ${mean(xs.map((s) => s.queued)).toFixed(1)}, JavaScript ${mean(xs.map((s) => s.work - s.queued - s.layout)).toFixed(1)}, style + layout ${mean(xs.map((s) => s.layout)).toFixed(1)}`;
  // (A build older than this breakdown records only the totals.)
  if (samples.every((s) => typeof s.queued === "number")) {
    console.log(`  of which, mean ms: ${parts(samples)}`);
    console.log(`  the slowest 5%:    ${parts(slow)}`);
  }
  if (errors.length > 0) console.log(`  page errors: ${errors.join("; ")}`);
  await context.close();
}

export async function benchPage(): Promise<void> {
  if (!existsSync(CHROMIUM_PATH)) {
    console.log(`skipped: no Chromium at ${CHROMIUM_PATH} (npm run test:setup installs Debian's)`);
    return;
  }
  // BENCH_DIST: measure another build (an older commit's, for a before/after on one machine).
  const dist = process.env.BENCH_DIST;
  if (dist) console.log(`the build in ${dist} (BENCH_DIST)`);
  else ensureBuild();
  // BENCH_BEFORE_DIST: a build to measure first, in the same run (before/after on one machine).
  const beforeDist = process.env.BENCH_BEFORE_DIST;
  const builds: [string, string][] = [
    ...(beforeDist ? [[`before (${beforeDist})`, beforeDist] as [string, string]] : []),
    [beforeDist ? "after (this build)" : "", dist ?? join(ROOT, "dist")],
  ];
  const servers = await Promise.all(
    builds.map(async ([name, d]) => ({
      name,
      ...((await serve(d)) as { url: string; close(): Promise<void> }),
    })),
  );
  const browser = await launchChromium();
  try {
    console.log(
      `Chromium ${browser.version()}, 1280×800, → pressed ${PRESSES}× per scenario, ${PAUSE_MS} ms apart`,
    );
    const named = (name: string, label: string): string => (name ? `${name}: ${label}` : label);
    // BENCH_SCENARIOS=large: only the large one (the baseline is the lifecycle lesson);
    // jumps: only opening #large and jumping in it.
    const only = process.env.BENCH_SCENARIOS ?? "lifecycle,large,jumps";
    for (const { name, url } of servers)
      if (only.includes("lifecycle"))
        await measure(browser, `${url}?bench`, named(name, "lifecycle lesson (baseline)"), false);
    for (const { name, url } of servers)
      if (only.includes("large"))
        await measure(browser, `${url}?bench#large`, named(name, "large: 64 processes × 16 devices"), true);
    for (const { name, url } of servers)
      if (only.includes("jumps")) await benchJumps(browser, `${url}?bench#large`, named(name, "large"));
  } finally {
    await browser.close();
    for (const s of servers) await s.close();
  }
}
