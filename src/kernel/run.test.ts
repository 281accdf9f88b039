import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ownKernel, ownThread } from "../engine/clone.ts";
import { largeScenario } from "../scenario/large.ts";
import lifecycleJson from "../scenario/library/lifecycle.json";
import raceJson from "../scenario/library/unbind-vs-exit.json";
import type { Scenario } from "../scenario/types.ts";
import { toTraceJson } from "./report.ts";
import { finalChecks, runScenario, ScheduleError, type Violation, worldAt, worldHash } from "./run.ts";
import { commandsOfOp, OPS, scenario, withOps } from "./testing.ts";

const { bind, unbind, dmaW, dmaR, munmap, exit } = OPS;

const lifecycle = scenario(lifecycleJson);

describe("the arm-smmu-v3-sva order of operations", () => {
  it("bind writes the CD in two stages, each followed by CFGI_CD + CMD_SYNC", () => {
    expect(commandsOfOp(lifecycle, 0)).toEqual(["CFGI_CD", "CMD_SYNC", "CFGI_CD", "CMD_SYNC"]);
  });

  it("munmap (v6.1) calls invalidate_range twice, each TLBI_NH_VA then ATC_INV with its CMD_SYNC, before freeing the page", () => {
    const r = runScenario(lifecycle);
    // tlb_end_vma → tlb_flush_mmu_tlbonly → mmu_notifier_invalidate_range, then unmap_vmas's
    // mmu_notifier_invalidate_range_end → invalidate_range again (include/asm-generic/tlb.h,
    // mm/mmu_notifier.c mn_hlist_invalidate_end, ≤v6.5).
    const once = ["TLBI_NH_VA", "CMD_SYNC", "ATC_INV", "CMD_SYNC"];
    expect(commandsOfOp(lifecycle, 2)).toEqual([...once, ...once]);
    const fns = r.steps.filter((s) => s.opIndex === 2 && s.actor === "T0").map((s) => s.fn);
    expect(fns.indexOf("zap_pte_range")).toBeLessThan(fns.indexOf("tlb_flush_mmu_tlbonly"));
    expect(fns.indexOf("tlb_flush_mmu_tlbonly")).toBeLessThan(fns.indexOf("arm_smmu_mm_invalidate_range"));
    expect(fns.indexOf("mmu_notifier_invalidate_range_end")).toBeLessThan(
      fns.lastIndexOf("arm_smmu_mm_invalidate_range"),
    );
    expect(fns.lastIndexOf("arm_smmu_cmdq_poll_until_sync")).toBeLessThan(fns.indexOf("tlb_finish_mmu"));
  });

  it("munmap (v6.6) calls arch_invalidate_secondary_tlbs once, from __flush_tlb_range", () => {
    const s = { ...lifecycle, kernel: "v6.6" };
    expect(commandsOfOp(s, 2)).toEqual(["TLBI_NH_VA", "CMD_SYNC", "ATC_INV", "CMD_SYNC"]);
    const fns = runScenario(s)
      .steps.filter((x) => x.opIndex === 2 && x.actor === "T0")
      .map((x) => x.fn);
    expect(fns).toContain("arm_smmu_mm_arch_invalidate_secondary_tlbs");
    expect(fns).not.toContain("mmu_notifier_invalidate_range_end");
  });

  it("with BTM the notifier sends no TLBI, only the ATC invalidation", () => {
    const s = { ...lifecycle, smmu: { ...lifecycle.smmu, features: ["ats", "btm"] as const } };
    expect(commandsOfOp(s as Scenario, 2)).toEqual(["ATC_INV", "CMD_SYNC", "ATC_INV", "CMD_SYNC"]);
  });

  it("without ATS no ATC_INV is sent", () => {
    const s = scenario({ ...lifecycleJson, smmu: {}, devices: [{ name: "gpu0", sid: 16 }] });
    expect(commandsOfOp(s, 2)).toEqual(["TLBI_NH_VA", "CMD_SYNC", "TLBI_NH_VA", "CMD_SYNC"]);
  });

  it("unbind while alive clears the CD, then TLBI_NH_ASID and ATC_INV", () => {
    expect(commandsOfOp(lifecycle, 4)).toEqual([
      "CFGI_CD",
      "CMD_SYNC",
      "TLBI_NH_ASID",
      "CMD_SYNC",
      "ATC_INV",
      "CMD_SYNC",
    ]);
  });

  it("exit while bound installs the quiet CD; the later unbind skips the invalidations (cleared)", () => {
    const s = withOps(lifecycle, [bind, dmaW, exit, unbind]);
    expect(commandsOfOp(s, 2)).toEqual([
      "CFGI_CD",
      "CMD_SYNC",
      "TLBI_NH_ASID",
      "CMD_SYNC",
      "ATC_INV",
      "CMD_SYNC",
    ]);
    expect(commandsOfOp(s, 3)).toEqual(["CFGI_CD", "CMD_SYNC"]);
    expect(runScenario(s).violations).toEqual([]);
  });

  it("a DMA after exit hits the quiet CD (EPD0) and takes a recorded F_TRANSLATION", () => {
    const s = withOps(lifecycle, [bind, exit, dmaR, unbind], { smmu: { ...lifecycle.smmu, features: [] } });
    const t = toTraceJson(runScenario(s));
    expect(t.dma.at(-1)).toMatchObject({ result: "fault", fault: "F_TRANSLATION" });
    expect(t.events.map((e) => [e.type, e.code])).toEqual([["F_TRANSLATION", 0x10]]);
  });

  it("a DMA after unbind carries the old PASID and hits an invalid CD: C_BAD_CD", () => {
    const s = withOps(lifecycle, [bind, unbind, dmaR, exit], { smmu: { ...lifecycle.smmu, features: [] } });
    expect(toTraceJson(runScenario(s)).dma.at(-1)).toMatchObject({
      pasid: 1,
      result: "fault",
      fault: "C_BAD_CD",
    });
  });
});

