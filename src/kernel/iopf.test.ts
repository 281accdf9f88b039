import { describe, expect, it } from "vitest";
import { decodeEvent, decodePriEntry, readWords, slotAddr } from "../engine/index.ts";
import { exploreScenario } from "../explorer/explore.ts";
import { findLesson } from "../scenario/library/index.ts";
import type { Scenario } from "../scenario/types.ts";
import { toTraceJson } from "./report.ts";
import { runScenario } from "./run.ts";

const lesson = (id: string): Scenario => findLesson(id)!.scenario;

describe("PRI in the 2018 design", () => {
  const r = runScenario(lesson("pri"), { snapshots: true });
  const t = toTraceJson(r);

  it("sends a page request, services it, answers PRI_RESP SUCCESS, and the retry translates", () => {
    expect(t.dma.map((d) => d.result)).toEqual(["pri", "ok"]);
    const resp = t.commands.find((c) => c.op === "PRI_RESP")!;
    expect(resp).toMatchObject({ sid: 24, ssid: 1, ssv: true, grpid: 0, resp: "SUCC" });
    expect(r.violations).toEqual([]);
  });

  it("writes the PRI queue entry with the architecture's fields", () => {
    const at = r.steps.findIndex((s) => s.events.some((e) => e.type === "dev.dma" && e.dma.result === "pri"));
    const w = r.snapshots[at + 1]!;
    const entry = decodePriEntry(readWords(w.mem, slotAddr(w.smmu.priq, 0), 2));
    expect(entry).toEqual({
      sid: 24,
      ssid: 1,
      read: false,
      write: true,
      exec: false,
      priv: false,
      last: true,
      grpid: 0,
      addr: 0x11000,
    });
  });

  it("mainline arm-smmu-v3 denies it: the device gives the access up", () => {
    const t2 = toTraceJson(runScenario({ ...lesson("pri"), driver: "arm-smmu-v3-sva" }));
    expect(t2.commands.find((c) => c.op === "PRI_RESP")).toMatchObject({ resp: "DENY" });
    expect(t2.dma.map((d) => d.result)).toEqual(["pri"]);
  });

  it("a request racing exit is answered without touching the mm, and unbind waits for it", () => {
    expect(runScenario(lesson("pri-exit")).violations).toEqual([]);
    // Every order after the bind (the lesson's own schedule already starts exit inside the fault).
    const report = exploreScenario({ ...lesson("pri-exit"), schedule: ["T0:op"] });
    expect(report.complete).toBe(true);
    expect(report.interleavings).toBeGreaterThan(1);
    expect(report.outcomes.some((o) => o.violations.length === 0)).toBe(true);
    // The one order that breaks: the worker's mmput is the mm's last (the museum-mm-exit-deadlock lesson).
    expect([...new Set(report.outcomes.flatMap((o) => o.violations))]).toEqual(["deadlock"]);
  });
});

describe("stall in mainline arm-smmu-v3", () => {
  const r = runScenario(lesson("stall"), { snapshots: true });
  const t = toTraceJson(r);

  it("stalls the access, records STALL=1 with a STAG, and resumes it", () => {
    expect(t.dma.map((d) => d.result)).toEqual(["stall", "ok", "stall"]);
    const resumes = t.commands.filter((c) => c.op === "RESUME").map((c) => [c.stag, c.resp]);
    expect(resumes).toEqual([
      [1, "RETRY"],
      [2, "ABORT"],
    ]);
    const w = r.final;
    const first = decodeEvent(readWords(w.mem, slotAddr(w.smmu.evtq, 0), 4));
    expect(first).toMatchObject({
      type: "F_TRANSLATION",
      sid: 24,
      ssid: 1,
      stall: true,
      stag: 1,
      rnw: false,
    });
  });
});
