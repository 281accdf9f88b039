/**
 * The page's state: the scenario, its run, the cursor and the world at the cursor, playback,
 * the selection, the theme and the last load error. The model is reached only through
 * `runScenario`, `worldAt` and `toTraceJson`; the timer that plays, the URL sync and the
 * prefetcher live outside (playback.ts, url-sync.ts, prefetch.ts) and only call the actions
 * below.
 *
 * Time travel: a small run keeps a clone of the world after every step; a large one keeps a
 * checkpoint every `checkpointsFor(scenario)` steps and replays from the nearest one
 * (`worldAt`, which caches the last few worlds). `world` is always the world at the cursor:
 * the one selector every panel reads it through.
 */

import { create } from "zustand";
import type { World } from "../engine/index.ts";
import {
  kernelLoaded,
  type RunResult,
  runScenario,
  ScheduleError,
  scheduleWithChoice,
  type TraceJson,
  toTraceJson,
  worldAt,
} from "../kernel/index.ts";
import lifecycleJson from "../scenario/library/lifecycle.json";
import { trustedScenario } from "../scenario/trusted.ts";
import type { Scenario } from "../scenario/types.ts";
import type { Selection } from "../view/index.ts";
import { kernelParts } from "./codecs.ts";

export type Theme = "light" | "dark";

/** Steps per second the player may use. */
export const SPEEDS = [1, 2, 4, 10] as const;
export type Speed = (typeof SPEEDS)[number];

export interface Loaded {
  readonly scenario: Scenario;
  readonly result: RunResult;
  /** The run as `sva-lab run --json` prints it: the commands list and summary come from here. */
  readonly trace: TraceJson;
}

export interface LabState extends Loaded {
  /** 0..steps.length: the world shown is the one after `cursor` steps. */
  readonly cursor: number;
  /** The world after `cursor` steps (`worldAt(result, cursor)`): never mutate it. */
  readonly world: World;
  readonly playing: boolean;
  readonly speed: Speed;
  readonly selection: Selection | null;
  readonly theme: Theme;
  /** Why the last scenario or link could not be opened; shown as text. */
  readonly error: string | null;
  /** What the page is busy computing (a large run), shown over it; null when idle. */
  readonly busy: string | null;

  /** Runs `scenario` and shows it at `step`; on failure keeps what is shown and returns the error. */
  load(scenario: Scenario, opts?: { step?: number; selection?: Selection | null }): string | null;
  /**
   * `load`, but a large scenario first puts up its "busy" message and lets the page paint it
   * (its run takes seconds); a small one loads at once. Resolves to `load`'s answer.
   */
  loadSoon(
    scenario: Scenario,
    opts?: { step?: number; selection?: Selection | null; wanted?: () => boolean },
  ): Promise<string | null>;
  /**
   * Manual interleaving: `actor` takes the step after the cursor. The run continues (the
   * default policy after the new schedule) and the cursor moves onto the new step.
   */
  chooseNext(actor: string): string | null;
  /**
   * `actor` runs to the end of its current op (the schedule entry "T0:op": the SMMU consumes
   * as needed) from the cursor; the cursor moves onto that op's last step.
   */
  finishOp(actor: string): string | null;
  stepForward(): void;
  stepBack(): void;
  goTo(step: number): void;
  reset(): void;
  play(): void;
  pause(): void;
  togglePlay(): void;
  setSpeed(speed: Speed): void;
  select(selection: Selection | null): void;
  setTheme(theme: Theme): void;
  toggleTheme(): void;
  setError(error: string | null): void;
}

const THEME_KEY = "sva-lab-theme";

/** The built-in scenario: trusted (the library's tests validate it), so no validator at startup. */
export function defaultScenario(): Scenario {
  return trustedScenario(lifecycleJson);
}

/** Steps a scenario will roughly take: about 16 micro-steps per op (bind, unbind and exit take more). */
export function estimatedSteps(s: Scenario): number {
  return 16 * s.threads.reduce((n, t) => n + t.ops.length, 0);
}

/** Pages the scenario maps at boot: with the frames and tables, what a world clone costs. */
function populatedPages(s: Scenario): number {
  let n = 0;
  for (const p of s.processes) for (const v of p.vmas) if (v.populate) n += v.pages;
  return n;
}

/** A run that takes a moment to compute: the page says so rather than freezing silently. */
export function isLarge(s: Scenario): boolean {
  return estimatedSteps(s) > 2000 || populatedPages(s) > 4096;
}

/**
 * Steps between the run's checkpoints: 1 (a clone after every step) for the lessons; 32 for
 * long runs of small worlds; 256 for big worlds, whose clones cost megabytes each (the
 * 64-process scenario's world is ~3 MB: a checkpoint every 32 steps would hold 1.4 GB).
 */
export function checkpointsFor(s: Scenario): number {
  if (estimatedSteps(s) <= 400 && populatedPages(s) <= 4096) return 1;
  return populatedPages(s) > 4096 ? 256 : 32;
}

/** Runs a scenario for the page; a schedule the model refuses comes back as a message. */
export function runForPage(scenario: Scenario): Loaded | string {
  try {
    const result = runScenario(scenario, { checkpointEvery: checkpointsFor(scenario) });
    return { scenario, result, trace: toTraceJson(result) };
  } catch (e) {
    // A schedule's error says what and where ("schedule[3]: T0 cannot step…"); anything else
    // is the model's own failure, whose text would mean nothing to the reader.
    if (e instanceof ScheduleError) return `the scenario could not be run: ${e.message}`;
    return "the scenario could not be run: SVA Lab met a problem of its own running it (please report it)";
  }
}

