/**
 * The explorer off the page's thread. Message in: `{ scenario, maxStates }` (a validated
 * scenario; its schedule is the fixed prefix, as for `sva-lab explore`), with `preemptions`
 * or `random` for the bounded and random modes. Messages out: `{ type: "progress", states,
 * depth }` every few thousand states, then `{ type: "done", report }` or `{ type: "error",
 * message }`. Cancelling is the page terminating the worker.
 *
 * With `workers` > 1, a search that has met PARALLEL_FROM states without finishing starts
 * again split across that many task workers (task-worker.ts; parallel.ts): the same outcomes,
 * counts and states. Workers it started end with it (a terminated worker ends its own).
 */

import "../kernel/all.ts";
import type { Scenario } from "../scenario/index.ts";
import { type ExploreOptions, type ExploreReport, exploreScenario } from "./explore.ts";
import { finishParallel, planParallel, type WorkerResult } from "./parallel.ts";
import type { TaskMessage } from "./task-worker.ts";

/** Searches below this many states stay in this worker (starting workers costs more). */
const PARALLEL_FROM = 20_000;

export interface ExploreRequest {
  readonly scenario: Scenario;
  readonly maxStates: number;
  readonly preemptions?: number;
  readonly random?: { readonly runs: number; readonly seed: number };
  /** Task workers for a big search (default 1: this worker alone). */
  readonly workers?: number;
}

export type ExploreMessage =
  | { readonly type: "progress"; readonly states: number; readonly depth?: number }
  | { readonly type: "done"; readonly report: ExploreReport }
  | { readonly type: "error"; readonly message: string };

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<ExploreRequest>) => void) | null;
  postMessage(message: ExploreMessage): void;
};

function post(m: ExploreMessage): void {
  scope.postMessage(m);
}

/** The search split across `n` task workers. */
function parallel(scenario: Scenario, opts: ExploreOptions, n: number): Promise<ExploreReport> {
  const plan = planParallel(scenario, opts, n, exploreScenario);
  if ("format" in plan) return Promise.resolve(plan);
  const states = plan.requests.map(() => 0);
  // The bar never goes back: the task workers start from nothing after the probe.
  let shown = PARALLEL_FROM;
  return Promise.all(
    plan.requests.map(
      (request, k) =>
        new Promise<WorkerResult>((resolve, reject) => {
          const w = new Worker(new URL("./task-worker.ts", import.meta.url), { type: "module" });
          w.onmessage = (e: MessageEvent<TaskMessage>) => {
            const m = e.data;
            if (m.type === "progress") {
              states[k] = m.states;
              const sum = states.reduce((a, b) => a + b, 0);
              if (sum > shown) {
                shown = sum;
                post({ type: "progress", states: sum });
              }
              return;
            }
            w.terminate();
            if (m.type === "done") resolve(m.result);
            else reject(new Error(m.message));
          };
          w.onerror = (e) => {
            w.terminate();
            reject(new Error(e.message || "a task worker stopped"));
          };
          w.postMessage(request);
        }),
    ),
  ).then((results) => finishParallel(plan, results));
}

scope.onmessage = (e) => {
  void explore(e.data).then(
    (report) => post({ type: "done", report }),
    (err: unknown) => post({ type: "error", message: err instanceof Error ? err.message : String(err) }),
  );
};

async function explore(req: ExploreRequest): Promise<ExploreReport> {
  const { scenario, maxStates, preemptions, random, workers = 1 } = req;
  const opts: ExploreOptions = {
    maxStates,
    ...(preemptions !== undefined ? { preemptions } : {}),
    ...(random ? { random } : {}),
    onProgress: (states, info) => post({ type: "progress", states, depth: info.depth }),
  };
  const cores = Math.min(workers, 8);
  const splittable = preemptions === undefined && random === undefined && typeof Worker !== "undefined";
  if (cores < 2 || !splittable || maxStates <= PARALLEL_FROM) return exploreScenario(scenario, opts);
  const probe = exploreScenario(scenario, { ...opts, maxStates: PARALLEL_FROM });
  if (probe.complete) return probe;
  // Each worker may take its share of the limit.
  return parallel(scenario, { maxStates: Math.ceil(maxStates / cores) }, cores);
}
