import { describe, expect, it } from "vitest";
import { runScenario } from "../kernel/run.ts";
import { scenario } from "../kernel/testing.ts";
import raceJson from "../scenario/library/unbind-vs-exit.json";
import { exploreScenario } from "./explore.ts";

// From after the bind and the first DMA: the lesson's own schedule goes on into the race.
const race = { ...scenario(raceJson), schedule: ["T0:op", "T0:op"] };

describe("unbind ‖ exit ‖ DMA in arm-smmu-v3-sva (v6.1)", () => {
  it("explores completely; the only violation is release reading the shared CD unbind freed", () => {
    const report = exploreScenario(race);
    expect(report.complete).toBe(true);
    expect(report.outcomes.map((o) => o.violations)).toEqual([[], ["use-after-free"]]);
    const bad = report.outcomes.find((o) => o.violations.length > 0)!;
    const replay = runScenario({ ...race, schedule: bad.schedule });
    expect(replay.violations.map((v) => v.text)).toEqual([
      expect.stringMatching(
        /arm_smmu_mm_release reads smmu_mn->cd->asid, but arm_smmu_ctx_desc #\d+ \(app\) was kfree'd/,
      ),
    ]);
  });

  it("the lesson's schedule lands release inside unbind, with the DMA in flight", () => {
    const r = runScenario(scenario(raceJson));
    const uaf = r.violations.find((v) => v.kind === "use-after-free")!;
    expect(r.steps[uaf.step]!.actor).toBe("T1");
    const dma = r.steps.filter((s) => s.actor === "T2" && s.fn === "dma")[0]!;
    const unbindLock = r.steps.findIndex(
      (s) => s.actor === "T0" && s.fn === "mutex_lock(&sva_lock)" && s.opIndex === 2,
    );
    expect(dma.index).toBeGreaterThan(unbindLock);
    expect(dma.index).toBeLessThan(uaf.step);
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
