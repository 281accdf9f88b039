/**
 * The trace's table writes, queue records and registers (`run --json`, docs/trace-tables.md),
 * checked against where the architecture puts each entry and what the kernel's writers do:
 * CD[ssid] at S1ContextPtr + 64·ssid (SMMUv3 §5.4, reference §3.3), a PTE at its table + 8 ×
 * VA[20:12] (reference §10), the ≤6.8 CD writer's order (dw1–3, then dw0 with V), the hitless
 * writer's stages as arm-smmu-v3-test.c counts them, the event and PRI entries by the masks of
 * arm-smmu-v3.h, and the queue pointers' wrap bit (reference §1.1).
 */

import { describe, expect, it } from "vitest";
import { getField } from "../engine/bits.ts";
import { s2Lookup } from "../engine/stage2.ts";
import { STE_LAYOUT } from "../engine/ste.ts";
import { tableTracker } from "../engine/table-writes.ts";
import { locateSte } from "../engine/tables.ts";
import { findVm } from "../engine/world.ts";
import lifecycleJson from "../scenario/library/lifecycle.json";
import nestedJson from "../scenario/library/nested-invalidation.json";
import priJson from "../scenario/library/pri.json";
import svaDomainJson from "../scenario/library/sva-domain-unbind-vs-exit.json";
import type { Scenario } from "../scenario/types.ts";
import { type TraceJson, toTraceJson } from "./report.ts";
import { runScenario } from "./run.ts";
import { scenario } from "./testing.ts";

const GENMASK = (h: number, l: number) => ((1n << BigInt(h - l + 1)) - 1n) << BigInt(l);
const field = (w: string, h: number, l: number) => Number((BigInt(w) & GENMASK(h, l)) >> BigInt(l));

const traced = (s: Scenario) => {
  const r = runScenario(s, { tables: tableTracker });
  return { r, t: toTraceJson(r) };
};
const writes = (t: TraceJson, table: string) =>
  t.steps.flatMap((s) =>
    (s.tables ?? [])
      .filter((x) => x.table === table)
      .map((x) => ({ step: s, ...(x as typeof x & { writer?: unknown; vm?: string; addrIpa?: string }) })),
  );

describe("table writes (lifecycle, v6.1's arm_smmu_write_ctx_desc)", () => {
  const lifecycle = scenario(lifecycleJson);
  const { r, t } = traced(lifecycle);
  const cds = writes(t, "CD");

  it("bind writes CD 1 as the ≤6.8 writer does: dw1–3 with V=0, then dw0 with V (CTXDESC_CD_0_V, bit 31) and the ASID (63:48)", () => {
    const [first, second] = cds;
    expect(first).toMatchObject({
      device: "gpu0",
      sid: 16,
      ssid: 1,
      step: { fn: "arm_smmu_write_ctx_desc" },
    });
    expect(first!.dwords).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(field(first!.words[0]!, 31, 31)).toBe(0);
    expect(second!.dwords).toEqual([0]);
    expect(field(second!.words[0]!, 31, 31)).toBe(1);
    expect(field(second!.words[0]!, 63, 48)).toBe(t.asids.app);
    // Each stage is followed by its sync: the next step queues CFGI_CD + CMD_SYNC.
    for (const cd of [first!, second!]) {
      expect(t.commands.filter((c) => c.step === cd.step.index + 1).map((c) => c.op)).toEqual([
        "CFGI_CD",
        "CMD_SYNC",
      ]);
    }
  });

  it("the CD's address is the STE's S1ContextPtr + 64 × SSID", () => {
    const ste = locateSte(r.final, r.final.smmu.strtab, 16);
    if (!ste.ok) throw new Error(ste.why);
    const words = [0, 1].map((i) => r.final.mem.words.get(ste.addr + 8 * i) ?? 0n);
    const ctxptr = Number(getField(words, STE_LAYOUT.fields.S1CTXPTR));
    expect(cds.map((c) => Number(c.addr))).toEqual(cds.map(() => ctxptr + 64 * 1));
  });

  it("munmap's zap_pte_range clears the level-3 PTE of 0x10000 at its table + 8 × VA[20:12]", () => {
    const pte = writes(t, "PTE").find((p) => p.step.fn === "zap_pte_range")!;
    expect(pte).toMatchObject({ process: "app", va: "0x10000", level: 3, words: ["0x0000000000000000"] });
    expect(Number(pte.addr) % 4096).toBe(8 * ((0x10000 >> 12) & 511));
  });

  it("registers appear where they change: PROD when commands are queued, CONS as the SMMU consumes", () => {
    const sync = t.steps.find((s) => s.fn === "arm_smmu_sync_cd")!;
    expect(sync.regs).toEqual({ CMDQ_PROD: { value: "0x00000002", index: 2, wrap: 0 } });
    const consumed = t.steps.filter((s) => s.actor === "smmu");
    expect(consumed.every((s) => Object.keys(s.regs ?? {}).includes("CMDQ_CONS"))).toBe(true);
    expect(t.steps.find((s) => s.fn === "mmap_write_lock")!.regs).toBeUndefined();
  });

  it("costs nothing when not asked for: no journal, no fields, the same state hash", () => {
    const plain = toTraceJson(runScenario(lifecycle));
    expect(plain.steps.some((s) => s.tables || s.regs)).toBe(false);
    expect(plain.stateHash).toBe(t.stateHash);
    expect(plain.format).toBe("sva-lab-trace/1");
    expect(t.steps.map(({ index, actor, fn, text }) => ({ index, actor, fn, text }))).toEqual(plain.steps);
  });
});

