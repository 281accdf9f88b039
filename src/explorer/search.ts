/**
 * The depth-first search itself, over an explicit stack (a thread of thousands of steps does
 * not grow the JS stack):
 *   1. a state met for the first time gets a number in the visited set, with a parent link;
 *   2. a terminal state (nothing runnable) counts one interleaving of its outcome (the
 *      violations met on the way and at the end);
 *   3. any other state is expanded: its choices (every runnable actor, or a persistent set)
 *      are stepped one by one on copies of its world, the last on the world itself;
 *   4. once every choice is done the state's tally (tally.ts) is the sum of its successors'
 *      and is added into its parent's; a state met again adds its kept tally.
 * A frontier (parallel.ts) stops the expansion at a depth and takes those states' tallies
 * from elsewhere.
 */

import { PartLanes } from "../engine/fingerprint.ts";
import { SilentRecorder } from "../engine/trace.ts";
import type { World } from "../engine/world.ts";
import { clone } from "../kernel/run.ts";
import { stepActor } from "../kernel/sim.ts";
import type { ExploreOptions, StopReason } from "./explore.ts";
import { mayGoOnAlone, persistentSet } from "./por.ts";
import { endMask, fingerprint, lanes, OutcomeTable, runnableActors, type Start } from "./start.ts";
import { Tallies } from "./tally.ts";
import { Visited } from "./visited.ts";

export const DEFAULT_MAX_BYTES = 2 ** 30;
const PROGRESS_EVERY = 4096;

export interface Frontier {
  /** States this many steps below the search's root are not expanded… */
  readonly depth: number;
  /** …but given this tally (a number in the search's `tallies`). */
  at(w: World, state: number, mask: number): number;
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
  /** The parts' lanes of its fingerprint, for its successors' (engine/fingerprint.ts `PartLanes`). */
  readonly parts: PartLanes;
  /**
   * The successors' tallies: while there is one, its number (`one`, -1 before it), and a sum
   * (`acc`) only once a second comes (most states have one successor, or successors that met
   * again: summing and interning a copy of the one would give the same tally).
   */
  one: number;
  acc: Map<number, bigint> | null;
}

export type SearchOptions = Pick<
  ExploreOptions,
  "maxStates" | "maxBytes" | "onProgress" | "cancelled" | "preemptions"
> & { readonly por: boolean };

export class Search {
  readonly visited = new Visited();
  readonly tallies = new Tallies();
  readonly outcomes = new OutcomeTable();
  stopped: StopReason | null = null;
  maxDepth = 0;
  private readonly rec = new SilentRecorder();
  private readonly stack: Frame[] = [];
  /** `PartLanes` by depth: a state's successors leave theirs one level down. */
  private readonly partsAt: PartLanes[] = [];

  private partsAtDepth(d: number): PartLanes {
    let p = this.partsAt[d];
    if (!p) {
      p = new PartLanes();
      this.partsAt[d] = p;
    }
    return p;
  }

  constructor(
    readonly start: Start,
    readonly opts: SearchOptions,
  ) {}

  /** The preemption bound's part of a fingerprint. */
  private extra(last: number, used: number): number {
    return this.opts.preemptions === undefined ? 0 : (last + 1) | (used << 8);
  }

  /**
   * The last actor as the bounded mode needs it at a state whose runnable actors are
   * `runnable`: -1 (as at the root) unless it can go on and another could be taken instead.
   * Only then does it make a switch a preemption or, with the bound used up, the one choice;
   * otherwise every choice is free either way and the next state's last actor is the one
   * taken, so states that differ only in it have the same continuations and are one state.
   */
  private lastOf(last: number, runnable: readonly number[]): number {
    return last >= 0 && runnable.length > 1 && runnable.includes(last) ? last : -1;
  }

  /** A state met for the first time: a terminal's tally, the frontier's, or null (expanded). */
  private enter(
    w: World,
    state: number,
    mask: number,
    last: number,
    used: number,
    task: number,
    runnable: number[],
  ): number | null {
    const { sim, names } = this.start;
    const bound = this.opts.preemptions;
    // A livelock ends the run at its step (kernel/run.ts): nothing after it is explored.
    const cut = this.start.kinds.has(mask, "livelock");
    if (runnable.length === 0 || cut) {
      const o = this.outcomes.terminal(cut ? mask : mask | endMask(this.start, w, 0), state, task);
      const t = this.tallies.intern(new Map([[o, 1n]]));
      this.visited.tally[state] = t;
      return t;
    }
    if (this.frontier && this.stack.length === this.frontier.depth) {
      const t = this.frontier.at(w, state, mask);
      this.visited.tally[state] = t;
      return t;
    }
    let choices = runnable;
    if (bound === undefined) {
      if (this.opts.por) choices = persistentSet(sim, w, names, runnable);
    } else if (last >= 0 && runnable.includes(last)) {
      if (used >= bound || (this.opts.por && mayGoOnAlone(sim, w, names, last))) choices = [last];
    }
    const parts = this.partsAtDepth(this.stack.length);
    this.stack.push({ world: w, state, mask, last, used, choices, next: 0, one: -1, acc: null, parts });
    if (this.stack.length > this.maxDepth) this.maxDepth = this.stack.length;
    return null;
  }