function storedTheme(): Theme {
  try {
    const t = globalThis.localStorage?.getItem(THEME_KEY);
    if (t === "light" || t === "dark") return t;
  } catch {
    // Storage can be disabled; the system preference is then the default.
  }
  return globalThis.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

function rememberTheme(theme: Theme): void {
  try {
    globalThis.localStorage?.setItem(THEME_KEY, theme);
  } catch {
    // Not remembered: nothing else depends on it.
  }
}

/** Resolves once the browser has painted what was set before (two frames), or soon elsewhere. */
function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    const raf = globalThis.requestAnimationFrame;
    if (!raf) setTimeout(resolve, 0);
    else raf(() => raf(() => setTimeout(resolve, 0)));
  });
}

const clamp = (n: number, max: number): number => Math.max(0, Math.min(max, Math.trunc(n)));

function initial(): Loaded & { world: World } {
  const loaded = runForPage(defaultScenario());
  if (typeof loaded === "string") throw new Error(loaded);
  return { ...loaded, world: worldAt(loaded.result, 0) };
}

/** The cursor and the world there, together: no panel ever sees one without the other. */
const at = (result: RunResult, cursor: number): { cursor: number; world: World } => ({
  cursor,
  world: worldAt(result, cursor),
});

export const useLab = create<LabState>()((set, get) => ({
  ...initial(),
  cursor: 0,
  playing: false,
  speed: 2,
  selection: null,
  theme: storedTheme(),
  error: null,
  busy: null,

  loadSoon(scenario, opts = {}) {
    if (!isLarge(scenario)) return Promise.resolve(get().load(scenario, opts));
    set({
      busy: `Running “${scenario.title}” (about ${estimatedSteps(scenario).toLocaleString("en-US")} steps)…`,
      playing: false,
    });
    return afterPaint().then(() => {
      try {
        // Something else was asked for meanwhile (a later link): this one is dropped.
        if (opts.wanted && !opts.wanted()) return null;
        return get().load(scenario, opts);
      } finally {
        set({ busy: null });
      }
    });
  },
  load(scenario, opts = {}) {
    if (!kernelLoaded(scenario)) {
      // Its driver design or the nested kernel is still on its way (codecs.ts): run it then.
      void kernelParts.load().then(
        () => {
          const error = get().load(scenario, opts);
          if (error !== null) set({ error });
        },
        () => set({ error: "the kernel model could not be loaded: reload the page" }),
      );
      return null;
    }
    const loaded = runForPage(scenario);
    if (typeof loaded === "string") return loaded;
    const cursor = clamp(opts.step ?? 0, loaded.result.steps.length);
    set({ ...loaded, ...at(loaded.result, cursor), playing: false, selection: opts.selection ?? null });
    return null;
  },
  chooseNext(actor) {
    const { scenario, result, cursor, selection } = get();
    // The run already goes that way: no need for a schedule entry per step.
    if (result.steps[cursor]?.actor === actor) {
      set({ ...at(result, cursor + 1), playing: false });
      return null;
    }
    const schedule = scheduleWithChoice(result, cursor, actor);
    return get().load({ ...scenario, schedule }, { step: cursor + 1, selection });
  },
  finishOp(actor) {
    const { scenario, result, cursor, selection } = get();
    const schedule = [...result.steps.slice(0, cursor).map((s) => s.actor), `${actor}:op`];
    const loaded = runForPage({ ...scenario, schedule });
    if (typeof loaded === "string") return loaded;
    const steps = loaded.result.steps;
    const op = steps[cursor]?.opIndex;
    // The entry's steps: the thread's in that op, with the SMMU's between them; its last one.
    let end = cursor;
    for (let j = cursor; j < steps.length; j++) {
      const st = steps[j]!;
      if (st.actor === actor && st.opIndex === op) end = j + 1;
      else if (st.actor !== "smmu") break;
    }
    set({ ...loaded, ...at(loaded.result, end), playing: false, selection });
    return null;
  },
  stepForward() {
    const { cursor, result } = get();
    if (cursor < result.steps.length) set(at(result, cursor + 1));
  },
  stepBack() {
    const { cursor, result } = get();
    if (cursor > 0) set(at(result, cursor - 1));
  },
  goTo(step) {
    const { result, cursor } = get();
    const to = clamp(step, result.steps.length);
    if (to !== cursor) set(at(result, to));
  },
  reset() {
    set({ ...at(get().result, 0), playing: false });
  },
  play() {
    const { cursor, result } = get();
    // Playing from the end starts over, as a media player does.
    if (cursor >= result.steps.length) set({ playing: true, ...at(result, 0) });
    else set({ playing: true });
  },
  pause() {
    set({ playing: false });
  },
  togglePlay() {
    if (get().playing) get().pause();
    else get().play();
  },
  setSpeed(speed) {
    set({ speed });
  },
  select(selection) {
    set({ selection });
  },
  setTheme(theme) {
    rememberTheme(theme);
    set({ theme });
  },
  toggleTheme() {
    get().setTheme(get().theme === "dark" ? "light" : "dark");
  },
  setError(error) {
    set({ error });
  },
}));
