/**
 * The museum of real bugs: each lesson shows its bug on the release before the fix (some
 * interleaving breaks the invariant, and run replays it) and not on the release with the fix.
 */
import { describe, expect, it } from "vitest";
import { runScenario } from "../kernel/run.ts";
import { scenarioToJson } from "../scenario/json-form.ts";
import { LIBRARY } from "../scenario/library/index.ts";
import { mainlineIndex } from "../scenario/releases.ts";
import { parseScenario } from "../scenario/schema.ts";
import { exploreScenario } from "./explore.ts";

const museum = LIBRARY.filter((l) => l.bug !== undefined);

describe.each(museum.map((l) => [l.id, l] as const))("%s", (_id, lesson) => {
  const bug = lesson.bug!;

  it("opens on a release before the fix", () => {
    const at = mainlineIndex(lesson.scenario.kernel);
    expect(at < 0 || at < mainlineIndex(bug.fixedIn)).toBe(true);
  });

  it(`breaks ${bug.breaks} on its release, and run replays it`, () => {
    const report = exploreScenario(lesson.scenario);
    const bad = report.outcomes.find((o) => o.violations.includes(bug.breaks));
    expect(bad, JSON.stringify(report.outcomes.map((o) => o.violations))).toBeDefined();
    const replay = runScenario({ ...lesson.scenario, schedule: bad!.schedule });
    expect(replay.violations.map((v) => v.kind)).toContain(bug.breaks);
  });

  it(`shows ${bug.breaks} in its own run, as the page opens it`, () => {
    expect(runScenario(lesson.scenario).violations.map((v) => v.kind)).toContain(bug.breaks);
  });

  it(`has no violation on ${bug.fixedIn}`, () => {
    // The fixed release may run another design: the scenario names only its kernel.
    // Its schedule leads to the bug on the buggy release: on the fixed one, every interleaving.
    const {
      driver: _design,
      schedule: _s,
      ...json
    } = scenarioToJson(lesson.scenario) as Record<string, unknown>;
    const fixed = parseScenario({ ...json, kernel: bug.fixedIn });
    if (!fixed.ok) throw new Error(fixed.error);
    const report = exploreScenario(fixed.value);
    expect(report.complete).toBe(true);
    // The bug is gone; a finding that spans more releases (4.1 on v5.18–v6.9) may remain.
    expect(report.outcomes.flatMap((o) => o.violations)).not.toContain(bug.breaks);
  });
});

it("the museum is not empty; the v5.11–v6.9 lessons name their fix or say they are the model's finding", () => {
  expect(museum.length).toBeGreaterThan(0);
  const armSmmuV3Sva = museum.filter(
    (l) => mainlineIndex(l.scenario.kernel) >= 0 && mainlineIndex(l.scenario.kernel) < mainlineIndex("v6.10"),
  );
  expect(armSmmuV3Sva.length).toBeGreaterThanOrEqual(5);
  for (const l of armSmmuV3Sva) {
    expect(l.bug!.upstream === (l.bug!.fix !== undefined), l.id).toBe(true);
    if (l.bug!.fix) expect(l.scenario.description).toContain(l.bug!.fix.hash);
    else expect(l.scenario.description).toContain("not confirmed upstream");
  }
});
