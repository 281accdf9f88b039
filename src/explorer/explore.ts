/**
 * Exhaustive exploration of a scenario's interleavings: every order in which the threads, the
 * SMMU (consuming commands) and the SRCU callbacks can step, after the scenario's schedule as a
 * fixed prefix.
 *
 * Depth-first over cloned worlds. States are deduplicated by their canonical hash together
 * with the violations met on the way (two paths into the same state with different histories
 * are different outcomes); each state remembers how many complete interleavings leave it with
 * each outcome, so the counts are exact even though every state is expanded once.
 *
 * Each distinct outcome (its set of violation kinds) comes with the first schedule that
 * reached it, which `sva-lab run` replays.
 */

import { CMDQ_OP } from "../engine/commands.ts";
import { readWord } from "../engine/memory.ts";
import { slotAddr } from "../engine/queue.ts";
import { Recorder, type ViolationKind } from "../engine/trace.ts";
import type { World } from "../engine/world.ts";
import { boot } from "../kernel/boot.ts";
import { clone, entrySteps, finalChecks, type Violation, worldHash } from "../kernel/run.ts";
import {
  type ActorInfo,
  actors,
  createSim,
  nextStep,
  remainingOps,
  type Sim,
  SMMU,
  settleAll,
  stepActor,
} from "../kernel/sim.ts";
import type { Scenario } from "../scenario/types.ts";

export const EXPLORE_FORMAT = "sva-lab-explore/1";

export interface Outcome {
  readonly violations: ViolationKind[];
  count: number;
  /** A full schedule (one actor per step) that reaches this outcome. */
  readonly schedule: string[];
  /** The step at which the outcome's first violation happened, if any. */
  readonly step: number | null;
}

export interface ExploreReport {
  readonly format: typeof EXPLORE_FORMAT;
  readonly complete: boolean;
  readonly states: number;
  readonly interleavings: number;
  readonly outcomes: Outcome[];
}

export interface ExploreOptions {
  readonly maxStates?: number;
  /** Called now and then with the number of states seen: the page's progress bar. */
  readonly onProgress?: (states: number) => void;
  /** Polled now and then: return true to stop (the page's cancel button). */
  readonly cancelled?: () => boolean;
  /** Partial-order reduction (default on). */
  readonly reduce?: boolean;
}

/** Outcomes reachable from a state: outcome id → interleavings, plus a witness path suffix. */
type Tally = Map<string, { count: number; suffix: string[]; kinds: ViolationKind[]; step: number | null }>;

class Stop extends Error {}

/**
 * Partial-order reduction: from the runnable actors, a subset whose steps commute with
 * everything the others could do first (an ample set), so the explorer tries one order
 * instead of all. Two sound cases:
 *   - a thread whose next step is `local` (it touches only its own locals): that step alone;
 *   - the SMMU, when the command at CONS is a CMD_SYNC (it changes nothing but CONS, which
 *     only enables the thread polling for it), or when no thread has a DMA or a bind left:
 *     consuming a command reads only the queue and writes only the SMMU's caches and the
 *     ATCs, which only DMA (and the PASID/ASID checks in bind) look at; the SMMU step alone.
 * `exploreScenario(…, { reduce: false })` tries every interleaving; the tests check that both
 * find the same outcomes.
 */
function reduce(sim: Sim, w: World, runnable: ActorInfo[]): ActorInfo[] {
  for (const t of w.threads) {
    if (t.status === "ready" && nextStep(sim, t)?.local) return runnable.filter((a) => a.name === t.name);
  }
  const smmu = runnable.find((a) => a.name === SMMU);
  if (!smmu) return runnable;
  const q = w.smmu.cmdq;
  const opcode = Number(readWord(w.mem, slotAddr(q, q.consumed)) & 0xffn);
  if (opcode === CMDQ_OP.CMD_SYNC) return [smmu];
  if (w.threads.every((t) => remainingOps(sim, t).every((op) => op.op !== "dma" && op.op !== "bind"))) {
    return [smmu];
  }
  return runnable;
}

