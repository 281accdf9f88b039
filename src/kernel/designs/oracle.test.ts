/**
 * The per-release oracle for the sva-domain (v6.10+) and io-mm-2018 (rfc-2018) designs: the
 * commands each scenario queues, in order, against tables written from reading each release's
 * code (the function that sends each command is named beside it), not from the model's output.
 *
 * Read: v6.10–v6.12 in maade93791/kernel_common-6.12 (arm-smmu-v3.c, arm-smmu-v3-sva.c at
 * 0c10203e); v6.17/v6.18 in Kingxukai/linux (arm-smmu-v3.c 9b44fff6, arm-smmu-v3-sva.c and
 * iommu-sva.c 0291023e) and Aarav90-cpu/linux-kotlin (6.18.15, arm-smmu-v3-sva.c a663adb6);
 * rfc-2018 in devix84/linux-jpb (iommu-sva.c 09f1b6d6) and the series' SMMUv3 patches.
 *
 * Each line is `fn: OP field=value…` — `fn` the step that queued it, CMD_SYNC as `SYNC`.
 */
import { describe, expect, it } from "vitest";
import { exploreScenario } from "../../explorer/explore.ts";
import ioMmRace from "../../scenario/library/io-mm-unbind-vs-exit.json";
import lifecycleJson from "../../scenario/library/lifecycle.json";
import mmExitDeadlock from "../../scenario/library/museum-mm-exit-deadlock.json";
import nestedRefused from "../../scenario/library/nested-refused-batch.json";
import pri from "../../scenario/library/pri.json";
import svaRace from "../../scenario/library/sva-domain-unbind-vs-exit.json";
import type { Scenario } from "../../scenario/types.ts";
import { toTraceJson } from "../report.ts";
import { runScenario } from "../run.ts";
import { scenario } from "../testing.ts";

const KEYS = ["sid", "ssid", "asid", "vmid", "addr", "size", "leaf", "resp"] as const;

/** The commands the scenario queued on the host's command queue, with the step that queued each. */
function commands(s: Scenario): string[] {
  const r = runScenario(s);
  const t = toTraceJson(r);
  return t.commands.map((c) => {
    const fn = r.steps[c.step]!.fn;
    if (c.op === "CMD_SYNC") return `${fn}: SYNC`;
    const rec = c as unknown as Record<string, unknown>;
    const fields = KEYS.filter((k) => rec[k] !== undefined).map((k) => `${k}=${String(rec[k])}`);
    return `${fn}: ${[c.op, ...fields].join(" ")}`;
  });
}

const sync = (fn: string) => `${fn}: SYNC`;
const pair = (fn: string, cmd: string) => [`${fn}: ${cmd}`, sync(fn)];

/** arm_smmu_write_cd_entry / arm_smmu_clear_cd: one CFGI_CD per stage of arm_smmu_write_entry. */
const cdStage = (sid: number, ssid: number) =>
  pair("arm_smmu_sync_cd", `CFGI_CD sid=${sid} ssid=${ssid} leaf=true`);

const lifecycleAt = (kernel: string, features: string[] = ["ats"]) =>
  scenario({ ...lifecycleJson, driver: undefined, kernel, smmu: { features } } as unknown as Record<
    string,
    unknown
  >);

