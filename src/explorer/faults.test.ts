/**
 * Every safeguard earns its place: in the scenario built to show it, the correct design has no
 * violating interleaving, and switching the safeguard off breaks the invariant it protects in
 * at least one interleaving, which `run` then replays.
 */
import { describe, expect, it } from "vitest";
import { runScenario } from "../kernel/run.ts";
import { FAULT_NAMES } from "../scenario/faults.ts";
import { LIBRARY } from "../scenario/library/index.ts";
import { exploreScenario } from "./explore.ts";

const lessons = LIBRARY.filter((l) => l.fault !== undefined);

describe.each(lessons.map((l) => [l.id, l] as const))("%s", (_id, lesson) => {
  it("has no violating interleaving as the kernel wrote it", () => {
    const report = exploreScenario(lesson.scenario);
    expect(report.complete).toBe(true);
    expect(report.outcomes.flatMap((o) => o.violations)).toEqual([]);
  });

  it(`breaks ${lesson.fault!.breaks} with ${lesson.fault!.name}, and run replays it`, () => {
    const s = { ...lesson.scenario, faults: [lesson.fault!.name] };
    const report = exploreScenario(s);
    const bad = report.outcomes.find((o) => o.violations.includes(lesson.fault!.breaks));
    expect(bad, JSON.stringify(report.outcomes.map((o) => o.violations))).toBeDefined();
    const replay = runScenario({ ...s, schedule: bad!.schedule });
    expect(replay.violations.map((v) => v.kind)).toContain(lesson.fault!.breaks);
    expect(replay.violations[0]!.step).toBe(bad!.step);
  });
});

it("every fault has a lesson that shows it", () => {
  const shown = new Set(lessons.map((l) => l.fault!.name));
  expect(FAULT_NAMES.filter((f) => !shown.has(f))).toEqual([]);
});

describe("partial-order reduction", () => {
  it.each(
    LIBRARY.flatMap((l) => [
      [l.id, l.scenario],
      ...(l.fault
        ? [[`${l.id} with ${l.fault.name}`, { ...l.scenario, faults: [l.fault.name] }] as const]
        : []),
    ]),
  )(
    "finds the same outcomes as the full search in %s",
    (_name, scenario) => {
      const full = exploreScenario(scenario, { reduce: false });
      const reduced = exploreScenario(scenario);
      expect(full.complete && reduced.complete).toBe(true);
      expect(reduced.outcomes.map((o) => o.violations)).toEqual(full.outcomes.map((o) => o.violations));
      expect(reduced.states).toBeLessThanOrEqual(full.states);
    },
    120_000,
  );
});