describe("the lifecycle scenario", () => {
  const r = runScenario(lifecycle, { snapshots: true });
  const t = toTraceJson(r);

  it("binds PASID 1 with the process's CPU ASID and ends with nothing leaked", () => {
    expect(t.pasids).toEqual({ app: 1 });
    expect(Object.keys(t.asids)).toEqual(["app"]);
    expect(t.violations).toEqual([]);
    expect(r.final.mms[0]!.state).toBe("freed");
  });

  it("the device's first DMA walks, the one after munmap faults", () => {
    expect(t.dma.map((d) => [d.result, d.via ?? d.fault])).toEqual([
      ["ok", "walk"],
      ["fault", "F_TRANSLATION"],
    ]);
  });

  it("every command queued is consumed, in order", () => {
    const consumed = t.commands.map((c) => c.consumedAt);
    expect(consumed.every((x) => x !== null)).toBe(true);
    expect([...consumed].sort((a, b) => a! - b!)).toEqual(consumed);
  });

  it("gives the same trace and state hash on every run", () => {
    expect(toTraceJson(runScenario(lifecycle))).toEqual(t);
  });

  it("seeking to step k equals running k steps from scratch", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: r.steps.length }), (k) => {
        expect(worldHash(r.snapshots[k]!)).toBe(runScenario(lifecycle, { until: k }).stateHash);
      }),
      { numRuns: 25 },
    );
  });
});

describe("time travel on a run whose memory is shared between copies (over 1,024 frames)", () => {
  const big = largeScenario({ devices: 4, processes: 8, pages: 160, perProcess: 2 });
  const every = runScenario(big, { snapshots: true });
  const sparse = runScenario(big, { checkpointEvery: 64 });

  it("is that large, and both runs agree", () => {
    expect(every.final.mem.frames.length).toBeGreaterThan(1024);
    expect(sparse.stateHash).toBe(every.stateHash);
  });

  it("a world replayed from a checkpoint, in any order of asking, equals the one kept at that step", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: every.steps.length }), { minLength: 1, maxLength: 12 }),
        (ks) => {
          for (const k of ks) expect(worldHash(worldAt(sparse, k))).toBe(worldHash(every.snapshots[k]!));
        },
      ),
      { numRuns: 20 },
    );
    // The kept worlds were not changed by the run that went on after them.
    const k = Math.floor(every.steps.length / 2);
    expect(worldHash(every.snapshots[k]!)).toBe(runScenario(big, { until: k }).stateHash);
  });
});

