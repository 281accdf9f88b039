import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runScenario } from "../../kernel/run.ts";
import { parseScenario } from "../schema.ts";
import { trustedScenario } from "../trusted.ts";
import { decodeScenarioUrl, encodeScenarioUrl } from "../url.ts";
import { LIBRARY } from "./index.ts";

describe.each(LIBRARY.map((l) => [l.id, l] as const))("lesson %s", (_id, lesson) => {
  it("has a title and an introduction", () => {
    expect(lesson.scenario.title.length).toBeGreaterThan(10);
    expect(lesson.scenario.description?.length ?? 0).toBeGreaterThan(80);
  });

  it("round-trips through its URL to the same scenario and the same state hash", () => {
    const url = encodeScenarioUrl(lesson.scenario, { step: 3 });
    expect(url.length).toBeLessThanOrEqual(1000);
    const back = decodeScenarioUrl(url);
    if (!back.ok) throw new Error(back.error);
    expect(back.value.scenario).toEqual(lesson.scenario);
    expect(back.value.step).toBe(3);
    expect(runScenario(back.value.scenario).stateHash).toBe(runScenario(lesson.scenario).stateHash);
  });

  it("explains every step it takes", () => {
    const silent = runScenario(lesson.scenario).steps.filter((s) => s.text.trim() === "");
    expect(silent.map((s) => `${s.index} ${s.fn}`)).toEqual([]);
  });
});

describe("the library's JSON without the validator (trustedScenario)", () => {
  const dir = new URL(".", import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith(".json"));

  it.each(files)("%s is the scenario parseScenario makes of it", (file) => {
    const json: unknown = JSON.parse(readFileSync(new URL(file, dir), "utf8"));
    const parsed = parseScenario(json);
    if (!parsed.ok) throw new Error(parsed.error);
    const trusted = trustedScenario(json);
    expect(trusted).toStrictEqual(parsed.value);
    // Field order too: the page compares scenarios by their JSON text.
    expect(JSON.stringify(trusted)).toBe(JSON.stringify(parsed.value));
  });
});
