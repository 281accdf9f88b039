/**
 * The explorer off the page's thread. Message in: `{ scenario, maxStates }` (a validated
 * scenario; its schedule is the fixed prefix, as for `sva-lab explore`), with `preemptions`
 * or `random` for the bounded and random modes. Messages out: `{ type: "progress", states,
 * depth }` every few thousand states, then `{ type: "done", report }` or `{ type: "error",
 * message }`. Cancelling is the page terminating the worker.
 */

import "../kernel/all.ts";
import type { Scenario } from "../scenario/index.ts";
import { type ExploreReport, exploreScenario } from "./explore.ts";

export interface ExploreRequest {
  readonly scenario: Scenario;
  readonly maxStates: number;
  readonly preemptions?: number;
  readonly random?: { readonly runs: number; readonly seed: number };
}

export type ExploreMessage =
  | { readonly type: "progress"; readonly states: number; readonly depth?: number }
  | { readonly type: "done"; readonly report: ExploreReport }
  | { readonly type: "error"; readonly message: string };

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<ExploreRequest>) => void) | null;
  postMessage(message: ExploreMessage): void;
};

scope.onmessage = (e) => {
  try {
    const { scenario, maxStates, preemptions, random } = e.data;
    const report = exploreScenario(scenario, {
      maxStates,
      ...(preemptions !== undefined ? { preemptions } : {}),
      ...(random ? { random } : {}),
      onProgress: (states, info) => scope.postMessage({ type: "progress", states, depth: info.depth }),
    });
    scope.postMessage({ type: "done", report });
  } catch (err) {
    scope.postMessage({ type: "error", message: err instanceof Error ? err.message : String(err) });
  }
};
