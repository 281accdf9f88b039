/**
 * Exploration of a scenario's interleavings: every order in which the threads, the SMMU
 * (consuming commands), the IOPF handler and the SRCU callbacks can step, after the scenario's
 * schedule as a fixed prefix.
 *
 * Depth-first over cloned worlds (search.ts). States are told apart by a 64-bit fingerprint of the world
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

import type { ViolationKind } from "../engine/trace.ts";
import type { Scenario } from "../scenario/types.ts";
import { exploreRandom } from "./random.ts";
import { Search } from "./search.ts";
import { makeOutcome, sortOutcomes, startExplore } from "./start.ts";

export { DEFAULT_MAX_BYTES } from "./search.ts";

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
  | { readonly kind: "preemptions"; readonly bound: number; readonly reduced: boolean }
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

export function exploreScenario(scenario: Scenario, opts: ExploreOptions = {}): ExploreReport {
  if (opts.random) return exploreRandom(scenario, { ...opts, ...opts.random });
  const bound = opts.preemptions;
  const por = opts.reduce ?? true;
  const mode: ExploreMode =
    bound !== undefined
      ? { kind: "preemptions", bound, reduced: por }
      : por
        ? { kind: "reduced" }
        : { kind: "full" };
  const start = startExplore(scenario);
  const search = new Search(start, { ...opts, por });
  const top = search.run(start.root, start.prefixMask);
  search.progress();
  const { visited, tallies, outcomes } = search;
  // Complete: the root's tally. Stopped early: the outcomes met so far, each counted once per
  // terminal state reached.
  const rootTally = top === null ? null : tallies.all[top]!;
  const found: Outcome[] = outcomes.masks.map((mask, o) => {
    const i = rootTally ? rootTally.outcomes.indexOf(o) : -1;
    const count = rootTally ? (i >= 0 ? rootTally.counts[i]! : 0n) : outcomes.terminals[o]!;
    const schedule = [...start.prefix, ...visited.path(outcomes.firstState[o]!).map((x) => start.names[x]!)];
    return makeOutcome(scenario, start.kinds.of(mask), schedule, count);
  });
  return report(mode, search.stopped, visited.size, search.maxDepth, visited.bytes, found);
}

/** The report of a search, its outcomes sorted (fewest violations first). */
export function report(
  mode: ExploreMode,
  stopped: StopReason | null,
  states: number,
  maxDepth: number,
  bytes: number,
  found: Outcome[],
): ExploreReport {
  const total = found.reduce((s, o) => s + BigInt(o.exactCount), 0n);
  return {
    format: EXPLORE_FORMAT,
    complete: stopped === null && mode.kind !== "random",
    stopped,
    mode,
    states,
    interleavings: Number(total),
    exactInterleavings: total.toString(),
    maxDepth,
    bytes,
    outcomes: sortOutcomes(found),
  };
}
