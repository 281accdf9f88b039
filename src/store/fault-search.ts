/**
 * Finds an interleaving in which a switched-off safeguard breaks its invariant, with the
 * explorer's worker (`src/explorer/worker.ts`, shared with the explorer panel: the larger
 * lessons take a few seconds). One worker per search, ended when it answers or when the search
 * is abandoned.
 */

import type { ExploreMessage, ExploreRequest } from "../explorer/worker.ts";
import type { Scenario } from "../scenario/index.ts";

export interface Found {
  readonly schedule: readonly string[];
  /** The step at which the violation happens. */
  readonly step: number | null;
}

export interface Search {
  readonly result: Promise<Found | null>;
  cancel(): void;
}

const MAX_STATES = 200_000;

/** Explores `scenario` for an outcome with a violation of `kind`; null when none has one. */
export function searchBreakingSchedule(scenario: Scenario, kind: string): Search {
  const worker = new Worker(new URL("../explorer/worker.ts", import.meta.url), { type: "module" });
  let settle: (f: Found | null) => void = () => {};
  let fail: (e: Error) => void = () => {};
  const result = new Promise<Found | null>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  worker.onmessage = (e: MessageEvent<ExploreMessage>) => {
    const m = e.data;
    if (m.type === "progress") return;
    worker.terminate();
    if (m.type === "error") {
      fail(new Error(m.message));
      return;
    }
    const bad = m.report.outcomes.find((o) => (o.violations as readonly string[]).includes(kind));
    settle(bad ? { schedule: bad.schedule, step: bad.step } : null);
  };
  worker.onerror = (e) => {
    e.preventDefault();
    worker.terminate();
    fail(new Error(e.message || "the explorer stopped"));
  };
  const request: ExploreRequest = { scenario, maxStates: MAX_STATES };
  worker.postMessage(request);
  return {
    result,
    cancel() {
      worker.terminate();
      settle(null);
    },
  };
}
