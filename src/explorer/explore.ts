/**
 * Exhaustive exploration of a scenario's interleavings: every order in which the threads, the
 * SMMU (consuming commands) and the SRCU callbacks can step, after the scenario's schedule as a
 * fixed prefix. Depth-first over cloned worlds, with states deduplicated by their canonical
 * hash together with the violations met on the way (two paths into the same state with
 * different histories are different outcomes).
 *
 * Each distinct outcome (its set of violation kinds) comes with the first schedule that
 * reached it, which `sva-lab run` replays.
 */

import { Recorder, type ViolationKind } from "../engine/trace.ts";
import type { World } from "../engine/world.ts";
import { boot } from "../kernel/boot.ts";
import { clone, entrySteps, finalChecks, type Violation, worldHash } from "../kernel/run.ts";
import { actors, createSim, settleAll, stepActor } from "../kernel/sim.ts";
import type { Scenario } from "../scenario/types.ts";

export const EXPLORE_FORMAT = "sva-lab-explore/1";

export interface Outcome {
  readonly violations: ViolationKind[];
  count: number;
  readonly schedule: string[];
  /** The step at which the first violation of the outcome happened (for opening it). */
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
}

interface Node {
  readonly w: World;
  readonly path: string[];
  readonly kinds: ReadonlySet<ViolationKind>;
  readonly firstStep: number | null;
}

export function exploreScenario(scenario: Scenario, opts: ExploreOptions = {}): ExploreReport {
  const maxStates = opts.maxStates ?? 100_000;
  const sim = createSim(scenario);
  const root = boot(scenario);
  const rec = new Recorder();
  settleAll(sim, root, rec);
  const prefix: string[] = [];
  const prefixKinds = new Set<ViolationKind>();
  (scenario.schedule ?? []).forEach((entry, i) => {
    for (const actor of entrySteps(sim, root, entry, `schedule[${i}]`)) {
      const r = new Recorder();
      stepActor(sim, root, actor, r);
      prefix.push(actor);
      for (const e of r.events) if (e.type === "check.violation") prefixKinds.add(e.kind);
    }
  });

  const outcomes = new Map<string, Outcome>();
  const visited = new Set<string>();
  const stack: Node[] = [
    { w: root, path: prefix, kinds: prefixKinds, firstStep: prefixKinds.size ? 0 : null },
  ];
  let interleavings = 0;
  let complete = true;

  while (stack.length > 0) {
    if (visited.size >= maxStates || opts.cancelled?.()) {
      complete = false;
      break;
    }
    const node = stack.pop()!;
    const key = `${worldHash(node.w)}|${[...node.kinds].sort().join(",")}`;
    if (visited.has(key)) continue;
    visited.add(key);
    if (visited.size % 256 === 0) opts.onProgress?.(visited.size);

    const runnable = actors(sim, node.w).filter((a) => a.runnable);
    if (runnable.length === 0) {
      interleavings += 1;
      const end: Violation[] = [];
      finalChecks(node.w, node.path.length - 1, end);
      const kinds = new Set([...node.kinds, ...end.map((v) => v.kind)]);
      const sorted = [...kinds].sort();
      const id = sorted.join(",");
      const seen = outcomes.get(id);
      if (seen) seen.count += 1;
      else {
        const step = node.firstStep ?? (end.length ? node.path.length - 1 : null);
        outcomes.set(id, { violations: sorted, count: 1, schedule: node.path, step });
      }
      continue;
    }
    // Push in reverse so that the declaration order is explored first (like the default policy).
    for (const a of [...runnable].reverse()) {
      const w = clone(node.w);
      const r = new Recorder();
      stepActor(sim, w, a.name, r);
      const kinds = new Set(node.kinds);
      let firstStep = node.firstStep;
      for (const e of r.events) {
        if (e.type !== "check.violation") continue;
        kinds.add(e.kind);
        firstStep ??= node.path.length;
      }
      stack.push({ w, path: [...node.path, a.name], kinds, firstStep });
    }
  }
  opts.onProgress?.(visited.size);
  const list = [...outcomes.values()].sort(
    (a, b) =>
      a.violations.length - b.violations.length || a.violations.join().localeCompare(b.violations.join()),
  );
  return { format: EXPLORE_FORMAT, complete, states: visited.size, interleavings, outcomes: list };
}
