/**
 * Exploration of a scenario's interleavings: every order in which the threads, the SMMU
 * (consuming commands), the IOPF handler and the SRCU callbacks can step, after the scenario's
 * schedule as a fixed prefix.
 *
 * Depth-first over cloned worlds, with an explicit stack (a thread of thousands of steps
 * does not grow the JS stack). States are told apart by a 64-bit fingerprint of the world
 * together with the violations met on the way (two paths into the same state with different
 * histories are different outcomes), kept in a compact table (visited.ts). Each state, once
 * every continuation from it is counted, keeps a tally of how many complete interleavings
 * leave it with each outcome, so the counts are exact (BigInt) though each state is expanded
 * once. Each outcome's witness schedule is rebuilt from parent links.
 *
 * Modes: the reduced search (default, por.ts), the full search (`reduce: false`), a
 * preemption-bounded search (`preemptions: k`: every interleaving with at most k switches away
 * from an actor that could have gone on, as CHESS does) and a seeded random search
 * (random.ts).
 */

import { Recorder, SilentRecorder, type ViolationKind } from "../engine/trace.ts";
import type { World } from "../engine/world.ts";
import { hashWorldInto } from "../engine/world-hash.ts";
import { boot } from "../kernel/boot.ts";
import { clone, entrySteps, finalChecks, runScenario, type Violation } from "../kernel/run.ts";
import { actors, createSim, type Sim, settleAll, stepActor } from "../kernel/sim.ts";
import type { Scenario } from "../scenario/types.ts";
import { persistentSet } from "./por.ts";
import { exploreRandom } from "./random.ts";
import { Tallies } from "./tally.ts";
import { Visited } from "./visited.ts";

export const EXPLORE_FORMAT = "sva-lab-explore/1";

export interface Outcome {
  readonly violations: ViolationKind[];
  /** Interleavings that end so (a float past 2^53: `exactCount` is exact). */
  count: number;
  /** `count` exactly, in decimal. */
  exactCount: string;
  /** A full schedule (one actor per step) that reaches this outcome. */
  readonly schedule: string[];
  /** The step at which the outcome's first violation happened, if any. */
  readonly step: number | null;
}

/** Why a search ended before covering everything it set out to. */
export type StopReason = "max-states" | "max-bytes" | "cancelled";

export type ExploreMode =
  | { readonly kind: "full" }
  | { readonly kind: "reduced" }
  | { readonly kind: "preemptions"; readonly bound: number }
  | { readonly kind: "random"; readonly runs: number; readonly seed: number };

export interface ExploreReport {
  readonly format: typeof EXPLORE_FORMAT;
  /** Every interleaving the mode covers was tried (never true for the random mode). */
  readonly complete: boolean;
  /** null when complete, or for a random search that did all its runs. */
  readonly stopped: StopReason | null;
  readonly mode: ExploreMode;
  readonly states: number;
  readonly interleavings: number;
  readonly exactInterleavings: string;
  /** The deepest the search went, in steps after the prefix. */
  readonly maxDepth: number;
  /** Memory the visited set held at the end. */
  readonly bytes: number;
  readonly outcomes: Outcome[];
}

export interface ProgressInfo {
  readonly states: number;
  readonly depth: number;
  readonly bytes: number;
}

export interface ExploreOptions {
  readonly maxStates?: number;
  /** Memory the visited set may take (default 1 GiB; the CLI gives half the machine's). */
  readonly maxBytes?: number;
  /** Called every few thousand states: the page's progress bar, the CLI's stderr line. */
  readonly onProgress?: (states: number, info: ProgressInfo) => void;
  /** Polled now and then: return true to stop (the page's cancel button). */
  readonly cancelled?: () => boolean;
  /** Partial-order reduction (default on; off under a preemption bound). */
  readonly reduce?: boolean;
  /** Only interleavings with at most this many preemptions. */
  readonly preemptions?: number;
  /** A seeded random search of `runs` interleavings instead (random.ts). */
  readonly random?: { readonly runs: number; readonly seed: number };
}

export const DEFAULT_MAX_BYTES = 2 ** 30;
const PROGRESS_EVERY = 4096;

/** What every mode starts from: the booted world after the prefix, and the actors' numbers. */
export interface Start {
  readonly scenario: Scenario;
  readonly sim: Sim;
  readonly root: World;
  readonly prefix: readonly string[];
  /** Actor number → name: the threads in order, then smmu, iopf, srcu. */
  readonly names: readonly string[];
  readonly kinds: KindBits;
  /** Violations met in the prefix, as bits. */
  readonly prefixMask: number;
}

/** Violation kinds as bits of a mask, numbered in the order they are first met. */
export class KindBits {
  private readonly bits = new Map<ViolationKind, number>();
  readonly names: ViolationKind[] = [];