describe("the wrap bit (reference §1.1: bit log2size of PROD and CONS)", () => {
  it("an 8-entry command queue: after the 8th command CONS reads 0x08 (index 0, wrap 1), after the 14th 0x0e, after the 18th 0x02", () => {
    const s = scenario({ ...lifecycleJson, smmu: { ...lifecycleJson.smmu, cmdqEntries: 8 } });
    const { t } = traced(s);
    const cons = t.steps.flatMap((x) => (x.regs?.CMDQ_CONS ? [x.regs.CMDQ_CONS] : []));
    expect(cons[7]).toEqual({ value: "0x00000008", index: 0, wrap: 1 });
    expect(cons[8]).toEqual({ value: "0x00000009", index: 1, wrap: 1 });
    expect(cons[13]).toEqual({ value: "0x0000000e", index: 6, wrap: 1 });
    // 18 commands in all on v6.1 (munmap's invalidate_range runs twice before v6.6): two laps
    // and two slots, so the wrap bit is back to 0.
    expect(t.steps.filter((x) => x.regs?.CMDQ_PROD).at(-1)!.regs!.CMDQ_PROD).toEqual({
      value: "0x00000002",
      index: 2,
      wrap: 0,
    });
  });
});

describe("the hitless writer's stages (sva-domain, arm_smmu_write_cd_entry)", () => {
  const lesson = scenario(svaDomainJson);
  // bind, then exit (the release CD), then unbind: every CD transition of arm-smmu-v3-test.c's table.
  const ordered: Scenario = {
    ...lesson,
    schedule: [],
    threads: [
      {
        name: "T0",
        ops: [lesson.threads[0]!.ops[0]!, lesson.threads[1]!.ops[0]!, lesson.threads[0]!.ops[2]!],
      },
    ],
  };
  const { t } = traced(ordered);
  const staged = writes(t, "CD").filter((c) => c.writer !== undefined);
  const stages = (fn: string) => staged.filter((c) => c.step.fn === fn).map((c) => c.writer);

  it("empty → SVA CD and SVA CD → empty take 2 syncs, not hitless; SVA CD → release CD takes 2, hitless (arm-smmu-v3-test.c)", () => {
    expect(staged.map((c) => c.writer)).toEqual([
      { stage: 1, stages: 2, hitless: false },
      { stage: 2, stages: 2, hitless: false },
      { stage: 1, stages: 2, hitless: true },
      { stage: 2, stages: 2, hitless: true },
      { stage: 1, stages: 2, hitless: false },
      { stage: 2, stages: 2, hitless: false },
    ]);
    expect(stages("arm_smmu_clear_cd")).toHaveLength(2);
  });

  it("every stage is followed by its sync: the next step queues CFGI_CD + CMD_SYNC", () => {
    for (const c of staged) {
      expect(t.commands.filter((x) => x.step === c.step.index + 1).map((x) => x.op)).toEqual([
        "CFGI_CD",
        "CMD_SYNC",
      ]);
    }
  });
});

describe("queue records", () => {
  it("a PRI request's entry by arm-smmu-v3.h's masks: PRIQ_0_SID 31:0, SSID 51:32, PERM_WRITE 61, PRG_LAST 62, SSID_V 63", () => {
    const { t } = traced(scenario(priJson));
    const rec = t.steps.flatMap((s) => s.records ?? []).find((x) => x.queue === "priq")!;
    const [w0, w1] = rec.words as string[];
    expect([
      field(w0!, 31, 0),
      field(w0!, 51, 32),
      field(w0!, 61, 61),
      field(w0!, 62, 62),
      field(w0!, 63, 63),
    ]).toEqual([24, 1, 1, 1, 1]);
    expect(field(w1!, 8, 0)).toBe(0); // PRIQ_1_PRG_IDX
    expect(field(w1!, 63, 12) << 12).toBe(0x11000); // PRIQ_1_ADDR_MASK
  });

  it("an event record agrees with events[]: EVTQ_0_ID 7:0, EVTQ_0_SID 63:32, EVTQ_2_ADDR", () => {
    // The threads one after another: the DMA comes after unbind and faults (C_BAD_CD).
    const { t } = traced({ ...scenario(svaDomainJson), schedule: ["T0:op", "T0:op"] });
    const ev = t.events[0]!;
    const rec = t.steps[ev.step]!.records!.find((x) => x.queue === "evtq")!;
    const [w0, , w2] = rec.words as string[];
    expect(rec.type).toBe(ev.type);
    expect([field(w0!, 7, 0), field(w0!, 63, 32), Number(BigInt(w2!))]).toEqual([
      ev.code,
      ev.sid,
      Number(ev.addr),
    ]);
  });
});

describe("a guest's tables (nested-invalidation)", () => {
  it("name their VM and their IPA, which stage 2 maps to the address given", () => {
    const { r, t } = traced(scenario(nestedJson));
    const cd = writes(t, "CD").find((c) => c.vm === "vm0")!;
    const vm = findVm(r.final, "vm0");
    expect(s2Lookup(r.final.mem, vm.s2ttb, Number(cd.addrIpa))).toBe(Number(cd.addr));
    const skip = t.steps.flatMap((s) => s.records ?? []).find((x) => x.queue === "vm0.vcmdq")!;
    expect(skip.words).toEqual(["0x000000000fc02046", "0x0000000000000000"]);
  });
});
