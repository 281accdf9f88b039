/**
 * Nested translation end to end: the host's checks of a guest's commands (reference §7,
 * arm_vsmmu_convert_user_cmd), the forwarding through the VMM, the two-stage walk and its
 * VMID-tagged IOTLB, and the atc-inv-wrong-sid fault.
 */

import { describe, expect, it } from "vitest";
import { buildCmd, hex64 } from "../engine/index.ts";
import { GUEST_RAM_BASE } from "../engine/stage2.ts";
import { findVm } from "../engine/world.ts";
import nested from "../scenario/library/nested-invalidation.json";
import { toTraceJson } from "./report.ts";
import { runScenario, worldAt } from "./run.ts";
import { scenario, withOps } from "./testing.ts";
import { convertUserCmd } from "./vsmmu.ts";

const lesson = scenario(nested);
const bootWorld = runScenario(withOps(lesson, [])).final;
const vm = findVm(bootWorld, "vm0");
const hexes = (w: readonly bigint[]) => w.map(hex64);

describe("arm_vsmmu_convert_user_cmd", () => {
  const convert = (words: [bigint, bigint]) => convertUserCmd(bootWorld, vm, words);

  it("turns TLBI_NSNH_ALL into TLBI_NH_ALL of the vIOMMU's VMID, dw1 zeroed", () => {
    const r = convert(buildCmd({ op: "TLBI_NSNH_ALL" }));
    // OP 0x10 | VMID 1<<32.
    expect(r.ok && hexes(r.words)).toEqual(["0x0000000100000010", "0x0000000000000000"]);
  });

  it("overwrites the VMID of TLBI_NH_VA and keeps every other bit", () => {
    const guest = buildCmd({
      op: "TLBI_NH_VA",
      asid: 3,
      vmid: 0x55,
      addr: 0x10000,
      leaf: true,
      num: 0,
      scale: 0,
      tg: 0,
      ttl: 0,
    });
    const r = convert(guest);
    // OP 0x12 | VMID 1<<32 | ASID 3<<48; dw1 VA 0x10000 | LEAF.
    expect(r.ok && hexes(r.words)).toEqual(["0x0003000100000012", "0x0000000000010001"]);
  });

  it("translates the virtual StreamID of ATC_INV, CFGI_CD and CFGI_CD_ALL to the device's", () => {
    const r = convert(buildCmd({ op: "CFGI_CD", sid: 1, ssid: 1, leaf: true }));
    expect(r.ok && hexes(r.words)).toEqual(["0x0000001000001005", "0x0000000000000001"]);
    const atc = convert(
      buildCmd({ op: "ATC_INV", sid: 2, ssid: 1, ssv: true, addr: 0, size: 52, global: false }),
    );
    expect(atc.ok && Number(atc.words[0] >> 32n)).toBe(17);
  });

  it("refuses an unknown vSID and every command a guest may not send (-EIO)", () => {
    expect(convert(buildCmd({ op: "CFGI_CD_ALL", sid: 9 })).ok).toBe(false);
    for (const cmd of [
      buildCmd({ op: "CFGI_STE", sid: 1, leaf: true }),
      buildCmd({ op: "CFGI_ALL" }),
      buildCmd({ op: "TLBI_S12_VMALL", vmid: 1 }),
      buildCmd({ op: "TLBI_S2_IPA", vmid: 1, addr: 0, leaf: false, num: 0, scale: 0, tg: 0, ttl: 0 }),
      buildCmd({ op: "CMD_SYNC", cs: "SEV" }),
    ]) {
      const r = convert(cmd);
      expect(r.ok, hex64(cmd[0])).toBe(false);
    }
  });
});

