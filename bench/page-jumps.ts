/**
 * Opening the large scenario and jumping in it (bench/page.ts runs this after the step
 * latency): the page opened at `#large`, its long tasks (the browser's Long Tasks API: every
 * task of the page's thread over 50 ms) from the navigation until the run is shown, then,
 * once the page is ready (a run from the worker replayed here too), jumps: End and Home as
 * keys, and `goTo` to fixed steps as a link's `step=` or the timeline does. A jump is timed
 * from the key or call to the page having rendered the step (the cursor there, then its
 * style and layout), and to every panel showing it (a large run's far jump draws the panels
 * one per task: layout/Staged.tsx), with the longest task it took.
 */

import type { Browser, Page } from "playwright-core";

interface Jumped {
  readonly what: string;
  readonly ms: number;
  /** Until every panel shows the step (none left `aria-busy`: layout/Staged.tsx draws them in turn). */
  readonly all: number;
  readonly longest: number;
}

/** Steps jumped to, as fractions of the run (then End, Home and the same again). */
const POINTS = [0.18, 0.48, 0.74, 0.3, 0.97, 0.6, 0.05, 0.85];
const ROUNDS = Number(process.env.BENCH_JUMP_ROUNDS ?? 3);

declare const window: {
  __svaBench: {
    state(): { cursor: number; total: number; busy: boolean; warm?: boolean };
    goTo(k: number): void;
  };
  __long: number[][];
};
declare const document: {
  documentElement: { offsetHeight: number };
  querySelector(s: string): unknown;
};
declare function addEventListener(t: string, f: (e: { timeStamp: number }) => void, o: object): void;

/** Records every long task from the start of the document. */
function observeLongTasks(): void {
  const w = globalThis as unknown as { __long: number[][] };
  w.__long = [];
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) w.__long.push([e.startTime, e.duration]);
  }).observe({ type: "longtask", buffered: true });
}

async function ready(page: Page, ms = 180_000): Promise<{ total: number }> {
  const end = Date.now() + ms;
  for (;;) {
    const s = await page.evaluate(() => window.__svaBench.state()).catch(() => null);
    if (s && !s.busy && s.total > 5000 && s.warm !== false) return s;
    if (Date.now() > end) throw new Error("timed out waiting for the large run");
    await page.waitForTimeout(50);
  }
}

/** Presses `key` or calls goTo(`to`), and times it until the cursor is at `to` and laid out. */
async function jump(page: Page, key: string | null, to: number): Promise<Jumped> {
  const before = await page.evaluate(() => {
    const w = window as unknown as { __t0: number };
    w.__t0 = Number.NaN;
    addEventListener("keydown", (e) => (w.__t0 = e.timeStamp), { capture: true, once: true });
    return window.__long.length;
  });
  if (key !== null) await page.keyboard.press(key);
  const t = await page.evaluate(
    async ({ to, call }) => {
      const w = window as unknown as { __t0: number };
      if (call) {
        w.__t0 = performance.now();
        window.__svaBench.goTo(to);
      }
      while (window.__svaBench.state().cursor !== to) await new Promise((r) => setTimeout(r, 0));
      // React renders in the microtasks after the store's update; then style and layout.
      await new Promise<void>((r) => queueMicrotask(() => queueMicrotask(r)));
      void document.documentElement.offsetHeight;
      const rendered = performance.now() - w.__t0;
      // Then each panel in its turn (a build without staging has none waiting).
      while (document.querySelector('[data-testid="workspace"] [aria-busy="true"]'))
        await new Promise((r) => setTimeout(r, 0));
      void document.documentElement.offsetHeight;
      return { rendered, all: performance.now() - w.__t0 };
    },
    { to, call: key === null },
  );
  // Whatever it left for the next tasks (effects, idle work) is counted in its longest task.
  await page.waitForTimeout(700);
  const longs = await page.evaluate((n) => window.__long.slice(n).map((x) => x[1]!), before);
  return { what: key ?? `step ${to}`, ms: t.rendered, all: t.all, longest: Math.max(0, ...longs) };
}

const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? Number.NaN;
};

export async function benchJumps(browser: Browser, url: string, label: string): Promise<void> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(observeLongTasks);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const t0 = Date.now();
  await page.goto(url);
  await page.waitForFunction(() => "__svaBench" in window);
  const { total } = await ready(page);
  const readyMs = Date.now() - t0;
  await page.waitForTimeout(500);
  const opening = await page.evaluate(() => window.__long.map((x) => x[1]!));
  const f = (x: number): string => x.toFixed(0).padStart(5);
  console.log(
    `${label.padEnd(44)} open #large: ready in ${(readyMs / 1000).toFixed(1)} s; long tasks ${opening.length}, longest ${f(Math.max(0, ...opening))} ms (all: ${opening.map((x) => x.toFixed(0)).join(", ")})`,
  );
  const jumps: Jumped[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    jumps.push(await jump(page, "End", total));
    jumps.push(await jump(page, "Home", 0));
    for (const p of POINTS) jumps.push(await jump(page, null, Math.floor(p * total)));
  }
  const show = (name: string, xs: readonly Jumped[]): void => {
    const ms = xs.map((j) => j.ms);
    const all = xs.map((j) => j.all);
    const longest = xs.map((j) => j.longest);
    console.log(
      `  ${name.padEnd(16)} → rendered, ms: median ${f(quantile(ms, 0.5))}  p95 ${f(quantile(ms, 0.95))}  max ${f(Math.max(...ms))};  longest task: median ${f(quantile(longest, 0.5))}  max ${f(Math.max(...longest))}   (${xs.length})`,
    );
    console.log(
      `  ${"".padEnd(16)} → every panel drawn, ms: median ${f(quantile(all, 0.5))}  p95 ${f(quantile(all, 0.95))}  max ${f(Math.max(...all))}`,
    );
  };
  show(
    "End",
    jumps.filter((j) => j.what === "End"),
  );
  show(
    "Home",
    jumps.filter((j) => j.what === "Home"),
  );
  show(
    "goTo(step)",
    jumps.filter((j) => j.what.startsWith("step")),
  );
  if (errors.length > 0) console.log(`  page errors: ${errors.join("; ")}`);
  await context.close();
}
