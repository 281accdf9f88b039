import { describe, expect, it } from "vitest";
import "../../kernel/all.ts";
import { runScenario } from "../../kernel/run.ts";
import { firstSentence } from "./guide.ts";
import { findLesson, lessonsOf } from "./index.ts";

describe("the design history group", () => {
  const history = lessonsOf("history");

  it("holds one lesson per seed thread, in order, each on its release or RFC", () => {
    expect(history.map((l) => [l.id, l.scenario.kernel])).toEqual([
      ["task-vs-mm", "rfc-2017"],
      ["history-2018-io-mm", "rfc-2018"],
      ["history-2021-share-asid", "v5.14"],
      ["history-2022-sva-domain", "v6.12"],
      ["history-2023-user-invalidation", "nested-v1-2023"],
    ]);
  });

  it.each(history.map((l) => [l.id, l] as const))("%s opens with the review's question", (_id, l) => {
    expect(firstSentence(l.scenario.description)).toMatch(/^[A-Z][^?]*\?$/);
  });

  it("keeps the other sections as they were: the history reuses their scenarios under its own ids", () => {
    expect(lessonsOf("real bugs").map((l) => l.id)).toContain("nested-cd-2lvl");
    for (const l of history) expect(lessonsOf("history")).toContain(l);
  });

  it("task-vs-mm breaks lost-binding on rfc-2017 and not on the release it names as fixed", () => {
    const l = findLesson("task-vs-mm")!;
    expect(runScenario(l.scenario).violations.map((v) => v.kind)).toContain(l.bug!.breaks);
    const fixed = { ...l.scenario, kernel: l.bug!.fixedIn, driver: "io-mm-2018" as const };
    expect(runScenario(fixed).violations).toEqual([]);
  });
});
