/**
 * The page's state: the scenario, its run, the cursor and the world at the cursor, playback,
 * the selection, the theme and the last load error. The model is reached only through
 * `runScenario`, `worldAt` and `toTraceJson`; the timer that plays, the URL sync and the
 * prefetcher live outside (playback.ts, url-sync.ts, prefetch.ts) and only call the actions
 * below.
 *
 * Time travel: a small run keeps a clone of the world after every step. A large one runs in
 * the page's worker (remote-run.ts), which keeps a checkpoint every `checkpointsFor(scenario)`
 * steps: the page holds the steps and a few worlds, replays a world a few steps past one of
 * them itself, and asks the worker for one further away; the cursor moves when it is here.
 * `world` is always the world at the cursor: the one selector every panel reads it through.
 */

import { create } from "zustand";
import type { World } from "../engine/index.ts";
import {
  kernelLoaded,
  type RunResult,
  runScenario,
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
import { remoteOf } from "./remote-of.ts";
import { runError } from "./run-error.ts";

/** The large runs' page side (remote-run.ts), fetched with the first large scenario. */
type LargeRuns = typeof import("./remote-run.ts");
let largeRuns: LargeRuns | null = null;

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

  /**
   * Runs `scenario` and shows it at `step`; on failure keeps what is shown and returns the error.
   * A large scenario goes to `loadSoon` (null at once; its error, if any, set as `error` later).
   */
  load(scenario: Scenario, opts?: { step?: number; selection?: Selection | null }): string | null;
  /**
   * `load`, but a large scenario is run in the worker (`runLarge`) and the promise resolves
   * once it is shown; a small one loads at once. Resolves to `load`'s answer.
   */
  loadSoon(
    scenario: Scenario,
    opts?: { step?: number; selection?: Selection | null; wanted?: () => boolean },
  ): Promise<string | null>;
  /**
   * Runs a large scenario in the worker (remote-run.ts) under a busy line with its progress,
   * the page staying responsive, and shows it at the step `pick` chooses from its steps.
   * Resolves to null, or why it could not run (what was shown stays); a later load drops it.
   */
  runLarge(
    scenario: Scenario,
    pick: (steps: readonly RunResult["steps"][number][]) => number,
    opts?: { selection?: Selection | null; wanted?: () => boolean },
  ): Promise<string | null>;
  /**
   * Moves the cursor to `step` (with `also` set at the same time): at once, or on a large run
   * once the worker has sent that world (a later move drops it).
   */
  moveTo(step: number, also?: Partial<Pick<LabState, "playing">>): void;
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
    return runError(e);
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

const clamp = (n: number, max: number): number => Math.max(0, Math.min(max, Math.trunc(n)));

/** `#large` (optionally `&step=N`): the large scenario (large.ts opens it). */
export function parseLargeLink(hash: string): { step: number } | null {
  const m = /^#?large(?:&step=(\d{1,9}))?(?:&.*)?$/.exec(hash);
  return m ? { step: m[1] === undefined ? 0 : Number(m[1]) } : null;
}

/**
 * What the store holds while the page opens the large scenario it was loaded with (`#large`):
 * the built-in scenario's booted world and no step, which nothing draws. The page shows its
 * busy line over an empty workspace (App.tsx `isStarting`) until the large run is shown, rather
 * than running the built-in lesson and drawing every panel of it first (two tasks of 100-300
 * ms, at load, that the large run's first draw then throws away). If the large scenario cannot
 * be opened, the built-in scenario is loaded then (large.ts).
 */
let startingScenario: Scenario | null = null;

/** The page is still opening the link it was loaded with: no scenario is shown yet. */
export const isStarting = (s: Pick<LabState, "scenario">): boolean =>
  startingScenario !== null && s.scenario === startingScenario;

function initial(): Loaded & { world: World } {
  if (typeof location !== "undefined" && parseLargeLink(location.hash) !== null) {
    const scenario = defaultScenario();
    startingScenario = scenario;
    // `until: 0`: booted and settled, no step taken (a millisecond or two).
    const result = runScenario(scenario, { until: 0, checkpointEvery: 1 });
    return { scenario, result, trace: toTraceJson(result), world: worldAt(result, 0) };
  }
  const loaded = runForPage(defaultScenario());
  if (typeof loaded === "string") throw new Error(loaded);
  return { ...loaded, world: worldAt(loaded.result, 0) };
}

/** The cursor and the world there, together: no panel ever sees one without the other. */
const at = (result: RunResult, cursor: number): { cursor: number; world: World } => ({
  cursor,
  world: worldAt(result, cursor),
});

/**
 * `loads`: bumped by every load (a large run that finishes after a later load is dropped);
 * `moves`: by every move of the cursor (a world that arrives after a later move is dropped);
 * `busy`: the busy line a large run shows (a later load takes it down). Shared with
 * remote-run.ts, which runs the large ones.
 */
export const turns = { loads: 0, moves: 0, busy: null as string | null };

/** A small run is about to be shown: a large one still computing is of no more use. */
function dropLargeRun(): void {
  largeRuns?.remoteRunner.cancel();
  if (turns.busy !== null && useLab.getState().busy === turns.busy) useLab.setState({ busy: null });
  turns.busy = null;
  turns.loads++;
  turns.moves++;
}

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
    return get().runLarge(scenario, () => opts.step ?? 0, opts);
  },
  runLarge(scenario, pick, opts = {}) {
    const mine = ++turns.loads;
    turns.busy = `Running “${scenario.title}”…`;
    set({ busy: turns.busy, playing: false });
    return import("./remote-run.ts").then(
      (m) => {
        largeRuns = m;
        return m.runLarge(mine, scenario, pick, opts);
      },
      () => {
        if (mine !== turns.loads) return null;
        set({ busy: null });
        return "the page's run worker could not be loaded: reload the page";
      },
    );
  },
  load(scenario, opts = {}) {
    if (isLarge(scenario)) {
      // Seconds of work: in the worker, the page says so meanwhile; an error comes later.
      void get()
        .loadSoon(scenario, opts)
        .then((error) => {
          if (error !== null) set({ error });
        });
      return null;
    }
    if (!kernelLoaded(scenario)) {
      // Its driver design or the nested kernel is still on its way (codecs.ts): run it then.
      const mine = ++turns.loads;
      void kernelParts.load().then(
        () => {
          if (mine !== turns.loads) return;
          const error = get().load(scenario, opts);
          if (error !== null) set({ error });
        },
        () => set({ error: "the kernel model could not be loaded: reload the page" }),
      );
      return null;
    }
    const loaded = runForPage(scenario);
    if (typeof loaded === "string") return loaded;
    dropLargeRun();
    const cursor = clamp(opts.step ?? 0, loaded.result.steps.length);
    set({ ...loaded, ...at(loaded.result, cursor), playing: false, selection: opts.selection ?? null });
    return null;
  },
  chooseNext(actor) {
    const { scenario, result, cursor, selection } = get();
    // The run already goes that way: no need for a schedule entry per step.
    if (result.steps[cursor]?.actor === actor) {
      get().moveTo(cursor + 1, { playing: false });
      return null;
    }
    const schedule = scheduleWithChoice(result, cursor, actor);
    return get().load({ ...scenario, schedule }, { step: cursor + 1, selection });
  },
  finishOp(actor) {
    const { scenario, result, cursor, selection } = get();
    const schedule = [...result.steps.slice(0, cursor).map((s) => s.actor), `${actor}:op`];
    // The entry's steps: the thread's in that op, with the SMMU's between them; its last one.
    const end = (steps: readonly RunResult["steps"][number][]): number => {
      const op = steps[cursor]?.opIndex;
      let last = cursor;
      for (let j = cursor; j < steps.length; j++) {
        const st = steps[j]!;
        if (st.actor === actor && st.opIndex === op) last = j + 1;
        else if (st.actor !== "smmu") break;
      }
      return last;
    };
    const next = { ...scenario, schedule };
    if (isLarge(next)) {
      void get()
        .runLarge(next, end, { selection })
        .then((error) => {
          if (error !== null) set({ error });
        });
      return null;
    }
    const loaded = runForPage(next);
    if (typeof loaded === "string") return loaded;
    dropLargeRun();
    set({ ...loaded, ...at(loaded.result, end(loaded.result.steps)), playing: false, selection });
    return null;
  },
  moveTo(step, also = {}) {
    const { result } = get();
    const mine = ++turns.moves;
    const remote = remoteOf(result);
    if (!remote) {
      set({ ...also, ...at(result, step) });
      return;
    }
    const here = remote.near(step);
    if (here) {
      set({ ...also, cursor: step, world: here });
      return;
    }
    void remote.fetch(step).then((world) => {
      if (mine === turns.moves && get().result === result) set({ ...also, cursor: step, world });
    });
  },
  stepForward() {
    const { cursor, result } = get();
    if (cursor < result.steps.length) get().moveTo(cursor + 1);
  },
  stepBack() {
    const { cursor } = get();
    if (cursor > 0) get().moveTo(cursor - 1);
  },
  goTo(step) {
    const { result, cursor } = get();
    const to = clamp(step, result.steps.length);
    if (to !== cursor) get().moveTo(to);
  },
  reset() {
    set({ playing: false });
    get().moveTo(0);
  },
  play() {
    const { cursor, result } = get();
    // Playing from the end starts over, as a media player does.
    if (cursor >= result.steps.length) get().moveTo(0, { playing: true });
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