  private frontier: Frontier | undefined;

  /**
   * Explores every continuation of `w` (which it consumes), `mask` the violations met before;
   * `task` names this root in the outcomes' witnesses. Returns the root's tally, or null when
   * the search stopped (`stopped` says why).
   */
  run(w: World, mask: number, task = 0, frontier?: Frontier): number | null {
    const { start, visited, tallies, stack, rec, opts } = this;
    const bound = opts.preemptions;
    this.frontier = frontier;
    fingerprint(w, start.kinds.hash(mask), this.extra(-1, 0), null, this.partsAtDepth(stack.length));
    const n0 = visited.findOrAdd(lanes[0]!, lanes[1]!, -1, 0);
    if (n0 >= 0) return visited.tally[n0]! >= 0 ? visited.tally[n0]! : null;
    const root = ~n0;
    const top = this.enter(w, root, mask, -1, 0, task, runnableActors(start.sim, w));
    if (top !== null) return top;
    while (stack.length > 0) {
      const f = stack[stack.length - 1]!;
      if (f.next === f.choices.length) {
        stack.pop();
        const t = f.acc !== null ? tallies.intern(f.acc) : f.one >= 0 ? f.one : tallies.intern(new Map());
        visited.tally[f.state] = t;
        const parent = stack[stack.length - 1];
        if (parent) this.add(parent, t);
        continue;
      }
      const a = f.choices[f.next++]!;
      // The last choice may take the parent's world: nothing needs it afterwards.
      const lastChoice = f.next === f.choices.length;
      const next = lastChoice ? f.world : clone(f.world);
      if (lastChoice) f.world = null as unknown as World;
      rec.reset();
      stepActor(start.sim, next, start.names[a]!, rec);
      const m = f.mask | start.kinds.maskOf(rec);
      // Switching away from an actor that could have gone on is a preemption (bounded mode,
      // where the choices are all the runnable actors).
      const preempts = bound !== undefined && f.last >= 0 && a !== f.last && f.choices.includes(f.last);
      const used = f.used + (preempts ? 1 : 0);
      // The bounded mode needs the runnable actors for the fingerprint; the others once it is new.
      const runnable = bound === undefined ? null : runnableActors(start.sim, next);
      const last = runnable === null ? -1 : this.lastOf(a, runnable);
      fingerprint(
        next,
        start.kinds.hash(m),
        this.extra(last, used),
        f.parts,
        this.partsAtDepth(stack.length),
      );
      const n = visited.findOrAdd(lanes[0]!, lanes[1]!, f.state, a);
      if (n >= 0) {
        const t = visited.tally[n]!;
        if (t >= 0) this.add(f, t);
        continue;
      }
      const t = this.enter(next, ~n, m, last, used, task, runnable ?? runnableActors(start.sim, next));
      if (t !== null) this.add(f, t);
      if (visited.size % PROGRESS_EVERY === 0) {
        this.progress();
        if (opts.cancelled?.()) this.stopped = "cancelled";
      }
      if (visited.size >= (opts.maxStates ?? Number.POSITIVE_INFINITY)) this.stopped ??= "max-states";
      if (visited.bytes > (opts.maxBytes ?? DEFAULT_MAX_BYTES)) this.stopped ??= "max-bytes";
      if (this.stopped) {
        stack.length = 0;
        return null;
      }
    }
    return visited.tally[root]!;
  }

  /** Adds tally `t` into frame `f`'s sum (`Frame.one`, `Frame.acc`). */
  private add(f: Frame, t: number): void {
    if (f.acc === null) {
      if (f.one < 0) {
        f.one = t;
        return;
      }
      f.acc = new Map();
      this.tallies.addInto(f.acc, f.one);
    }
    this.tallies.addInto(f.acc, t);
  }

  progress(): void {
    const v = this.visited;
    this.opts.onProgress?.(v.size, { states: v.size, depth: this.stack.length, bytes: v.bytes });
  }
}
