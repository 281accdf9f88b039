import { describe, expect, it } from "vitest";
import { exploreScenario } from "../../explorer/explore.ts";
import raceJson from "../../scenario/library/io-mm-unbind-vs-exit.json";
import lifecycleJson from "../../scenario/library/lifecycle.json";
import type { Scenario } from "../../scenario/types.ts";
import { toTraceJson } from "../report.ts";
import { runScenario } from "../run.ts";
import { commandsOfOp, OPS, scenario, withOps } from "../testing.ts";

const { bind, unbind, dmaW, dmaR, exit } = OPS;

// The series relied on the CPU's broadcast TLBIs reaching the SMMU (BTM): it sends no TLBI.
const lifecycle = scenario({
  ...lifecycleJson,
  driver: "io-mm-2018",
  smmu: { features: ["ats", "btm"] },
});
const race = scenario(raceJson);

/** The kernel functions T0 ran for one op, in order. */
function fnsOfOp(s: Scenario, opIndex: number): string[] {
  return runScenario(s)
    .steps.filter((x) => x.actor === "T0" && x.opIndex === opIndex)
    .map((x) => x.fn);
}

function expectInOrder(fns: string[], order: string[]): void {
  const at = order.map((f) => fns.indexOf(f));
  expect(
    at.every((i) => i >= 0),
    `${order.join(" → ")} in ${fns.join(", ")}`,
  ).toBe(true);
  expect([...at].sort((a, b) => a - b)).toEqual(at);
}

