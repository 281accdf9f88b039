/**
 * What every search mode shares: the booted world after the scenario's schedule (the fixed
 * prefix), the actors by number, violation kinds as bits, state fingerprints, and outcomes
 * with their witnesses.
 */

import { cmdqErrorActive } from "../engine/cmdq-error.ts";
import { hashLiveWorldInto, type PartLanes } from "../engine/fingerprint.ts";
import { queueEmpty } from "../engine/queue.ts";
import { Recorder, SilentRecorder, type ViolationKind } from "../engine/trace.ts";
import type { World } from "../engine/world.ts";
import { hashWorldInto } from "../engine/world-hash.ts";
import { boot } from "../kernel/boot.ts";
import { gerrorPending } from "../kernel/gerror.ts";
import { iopfWait } from "../kernel/iopf.ts";
import { firstReadySrcuCallback } from "../kernel/objects.ts";
import { entrySteps, finalChecks, runScenario, type Violation } from "../kernel/run.ts";
import { actors, createSim, type Sim, settleAll, stepActor } from "../kernel/sim.ts";
import type { Scenario } from "../scenario/types.ts";
import type { Outcome } from "./explore.ts";

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

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function nameHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix(h);
}

/**
 * Violation kinds as bits of a mask, numbered in the order they are first met (so numbers
 * differ between searches); `hash(mask)` depends on the kinds' names only, so fingerprints
 * agree between the workers of a parallel search.
 */
export class KindBits {
  private readonly bits = new Map<ViolationKind, number>();
  readonly names: ViolationKind[] = [];
  private readonly hashes = new Map<number, number>();

  bit(kind: ViolationKind): number {
    let b = this.bits.get(kind);
    if (b === undefined) {
      b = this.names.length;
      if (b >= 30) throw new Error("more than 30 violation kinds");
      this.bits.set(kind, b);
      this.names.push(kind);
    }
    return 1 << b;
  }

  /** Whether `mask` holds `kind` (without giving the kind a bit). */
  has(mask: number, kind: ViolationKind): boolean {
    const b = this.bits.get(kind);
    return b !== undefined && (mask & (1 << b)) !== 0;
  }

  of(mask: number): ViolationKind[] {
    return this.names.filter((_k, i) => mask & (1 << i)).sort();
  }

  maskOfKinds(kinds: readonly ViolationKind[]): number {
    let m = 0;
    for (const k of kinds) m |= this.bit(k);
    return m;
  }

  maskOf(rec: Recorder): number {
    let m = 0;
    for (const e of rec.events) if (e.type === "check.violation") m |= this.bit(e.kind);
    return m;
  }

  hash(mask: number): number {
    let h = this.hashes.get(mask);
    if (h === undefined) {
      h = 0x2545f491;
      for (const k of this.of(mask)) h = fmix(h ^ nameHash(k));
      this.hashes.set(mask, h);
    }
    return h;
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

/**
 * The numbers (the order of `actors`, kernel/sim.ts) of the actors that can step now: `actors`'
 * `runnable`, without building its texts (the explorer asks at every state it meets).
 */
export function runnableActors(_sim: Sim, w: World): number[] {
  const out: number[] = [];
  const n = w.threads.length;
  for (let i = 0; i < n; i++) if (w.threads[i]!.status === "ready") out.push(i);
  if (!queueEmpty(w.smmu.cmdq) && !cmdqErrorActive(w.smmu)) out.push(n);
  if (gerrorPending(w) || iopfWait(w) === null) out.push(n + 1);
  if (firstReadySrcuCallback(w) >= 0) out.push(n + 2);
  return out;
}

/** The lanes `fingerprint` leaves. */
export const lanes = new Int32Array(2);

let live = true;

/**
 * Whether fingerprints leave out what no step reads again (engine/fingerprint.ts `hashLiveWorldInto`:
 * the SMMU queues' dead slots), the default; off, they hash the whole world, for the tests that
 * check both give the same outcomes and counts. Returns what it was.
 */
export function liveFingerprints(on: boolean): boolean {
  const was = live;
  live = on;
  return was;
}

/**
 * The fingerprint of a state: the world's canonical hash without the clock and without the
 * queue slots no step reads again (`hashLiveWorldInto`), mixed with the violations met on the
 * way (`kinds`, a KindBits hash) and `extra` (the bounded mode's last actor and preemptions).
 * Leaves the two lanes in `lanes`. `from` and `into`: the parts' lanes of the state `w` was
 * stepped from, and where to leave `w`'s (engine/fingerprint.ts `PartLanes`).
 */
export function fingerprint(
  w: World,
  kinds: number,
  extra = 0,
  from: PartLanes | null = null,
  into?: PartLanes,
): void {
  if (live) hashLiveWorldInto(w, lanes, from, into);
  else hashWorldInto(w, lanes);
  const x = fmix(kinds ^ Math.imul(extra + 1, 0x9e3779b1));
  lanes[0] = lanes[0]! ^ x;
  lanes[1] = lanes[1]! ^ fmix(x + 0x6b43a9b5);
}

/** Outcome numbers for violation masks, in the order met. */
export class OutcomeTable {
  readonly masks: number[] = [];
  private readonly byMask = new Map<number, number>();
  /** Per outcome, the first terminal state (or run) that reached it, in which task. */
  readonly firstState: number[] = [];
  readonly firstTask: number[] = [];
  /** Terminal states (or runs) that ended so. */
  readonly terminals: bigint[] = [];

  /** The outcome of `mask`, numbered if new; `state` (in `task`) reached it. */
  id(mask: number, state = -1, task = 0): number {
    let o = this.byMask.get(mask);
    if (o === undefined) {
      o = this.masks.length;
      this.byMask.set(mask, o);
      this.masks.push(mask);
      this.firstState.push(state);
      this.firstTask.push(task);
      this.terminals.push(0n);
    }
    return o;
  }

  /** A terminal state reached `mask`. */
  terminal(mask: number, state: number, task = 0): number {
    const o = this.id(mask, state, task);
    if (this.firstState[o]! < 0) {
      this.firstState[o] = state;
      this.firstTask[o] = task;
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
export function makeOutcome(
  scenario: Scenario,
  violations: ViolationKind[],
  schedule: string[],
  count: bigint,
): Outcome {
  let step: number | null = null;
  if (violations.length > 0) {
    const replay = runScenario({ ...scenario, schedule });
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
