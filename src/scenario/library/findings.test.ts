/**
 * Findings of the model that no release modelled fixes: each shows its flaw on the release it
 * opens on and on the newest release, and not on the release before the flaw appeared (where
 * that release runs the same design and can run the scenario at all).
 */
import { describe, expect, it } from "vitest";
import { exploreScenario } from "../../explorer/explore.ts";
import { runScenario } from "../../kernel/run.ts";
import { scenarioToJson } from "../json-form.ts";
import { designOf, isRelease, MAINLINE_RELEASES, mainlineIndex, NEWEST_MAINLINE } from "../releases.ts";
import { parseScenario } from "../schema.ts";
import type { Scenario } from "../types.ts";
import { LIBRARY } from "./index.ts";

const findings = LIBRARY.filter((l) => l.finding !== undefined);

/**
 * The scenario on another release. Another design takes other steps, so its schedule is left to
 * the explorer; the same design keeps it.
 */
function onKernel(s: Scenario, kernel: string) {
  if (kernel === s.kernel) return { ok: true as const, value: s };
  const { driver: _design, schedule, ...json } = scenarioToJson(s) as Record<string, unknown>;
  const same = isRelease(kernel) && designOf(kernel) === s.driver;
  return parseScenario({ ...json, ...(same && schedule ? { schedule } : {}), kernel });
}

describe.each(findings.map((l) => [l.id, l] as const))("%s", (_id, lesson) => {
  const f = lesson.finding!;
  const before = MAINLINE_RELEASES[mainlineIndex(f.since) - 1];

  it("opens on a release that has the flaw, and says it is not confirmed upstream", () => {
    expect(mainlineIndex(lesson.scenario.kernel)).toBeGreaterThanOrEqual(mainlineIndex(f.since));
    expect(lesson.scenario.description).toMatch(/not confirmed upstream/);
  });

  it.runIf(f.breaks !== undefined)(
    `breaks ${f.breaks} on its release and the newest, and run replays it`,
    () => {
      for (const kernel of [lesson.scenario.kernel, NEWEST_MAINLINE]) {
        const s = onKernel(lesson.scenario, kernel);
        if (!s.ok) throw new Error(s.error);
        const report = exploreScenario(s.value);
        const bad = report.outcomes.find((o) => o.violations.includes(f.breaks!));
        expect(bad, `${kernel}: ${JSON.stringify(report.outcomes.map((o) => o.violations))}`).toBeDefined();
        const replay = runScenario({ ...s.value, schedule: bad!.schedule });
        expect(replay.violations.map((v) => v.kind)).toContain(f.breaks);
      }
    },
  );

  it(`has no ${f.breaks ?? "flaw"} on ${before}, the release before, when it runs the same design`, () => {
    // A release of another design has flaws of its own, shown by its own lessons (the shared-CD
    // design's release writes a valid CD after the last unbind too: museum-release-freed-cd).
    if (designOf(before!) !== lesson.scenario.driver) return;
    const s = onKernel(lesson.scenario, before!);
    if (!s.ok) {
      // The scenario needs what the flaw came with (a VM needs the v6.13 vIOMMU).
      expect(s.error).toMatch(/^kernel: /);
      return;
    }
    const report = exploreScenario(s.value);
    expect(report.complete).toBe(true);
    expect(report.outcomes.flatMap((o) => o.violations)).not.toContain(f.breaks);
  });
});
