import { describe, expect, it } from "vitest";
import { runScenario } from "../kernel/index.ts";
import { findLesson } from "../scenario/library/index.ts";
import { ANY_VIOLATION, hitSteps, hits, nextHit, parseStored } from "./breakpoints.ts";

const run = (id: string, faults: string[] = []) => {
  const l = findLesson(id)!;
  return runScenario({ ...l.scenario, faults }, {});
};

describe("breakpoints", () => {
  const r = run("lifecycle");

  it("hit a kernel function by name, with or without its argument", () => {
    const lock = hitSteps(r.steps, [{ kind: "fn", name: "mutex_lock" }]);
    expect(lock.length).toBeGreaterThan(0);
    for (const i of lock) expect(r.steps[i]!.fn.startsWith("mutex_lock")).toBe(true);
    const sva = lock.filter((i) => r.steps[i]!.fn === "mutex_lock(&sva_lock)");
    expect(sva.length).toBeLessThan(lock.length);
    expect(hitSteps(r.steps, [{ kind: "fn", name: "mutex_lock(&sva_lock)" }])).toEqual(sva);
  });

  it("hit the step that queues a command", () => {
    const first = nextHit(r.steps, [{ kind: "cmd", name: "ATC_INV" }], 0)!;
    expect(r.steps[first]!.text).toContain("Queues ATC_INV");
    expect(hits(r.steps[first + 1]!, { kind: "cmd", name: "ATC_INV" })).toBe(false);
  });

  it("hit a fault: a violation kind, any violation, or an event type", () => {
    const bad = run("lifecycle", ["skip-atc-inv"]);
    const v = bad.violations[0]!;
    expect(nextHit(bad.steps, [{ kind: "fault", name: "stale-translation" }], 0)).toBe(v.step);
    expect(nextHit(bad.steps, [{ kind: "fault", name: ANY_VIOLATION }], 0)).toBe(v.step);
    const f = nextHit(r.steps, [{ kind: "fault", name: "F_TRANSLATION" }], 0)!;
    expect(r.steps[f]!.fn).toBe("dma");
    expect(nextHit(r.steps, [], 0)).toBeNull();
  });

  it("read back from storage only what is well formed", () => {
    expect(
      parseStored('[{"kind":"cmd","name":"ATC_INV"},{"kind":"x","name":"y"},{"kind":"fn","name":"<b>"}]'),
    ).toEqual([{ kind: "cmd", name: "ATC_INV" }]);
    expect(parseStored("not json")).toEqual([]);
    expect(parseStored('{"kind":"cmd"}')).toEqual([]);
  });
});

describe("Play with a breakpoint", () => {
  it("stops just after the first step that hits it", async () => {
    const { vi } = await import("vitest");
    const { useLab } = await import("./store.ts");
    const { startPlayback } = await import("./playback.ts");
    const { installBreakpointStop, useBreakpoints } = await import("./breakpoints.ts");
    vi.useFakeTimers();
    const stopPlayer = startPlayback(useLab);
    const uninstall = installBreakpointStop(useBreakpoints);
    try {
      useLab.getState().load(findLesson("lifecycle")!.scenario);
      useBreakpoints.getState().add({ kind: "cmd", name: "ATC_INV" });
      const first = nextHit(useLab.getState().result.steps, useBreakpoints.getState().list, 0)!;
      useLab.getState().setSpeed(10);
      useLab.getState().play();
      vi.advanceTimersByTime(100 * (first + 10));
      expect(useLab.getState().playing).toBe(false);
      expect(useLab.getState().cursor).toBe(first + 1);
    } finally {
      useBreakpoints.getState().clear();
      uninstall();
      stopPlayer();
      vi.useRealTimers();
    }
  });
});