describe("faults", () => {
  it("skip-atc-inv: the DMA after munmap uses the ATC and reaches a freed frame", () => {
    const s = { ...lifecycle, faults: ["skip-atc-inv"] };
    const t = toTraceJson(runScenario(s));
    expect(t.violations.map((v) => v.kind)).toEqual(["stale-translation"]);
    expect(t.dma[1]).toMatchObject({ result: "ok", via: "atc", stale: true, owner: "free" });
  });

  it("early-free-pages with a concurrent DMA: the page is reused while the IOTLB still maps it", () => {
    const s: Scenario = {
      ...lifecycle,
      smmu: { ...lifecycle.smmu, features: [] },
      faults: ["early-free-pages"],
      threads: [
        { name: "T0", ops: [bind, dmaW, munmap, unbind, exit] },
        { name: "T1", ops: [dmaR] },
      ],
      schedule: ["T0:op", "T0:op", "T0", "T0", "T1"],
    };
    expect(runScenario(s).violations.map((v) => v.kind)).toContain("stale-translation");
  });
});

describe("schedules", () => {
  it("refuses a thread that cannot step, naming the entry", () => {
    const s = { ...lifecycle, schedule: ["T0", "smmu"] };
    expect(() => runScenario(s)).toThrow(ScheduleError);
    expect(() => runScenario(s)).toThrow(/schedule\[1\]: smmu cannot step/);
  });

  it("T0:op runs one whole op, the SMMU consuming as needed", () => {
    const full = runScenario(lifecycle).steps;
    const bindEnd = full.findIndex((s) => s.opIndex === 1);
    const r = runScenario({ ...lifecycle, schedule: ["T0:op"] }, { until: bindEnd }).steps;
    expect(r.every((s) => s.opIndex === 0 || s.actor === "smmu")).toBe(true);
    expect(r.at(-1)!.fn).toBe("mmput");
  });
});

describe("time travel with checkpoints", () => {
  // Seeded: a failure prints the seed and the path, to keep as a regression case.
  it("seeking to step k from a checkpoint equals running k steps from scratch", () => {
    const lessons = [lifecycle, scenario(raceJson)];
    fc.assert(
      fc.property(
        fc.constantFrom(...lessons),
        fc.integer({ min: 1, max: 16 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
        (s, every, seeks) => {
          const r = runScenario(s, { checkpointEvery: every });
          for (const raw of seeks) {
            const k = raw % (r.steps.length + 1);
            const w = worldAt(r, k);
            expect(worldHash(w)).toBe(runScenario(s, { until: k }).stateHash);
            // Cached state agrees with a recomputation: the IOTLB and ATCs of the replay.
            const fresh = runScenario(s, { until: k }).final;
            expect(w.smmu.iotlb).toEqual(fresh.smmu.iotlb);
            expect(w.devices.map((d) => d.atc)).toEqual(fresh.devices.map((d) => d.atc));
          }
        },
      ),
      { numRuns: 40, seed: 20261125 },
    );
  });
});

describe("the end-of-run checks", () => {
  it("call it a deadlock when no actor can step and a thread never finished", () => {
    const w = runScenario(lifecycle).final;
    ownThread(w, 0).status = "blocked";
    ownThread(w, 0).blockedOn = "waiting for sva_lock (held by T9)";
    const found: Violation[] = [];
    finalChecks(w, 41, found);
    expect(found).toEqual([
      { step: 41, kind: "deadlock", text: expect.stringContaining("T0 (waiting for sva_lock (held by T9))") },
    ]);
  });

  it("call it a leak when everything exited and unbound but a PASID or frames remain", () => {
    const w = runScenario(lifecycle).final;
    ownKernel(w).pasids[7] = { owner: "app", refs: 1 };
    const found: Violation[] = [];
    finalChecks(w, 3, found);
    expect(found.map((v) => v.kind)).toEqual(["leak"]);
    expect(found[0]!.text).toContain("PASID 7 of app");
  });
});