describe("the nested-invalidation lesson", () => {
  const r = runScenario(lesson);
  const trace = toTraceJson(r);
  const munmapSteps = new Set(r.steps.filter((s) => s.actor === "T0" && s.opIndex === 2).map((s) => s.index));
  const hostCmds = trace.commands.filter((c) => munmapSteps.has(c.step));

  it("boots the VM: its tables in guest RAM, the device's STE nested over stage 2", () => {
    const dev = bootWorld.devices.find((d) => d.name === "nic0")!;
    expect(dev.vsid).toBe(1);
    expect(dev.cdTable.base).toBeGreaterThanOrEqual(GUEST_RAM_BASE);
    expect(vm.vmid).toBe(1);
    const gapp = bootWorld.mms.find((m) => m.process === "gapp")!;
    expect(gapp.vm).toBe("vm0");
  });

  it("walks both stages and tags the IOTLB entry with the guest's ASID and VMID 1", () => {
    const dma = r.steps.find((s) => s.fn === "dma")!;
    const w = worldAt(r, dma.index + 1);
    expect(w.smmu.iotlb).toEqual([
      expect.objectContaining({ vmid: 1, asid: 3, va: 0x10000, sid: 16, ssid: 1 }),
    ]);
    const ok = trace.dma[0]!;
    expect(ok.result).toBe("ok");
  });

  it("the host queues the guest's munmap invalidations rewritten: VMID 1, StreamID 16", () => {
    expect(hostCmds.map((c) => c.op)).toEqual(["TLBI_NH_VA", "ATC_INV", "CMD_SYNC"]);
    expect(hostCmds[0]).toMatchObject({ vmid: 1, asid: 3 });
    expect(hostCmds[1]).toMatchObject({ sid: 16, ssid: 1 });
    expect(trace.violations).toEqual([]);
  });

  it("refuses the guest's CFGI_STE: the guest sees CERROR_ILL and skips it", () => {
    const texts = r.steps.map((s) => s.text).join("\n");
    expect(texts).toContain("-EIO");
    expect(r.steps.some((s) => s.fn === "arm_smmu_cmdq_skip_err (guest)")).toBe(true);
    const nh = trace.commands.find((c) => c.op === "TLBI_NH_ALL");
    expect(nh).toMatchObject({ vmid: 1 });
  });

  it("with atc-inv-wrong-sid the ATC_INV reaches nic1 and nic0 writes through its stale ATC entry", () => {
    const broken = toTraceJson(runScenario({ ...lesson, faults: ["atc-inv-wrong-sid"] }));
    expect(broken.violations.map((v) => v.kind)).toContain("stale-translation");
    expect(broken.commands.find((c) => c.op === "ATC_INV")).toMatchObject({ sid: 17 });
  });
});

describe("a refused command in a batch", () => {
  // A DMA fills the IOTLB; then the guest queues TLBI_NH_ASID and CFGI_STE before one CMD_SYNC.
  const s = withOps(lesson, [
    lesson.threads[0]!.ops[0]!,
    lesson.threads[0]!.ops[1]!,
    { op: "guest-cmd", process: "gapp", cmd: ["TLBI_NH_ASID", "CFGI_STE"], device: "nic0" },
  ]);
  const r = runScenario(s);

  it("is reported with entry_num counting the command converted before it, which was never queued", () => {
    const refusal = r.steps.find((x) => x.fn === "arm_vsmmu_cache_invalidate" && x.text.includes("-EIO"))!;
    expect(refusal.text).toContain("entry_num = 1");
    const trace = toTraceJson(r);
    const batch = new Set(r.steps.filter((x) => x.opIndex === 2).map((x) => x.index));
    expect(trace.commands.filter((c) => batch.has(c.step))).toEqual([]);
    // The guest's CMD_SYNC completed, yet the IOTLB still holds the ASID's entry.
    expect(r.steps.at(-1)!.fn).toBe("arm_smmu_cmdq_poll_until_sync (guest)");
    expect(r.final.smmu.iotlb.some((e) => e.vmid === 1 && e.asid === 3)).toBe(true);
  });
});
