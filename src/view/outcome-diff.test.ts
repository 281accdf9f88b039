import { describe, expect, it } from "vitest";
import { exploreScenario } from "../explorer/explore.ts";
import { runScenario } from "../kernel/index.ts";
import { findLesson } from "../scenario/library/index.ts";
import { decidingStep, summarizeOutcomes } from "./outcome-diff.ts";

describe("what tells outcomes apart", () => {
  const l = findLesson("unbind-vs-exit")!;
  const s = { ...l.scenario, faults: ["free-notifier-now"], schedule: undefined };
  const report = exploreScenario(s);

  it("gives each outcome its DMAs' results, its final state and the step that decides it", () => {
    expect(report.outcomes.length).toBeGreaterThanOrEqual(2);
    const sums = summarizeOutcomes(s, report.outcomes);
    expect(sums).toHaveLength(report.outcomes.length);
    for (const [i, sum] of sums.entries()) {
      const run = runScenario({ ...s, schedule: report.outcomes[i]!.schedule });
      expect(sum.stateHash).toBe(run.stateHash);
      expect(sum.dmas.length).toBe(
        run.steps.filter((x) => x.events.some((e) => e.type === "dev.dma")).length,
      );
      expect(sum.decided).not.toBeNull();
    }
    // The two witnesses agree up to the deciding step, and differ in who takes it.
    const a = runScenario({ ...s, schedule: report.outcomes[0]!.schedule });
    const b = runScenario({ ...s, schedule: report.outcomes[1]!.schedule });
    const d = decidingStep(a, b)!;
    expect(a.steps.slice(0, d.step).map((x) => x.actor)).toEqual(
      b.steps.slice(0, d.step).map((x) => x.actor),
    );
    expect(a.steps[d.step]!.actor).not.toBe(b.steps[d.step]!.actor);
    expect(d.here.startsWith(a.steps[d.step]!.actor)).toBe(true);
  });

  it("finds no deciding step between a run and itself", () => {
    const a = runScenario(s);
    expect(decidingStep(a, a)).toBeNull();
  });
});
