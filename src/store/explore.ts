/**
 * The explorer on the page: runs `exploreScenario` in a Web Worker (created when Explore is
 * pressed, so neither the worker nor its copy of the model is in the initial bundle), follows
 * its progress, cancels by terminating it, and opens an outcome as a run of the page: the
 * scenario with the outcome's schedule, the cursor just after the step where it first broke.
 */

import { create } from "zustand";
import type { ExploreReport, Outcome } from "../explorer/explore.ts";
import type { ExploreMessage, ExploreRequest } from "../explorer/worker.ts";
import type { Scenario } from "../scenario/index.ts";
import { useLab } from "./store.ts";

export type ExploreStatus = "idle" | "running" | "done" | "cancelled" | "failed";

/**
 * What is fixed before the explorer branches: the scenario's schedule (as `sva-lab explore`
 * does), the steps up to the cursor, or nothing.
 */
export type ExploreFrom = "schedule" | "cursor" | "start";

export const STATE_LIMITS = [10_000, 100_000, 1_000_000] as const;

/**
 * How to search: every interleaving (reduced), every one with at most k preemptions, or a
 * seeded random sample (for races whose full search would not fit; docs/explorer.md).
 */
export type ExploreSearch = "every" | "k1" | "k2" | "k3" | "random";

/** The random sample's size and seed. */
export const RANDOM_RUNS = 1000;
export const RANDOM_SEED = 1;

/** The worker's options for a search choice. */
export function searchOptions(search: ExploreSearch): Pick<ExploreRequest, "preemptions" | "random"> {
  if (search === "random") return { random: { runs: RANDOM_RUNS, seed: RANDOM_SEED } };
  if (search === "every") return {};
  return { preemptions: Number(search.slice(1)) };
}

export interface ExploreState {
  readonly status: ExploreStatus;
  /** States seen so far (the progress bar), and the depth the search is at. */
  readonly states: number;
  readonly depth: number;
  readonly search: ExploreSearch;
  /** Task workers for a big search (1: the explorer's worker alone). */
  readonly workers: number;
  readonly maxStates: number;
  readonly from: ExploreFrom;
  readonly report: ExploreReport | null;
  /** The scenario explored (its schedule the fixed prefix): outcomes open against it. */
  readonly explored: Scenario | null;
  readonly error: string | null;
  readonly elapsedMs: number;
  /** The explorer's panel is shown. */
  readonly open: boolean;

  setOpen(open: boolean): void;
  setFrom(from: ExploreFrom): void;
  setMaxStates(n: number): void;
  setSearch(search: ExploreSearch): void;
  setWorkers(n: number): void;
  /** Explores the page's scenario (from `from`); a running exploration is cancelled first. */
  start(): void;
  cancel(): void;
  /** Loads the explored scenario with the outcome's schedule at its first violation. */
  openOutcome(o: Outcome): string | null;
}

/** The scenario handed to the worker: its schedule is what stays fixed. */
export function scenarioToExplore(from: ExploreFrom): Scenario {
  const { scenario, result, cursor } = useLab.getState();
  if (from === "schedule") return scenario;
  const { schedule: _dropped, ...rest } = scenario;
  if (from === "start") return rest;
  return { ...rest, schedule: result.steps.slice(0, cursor).map((s) => s.actor) };
}

/** Where the page's cursor goes for an outcome: just after its first violation, else the end. */
export function outcomeCursor(o: Pick<Outcome, "step" | "schedule">): number {
  return o.step === null ? o.schedule.length : o.step + 1;
}

/** Replaced in tests. */
export const workers = {
  create: (): Worker => new Worker(new URL("../explorer/worker.ts", import.meta.url), { type: "module" }),
};

let running: { worker: Worker; started: number } | null = null;

function stop(): void {
  running?.worker.terminate();
  running = null;
}

export const useExplore = create<ExploreState>()((set, get) => ({
  status: "idle",
  states: 0,
  depth: 0,
  search: "every",
  workers: 1,
  maxStates: 100_000,
  from: "schedule",
  report: null,
  explored: null,
  error: null,
  elapsedMs: 0,
  open: false,

  setOpen(open) {
    set({ open });
  },
  setFrom(from) {
    set({ from });
  },
  setMaxStates(maxStates) {
    set({ maxStates });
  },
  setSearch(search) {
    set({ search });
  },
  setWorkers(workers) {
    set({ workers });
  },
  start() {
    stop();
    const scenario = scenarioToExplore(get().from);
    const maxStates = get().maxStates;
    let worker: Worker;
    try {
      worker = workers.create();
    } catch (e) {
      set({ status: "failed", error: e instanceof Error ? e.message : String(e), open: true });
      return;
    }
    const mine = { worker, started: performance.now() };
    running = mine;
    const elapsed = (): number => Math.round(performance.now() - mine.started);
    worker.onmessage = (e: MessageEvent<ExploreMessage>) => {
      if (running !== mine) return;
      const m = e.data;
      if (m.type === "progress") {
        set({ states: m.states, depth: m.depth ?? 0, elapsedMs: elapsed() });
        return;
      }
      stop();
      if (m.type === "done")
        set({ status: "done", report: m.report, states: m.report.states, elapsedMs: elapsed() });
      else set({ status: "failed", error: m.message, elapsedMs: elapsed() });
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      if (running !== mine) return;
      stop();
      set({ status: "failed", error: e.message || "the explorer's worker stopped", elapsedMs: elapsed() });
    };
    const request: ExploreRequest = {
      scenario,
      maxStates,
      workers: get().workers,
      ...searchOptions(get().search),
    };
    worker.postMessage(request);
    set({
      status: "running",
      states: 0,
      depth: 0,
      report: null,
      explored: scenario,
      error: null,
      elapsedMs: 0,
      open: true,
    });
  },
  cancel() {
    if (get().status !== "running") return;
    const took = running ? Math.round(performance.now() - running.started) : 0;
    stop();
    set({ status: "cancelled", elapsedMs: took });
  },
  openOutcome(o) {
    const explored = get().explored;
    if (!explored) return "nothing has been explored";
    const lab = useLab.getState();
    const error = lab.load({ ...explored, schedule: o.schedule }, { step: outcomeCursor(o) });
    lab.setError(error === null ? null : `The outcome could not be opened: ${error}`);
    return error;
  },
}));
