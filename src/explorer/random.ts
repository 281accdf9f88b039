/**
 * The seeded random search, for races too big to explore: `runs` complete interleavings, each
 * picking the next actor uniformly among the runnable ones with a seeded generator
 * (mulberry32, exact in every engine), so the same seed gives the same runs everywhere. It
 * reports what it covered: the runs, the distinct states they met, and per outcome how many
 * runs ended so, with the first run's schedule. It never claims completeness.
 */

import { SilentRecorder } from "../engine/trace.ts";
import { clone } from "../kernel/run.ts";
import { stepActor } from "../kernel/sim.ts";
import type { Scenario } from "../scenario/types.ts";
import type { ExploreOptions, ExploreReport, StopReason } from "./explore.ts";
import { report } from "./explore.ts";
import { DEFAULT_MAX_BYTES } from "./search.ts";
import {
  endMask,
  fingerprint,
  lanes,
  makeOutcome,
  OutcomeTable,
  runnableActors,
  startExplore,
} from "./start.ts";
import { Visited } from "./visited.ts";

/** A run longer than this is cut (a livelock): it counts as a run that met no end. */
const MAX_RUN_STEPS = 1_000_000;

/** mulberry32: a 32-bit seeded generator, the next number in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomOptions extends Pick<ExploreOptions, "maxBytes" | "onProgress" | "cancelled"> {
  readonly runs: number;
  readonly seed: number;
}

export function exploreRandom(scenario: Scenario, opts: RandomOptions): ExploreReport {
  const start = startExplore(scenario);
  const { sim, names } = start;
  const next = mulberry32(opts.seed);
  const visited = new Visited();
  const outcomes = new OutcomeTable();
  const witness: string[][] = [];
  const rec = new SilentRecorder();
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  let stopped: StopReason | null = null;
  let maxDepth = 0;
  let done = 0;
  fingerprint(start.root, start.kinds.hash(start.prefixMask));
  visited.findOrAdd(lanes[0]!, lanes[1]!, -1, 0);
  for (let run = 0; run < opts.runs && stopped === null; run++) {
    const w = clone(start.root);
    let mask = start.prefixMask;
    const path: string[] = [];
    let runnable = runnableActors(sim, w);
    const cut = (): boolean => start.kinds.has(mask, "livelock");
    while (runnable.length > 0 && path.length < MAX_RUN_STEPS && !cut()) {
      const a = runnable[Math.floor(next() * runnable.length)]!;
      rec.reset();
      stepActor(sim, w, names[a]!, rec);
      mask |= start.kinds.maskOf(rec);
      path.push(names[a]!);
      fingerprint(w, start.kinds.hash(mask));
      visited.findOrAdd(lanes[0]!, lanes[1]!, -1, a);
      runnable = runnableActors(sim, w);
    }
    maxDepth = Math.max(maxDepth, path.length);
    if (runnable.length === 0 || cut()) {
      // A livelock ends the run at its step: no end-of-run checks after it.
      const full = cut() ? mask : mask | endMask(start, w, start.prefix.length + path.length - 1);
      const o = outcomes.terminal(full, run);
      witness[o] ??= [...start.prefix, ...path];
    }
    done++;
    if (run % 64 === 63) {
      opts.onProgress?.(visited.size, { states: visited.size, depth: maxDepth, bytes: visited.bytes });
      if (opts.cancelled?.()) stopped = "cancelled";
    }
    if (visited.bytes > maxBytes) stopped ??= "max-bytes";
  }
  opts.onProgress?.(visited.size, { states: visited.size, depth: maxDepth, bytes: visited.bytes });
  const found = outcomes.masks.map((mask, o) =>
    makeOutcome(scenario, start.kinds.of(mask), witness[o]!, outcomes.terminals[o]!),
  );
  const mode = { kind: "random", runs: done, seed: opts.seed } as const;
  return report(mode, stopped, visited.size, maxDepth, visited.bytes, found);
}
