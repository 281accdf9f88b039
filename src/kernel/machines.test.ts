/**
 * The lifecycle states' tags (machines.ts) and the trace's `kernel.lifecycle` records.
 * What each state means is the kernel's: an mm whose mm_users reached zero is on its way out
 * while exit_mmap runs (exiting) and once only mm_count holds the struct (exited), gone after
 * __mmdrop; a kref'd object is dying from its last put until kfree; the arm_smmu_mmu_notifier
 * is on its way out once arm_smmu_mm_release ran (released) or mmu_notifier_put unhooked it
 * (put), gone once the SRCU callback freed it.
 */

import { describe, expect, it } from "vitest";
import { LIBRARY } from "../scenario/library/index.ts";
import { stateTags } from "./machine-tags.ts";
import { initialState, MACHINES, type MachineName, machineGraph, machineOf } from "./machines.ts";
import { toFullTraceJson } from "./report-full.ts";
import { runScenario } from "./run.ts";

const KERNEL: Record<MachineName, Record<string, string[]>> = {
  mm: { live: [], exiting: ["dying"], exited: ["dying"], freed: ["freed"] },
  object: { live: [], dying: ["dying"], freed: ["freed"] },
  notifier: { registered: [], released: ["dying"], put: ["dying"], freed: ["freed"] },
  thread: { ready: [], blocked: [], done: [] },
};

describe("state tags", () => {
  it.each(Object.keys(MACHINES) as MachineName[])(
    "%s: each state's tags are what the kernel's state means",
    (m) => {
      const states = machineGraph(m).map((s) => s.state);
      expect(Object.fromEntries(states.map((s) => [s, [...stateTags(m, s)]]))).toEqual(KERNEL[m]);
    },
  );

  it("a freed state is final: nothing leaves it", () => {
    for (const m of Object.keys(MACHINES) as MachineName[])
      for (const s of machineGraph(m))
        if (stateTags(m, s.state).includes("freed"))
          expect(s.on.filter((t) => t.target !== s.state)).toEqual([]);
  });

  it("objects follow the object machine, notifiers their own", () => {
    expect(machineOf("bond")).toBe("object");
    expect(machineOf("domain")).toBe("object");
    expect(machineOf("notifier")).toBe("notifier");
  });
});

describe("kernel.lifecycle in the trace", () => {
  const runs = LIBRARY.map((l) => [l.id, runScenario(l.scenario)] as const);

  it.each(runs)(
    "%s: each change chains from the last, carries its tags, and ends where the world is",
    (_, r) => {
      const at = new Map<string, string>();
      for (const s of r.steps) {
        for (const e of s.events) {
          if (e.type !== "kernel.lifecycle") continue;
          const key = `${e.machine}:${e.object}`;
          const from = at.get(key) ?? initialState(e.machine);
          // The 2017 design's fault worker may find the mm already exiting; everything else chains.
          expect(e.from, `${key} at step ${s.index}`).toBe(from);
          expect(e.to).not.toBe(e.from);
          at.set(key, e.to);
        }
      }
      for (const mm of r.final.mms) expect(at.get(`mm:${mm.process}`) ?? "live").toBe(mm.state);
      for (const o of Object.values(r.final.kernel.objects))
        expect(at.get(`${machineOf(o.kind)}:${o.id}`) ?? initialState(machineOf(o.kind))).toBe(o.state);
    },
  );

  it("run --json lists them as lifecycles, and the library frees objects and mms", () => {
    const all = runs.flatMap(([, r]) => toFullTraceJson(r).lifecycles ?? []);
    expect(all.some((l) => l.machine === "mm" && l.tags.includes("freed"))).toBe(true);
    expect(all.some((l) => l.machine === "object" && l.to === "dying" && l.tags.includes("dying"))).toBe(
      true,
    );
    expect(all.some((l) => l.machine === "notifier" && l.to === "put")).toBe(true);
  });
});