export function exploreScenario(scenario: Scenario, opts: ExploreOptions = {}): ExploreReport {
  const maxStates = opts.maxStates ?? 100_000;
  const por = opts.reduce ?? true;
  const sim = createSim(scenario);
  const root = boot(scenario);
  settleAll(sim, root, new Recorder());
  const prefix: string[] = [];
  const prefixKinds = new Set<ViolationKind>();
  let prefixStep: number | null = null;
  (scenario.schedule ?? []).forEach((entry, i) => {
    for (const actor of entrySteps(sim, root, entry, `schedule[${i}]`)) {
      const r = new Recorder();
      stepActor(sim, root, actor, r);
      for (const e of r.events) {
        if (e.type !== "check.violation") continue;
        prefixKinds.add(e.kind);
        prefixStep ??= prefix.length;
      }
      prefix.push(actor);
    }
  });

  const memo = new Map<string, Tally>();
  /** The first full schedule found for each outcome, and how often a terminal state gave it. */
  const witness = new Map<string, Outcome>();
  const path: string[] = [...prefix];
  let complete = true;

  const visit = (
    w: World,
    depth: number,
    kinds: ReadonlySet<ViolationKind>,
    firstStep: number | null,
  ): Tally => {
    const key = `${worldHash(w)}|${[...kinds].sort().join(",")}`;
    const known = memo.get(key);
    if (known) return known;
    if (memo.size >= maxStates || opts.cancelled?.()) throw new Stop();
    const tally: Tally = new Map();
    memo.set(key, tally);
    if (memo.size % 256 === 0) opts.onProgress?.(memo.size);

    const runnable = actors(sim, w).filter((a) => a.runnable);
    const choices = por ? reduce(sim, w, runnable) : runnable;
    // A livelock ends the run at its step (kernel/run.ts): nothing after it is explored.
    const cut = kinds.has("livelock");
    if (runnable.length === 0 || cut) {
      const end: Violation[] = [];
      if (!cut) finalChecks(w, depth - 1, end);
      const all = [...new Set([...kinds, ...end.map((v) => v.kind)])].sort();
      const step = firstStep ?? (end.length > 0 ? depth - 1 : null);
      const id = all.join(",");
      tally.set(id, { count: 1, suffix: [], kinds: all, step });
      const seen = witness.get(id);
      if (seen) seen.count += 1;
      else witness.set(id, { violations: all, count: 1, schedule: [...path], step });
      return tally;
    }
    for (let i = 0; i < choices.length; i++) {
      const a = choices[i]!;
      // The last choice may take the parent's world: nothing needs it afterwards.
      const next = i === choices.length - 1 ? w : clone(w);
      const r = new Recorder();
      stepActor(sim, next, a.name, r);
      const nextKinds = new Set(kinds);
      let nextFirst = firstStep;
      for (const e of r.events) {
        if (e.type !== "check.violation") continue;
        nextKinds.add(e.kind);
        nextFirst ??= depth;
      }
      path.push(a.name);
      const below = visit(next, depth + 1, nextKinds, nextFirst);
      path.pop();
      for (const [id, t] of below) {
        const mine = tally.get(id);
        if (mine) mine.count += t.count;
        else tally.set(id, { count: t.count, suffix: [a.name, ...t.suffix], kinds: t.kinds, step: t.step });
      }
    }
    return tally;
  };

  let found: Outcome[];
  try {
    const top = visit(root, prefix.length, prefixKinds, prefixStep);
    found = [...top.values()].map((t) => ({
      violations: t.kinds,
      count: t.count,
      schedule: [...prefix, ...t.suffix],
      step: t.step,
    }));
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    // Stopped early: the outcomes met so far, each counted once per terminal state reached.
    complete = false;
    found = [...witness.values()];
  }
  opts.onProgress?.(memo.size);
  const outcomes = found.sort(
    (a, b) =>
      a.violations.length - b.violations.length || a.violations.join().localeCompare(b.violations.join()),
  );
  return {
    format: EXPLORE_FORMAT,
    complete,
    states: memo.size,
    interleavings: outcomes.reduce((n, o) => n + o.count, 0),
    outcomes,
  };
}
