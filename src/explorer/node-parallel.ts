/**
 * The parallel search in Node (the CLI): one worker thread per worker, run synchronously from
 * the caller's point of view (the main thread sleeps on a shared counter the workers bump and
 * reads their messages with receiveMessageOnPort), so `explore` stays a plain function.
 *
 * The workers run the prebuilt bundle's worker (build/cli/explore-worker.mjs, beside the
 * bundle) or, from the sources, node-worker.ts through tsx.
 */

import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import type { Scenario } from "../scenario/types.ts";
import { type ExploreOptions, type ExploreReport, exploreScenario } from "./explore.ts";
import { finishParallel, planParallel, type WorkerResult } from "./parallel.ts";

type Message =
  | { type: "progress"; states: number }
  | { type: "done"; result: WorkerResult }
  | { type: "error"; message: string };

/** The worker's script: the bundle's, or the sources' through tsx. */
function workerScript(): URL {
  const fromSource = import.meta.url.endsWith(".ts");
  return new URL(fromSource ? "./node-worker-tsx.mjs" : "./explore-worker.mjs", import.meta.url);
}

/** Explores `scenario` with `workers` worker threads (1: in this thread). */
export function exploreParallel(scenario: Scenario, opts: ExploreOptions, workers: number): ExploreReport {
  const plan = planParallel(scenario, opts, workers, exploreScenario);
  if ("format" in plan) return plan;
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const script = workerScript();
  const ports: MessagePort[] = [];
  const threads = plan.requests.map((request) => {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1);
    return new Worker(script, {
      workerData: { request, port: port2, signal },
      transferList: [port2],
    });
  });
  const results: (WorkerResult | undefined)[] = plan.requests.map(() => undefined);
  const states = plan.requests.map(() => 0);
  let failure: string | null = null;
  let seen = 0;
  try {
    while (results.some((r) => r === undefined) && failure === null) {
      Atomics.wait(signal, 0, seen, 1000);
      seen = Atomics.load(signal, 0);
      ports.forEach((port, k) => {
        for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
          const msg = m.message as Message;
          if (msg.type === "progress") states[k] = msg.states;
          else if (msg.type === "done") results[k] = msg.result;
          else failure = msg.message;
        }
      });
      const total = states.reduce((a, b) => a + b, 0);
      opts.onProgress?.(total, { states: total, depth: plan.depth, bytes: 0 });
      if (opts.cancelled?.()) failure = "cancelled";
    }
  } finally {
    for (const t of threads) void t.terminate();
    for (const p of ports) p.close();
  }
  if (failure !== null) throw new Error(`explore worker: ${failure}`);
  return finishParallel(plan, results as WorkerResult[]);
}
