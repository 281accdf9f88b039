/**
 * Where the page's long tasks go: a Chromium performance trace (Tracing over CDP, with the V8
 * sampling profiler) of opening `#large`, then End, Home, End and a few `goTo` jumps
 * (TRACE_KEYS, TRACE_GOTO; TRACE_JUMPS=0: none), on a build given as TRACE_DIST (an unminified
 * one reads best: `npx vite build --minify false --outDir /tmp/x`), and a screenshot at the end
 * (TRACE_SHOT). A saved trace (TRACE_OUT) is read again with `… bench/page-trace.ts <file>`.
 * For every task of the page's main thread over TRACE_MIN_MS (50), it prints what it was
 * (the trace's events inside it: script, style, layout, GC) and the functions its samples
 * spent their time in (self time, and the app's own frames by inclusive time).
 *
 *   TRACE_DIST=/tmp/x node --import tsx bench/page-trace.ts
 */

import { writeFileSync } from "node:fs";
// @ts-expect-error: a plain .mjs module without types (the e2e tests' browser launcher)
import { launchChromium } from "../e2e/lib/chromium.mjs";
// @ts-expect-error: a plain .mjs module without types (the e2e tests' static server)
import { serve } from "../e2e/lib/server.mjs";

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  id?: string;
  args?: Record<string, unknown> & { data?: Record<string, unknown>; name?: string };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  parent?: number;
}

declare const window: {
  __svaBench: {
    state(): { cursor: number; total: number; busy: boolean; warm?: boolean };
    goTo(k: number): void;
  };
};
declare const document: { querySelector(s: string): unknown };

const MIN_MS = Number(process.env.TRACE_MIN_MS ?? 50);
const dist = process.env.TRACE_DIST ?? "dist";

const CATEGORIES = [
  "devtools.timeline",
  "disabled-by-default-devtools.timeline",
  "v8.execute",
  "v8",
  "blink.user_timing",
  "disabled-by-default-v8.gc",
  "disabled-by-default-v8.compile",
  // TRACE_PROFILE=0: without the sampling profiler (its overhead makes every task longer).
  ...(process.env.TRACE_PROFILE === "0" ? [] : ["disabled-by-default-v8.cpu_profiler"]),
];

async function main(): Promise<void> {
  const server = (await serve(dist)) as { url: string; close(): Promise<void> };
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on("pageerror", (e: Error) => console.log("page error:", e.message));
  // TRACE_CATS: other categories (as "toplevel,v8": without devtools.timeline's JS stacks,
  // which have V8 collect source positions, tens of ms in the first task).
  await browser.startTracing(page, { categories: process.env.TRACE_CATS?.split(",") ?? CATEGORIES });
  const t0 = Date.now();
  await page.goto(`${server.url}?bench#large`);
  await page.waitForFunction(() => "__svaBench" in window);
  for (;;) {
    const s = await page.evaluate(() => window.__svaBench.state()).catch(() => null);
    if (s && !s.busy && s.total > 5000 && s.warm !== false) break;
    if (Date.now() - t0 > 180_000) throw new Error("timed out");
    await page.waitForTimeout(50);
  }
  console.log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await page.waitForTimeout(800);
  const total = await page.evaluate(() => window.__svaBench.state().total);
  const marks: [string, number][] = [];
  const settle = async (): Promise<void> => {
    await page.waitForFunction(
      () => !document.querySelector('[data-testid="workspace"] [aria-busy="true"]'),
      null,
      {
        timeout: 20_000,
      },
    );
    await page.waitForTimeout(800);
  };
  const mark = (what: string) =>
    page
      .evaluate((w: string) => performance.mark(`trace:${w}`), what)
      .then(() => marks.push([what, Date.now()]));
  if (process.env.TRACE_JUMPS !== "0") {
    // TRACE_KEYS, TRACE_GOTO: the keys pressed, then the steps jumped to (fractions of the run).
    for (const key of (process.env.TRACE_KEYS ?? "End,Home,End").split(",").filter(Boolean)) {
      await mark(key);
      await page.keyboard.press(key);
      await settle();
    }
    for (const p of (process.env.TRACE_GOTO ?? "0.48,0.97,0.3").split(",").filter(Boolean).map(Number)) {
      const to = Math.floor(p * total);
      await mark(`goTo ${to}`);
      await page.evaluate((k: number) => window.__svaBench.goTo(k), to);
      await settle();
    }
  }
  await page.screenshot({ path: process.env.TRACE_SHOT ?? "/tmp/page-trace.png" });
  const buf = await browser.stopTracing();
  await browser.close();
  await server.close();
  const out = process.env.TRACE_OUT ?? "/tmp/page-trace.json";
  writeFileSync(out, buf);
  analyse(JSON.parse(buf.toString()) as { traceEvents: TraceEvent[] } | TraceEvent[]);
}

