import { describe, expect, it } from "vitest";
import { runScenario } from "../kernel/run.ts";
import { scenario } from "../kernel/testing.ts";
import raceJson from "../scenario/library/unbind-vs-exit.json";
import { exploreScenario } from "./explore.ts";

// From bind and the first DMA on (the lesson's own schedule pins exit inside unbind, an order
// in which skip-sync and skip-atc-inv break nothing): every order of unbind, exit and the DMA.
const race = { ...scenario(raceJson), schedule: ["T0:op", "T0:op"] };

describe("unbind ‖ exit ‖ DMA in arm-smmu-v3-sva", () => {
  it("explores completely with no violating outcome", () => {
    const report = exploreScenario(race);
    expect(report.complete).toBe(true);
    expect(report.outcomes.map((o) => o.violations)).toEqual([[]]);
  });

  it.each([
    ["free-notifier-now", "use-after-free"],
    ["skip-sync", "stale-translation"],
    ["skip-atc-inv", "stale-translation"],
  ])("with %s some interleaving breaks %s, and run replays it", (fault, kind) => {
    const s = { ...race, faults: [fault] };
    const report = exploreScenario(s);
    const bad = report.outcomes.find((o) => o.violations.includes(kind as never));
    expect(bad).toBeDefined();
    const replay = runScenario({ ...s, schedule: bad!.schedule });
    expect(replay.violations.map((v) => v.kind)).toContain(kind);
  });

  it("stops at the state limit and says it is incomplete", () => {
    const report = exploreScenario(race, { maxStates: 10 });
    expect(report.complete).toBe(false);
    expect(report.states).toBeLessThanOrEqual(10);
  });
});
