/**
 * A guest's 2-level CD table and its S1DSS, and the two host conversions of its CFGI_CD: the
 * merged iommufd one (arm_vsmmu_convert_user_cmd, v6.14+: the guest's command as it is, vSID →
 * StreamID) and the v1 RFC's (March 2023, arm_smmu_cache_invalidate_user:
 * arm_smmu_sync_cd(smmu_domain, ssid, leaf = true); S1DSS not taken from the guest).
 */

import { describe, expect, it } from "vitest";
import { getField, hex64 } from "../engine/bits.ts";
import { CD_L1_DESC } from "../engine/cd.ts";
import { buildCmd } from "../engine/commands.ts";
import { s2Lookup } from "../engine/stage2.ts";
import { STE_LAYOUT, STRTAB_STE_0_S1FMT, STRTAB_STE_1_S1DSS } from "../engine/ste.ts";
import { locateSte } from "../engine/tables.ts";
import { findVm } from "../engine/world.ts";
import lessonJson from "../scenario/library/nested-cd-2lvl.json";
import type { Op, Scenario } from "../scenario/types.ts";
import { toTraceJson } from "./report.ts";
import { runScenario } from "./run.ts";
import { scenario, withOps } from "./testing.ts";
import { convertUserCmd } from "./vsmmu.ts";

const v1 = scenario(lessonJson);
const merged = scenario({ ...lessonJson, kernel: "v6.14" });
const hexes = (w: readonly bigint[]) => w.map(hex64);
const physicalSte = (s: Scenario) => {
  const w = runScenario(withOps(s, [])).final;
  const where = locateSte(w, w.smmu.strtab, 16);
  if (!where.ok) throw new Error(where.why);
  return { w, ste: Array.from({ length: 8 }, (_, i) => w.mem.words.get(where.addr + 8 * i) ?? 0n) };
};

describe("a guest's 2-level CD table", () => {
  it("is what its vSTE says (S1Fmt = 64K leaves, S1CDMax = 20) and the nested STE copies", () => {
    const { w, ste } = physicalSte(merged);
    expect(Number(getField(ste, STE_LAYOUT.fields.S1FMT))).toBe(STRTAB_STE_0_S1FMT["64K_L2"]);
    expect(Number(getField(ste, STE_LAYOUT.fields.S1CDMAX))).toBe(20);
    const dev = w.devices[0]!;
    expect(dev.cdTable).toMatchObject({ fmt: "2lvl", s1cdmax: 20 });
    // Leaf 0 holds CD 0 (the guest's DMA domain); its L1 descriptor points at it.
    const vm = findVm(w, "vm0");
    const l1 = [w.mem.words.get(s2Lookup(w.mem, vm.s2ttb, dev.cdTable.base)!) ?? 0n];
    expect(Number(getField(l1, CD_L1_DESC.fields.L2PTR))).toBe(dev.cdTable.leaves[0]);
    expect(Object.keys(dev.cdTable.leaves)).toEqual(["0"]);
  });

  it("grows a leaf when a PASID needs one: L1 descriptor, then CFGI_CD with LEAF=0, then the CD", () => {
    const r = runScenario(merged);
    const t = toTraceJson(r);
    const bind = r.steps.filter((s) => s.opIndex === 1 && s.actor === "T0").map((s) => s.fn);
    expect(bind.slice(0, 3)).toEqual([
      "iommu_sva_bind_device (guest)",
      "arm_smmu_write_cd_l1_desc (guest)",
      "arm_smmu_sync_cd (guest)",
    ]);
    expect(bind.indexOf("arm_smmu_write_cd_entry (guest)")).toBeGreaterThan(2);
    // What reached the host's queue: the guest's own LEAF=0, then the CD's two LEAF=1 syncs;
    // at exit, the v6.10+ guest's release CD, two stages with a LEAF=1 sync each.
    const cfgi = t.commands.filter((c) => c.op === "CFGI_CD");
    expect(cfgi.map((c) => [c.sid, c.ssid, c.leaf])).toEqual([
      [16, 1024, false],
      [16, 1024, true],
      [16, 1024, true],
      [16, 1024, true],
      [16, 1024, true],
    ]);
    expect(r.final.devices[0]!.cdTable.leaves[1]).toBeDefined();
  });

  it("fails the bind with -ENOMEM, allocating nothing, when no 64 KiB of guest RAM is free", () => {
    const small = { ...merged, vms: [{ ...merged.vms![0]!, pages: 40 }] };
    const r = runScenario(withOps(small, [v1.threads[0]!.ops[1]!]));
    expect(r.steps.map((s) => s.fn)).toEqual(["iommu_sva_bind_device (guest)"]);
    expect(r.steps[0]!.text).toMatch(/-ENOMEM/);
    const vm = findVm(r.final, "vm0");
    expect([vm.pasids, Object.keys(vm.asids)]).toEqual([{}, ["1"]]);
    expect(r.final.devices[0]!.cdTable.leaves[1]).toBeUndefined();
  });

  it("takes its PASIDs from the VM's pasidBase", () => {
    expect(toTraceJson(runScenario(merged)).pasids).toEqual({});
    const r = runScenario(withOps(merged, [v1.threads[0]!.ops[1]!]));
    expect(findVm(r.final, "vm0").pasids).toEqual({ 1024: { owner: "gapp", refs: 1 } });
  });
});