function analyse(raw: { traceEvents: TraceEvent[] } | TraceEvent[]): void {
  const events = Array.isArray(raw) ? raw : raw.traceEvents;
  // The page's renderer main thread: the one with the navigation's marks.
  const names = new Map<string, string>();
  for (const e of events)
    if (e.ph === "M" && e.name === "thread_name") names.set(`${e.pid}:${e.tid}`, String(e.args?.name));
  const userMarks = events.filter((e) => e.name.startsWith("trace:"));
  const evalScripts = events.filter((e) =>
    ["EvaluateScript", "v8.compile", "v8.evaluateModule", "FunctionCall"].includes(e.name),
  );
  const mainKey = (() => {
    const counts = new Map<string, number>();
    for (const e of evalScripts) {
      const k = `${e.pid}:${e.tid}`;
      if (names.get(k) === "CrRendererMain") counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  })();
  if (!mainKey) throw new Error("no renderer main thread");
  const [pid, tid] = mainKey.split(":").map(Number) as [number, number];
  const onMain = events.filter((e) => e.pid === pid && e.tid === tid);
  const tasks = onMain.filter(
    (e) => e.ph === "X" && (e.name === "RunTask" || e.name === "ThreadControllerImpl::RunTask"),
  );
  const navStart = onMain.find((e) => e.name === "navigationStart")?.ts ?? tasks[0]?.ts ?? 0;

  // The CPU profile: samples from the ProfileChunk events of the main thread's profile.
  const nodes = new Map<number, ProfileNode>();
  const samples: { ts: number; node: number }[] = [];
  const profileIds = new Set<string>();
  for (const e of events)
    if (e.name === "Profile" && e.pid === pid && e.tid === tid) profileIds.add(`${e.pid}:${e.id}`);
  let t = 0;
  const started = events.find((e) => e.name === "Profile" && profileIds.has(`${e.pid}:${e.id}`));
  t = Number((started?.args?.data as { startTime?: number } | undefined)?.startTime ?? 0);
  for (const e of events) {
    if (e.name !== "ProfileChunk" || !profileIds.has(`${e.pid}:${e.id}`)) continue;
    const d = e.args?.data as {
      cpuProfile?: { nodes?: ProfileNode[]; samples?: number[] };
      timeDeltas?: number[];
    };
    for (const n of d.cpuProfile?.nodes ?? []) nodes.set(n.id, n);
    const ss = d.cpuProfile?.samples ?? [];
    const dts = d.timeDeltas ?? [];
    for (let i = 0; i < ss.length; i++) {
      t += dts[i] ?? 0;
      samples.push({ ts: t, node: ss[i]! });
    }
  }
  const frameName = (n: ProfileNode): string => {
    const f = n.callFrame;
    const file = (f.url ?? "").split("/").pop() ?? "";
    return `${f.functionName || "(anon)"} ${file}:${f.lineNumber + 1}`;
  };
  const stackOf = (id: number): ProfileNode[] => {
    const s: ProfileNode[] = [];
    for (let n = nodes.get(id); n; n = n.parent === undefined ? undefined : nodes.get(n.parent)) s.push(n);
    return s;
  };
  // parents are given by children lists in CDP profiles
  for (const n of nodes.values())
    for (const c of (n as unknown as { children?: number[] }).children ?? []) {
      const cn = nodes.get(c);
      if (cn) cn.parent = n.id;
    }

  const at = (ts: number) => ((ts - navStart) / 1000).toFixed(0);
  const markAt = (ts: number): string => {
    let m = "opening";
    for (const u of userMarks) if (u.ts <= ts) m = u.name.slice(6);
    return m;
  };
  const long = tasks.filter((e) => (e.dur ?? 0) >= MIN_MS * 1000);
  console.log(`${long.length} tasks ≥ ${MIN_MS} ms on the main thread`);
  const KINDS = new Set([
    "EvaluateScript",
    "v8.compile",
    "FunctionCall",
    "TimerFire",
    "FireIdleCallback",
    "FireAnimationFrame",
    "HandlePostMessage",
    "EventDispatch",
    "ParseHTML",
    "UpdateLayoutTree",
    "Layout",
    "PrePaint",
    "Paint",
    "Layerize",
    "MinorGC",
    "MajorGC",
    "V8.GC_SCAVENGER",
    "V8.GC_MARK_COMPACTOR",
    "V8.GCFinalizeMC",
    "BlinkGC.AtomicPhase",
    "RunMicrotasks",
    "v8.parseOnBackground",
    "ScheduleStyleRecalculation",
    "ParseAuthorStyleSheet",
    "V8.GCIncrementalMarking",
    "MajorGC",
  ]);
  for (const task of long) {
    const end = task.ts + (task.dur ?? 0);
    console.log(`\n== ${(task.dur! / 1000).toFixed(0)} ms at ${at(task.ts)} ms (${markAt(task.ts)})`);
    const inner = onMain.filter(
      (e) => e.ph === "X" && e.ts >= task.ts && e.ts < end && e !== task && KINDS.has(e.name),
    );
    const byKind = new Map<string, number>();
    for (const e of inner) byKind.set(e.name, (byKind.get(e.name) ?? 0) + (e.dur ?? 0));
    console.log(
      "  events: " +
        [...byKind]
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => `${k} ${(v / 1000).toFixed(0)}`)
          .join(", "),
    );
    const all = onMain.filter((e) => e.ph === "X" && e.ts >= task.ts && e.ts < end && e !== task);
    const top = all
      .filter((e) => (e.dur ?? 0) > 4000)
      .slice(0, 12)
      .map((e) => {
        const d = e.args?.data ?? {};
        const what =
          (d.functionName as string) || (d.url as string)?.split("/").pop() || (d.type as string) || "";
        return `${e.name}${what ? `(${what})` : ""} ${((e.dur ?? 0) / 1000).toFixed(0)}`;
      });
    if (top.length) console.log(`  big: ${top.join("; ")}`);
    const inTask = samples.filter((s) => s.ts >= task.ts && s.ts < end);
    if (inTask.length === 0) continue;
    const dt = (task.dur ?? 0) / 1000 / inTask.length;
    const self = new Map<string, number>();
    const incl = new Map<string, number>();
    for (const s of inTask) {
      const st = stackOf(s.node);
      const n = st[0];
      if (n) self.set(frameName(n), (self.get(frameName(n)) ?? 0) + 1);
      const seen = new Set<string>();
      for (const f of st) {
        if (!(f.callFrame.url ?? "").includes("/assets/")) continue;
        const k = frameName(f);
        if (seen.has(k)) continue;
        seen.add(k);
        incl.set(k, (incl.get(k) ?? 0) + 1);
      }
    }
    const fmt = (m: Map<string, number>, k: number) =>
      [...m]
        .sort((a, b) => b[1] - a[1])
        .slice(0, k)
        .map(([f, c]) => `${(c * dt).toFixed(0).padStart(4)}  ${f}`)
        .join("\n    ");
    console.log(`  self:\n    ${fmt(self, Number(process.env.TRACE_TOP ?? 10))}`);
    console.log(`  inclusive (app):\n    ${fmt(incl, Number(process.env.TRACE_TOP ?? 22))}`);
    // React components (a capitalised name) and the view models, by inclusive time.
    const comps = new Map([...incl].filter(([k]) => /^[A-Z]|Vm |^use[A-Z]/.test(k)));
    if (comps.size > 0) console.log(`  components and view models:\n    ${fmt(comps, 16)}`);
  }
}

if (process.argv[2]) {
  const { readFileSync } = await import("node:fs");
  analyse(JSON.parse(readFileSync(process.argv[2], "utf8")));
} else await main();