describe.each(["v6.10", "v6.12", "v6.18"])("sva-domain on %s", (kernel) => {
  it("lifecycle: bind, munmap, unbind send what arm-smmu-v3 sends (ASID 2: the DMA domain has 1)", () => {
    expect(commands(lifecycleAt(kernel))).toEqual([
      // bind — arm_smmu_set_pasid → arm_smmu_write_cd_entry: 0 → valid is not hitless, qwords
      // 1–7 first, then qword 0 with V=1, each stage a CFGI_CD + CMD_SYNC (arm_smmu_sync_cd).
      ...cdStage(16, 1),
      ...cdStage(16, 1),
      // arm_smmu_attach_commit: ATS already on for the RID → arm_smmu_atc_inv_master(master, ssid).
      ...pair("arm_smmu_atc_inv_master", "ATC_INV sid=16 ssid=1 addr=0x0 size=52"),
      // munmap — arm_smmu_mm_arch_invalidate_secondary_tlbs: one page, no RIL →
      // arm_smmu_tlb_inv_range_asid(leaf=false) then arm_smmu_atc_inv_domain (SIZE 0: one page).
      ...pair("arm_smmu_tlb_inv_range_asid", "TLBI_NH_VA asid=2 vmid=0 addr=0x10000 leaf=false"),
      ...pair("arm_smmu_atc_inv_domain", "ATC_INV sid=16 ssid=1 addr=0x10000 size=0"),
      // unbind — remove_dev_pasid (v6.14+: arm_smmu_blocking_set_dev_pasid): arm_smmu_clear_cd
      // (valid → 0: qword 0, then the rest), arm_smmu_atc_inv_master, then the last user's
      // iommu_domain_free → arm_smmu_sva_domain_free → arm_smmu_tlb_inv_asid.
      ...cdStage(16, 1),
      ...cdStage(16, 1),
      ...pair("arm_smmu_atc_inv_master", "ATC_INV sid=16 ssid=1 addr=0x0 size=52"),
      ...pair("arm_smmu_tlb_inv_asid", "TLBI_NH_ASID asid=2 vmid=0"),
      // exit — the notifier is gone with the domain: nothing.
    ]);
  });

  it("names the detach as that release calls it", () => {
    const fns = runScenario(lifecycleAt(kernel)).steps.map((s) => s.fn);
    const v614 = kernel === "v6.18";
    expect(fns.includes("arm_smmu_blocking_set_dev_pasid")).toBe(v614);
    expect(fns.includes("arm_smmu_remove_dev_pasid")).toBe(!v614);
    expect(fns.includes("iommu_attach_handle_get")).toBe(kernel !== "v6.10");
  });

  it("at or above CMDQ_MAX_TLBI_OPS pages without RIL: TLBI_NH_ASID and ATC_INV of the whole PASID", () => {
    const s = scenario({
      ...lifecycleJson,
      driver: undefined,
      kernel,
      processes: [{ name: "app", vmas: [{ start: "0x200000", pages: 512, prot: "rw" }] }],
      threads: [
        {
          name: "T0",
          ops: [
            { op: "bind", process: "app", device: "gpu0" },
            { op: "munmap", process: "app", start: "0x200000", pages: 512 },
          ],
        },
      ],
    } as unknown as Record<string, unknown>);
    expect(commands(s).slice(6)).toEqual([
      // arm_smmu_mm_arch_invalidate_secondary_tlbs: size ≥ CMDQ_MAX_TLBI_OPS * PAGE_SIZE → 0.
      ...pair("arm_smmu_tlb_inv_range_asid", "TLBI_NH_ASID asid=2 vmid=0"),
      ...pair("arm_smmu_atc_inv_domain", "ATC_INV sid=16 ssid=1 addr=0x0 size=52"),
    ]);
  });

  it("two devices share one SVA domain: one ASID, one notifier; a device that is not the last sends no TLBI", () => {
    const s = scenario({
      ...lifecycleJson,
      driver: undefined,
      kernel,
      devices: [
        { name: "gpu0", sid: 16, ats: true },
        { name: "nic0", sid: 17, ats: true },
      ],
      threads: [
        {
          name: "T0",
          ops: [
            { op: "bind", process: "app", device: "gpu0" },
            { op: "bind", process: "app", device: "nic0" },
            { op: "munmap", process: "app", start: "0x10000", pages: 1 },
            { op: "unbind", process: "app", device: "gpu0" },
            { op: "exit", process: "app" },
            { op: "unbind", process: "app", device: "nic0" },
          ],
        },
      ],
    } as unknown as Record<string, unknown>);
    expect(commands(s)).toEqual([
      // bind gpu0, then nic0 into the same domain (iommu_attach_device_pasid on sva_domains).
      ...cdStage(16, 1),
      ...cdStage(16, 1),
      ...pair("arm_smmu_atc_inv_master", "ATC_INV sid=16 ssid=1 addr=0x0 size=52"),
      ...cdStage(17, 1),
      ...cdStage(17, 1),
      ...pair("arm_smmu_atc_inv_master", "ATC_INV sid=17 ssid=1 addr=0x0 size=52"),
      // munmap: one TLBI for the shared ASID 3 (DMA domains hold 1 and 2), then
      // arm_smmu_atc_inv_domain batches an ATC_INV per master_domain with one CMD_SYNC.
      ...pair("arm_smmu_tlb_inv_range_asid", "TLBI_NH_VA asid=3 vmid=0 addr=0x10000 leaf=false"),
      "arm_smmu_atc_inv_domain: ATC_INV sid=16 ssid=1 addr=0x10000 size=0",
      ...pair("arm_smmu_atc_inv_domain", "ATC_INV sid=17 ssid=1 addr=0x10000 size=0"),
      // unbind gpu0: its CD and ATC only; domain->users is still 1, so no TLBI.
      ...cdStage(16, 1),
      ...cdStage(16, 1),
      ...pair("arm_smmu_atc_inv_master", "ATC_INV sid=16 ssid=1 addr=0x0 size=52"),
      // exit → arm_smmu_mm_release: the release CD for the one master_domain left (hitless,
      // qword 0 then qword 1), arm_smmu_tlb_inv_asid, arm_smmu_atc_inv_domain for nic0 only.
      ...cdStage(17, 1),
      ...cdStage(17, 1),
      ...pair("arm_smmu_tlb_inv_asid", "TLBI_NH_ASID asid=3 vmid=0"),
      ...pair("arm_smmu_atc_inv_domain", "ATC_INV sid=17 ssid=1 addr=0x0 size=52"),
      // unbind nic0, the last: clear, ATC_INV, then the domain's free and its TLBI.
      ...cdStage(17, 1),
      ...cdStage(17, 1),
      ...pair("arm_smmu_atc_inv_master", "ATC_INV sid=17 ssid=1 addr=0x0 size=52"),
      ...pair("arm_smmu_tlb_inv_asid", "TLBI_NH_ASID asid=3 vmid=0"),
    ]);
  });

  it("unbind vs exit as the lesson schedules it: release's CD writes land after unbind's clear", () => {
    const s = scenario({ ...svaRace, kernel } as unknown as Record<string, unknown>);
    expect(commands(s)).toEqual([
      ...cdStage(16, 1), // bind: arm_smmu_write_cd_entry, two stages (no ATS: no ATC_INV)
      ...cdStage(16, 1),
      ...cdStage(16, 1), // unbind: arm_smmu_clear_cd, two stages
      ...cdStage(16, 1),
      ...cdStage(16, 1), // exit: arm_smmu_mm_release → arm_smmu_write_cd_entry, 0 → release CD
      ...cdStage(16, 1),
      ...pair("arm_smmu_tlb_inv_asid", "TLBI_NH_ASID asid=2 vmid=0"), // unbind: domain free
      ...pair("arm_smmu_tlb_inv_asid", "TLBI_NH_ASID asid=2 vmid=0"), // release's own TLBI
    ]);
  });

  it("the SRCU grace period is what keeps release's domain alive: free-notifier-now breaks it", () => {
    const s = scenario({
      ...svaRace,
      kernel,
      schedule: [],
      faults: ["free-notifier-now"],
    } as unknown as Record<string, unknown>);
    const report = exploreScenario(s);
    expect(report.outcomes.some((o) => o.violations.includes("use-after-free"))).toBe(true);
  });
});

