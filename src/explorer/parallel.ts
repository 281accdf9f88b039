/**
 * The search split across workers, with the very outcomes, counts and state count of the
 * single-threaded search:
 *   1. `planParallel` explores the first few levels (until there are enough states at the
 *      frontier depth, or the whole search fits in them) and makes each frontier state a task,
 *      named by the actors that reach it;
 *   2. each worker (`exploreTasks`, in a Node worker thread or a Web Worker: the host's
 *      business) replays its tasks' paths and explores below them over one visited set of its
 *      own; tasks are dealt round-robin and done in order, so which worker meets what first
 *      does not depend on timing;
 *   3. `finishParallel` runs the first levels again with the tasks' tallies at the frontier:
 *      the root's tally is the sum over every path, as in one search. The states are the union
 *      of everyone's fingerprints. A witness comes from the first levels if one ends there,
 *      else from the lowest-numbered task that met the outcome first in its worker.
 * The persistent sets depend on the state only, so the states reached are those of the
 * single search; only the witnesses' schedules may differ from it.
 */

import type { ViolationKind } from "../engine/trace.ts";
import { SilentRecorder } from "../engine/trace.ts";
import type { World } from "../engine/world.ts";
import { clone } from "../kernel/run.ts";
import { stepActor } from "../kernel/sim.ts";
import type { Scenario } from "../scenario/types.ts";
import {
  type ExploreMode,
  type ExploreOptions,
  type ExploreReport,
  type Outcome,
  report,
  type StopReason,
} from "./explore.ts";
import { Search, type SearchOptions } from "./search.ts";
import { makeOutcome, type Start, startExplore } from "./start.ts";
import { Visited } from "./visited.ts";

/** What crosses to a worker: plain data. */
export interface WorkerRequest {
  readonly scenario: Scenario;
  readonly opts: Pick<SearchOptions, "maxStates" | "maxBytes" | "por">;
  /** Its tasks: global task numbers and the actors (after the prefix) that reach each. */
  readonly tasks: readonly { readonly index: number; readonly path: readonly number[] }[];
}

export interface WorkerResult {
  /** Per task, in order: its tally as [violation kinds joined by ",", count in decimal]. */
  readonly tallies: (readonly [string, string])[][];
  /** Per outcome this worker met: the task that met it first and the actors from there. */
  readonly witnesses: {
    readonly kinds: string;
    readonly task: number;
    readonly suffix: number[];
    readonly terminals: string;
  }[];
  readonly fingerprints: Uint32Array;
  readonly stopped: StopReason | null;
  readonly maxDepth: number;
  readonly bytes: number;
}

const kindsKey = (kinds: readonly ViolationKind[]): string => kinds.join(",");
const keyKinds = (key: string): ViolationKind[] => (key === "" ? [] : (key.split(",") as ViolationKind[]));

function replay(start: Start, path: readonly number[]): { w: World; mask: number } {
  const w = clone(start.root);
  let mask = start.prefixMask;
  const rec = new SilentRecorder();
  for (const a of path) {
    rec.reset();
    stepActor(start.sim, w, start.names[a]!, rec);
    mask |= start.kinds.maskOf(rec);
  }
  return { w, mask };
}

/** A worker's part: its tasks in order, over one visited set. */
export function exploreTasks(req: WorkerRequest, onProgress?: ExploreOptions["onProgress"]): WorkerResult {
  const start = startExplore(req.scenario);
  const search = new Search(start, { ...req.opts, ...(onProgress ? { onProgress } : {}) });
  const tallies: (readonly [string, string])[][] = [];
  for (const task of req.tasks) {
    const { w, mask } = replay(start, task.path);
    const t = search.run(w, mask, task.index);
    if (t === null) break;
    const tally = search.tallies.all[t]!;
    tallies.push(
      tally.outcomes.map((o, i) => [
        kindsKey(start.kinds.of(search.outcomes.masks[o]!)),
        tally.counts[i]!.toString(),
      ]),
    );
  }
  const { outcomes, visited } = search;
  return {
    tallies,
    witnesses: outcomes.masks.flatMap((mask, o) =>
      outcomes.firstState[o]! < 0
        ? []
        : [
            {
              kinds: kindsKey(start.kinds.of(mask)),
              task: outcomes.firstTask[o]!,
              suffix: visited.path(outcomes.firstState[o]!),
              terminals: outcomes.terminals[o]!.toString(),
            },
          ],
    ),
    fingerprints: visited.fingerprints(),
    stopped: search.stopped,
    maxDepth: search.maxDepth,
    bytes: visited.bytes,
  };
}

export interface Plan {
  readonly scenario: Scenario;
  readonly opts: SearchOptions;
  readonly depth: number;
  /** Per task, the actors that reach it. */
  readonly tasks: number[][];
  /** What each worker is to do. */
  readonly requests: WorkerRequest[];
}

