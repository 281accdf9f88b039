/**
 * BTM end to end (reference kernel-releases §2): arm64 flushes with a non-last-level TLBI after
 * free_pgtables frees tables (tlb_flush: last_level = !tlb->freed_tables), and an SMMU with BTM
 * applies it to its IOTLB and its walk cache for the shared ASID. Before this, the walk-cache
 * lesson with BTM reported walk-freed-table although every path was correct.
 */

import { describe, expect, it } from "vitest";
import munmapBtmJson from "../scenario/library/munmap-btm.json";
import walkCacheJson from "../scenario/library/walk-cache.json";
import type { Scenario } from "../scenario/types.ts";
import { toTraceJson } from "./report.ts";
import { runScenario } from "./run.ts";
import { scenario } from "./testing.ts";

const walkCache = scenario(walkCacheJson);
const withBtm = (s: Scenario): Scenario => ({ ...s, smmu: { ...s.smmu, features: ["btm"] } });

const broadcasts = (s: Scenario) =>
  runScenario(s).steps.flatMap((st) =>
    st.events.flatMap((e) => (e.type === "smmu.tlbi.broadcast" ? [{ fn: st.fn, ...e }] : [])),
  );

describe("the walk-cache lesson on an SMMU with BTM", () => {
  it("is clean: the CPU's VAE1IS after free_pgtables drops the walk-cache entry, and no TLBI command is sent", () => {
    const s = withBtm(walkCache);
    const r = runScenario(s);
    expect(r.violations).toEqual([]);
    expect(toTraceJson(r).commands.map((c) => c.op)).not.toContain("TLBI_NH_VA");
    const asid = r.final.mms[0]!.cpuAsid;
    // tlb_end_vma's flush of the unmapped range (last level: no table freed yet), then
    // tlb_finish_mmu's for the freed table (pte_free_tlb's [addr, addr + PAGE_SIZE), non-leaf).
    expect(broadcasts(s)).toEqual([
      {
        fn: "tlb_flush_mmu_tlbonly",
        type: "smmu.tlbi.broadcast",
        tlbi: "VALE1IS",
        asid,
        va: 0x200000,
        size: 0x4000,
        iotlb: 1,
        walkCache: 0,
      },
      {
        fn: "tlb_flush_mmu_tlbonly",
        type: "smmu.tlbi.broadcast",
        tlbi: "VAE1IS",
        asid,
        va: 0x200000,
        size: 0x1000,
        iotlb: 0,
        walkCache: 1,
      },
    ]);
  });

  it("with a leaf-only broadcast (VALE1IS, the fault leaf-only-tlbi) the walk-cache entry stays and the DMA walks the freed table", () => {
    const s = { ...withBtm(walkCache), faults: ["leaf-only-tlbi"] };
    expect(broadcasts(s)[0]).toMatchObject({ tlbi: "VALE1IS", iotlb: 1, walkCache: 0 });
    expect(runScenario(s).violations.map((v) => v.kind)).toEqual(["walk-freed-table"]);
  });

  it("without BTM the SMMU hears nothing; the notifier's non-leaf TLBI_NH_VA does the work instead", () => {
    const r = runScenario(walkCache);
    expect(r.violations).toEqual([]);
    expect(broadcasts(walkCache)).toEqual([]);
    expect(toTraceJson(r).commands.map((c) => c.op)).toContain("TLBI_NH_VA");
  });
});

describe("exit on an SMMU with BTM", () => {
  it("exit_mmap's flush_tlb_mm is an ASIDE1IS", () => {
    const s = withBtm(walkCache);
    const exit = {
      ...s,
      threads: [{ name: "T0", ops: [...s.threads[0]!.ops.slice(0, 2), { op: "exit", process: "app" }] }],
    } as Scenario;
    expect(broadcasts(exit).map((b) => [b.fn, b.tlbi])).toEqual([["flush_tlb_mm", "ASIDE1IS"]]);
  });
});

describe("mprotect on an SMMU with BTM", () => {
  it("arm64's flush_tlb_range is never last level: VAE1IS, which also drops the walk-cache entry", () => {
    const s = withBtm(walkCache);
    const ops = [
      ...s.threads[0]!.ops.slice(0, 2),
      { op: "mprotect", process: "app", start: 0x200000, pages: 4, prot: "r" },
    ] as Scenario["threads"][number]["ops"];
    const b = broadcasts({ ...s, threads: [{ name: "T0", ops }] });
    expect(b.map((x) => [x.fn, x.tlbi, x.iotlb, x.walkCache])).toEqual([["flush_tlb_range", "VAE1IS", 1, 1]]);
  });
});

describe("munmap-btm", () => {
  it("stays clean: a munmap that frees no table sends a last-level VALE1IS, which drops the page", () => {
    const s = scenario(munmapBtmJson);
    const r = runScenario(s);
    expect(r.violations).toEqual([]);
    expect(broadcasts(s)[0]).toMatchObject({ fn: "tlb_flush_mmu_tlbonly", tlbi: "VALE1IS", iotlb: 1 });
  });
});