describe("nested on v6.13 (iommufd vSMMU)", () => {
  it("the refused batch queues nothing on the host; the guest's unbind and exit follow a 6.10+ guest", () => {
    expect(commands(scenario(nestedRefused))).toEqual([
      // guest bind: the guest's arm_smmu_write_cd_entry, two stages, each CFGI_CD (vSID 1 →
      // StreamID 16, arm_vsmmu_convert_user_cmd) with one CMD_SYNC (arm_vsmmu_cache_invalidate).
      "arm_vsmmu_cache_invalidate: CFGI_CD sid=16 ssid=1 leaf=true",
      "arm_vsmmu_cache_invalidate: SYNC",
      "arm_vsmmu_cache_invalidate: CFGI_CD sid=16 ssid=1 leaf=true",
      "arm_vsmmu_cache_invalidate: SYNC",
      // guest-cmd [TLBI_NH_ASID, CFGI_STE]: CFGI_STE refused (-EIO) before the block was issued.
      // guest unbind: clear in two stages, then the SVA domain's TLBI_NH_ASID (VMID 1).
      "arm_vsmmu_cache_invalidate: CFGI_CD sid=16 ssid=1 leaf=true",
      "arm_vsmmu_cache_invalidate: SYNC",
      "arm_vsmmu_cache_invalidate: CFGI_CD sid=16 ssid=1 leaf=true",
      "arm_vsmmu_cache_invalidate: SYNC",
      "arm_vsmmu_cache_invalidate: TLBI_NH_ASID asid=2 vmid=1", // the guest DMA domain has ASID 1
      "arm_vsmmu_cache_invalidate: SYNC",
      // guest exit after unbind: no binding, nothing.
    ]);
  });
});

describe("rfc-2018 (io_mm)", () => {
  it("unbind vs exit as the lesson schedules it: mm_detach clears the CD and the ATC, no TLBI", () => {
    expect(commands(scenario(ioMmRace))).toEqual([
      // bind: io_mm_attach → arm_smmu_mm_attach → arm_smmu_write_ctx_desc: dw1–3, then dw0.
      ...cdStage(16, 1),
      ...cdStage(16, 1),
      // unbind (release waits on iommu_sva_lock, then finds the kref at 0 and returns):
      // arm_smmu_mm_detach clear_entry, arm_smmu_atc_inv_master_all ("TODO: Invalidate all
      // mappings if last and not DVM": no TLBI).
      ...cdStage(16, 1),
      ...pair("arm_smmu_atc_inv_master_all", "ATC_INV sid=16 ssid=1 addr=0x0 size=52"),
    ]);
  });

  it("PRI: the fault worker answers SUCCESS with PRI_RESP and no CMD_SYNC", () => {
    const pris = commands(scenario(pri)).filter((c) => c.includes("PRI_RESP"));
    expect(pris.length).toBeGreaterThan(0);
    expect(pris.every((c) => c.startsWith("iopf_complete_group: PRI_RESP sid=24 ssid=1"))).toBe(true);
    expect(pris.every((c) => c.endsWith("resp=SUCC"))).toBe(true);
  });

  it("museum-mm-exit-deadlock: the Page Request is never answered", () => {
    expect(commands(scenario(mmExitDeadlock))).toEqual([...cdStage(24, 1), ...cdStage(24, 1)]);
  });
});
