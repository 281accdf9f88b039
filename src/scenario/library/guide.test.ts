import { describe, expect, it } from "vitest";
import { exploreScenario } from "../../explorer/explore.ts";
import "../../kernel/all.ts";
import { runScenario } from "../../kernel/run.ts";
import { FAULT_NAMES } from "../faults.ts";
import { CHALLENGES, lessonLead, lessonTitle, RECAPS } from "./guide.ts";
import { findLesson, LESSON_GROUPS, LIBRARY } from "./index.ts";

describe("the recaps", () => {
  it("has one for every lesson but the museum's, and a “now break it” for every lesson with a safeguard", () => {
    // The museum's lessons (real bugs) say what their fix changed instead (BugNote).
    const taught = LIBRARY.filter((l) => !l.bug);
    for (const l of taught) expect(RECAPS[l.id], l.id).toBeDefined();
    for (const id of Object.keys(RECAPS)) expect(findLesson(id), id).toBeDefined();
    for (const l of LIBRARY) {
      if (l.fault) expect(RECAPS[l.id]!.breakIt, l.id).toMatch(/Break it/);
    }
  });
});

describe("the challenges", () => {
  it("include at least one for every race lesson", () => {
    for (const l of LIBRARY.filter((x) => x.group === "races")) {
      expect(
        CHALLENGES.some((c) => c.lesson === l.id),
        l.id,
      ).toBe(true);
    }
  });

  it.each(CHALLENGES.map((c) => [c.id, c] as const))(
    "%s: not won by the default order, won by the explorer's witness",
    (_id, c) => {
      const l = findLesson(c.lesson)!;
      expect(l, c.lesson).toBeDefined();
      if (c.fault !== undefined) expect(FAULT_NAMES).toContain(c.fault);
      expect(c.hints.length).toBeGreaterThan(0);
      const start = { ...l.scenario, faults: c.fault ? [c.fault] : [], schedule: undefined };
      expect(runScenario(start).violations.map((v) => v.kind)).not.toContain(c.kind);
      const report = exploreScenario(start);
      const win = report.outcomes.find((o) => o.violations.includes(c.kind));
      expect(win, JSON.stringify(report.outcomes.map((o) => o.violations))).toBeDefined();
      const replay = runScenario({ ...start, schedule: win!.schedule });
      expect(replay.violations.map((v) => v.kind)).toContain(c.kind);
    },
    30_000,
  );
});

describe("the menu's words", () => {
  it("lists the lessons in their sections' order", () => {
    const order = LIBRARY.map((l) => LESSON_GROUPS.indexOf(l.group));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it("gives every lesson its own title and first sentence (two lessons of one scenario, one race in three designs)", () => {
    const titles = LIBRARY.map(lessonTitle);
    const leads = LIBRARY.map(lessonLead);
    expect(new Set(titles).size).toBe(titles.length);
    expect(new Set(leads).size).toBe(leads.length);
    const designs = ["unbind-vs-exit", "sva-domain-unbind-vs-exit", "io-mm-unbind-vs-exit"].map(
      (id) => findLesson(id)!,
    );
    expect(new Set(designs.map((l) => l.scenario.driver)).size).toBe(3);
  });
});
