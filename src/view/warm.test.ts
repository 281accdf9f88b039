import { describe, expect, it } from "vitest";
import { runScenario, worldAt } from "../kernel/index.ts";
import { findLesson } from "../scenario/library/index.ts";
import { streamTableVmOf } from "./cache.ts";
import { topologyOf } from "./topology.ts";
import { type LaterWarmer, type NowWarmer, WARMERS } from "./warm.ts";

const lesson = findLesson("lifecycle")!;
const result = runScenario(lesson.scenario, { snapshots: true });
const run = { scenario: lesson.scenario, result };

describe("what the prefetcher warms (WARMERS)", () => {
  it("names each warmer once", () => {
    const names = WARMERS.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it("a first-download warmer fills its view model's cache for the world it is given", () => {
    const w = worldAt(result, 1);
    const e = WARMERS.find((x): x is NowWarmer => x.name === "stream table" && "warm" in x)!;
    expect(streamTableVmOf.peek(w)).toBeUndefined();
    e.warm(w, run);
    expect(streamTableVmOf.peek(w)).toBeDefined();
  });

  it("a later view's warmer does nothing until its panel has computed it once", async () => {
    const e = WARMERS.find((x): x is LaterWarmer => x.name === "topology" && "load" in x)!;
    const warm = await e.load();
    const w2 = worldAt(result, 2);
    warm(w2, run);
    expect(topologyOf.peek(w2)).toBeUndefined();
    topologyOf(worldAt(result, 0)); // the panel draws it
    warm(w2, run);
    expect(topologyOf.peek(w2)).toBeDefined();
  });
});