describe("the io-mm-2018 order of operations", () => {
  it("bind: io_mm_alloc publishes the io_mm (kref_init) only after its PASID and notifier exist", () => {
    expectInOrder(fnsOfOp(lifecycle, 0), [
      "get_task_mm",
      "__iommu_sva_bind_device",
      "arm_smmu_mm_alloc",
      "mmgrab",
      "idr_alloc(&iommu_pasid_idr)",
      "mmu_notifier_register",
      "kref_init",
      "io_mm_attach",
      "arm_smmu_mm_attach",
      "arm_smmu_write_ctx_desc",
      "list_add(&bond->mm_head, &io_mm->devices)",
      "mmput",
    ]);
  });

  it("bind writes the CD in two stages, each followed by CFGI_CD + CMD_SYNC", () => {
    expect(commandsOfOp(lifecycle, 0)).toEqual(["CFGI_CD", "CMD_SYNC", "CFGI_CD", "CMD_SYNC"]);
  });

  it("munmap: mm_invalidate sends only ATC_INV (the TLBI is a TODO), before the page is freed", () => {
    expect(commandsOfOp(lifecycle, 2)).toEqual(["ATC_INV", "CMD_SYNC"]);
    const fns = fnsOfOp(lifecycle, 2);
    expectInOrder(fns, ["zap_pte_range", "iommu_notifier_invalidate_range", "arm_smmu_mm_invalidate"]);
    expect(fns.lastIndexOf("arm_smmu_cmdq_poll_until_sync")).toBeLessThan(fns.indexOf("tlb_finish_mmu"));
  });

  it("munmap without BTM: still no TLBI, and the IOTLB keeps the freed page (the RFC assumed BTM)", () => {
    const s = { ...lifecycle, smmu: { ...lifecycle.smmu, features: ["ats"] as const } };
    expect(commandsOfOp(s as Scenario, 2)).toEqual(["ATC_INV", "CMD_SYNC"]);
    expect(runScenario(s as Scenario).violations.map((v) => v.kind)).toContain("stale-translation");
  });

  it("unbind while alive: mm_detach clears the CD, then ATC_INV (no TLBI); the io_mm goes to SRCU", () => {
    expect(commandsOfOp(lifecycle, 4)).toEqual(["CFGI_CD", "CMD_SYNC", "ATC_INV", "CMD_SYNC"]);
    expectInOrder(fnsOfOp(lifecycle, 4), [
      "iopf_queue_flush_dev",
      "__iommu_sva_unbind_device",
      "io_mm_detach_locked",
      "list_del(&bond->mm_head)",
      "arm_smmu_mm_detach",
      "io_mm_put_locked",
      "idr_remove(&iommu_pasid_idr)",
      "mmu_notifier_unregister_no_release",
      "mmu_notifier_call_srcu",
      "kfree(bond)",
    ]);
  });

  it("exit while bound: mm_exit stops the device, then release detaches the bond; unbind finds nothing", () => {
    const s = withOps(lifecycle, [bind, dmaW, exit, unbind]);
    expect(commandsOfOp(s, 2)).toEqual(["CFGI_CD", "CMD_SYNC", "ATC_INV", "CMD_SYNC"]);
    expectInOrder(fnsOfOp(s, 2), [
      "iommu_notifier_release",
      "io_mm_get_locked",
      "iommu_signal_mm_exit",
      "iopf_queue_flush_dev",
      "wake_up_all(&bond->mm_exit_wq)",
      "io_mm_detach_locked",
      "arm_smmu_mm_detach",
      "io_mm_put_locked",
      "__mmu_notifier_release",
      "unmap_vmas",
    ]);
    expect(commandsOfOp(s, 3)).toEqual([]);
    const r = runScenario(s);
    expect(r.violations).toEqual([]);
    expect(r.final.mms[0]!.state).toBe("freed");
    expect(Object.values(r.final.kernel.objects).every((o) => o.state === "freed")).toBe(true);
  });

  it("a DMA after exit is not issued: the device driver stopped the PASID in mm_exit", () => {
    const s = withOps(lifecycle, [bind, exit, dmaR, unbind]);
    const r = runScenario(s);
    expect(r.final.devices[0]!.stopped).toEqual([1]);
    expect(toTraceJson(r).dma).toEqual([]);
    expect(r.steps.find((x) => x.fn === "dma")!.text).toMatch(/stopped its DMA with PASID 1/);
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

describe("a CPU ASID a private DMA domain already holds", () => {
  it("makes arm_smmu_share_asid return -EEXIST: the bind fails, which is not a violation", () => {
    const s = scenario({
      ...lifecycleJson,
      driver: "io-mm-2018",
      smmu: { features: ["ats", "btm"] },
      processes: [{ ...lifecycleJson.processes[0], asid: 1 }],
    });
    const r = runScenario(withOps(s, [bind, dmaW, exit]));
    expect(r.violations).toEqual([]);
    expect(r.steps.some((x) => /arm_smmu_share_asid returns -EEXIST/.test(x.text))).toBe(true);
    expect(toTraceJson(r).pasids).toEqual({});
  });
});

describe("the lifecycle scenario with io-mm-2018", () => {
  const r = runScenario(lifecycle);
  const t = toTraceJson(r);

  it("binds PASID 1 with the CPU ASID and ends with no violation and nothing leaked", () => {
    expect(t.pasids).toEqual({ app: 1 });
    expect(t.asids).toEqual({ app: r.final.mms[0]!.cpuAsid });
    expect(t.violations).toEqual([]);
    expect(r.final.mms[0]!.state).toBe("freed");
    expect(r.final.kernel.pasids).toEqual({});
    expect(Object.values(r.final.kernel.asids).map((a) => a.owner)).toEqual(["dma:gpu0"]);
  });

  it("io_mm_free runs as the SRCU callback, after the unbind", () => {
    const i = r.steps.findIndex((s) => s.actor === "srcu");
    expect(r.steps[i]!.fn).toBe("io_mm_free");
    expect(i).toBeGreaterThan(r.steps.findIndex((s) => s.fn === "mmu_notifier_call_srcu"));
  });
});

describe("unbind ‖ exit ‖ DMA in io-mm-2018", () => {
  it("explores completely, quickly, with no violating outcome", () => {
    const report = exploreScenario(race);
    expect(report.complete).toBe(true);
    expect(report.states).toBeLessThan(2000);
    expect(report.outcomes.map((o) => o.violations)).toEqual([[]]);
  });

  it.each([
    // release's io_mm_get_locked revives the io_mm that unbind's io_mm_put_locked just released
    ["kref-get", "refcount", /obj\.get on io_mm #\d+ \(app\), which is dying/],
    // io_mm_free runs at once: __mmu_notifier_release then calls ->release on freed memory
    ["free-notifier-now", "use-after-free", /which is freed/],
  ])("with %s some interleaving breaks %s, and run replays it", (fault, kind, text) => {
    const s = { ...race, faults: [fault] };
    const report = exploreScenario(s);
    const bad = report.outcomes.find((o) => o.violations.includes(kind as never));
    expect(bad).toBeDefined();
    const replay = runScenario({ ...s, schedule: bad!.schedule });
    const found = replay.violations.filter((v) => v.kind === kind);
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]!.text).toMatch(text);
  });
});

describe("a second bind looking the io_mm up while the first is still allocating it", () => {
  // T0 is stopped inside io_mm_alloc, after idr_alloc: the io_mm is in the IDR with kref 0.
  const twoBinds = scenario({
    format: "sva-lab/1",
    title: "two devices bind one mm at once",
    driver: "io-mm-2018",
    devices: [
      { name: "gpu0", sid: 16 },
      { name: "gpu1", sid: 17 },
    ],
    processes: [{ name: "app", vmas: [{ start: "0x10000", pages: 1, populate: true }] }],
    threads: [
      { name: "T0", ops: [bind, unbind] },
      {
        name: "T1",
        ops: [
          { op: "bind", process: "app", device: "gpu1" },
          { op: "unbind", process: "app", device: "gpu1" },
        ],
      },
    ],
    schedule: Array(9).fill("T0"),
  });

  it("kref_get_unless_zero treats the half-built io_mm as absent: the second bind gets its own PASID", () => {
    const r = runScenario({ ...twoBinds, schedule: [...twoBinds.schedule!, "T1:op"] });
    expect(r.final.devices.map((d) => d.pasids.app)).toEqual([1, 2]);
    expect(Object.values(r.final.kernel.objects).filter((o) => o.kind === "io_mm")).toHaveLength(2);
    expect(r.violations).toEqual([]);
    expect(runScenario(twoBinds).violations).toEqual([]);
  });

  it("with kref-get the lookup revives a zero kref and some interleaving frees the io_mm under a bond", () => {
    const s = { ...twoBinds, faults: ["kref-get"] };
    const report = exploreScenario(s);
    expect(report.complete).toBe(true);
    const kinds = new Set(report.outcomes.flatMap((o) => o.violations));
    expect(kinds).toContain("refcount");
    expect(kinds).toContain("use-after-free");
    const bad = report.outcomes.find((o) => o.violations.includes("use-after-free"))!;
    const replay = runScenario({ ...s, schedule: bad.schedule });
    expect(replay.violations.map((v) => v.kind)).toContain("use-after-free");
  });
});
