import { describe, expect, it } from "vitest";
import { scenario } from "../kernel/testing.ts";
import { LIBRARY } from "../scenario/library/index.ts";
import raceJson from "../scenario/library/unbind-vs-exit.json";
import type { Scenario } from "../scenario/types.ts";
import { type ExploreOptions, exploreScenario } from "./explore.ts";
import { exploreTasks, finishParallel, planParallel } from "./parallel.ts";

/** The parallel search with its workers run one after the other, in this thread. */
function parallel(s: Scenario, workers: number, opts: ExploreOptions = {}) {
  const plan = planParallel(s, opts, workers, exploreScenario);
  if ("format" in plan) return plan;
  return finishParallel(
    plan,
    plan.requests.map((r) => exploreTasks(structuredClone(r))),
  );
}

const summary = (r: ReturnType<typeof exploreScenario>) => ({
  complete: r.complete,
  states: r.states,
  interleavings: r.exactInterleavings,
  outcomes: r.outcomes.map((o) => [o.violations, o.exactCount]),
});

describe("the parallel search", () => {
  const race = scenario(raceJson);

  it.each([2, 3, 5])("with %i workers finds what one search finds: outcomes, counts, states", (n) => {
    const s = { ...race, faults: ["free-notifier-now"] };
    expect(summary(parallel(s, n))).toEqual(summary(exploreScenario(s)));
  });

  it("the same without the reduction", () => {
    expect(summary(parallel(race, 2, { reduce: false }))).toEqual(
      summary(exploreScenario(race, { reduce: false })),
    );
  });

  it.each(
    LIBRARY.filter((l) => l.fault).map((l) => [l.id, { ...l.scenario, faults: [l.fault!.name] }] as const),
  )("agrees with one search in %s, and its witnesses replay", (_id, s) => {
    const one = exploreScenario(s);
    const two = parallel(s, 2);
    expect(summary(two)).toEqual(summary(one));
    for (const o of two.outcomes.filter((x) => x.violations.length > 0)) expect(o.step).not.toBeNull();
  });
});
