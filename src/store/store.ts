/**
 * The page's state: the scenario, its run (a World snapshot per step), the cursor, playback,
 * the selection, the theme and the last load error. The model is reached only through
 * `runScenario` and `toTraceJson`; the timer that plays and the URL sync live outside
 * (playback.ts, url-sync.ts) and only call the actions below.
 */

import { create } from "zustand";
import {
  type RunResult,
  runScenario,
  scheduleWithChoice,
  type TraceJson,
  toTraceJson,
} from "../kernel/index.ts";
import { parseScenario, type Scenario } from "../scenario/index.ts";
import lifecycleJson from "../scenario/library/lifecycle.json";
import type { Selection } from "./selection.ts";

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
  /** 0..steps.length: the world shown is snapshots[cursor]. */
  readonly cursor: number;
  readonly playing: boolean;
  readonly speed: Speed;
  readonly selection: Selection | null;
  readonly theme: Theme;
  /** Why the last scenario or link could not be opened; shown as text. */
  readonly error: string | null;

  /** Runs `scenario` and shows it at `step`; on failure keeps what is shown and returns the error. */
  load(scenario: Scenario, opts?: { step?: number; selection?: Selection | null }): string | null;
  /**
   * Manual interleaving: `actor` takes the step after the cursor. The run continues (the
   * default policy after the new schedule) and the cursor moves onto the new step.
   */
  chooseNext(actor: string): string | null;
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

export function defaultScenario(): Scenario {
  const parsed = parseScenario(lifecycleJson);
  if (!parsed.ok) throw new Error(`the built-in scenario does not validate: ${parsed.error}`);
  return parsed.value;
}

/** Runs a scenario for the page; a schedule the model refuses comes back as a message. */
export function runForPage(scenario: Scenario): Loaded | string {
  try {
    const result = runScenario(scenario, { snapshots: true });
    return { scenario, result, trace: toTraceJson(result) };
  } catch (e) {
    return `the scenario could not be run: ${e instanceof Error ? e.message : String(e)}`;
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

function initial(): Loaded {
  const loaded = runForPage(defaultScenario());
  if (typeof loaded === "string") throw new Error(loaded);
  return loaded;
}

export const useLab = create<LabState>()((set, get) => ({
  ...initial(),
  cursor: 0,
  playing: false,
  speed: 2,
  selection: null,
  theme: storedTheme(),
  error: null,

  load(scenario, opts = {}) {
    const loaded = runForPage(scenario);
    if (typeof loaded === "string") return loaded;
    const cursor = clamp(opts.step ?? 0, loaded.result.steps.length);
    set({ ...loaded, cursor, playing: false, selection: opts.selection ?? null });
    return null;
  },
  chooseNext(actor) {
    const { scenario, result, cursor, selection } = get();
    // The run already goes that way: no need for a schedule entry per step.
    if (result.steps[cursor]?.actor === actor) {
      set({ cursor: cursor + 1, playing: false });
      return null;
    }
    const schedule = scheduleWithChoice(result, cursor, actor);
    return get().load({ ...scenario, schedule }, { step: cursor + 1, selection });
  },
  stepForward() {
    const { cursor, result } = get();
    if (cursor < result.steps.length) set({ cursor: cursor + 1 });
  },
  stepBack() {
    const { cursor } = get();
    if (cursor > 0) set({ cursor: cursor - 1 });
  },
  goTo(step) {
    set({ cursor: clamp(step, get().result.steps.length) });
  },
  reset() {
    set({ cursor: 0, playing: false });
  },
  play() {
    const { cursor, result } = get();
    // Playing from the end starts over, as a media player does.
    set({ playing: true, cursor: cursor >= result.steps.length ? 0 : cursor });
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