  bit(kind: ViolationKind): number {
    let b = this.bits.get(kind);
    if (b === undefined) {
      b = this.names.length;
      if (b >= 16) throw new Error("more than 16 violation kinds");
      this.bits.set(kind, b);
      this.names.push(kind);
    }
    return 1 << b;
  }

  of(mask: number): ViolationKind[] {
    return this.names.filter((_k, i) => mask & (1 << i)).sort();
  }

  maskOf(rec: Recorder): number {
    let m = 0;
    for (const e of rec.events) if (e.type === "check.violation") m |= this.bit(e.kind);
    return m;
  }
}

export function startExplore(scenario: Scenario): Start {
  const sim = createSim(scenario);
  const root = boot(scenario);
  settleAll(sim, root, new Recorder());
  const kinds = new KindBits();
  const prefix: string[] = [];
  let prefixMask = 0;
  (scenario.schedule ?? []).forEach((entry, i) => {
    for (const actor of entrySteps(sim, root, entry, `schedule[${i}]`)) {
      const r = new SilentRecorder();
      stepActor(sim, root, actor, r);
      prefixMask |= kinds.maskOf(r);
      prefix.push(actor);
    }
  });
  const names = actors(sim, root).map((a) => a.name);
  if (names.length > 255) throw new Error("more than 255 actors");
  return { scenario, sim, root, prefix, names, kinds, prefixMask };
}

/** The runnable actors' numbers (the order of `actors`). */
export function runnableActors(sim: Sim, w: World): number[] {
  const out: number[] = [];
  actors(sim, w).forEach((a, i) => {
    if (a.runnable) out.push(i);
  });
  return out;
}