describe("the v1 host and the merged conversion", () => {
  it("v1 turns the guest's CFGI_CD LEAF=0, and CFGI_CD_ALL, into CFGI_CD LEAF=1", () => {
    const w = runScenario(withOps(v1, [])).final;
    const vm = findVm(w, "vm0");
    const r = convertUserCmd(w, vm, buildCmd({ op: "CFGI_CD", sid: 1, ssid: 1024, leaf: false }));
    // SSID 0x400 at 31:12, SID 16 at 63:32; dw1 LEAF = 1.
    expect(r.ok && hexes(r.words)).toEqual(["0x0000001000400005", "0x0000000000000001"]);
    const all = convertUserCmd(w, vm, buildCmd({ op: "CFGI_CD_ALL", sid: 1 }));
    expect(all.ok && hexes(all.words)).toEqual(["0x0000001000000005", "0x0000000000000001"]);
  });

  it("merged passes the guest's LEAF bit and opcode through, the StreamID translated", () => {
    const w = runScenario(withOps(merged, [])).final;
    const vm = findVm(w, "vm0");
    const r = convertUserCmd(w, vm, buildCmd({ op: "CFGI_CD", sid: 1, ssid: 1024, leaf: false }));
    expect(r.ok && hexes(r.words)).toEqual(["0x0000001000400005", "0x0000000000000000"]);
    const all = convertUserCmd(w, vm, buildCmd({ op: "CFGI_CD_ALL", sid: 1 }));
    expect(all.ok && hexes(all.words)).toEqual(["0x0000001000000006", "0x0000000000000000"]);
  });

  it("on v1 the device faults on the CD the guest wrote, and the checker says why", () => {
    const r = runScenario(v1);
    const t = toTraceJson(r);
    expect(t.kernel).toBe("nested-v1-2023");
    expect(t.dma.map((d) => [d.pasid, d.result, d.fault ?? null])).toEqual([
      [1024, "fault", "C_BAD_SUBSTREAMID"],
      [1024, "fault", "C_BAD_SUBSTREAMID"],
    ]);
    expect(t.violations.map((v) => v.kind)).toEqual(["stale-config"]);
    expect(t.violations[0]!.text).toMatch(/L1 CD descriptor 1 of nic0 as 0x0000000000000000/);
    // The host function is the v1 series' own, on the nested HWPT.
    const fns = new Set(r.steps.map((s) => s.fn));
    expect(fns.has("arm_smmu_cache_invalidate_user")).toBe(true);
    expect(fns.has("arm_vsmmu_cache_invalidate")).toBe(false);
    expect(new Set(runScenario(merged).steps.map((s) => s.fn)).has("arm_vsmmu_cache_invalidate")).toBe(true);
  });

  it("on the merged conversion the same scenario translates and breaks nothing", () => {
    const t = toTraceJson(runScenario(merged));
    expect(t.dma.map((d) => [d.pasid, d.result])).toEqual([
      [1024, "fault"],
      [1024, "ok"],
    ]);
    expect(t.violations).toEqual([]);
  });

  it("without the early DMA nothing stale is cached, and v1 gets away with it", () => {
    const ops = v1.threads[0]!.ops.slice(1) as Op[];
    const t = toTraceJson(runScenario(withOps(v1, ops)));
    expect(t.dma.map((d) => d.result)).toEqual(["ok"]);
    expect(t.violations).toEqual([]);
  });
});

describe("a guest's S1DSS", () => {
  const noPasid = { op: "dma", device: "nic0", process: "gapp", va: 0x10000, access: "read" } as const;
  const withDss = (s: Scenario, s1dss: "bypass" | "terminate") =>
    withOps({ ...s, vms: [{ ...s.vms![0]!, s1dss }] }, [noPasid]);

  it("the merged host copies it into the nested STE; the v1 host writes SSID0 whatever it is", () => {
    const dss = (s: Scenario) =>
      Number(
        getField(
          physicalSte({ ...s, vms: [{ ...s.vms![0]!, s1dss: "terminate" }] }).ste,
          STE_LAYOUT.fields.S1DSS,
        ),
      );
    expect(dss(merged)).toBe(STRTAB_STE_1_S1DSS.TERMINATE);
    expect(dss(v1)).toBe(STRTAB_STE_1_S1DSS.SSID0);
  });

  it("terminate: DMA without PASID is F_STREAM_DISABLED as the guest asked; v1 looks for a CD 0 there is none of", () => {
    expect(toTraceJson(runScenario(withDss(merged, "terminate"))).dma[0]).toMatchObject({
      result: "fault",
      fault: "F_STREAM_DISABLED",
    });
    // No CD 0 and so no leaf 0 in the guest's 2-level table: the L1 descriptor is invalid.
    expect(toTraceJson(runScenario(withDss(v1, "terminate"))).dma[0]).toMatchObject({
      result: "fault",
      fault: "C_BAD_SUBSTREAMID",
    });
  });

  it("bypass: stage 1 is skipped, not stage 2 (the address is an IPA)", () => {
    const s = withDss(merged, "bypass");
    const inRam = { ...noPasid, va: 0x4000_0000 + 0x10000 };
    const t = toTraceJson(runScenario(withOps(s, [noPasid, inRam])));
    // 0x10000 is below guest RAM: stage 2 maps nothing there. Guest RAM itself translates.
    expect(t.dma.map((d) => [d.result, d.fault ?? null])).toEqual([
      ["fault", "F_TRANSLATION"],
      ["ok", null],
    ]);
    expect(t.violations).toEqual([]);
  });
});