/**
 * Splits the search into tasks for `workers` workers; or, when the whole search fits in the
 * first levels (or the mode cannot be split), returns its report directly.
 */
export function planParallel(
  scenario: Scenario,
  opts: ExploreOptions,
  workers: number,
  single: (s: Scenario, o: ExploreOptions) => ExploreReport,
): Plan | ExploreReport {
  if (workers < 2 || opts.random || opts.preemptions !== undefined) return single(scenario, opts);
  const por = opts.reduce ?? true;
  const sopts: SearchOptions = {
    por,
    ...(opts.maxStates !== undefined ? { maxStates: opts.maxStates } : {}),
    ...(opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {}),
  };
  const want = workers * 16;
  for (let depth = 1; depth <= 64; depth++) {
    const start = startExplore(scenario);
    const search = new Search(start, sopts);
    const tasks: number[][] = [];
    const empty = search.tallies.intern(new Map());
    search.run(start.root, start.prefixMask, 0, {
      depth,
      at: (_w, state) => {
        tasks.push(search.visited.path(state));
        return empty;
      },
    });
    if (tasks.length === 0 || search.stopped) return single(scenario, opts);
    if (tasks.length >= want || depth === 64) {
      const requests: WorkerRequest[] = Array.from({ length: workers }, (_x, k) => ({
        scenario,
        opts: sopts,
        tasks: tasks.flatMap((path, index) => (index % workers === k ? [{ index, path }] : [])),
      }));
      return { scenario, opts: sopts, depth, tasks, requests };
    }
  }
  return single(scenario, opts);
}

/** The report from the workers' results (in the order of `plan.requests`). */
export function finishParallel(plan: Plan, results: readonly WorkerResult[]): ExploreReport {
  const start = startExplore(plan.scenario);
  const search = new Search(start, plan.opts);
  const byTask: (readonly (readonly [string, string])[])[] = [];
  plan.requests.forEach((req, k) => {
    req.tasks.forEach((t, i) => {
      byTask[t.index] = results[k]!.tallies[i] ?? [];
    });
  });
  let next = 0;
  const top = search.run(start.root, start.prefixMask, 0, {
    depth: plan.depth,
    at: () => {
      const tally = byTask[next++] ?? [];
      const acc = new Map<number, bigint>();
      for (const [kinds, count] of tally)
        acc.set(search.outcomes.id(start.kinds.maskOfKinds(keyKinds(kinds))), BigInt(count));
      return search.tallies.intern(acc);
    },
  });
  const stopped = results.find((r) => r.stopped)?.stopped ?? search.stopped;
  const union = new Visited();
  const add = (fps: Uint32Array): void => {
    for (let i = 0; i < fps.length; i += 2) union.findOrAdd(fps[i]!, fps[i + 1]!, -1, 0);
  };
  add(search.visited.fingerprints());
  for (const r of results) add(r.fingerprints);

  // Witnesses: from the first levels if an outcome ends there, else the lowest task's.
  const witness = new Map<string, { schedule: string[]; terminals: bigint }>();
  const names = (path: readonly number[]): string[] => path.map((a) => start.names[a]!);
  search.outcomes.masks.forEach((mask, o) => {
    const s = search.outcomes.firstState[o]!;
    if (s < 0) return;
    witness.set(kindsKey(start.kinds.of(mask)), {
      schedule: [...start.prefix, ...names(search.visited.path(s))],
      terminals: search.outcomes.terminals[o]!,
    });
  });
  const fromTasks = results.flatMap((r) => r.witnesses).sort((a, b) => a.task - b.task);
  for (const w of fromTasks) {
    const known = witness.get(w.kinds);
    if (known) {
      known.terminals += BigInt(w.terminals);
      continue;
    }
    witness.set(w.kinds, {
      schedule: [...start.prefix, ...names(plan.tasks[w.task]!), ...names(w.suffix)],
      terminals: BigInt(w.terminals),
    });
  }
  const rootTally = top === null || stopped ? null : search.tallies.all[top]!;
  const found: Outcome[] = [...witness].map(([key, w]) => {
    const kinds = keyKinds(key);
    let count = w.terminals;
    if (rootTally) {
      const o = search.outcomes.id(start.kinds.maskOfKinds(kinds));
      const i = rootTally.outcomes.indexOf(o);
      count = i >= 0 ? rootTally.counts[i]! : 0n;
    }
    return makeOutcome(plan.scenario, kinds, w.schedule, count);
  });
  const mode: ExploreMode = plan.opts.por ? { kind: "reduced" } : { kind: "full" };
  const maxDepth = plan.depth + Math.max(0, ...results.map((r) => r.maxDepth));
  const bytes = results.reduce((n, r) => n + r.bytes, union.bytes);
  return report(mode, stopped, union.size, maxDepth, bytes, found);
}