/** The lanes `fingerprint` leaves. */
export const lanes = new Int32Array(2);

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * The fingerprint of a state: the world's canonical hash (without the clock, as `worldHash`)
 * mixed with `extra` (the violations met, and the bounded mode's last actor and preemptions).
 * Leaves the two lanes in `lanes`.
 */
export function fingerprint(w: World, extra: number): void {
  hashWorldInto(w, lanes);
  const x = fmix(Math.imul(extra + 1, 0x9e3779b1));
  lanes[0] = lanes[0]! ^ x;
  lanes[1] = lanes[1]! ^ fmix(x + 0x6b43a9b5);
}

/** Outcome numbers for violation masks, in the order met. */
export class OutcomeTable {
  readonly masks: number[] = [];
  private readonly byMask = new Map<number, number>();
  /** Per outcome, the first terminal state (or run) that reached it, and how many did. */
  readonly firstState: number[] = [];
  readonly terminals: bigint[] = [];

  id(mask: number, state: number): number {
    let o = this.byMask.get(mask);
    if (o === undefined) {
      o = this.masks.length;
      this.byMask.set(mask, o);
      this.masks.push(mask);
      this.firstState.push(state);
      this.terminals.push(0n);
    }
    this.terminals[o]! += 1n;
    return o;
  }
}

/** The violations a terminal world adds at the end (deadlock, leak). */
export function endMask(start: Start, w: World, lastStep: number): number {
  const end: Violation[] = [];
  finalChecks(w, lastStep, end);
  let m = 0;
  for (const v of end) m |= start.kinds.bit(v.kind);
  return m;
}

/** An outcome with its witness: the step of its first violation comes from replaying it. */
export function makeOutcome(start: Start, mask: number, schedule: string[], count: bigint): Outcome {
  const violations = start.kinds.of(mask);
  let step: number | null = null;
  if (violations.length > 0) {
    const replay = runScenario({ ...start.scenario, schedule });
    step = replay.violations[0]?.step ?? null;
  }
  return { violations, count: Number(count), exactCount: count.toString(), schedule, step };
}

export function sortOutcomes(outcomes: Outcome[]): Outcome[] {
  return outcomes.sort(
    (a, b) =>
      a.violations.length - b.violations.length || a.violations.join().localeCompare(b.violations.join()),
  );
}

interface Frame {
  world: World;
  readonly state: number;
  readonly mask: number;
  /** The actor that took the last step (-1 at the root), and preemptions so far. */
  readonly last: number;
  readonly used: number;
  readonly choices: number[];
  next: number;
  readonly acc: Map<number, bigint>;
}

export function exploreScenario(scenario: Scenario, opts: ExploreOptions = {}): ExploreReport {
  if (opts.random) return exploreRandom(scenario, { ...opts, ...opts.random });
  const maxStates = opts.maxStates ?? Number.POSITIVE_INFINITY;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const bound = opts.preemptions;
  const por = bound === undefined && (opts.reduce ?? true);
  const mode: ExploreMode =
    bound !== undefined ? { kind: "preemptions", bound } : por ? { kind: "reduced" } : { kind: "full" };
  const start = startExplore(scenario);
  const { sim, names } = start;
  const visited = new Visited();
  const tallies = new Tallies();
  const outcomes = new OutcomeTable();
  const rec = new SilentRecorder();
  const base = start.prefix.length;
  let stopped: StopReason | null = null;
  let maxDepth = 0;
  const stack: Frame[] = [];

  const extraOf = (mask: number, last: number, used: number): number =>
    bound === undefined ? mask : mask | ((last + 1) << 16) | (used << 24);

  /** Counts a state met for the first time: a terminal's outcome, or a frame to expand. */
  const enter = (w: World, state: number, mask: number, last: number, used: number): number | null => {
    const runnable = runnableActors(sim, w);
    if (runnable.length === 0) {
      const full = mask | endMask(start, w, base + stack.length - 1);
      const o = outcomes.id(full, state);
      const t = tallies.intern(new Map([[o, 1n]]));
      visited.tally[state] = t;
      return t;
    }
    let choices = por ? persistentSet(sim, w, names, runnable) : runnable;
    if (bound !== undefined && last >= 0 && runnable.includes(last) && used >= bound) choices = [last];
    stack.push({ world: w, state, mask, last, used, choices, next: 0, acc: new Map() });
    if (stack.length > maxDepth) maxDepth = stack.length;
    return null;
  };

  fingerprint(start.root, extraOf(start.prefixMask, -1, 0));
  const first = ~visited.findOrAdd(lanes[0]!, lanes[1]!, -1, 0);
  const top = enter(start.root, first, start.prefixMask, -1, 0);
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    if (f.next === f.choices.length) {
      stack.pop();
      const t = tallies.intern(f.acc);
      visited.tally[f.state] = t;
      const parent = stack[stack.length - 1];
      if (parent) tallies.addInto(parent.acc, t);
      continue;
    }
    const a = f.choices[f.next++]!;
    // The last choice may take the parent's world: nothing needs it afterwards.
    const next = f.next === f.choices.length ? f.world : clone(f.world);
    if (f.next === f.choices.length) f.world = null as unknown as World;
    rec.reset();
    stepActor(sim, next, names[a]!, rec);
    const mask = f.mask | start.kinds.maskOf(rec);
    // Switching away from an actor that could have gone on is a preemption (bounded mode,
    // where the choices are all the runnable actors).
    const preempts = bound !== undefined && f.last >= 0 && a !== f.last && f.choices.includes(f.last);
    const used = f.used + (preempts ? 1 : 0);
    const last = bound === undefined ? -1 : a;
    fingerprint(next, extraOf(mask, last, used));
    const n = visited.findOrAdd(lanes[0]!, lanes[1]!, f.state, a);
    if (n >= 0) {
      const t = visited.tally[n]!;
      if (t >= 0) tallies.addInto(f.acc, t);
      continue;
    }
    const t = enter(next, ~n, mask, last, used);
    if (t !== null) tallies.addInto(f.acc, t);
    if (visited.size % PROGRESS_EVERY === 0) {
      opts.onProgress?.(visited.size, { states: visited.size, depth: stack.length, bytes: visited.bytes });
      if (opts.cancelled?.()) stopped = "cancelled";
    }
    if (visited.size >= maxStates) stopped ??= "max-states";
    if (visited.bytes > maxBytes) stopped ??= "max-bytes";
    if (stopped) break;
  }
  opts.onProgress?.(visited.size, { states: visited.size, depth: stack.length, bytes: visited.bytes });

  // Complete: the root's tally. Stopped early: the outcomes met so far, each counted once per
  // terminal state reached.
  const rootTally = stopped ? null : tallies.all[top ?? visited.tally[first]!]!;
  const found: Outcome[] = outcomes.masks.map((mask, o) => {
    const i = rootTally ? rootTally.outcomes.indexOf(o) : -1;
    const count = rootTally ? (i >= 0 ? rootTally.counts[i]! : 0n) : outcomes.terminals[o]!;
    const schedule = [...start.prefix, ...visited.path(outcomes.firstState[o]!).map((x) => names[x]!)];
    return makeOutcome(start, mask, schedule, count);
  });
  const total = found.reduce((s, o) => s + BigInt(o.exactCount), 0n);
  return {
    format: EXPLORE_FORMAT,
    complete: stopped === null,
    stopped,
    mode,
    states: visited.size,
    interleavings: Number(total),
    exactInterleavings: total.toString(),
    maxDepth,
    bytes: visited.bytes,
    outcomes: sortOutcomes(found),
  };
}
