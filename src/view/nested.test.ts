import { describe, expect, it } from "vitest";
import { type RunResult, runScenario, worldAt } from "../kernel/index.ts";
import { findLesson } from "../scenario/library/index.ts";
import { pageForest } from "./pgtree.ts";
import { streamTableVm } from "./stream.ts";
import { tlbVm } from "./tlb.ts";
import { topologyVm } from "./topology.ts";
import { nestedQueuesVm, vcmdDetail } from "./vcmdq.ts";

const lesson = (): RunResult => runScenario(findLesson("nested-invalidation")!.scenario, { snapshots: true });

/** The cursor just after the first step with function `fn` after step `from`. */
const cursorAfter = (r: RunResult, fn: string, from = 0): number =>
  r.steps.findIndex((s, i) => i >= from && s.fn === fn) + 1;

describe("the guest's vSMMU queue beside the host's CMDQ", () => {
  it("shows the munmap's guest commands and what the host made of them", () => {
    const r = lesson();
    const zap = cursorAfter(r, "zap_pte_range (guest)");
    const at = cursorAfter(r, "arm_vsmmu_cache_invalidate", zap);
    const w = worldAt(r, at);
    const q = nestedQueuesVm(w, w.vms![0]!, 0, r.steps, at);
    const tlbi = q.guest.rows.find((x) => x.op === "TLBI_NH_VA")!;
    expect(tlbi.summary).toContain("vmid=0");
    expect(tlbi.note).toMatch(/^host: TLBI_NH_VA asid=3 vmid=1/);
    const atc = q.guest.rows.find((x) => x.op === "ATC_INV")!;
    expect(atc.summary).toContain("sid=1 ");
    expect(atc.note).toContain("ATC_INV sid=16");
    const hostAtc = q.host.rows.find((x) => x.op === "ATC_INV")!;
    expect(hostAtc.summary).toContain("sid=16");
    expect(hostAtc.note).toBe(`from vm0 vSMMU slot ${atc.slot}`);
    expect(q.cerror).toBeNull();
  });

  it("shows the refused CFGI_STE: -EIO, then CERROR_ILL at CONS", () => {
    const r = lesson();
    const refused = r.steps.findIndex((s) => s.text.includes("refuses command")) + 1;
    const w = worldAt(r, refused);
    const q = nestedQueuesVm(w, w.vms![0]!, 0, r.steps, refused);
    const row = q.guest.rows.find((x) => x.op === "CFGI_STE")!;
    expect(row.tone).toBe("bad");
    expect(row.note).toContain("-EIO");
    const stopped = worldAt(r, refused + 1);
    const q2 = nestedQueuesVm(stopped, stopped.vms![0]!, 0, r.steps, refused + 1);
    expect(q2.cerror).toMatch(/^CERROR_ILL at CONS/);
    const d = vcmdDetail(stopped, r.steps, refused + 1, 0, row.slot);
    expect(typeof d === "string" ? d : d.notes.join(" ")).toContain("CERROR_ILL");
  });
});

describe("a VM's tables read through stage 2", () => {
  it("draws the guest page table, the guest CD and a fresh IOTLB entry", () => {
    const r = lesson();
    const at = cursorAfter(r, "dma");
    const w = worldAt(r, at);
    const forest = pageForest(w);
    expect(forest.pages).toBe(1);
    const ste = streamTableVm(w).find((s) => s.device === "nic0")!;
    expect(ste.config).toBe("NESTED");
    expect(ste.nested?.vmid).toBe(1);
    const cd = ste.cds.find((c) => c.ssid === 1)!;
    expect(cd).toMatchObject({ v: true, asid: 3, owner: "gapp", cache: "cached" });
    expect(tlbVm(w).iotlb.map((e) => [e.tag, e.stale])).toEqual([["ASID 3 VMID 1", false]]);
  });

  it("puts the VM in the topology with its VMID, its process and its devices", () => {
    const r = lesson();
    const w = worldAt(r, cursorAfter(r, "dma"));
    const t = topologyVm(w);
    expect(t.vms.map((v) => v.title)).toEqual(["VM vm0 · VMID 1"]);
    expect(t.nodes.filter((n) => n.vm === "vm0").map((n) => n.id)).toEqual([
      "mm:gapp",
      "dev:nic0",
      "dev:nic1",
    ]);
    expect(t.links.find((l) => l.id === "mm:gapp>dev:nic0")?.label).toBe("PASID 1");
  });
});
