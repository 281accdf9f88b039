import { describe, expect, it } from "vitest";
import { type RunResult, runScenario, toTraceJson, worldAt } from "../kernel/index.ts";
import { findLesson } from "../scenario/library/index.ts";
import { cachesVm } from "./caches.ts";
import { lastDma, pathVm } from "./path.ts";
import { recordQueueVm } from "./records.ts";
import { topologyVm } from "./topology.ts";

const run = (id: string, faults?: string[]): RunResult => {
  const l = findLesson(id)!;
  return runScenario(faults ? { ...l.scenario, faults } : l.scenario, { snapshots: true });
};

/** The path at the cursor just after the `n`-th DMA. */
function pathAfterDma(r: RunResult, n = 0) {
  const t = toTraceJson(r);
  const step = t.dma[n]!.step as number;
  return pathVm(r.steps, step + 1, worldAt(r, step + 1), r)!;
}

describe("the translation path", () => {
  it("follows a walk: STE, CD, the four levels, the frame", () => {
    const r = run("lifecycle");
    const p = pathAfterDma(r);
    expect(p.boxes.map((b) => b.id)).toEqual([
      "path:ste",
      "path:cd",
      "path:l0",
      "path:l1",
      "path:l2",
      "path:l3",
      "path:frame",
    ]);
    expect(p.ids).toEqual(["ste:16", "cd:16:1"]);
    expect(p.tables).toHaveLength(4);
    expect(p.boxes[1]!.lines.join(" ")).toContain("ASID 32769");
  });

  it("says the ATC served a DMA, and the frame was stale", () => {
    const r = run("lifecycle", ["skip-atc-inv"]);
    const p = pathAfterDma(r, 1);
    expect(p.boxes.map((b) => b.id)).toEqual(["path:atc", "path:frame"]);
    expect(p.boxes[1]!.tone).toBe("bad");
  });

  it("draws the L1 descriptors of 2-level tables", () => {
    const p = pathAfterDma(run("cd-2lvl"));
    expect(p.boxes.map((b) => b.id).slice(0, 4)).toEqual([
      "path:strtab-l1",
      "path:ste",
      "path:cd-l1",
      "path:cd",
    ]);
    expect(p.boxes[3]!.strip).toEqual({ count: 1024, index: 2000 % 1024 });
  });

  it("shows the L1 CD descriptor the SMMU used: its stale cached copy on nested-v1-2023", () => {
    const box = (r: RunResult) => pathAfterDma(r, 1).boxes.find((b) => b.id === "path:cd-l1")!;
    const v1 = box(run("nested-cd-2lvl"));
    expect(v1.tone).toBe("bad");
    expect(v1.lines[0]).toBe("V 0 · L2Ptr 0x0");
    expect(v1.lines[2]).toMatch(/^config cache copy: STALE, memory holds 0x0000000040/);
    const l = findLesson("nested-cd-2lvl")!;
    const merged = box(runScenario({ ...l.scenario, kernel: "v6.14" }, { snapshots: true }));
    expect(merged.tone).toBe("ok");
    expect(merged.lines[2]).toBe("read from memory: config cache miss");
  });

  it("ends in the fault a walk ran into", () => {
    const r = run("walk-cache");
    const t = toTraceJson(r);
    const faulted = t.dma.findIndex((d) => d.result === "fault");
    const p = pathAfterDma(r, faulted);
    expect(p.boxes[p.boxes.length - 1]!.id).toBe("path:fault");
  });

  it("has nothing before the first DMA", () => {
    const r = run("lifecycle");
    expect(lastDma(r.steps, 0)).toBeNull();
    expect(pathVm(r.steps, 3, worldAt(r, 3))).toBeNull();
  });
});

describe("the topology", () => {
  it("links the process, its objects, the binding with its PASID, the device and the SMMU", () => {
    const r = run("lifecycle");
    const t = toTraceJson(r);
    const w = worldAt(r, (t.dma[0]!.step as number) + 1);
    const vm = topologyVm(w);
    const ids = vm.nodes.map((n) => n.id);
    expect(ids).toContain("mm:app");
    expect(ids).toContain("dev:gpu0");
    expect(ids).toContain("smmu");
    const bond = vm.nodes.find((n) => n.column === "bond")!;
    expect(vm.links.find((l) => l.from === bond.id && l.to === "dev:gpu0")?.label).toBe("PASID 1");
    expect(vm.nodes.find((n) => n.id === "smmu")!.lines.join(" ")).toContain("ASID 32769");
    const end = topologyVm(r.final);
    expect(end.nodes.filter((n) => n.id.startsWith("obj:")).every((n) => n.tone === "freed")).toBe(true);
  });
});

describe("the queues and caches", () => {
  it("decodes the event queue's records and the PRI queue's requests", () => {
    const stall = run("stall");
    const evtq = recordQueueVm(stall.final, "evtq");
    expect(evtq.produced).toBe(2);
    expect(evtq.slots[0]!.name).toBe("F_TRANSLATION");
    expect(evtq.slots[0]!.summary).toContain("STALL");
    const pri = run("pri");
    const priq = recordQueueVm(pri.final, "priq");
    expect(priq.slots[0]!.summary).toMatch(/^PRG \d+ sid 24 ssid 1/);
    expect(priq.pending).toBe(0);
  });

  it("marks a config-cache copy that differs from memory, naming the fields", () => {
    const r = run("lifecycle");
    // Just after the CD's word 0 is cleared (V=0) and before the CFGI_CD is consumed.
    const i = r.steps.findIndex((s) => s.text.startsWith("CD 1 word 0 is set to 0"));
    const cfg = cachesVm(worldAt(r, i + 1)).find((s) => s.id === "cfg")!;
    const cd = cfg.rows.find((row) => row.id === "cfg:cd:16:1")!;
    expect(cd.stale).toBe(true);
    expect(cd.what).toContain("V");
  });

  it("lists the L1 CD descriptors cached, a guest's read through stage 2, and marks a stale one", () => {
    const r = run("nested-cd-2lvl");
    // After the guest's CFGI_CD reached the v1 host as LEAF=1: the invalid descriptor stays.
    const i = r.steps.findIndex((s) => s.fn === "arm_smmu_cmdq_poll_until_sync (guest)");
    const row = cachesVm(worldAt(r, i + 1))
      .find((s) => s.id === "cfg")!
      .rows.find((x) => x.id === "cfg:l1cd:16:1")!;
    expect(row).toMatchObject({ tag: "L1CD 16:1", state: "stale", stale: true });
    expect(row.what).toBe("invalid (V=0); differs: V, L2PTR");
    expect(row.why).toContain("SSIDs 1024–2047 of StreamID 16");
    // The host lesson's driver follows its new L1 descriptor with LEAF=0: the one cached is fresh.
    const host = run("cd-2lvl");
    const rows = cachesVm(host.final)
      .find((s) => s.id === "cfg")!
      .rows.filter((x) => x.tag.startsWith("L1CD"));
    expect(rows.map((x) => [x.tag, x.what, x.stale])).toEqual([
      ["L1CD 272:1", "valid; same as memory", false],
    ]);
  });

  it("marks a walk-cache entry whose table was freed", () => {
    const r = run("walk-cache", ["leaf-only-tlbi"]);
    const stale = r.snapshots.some((w) =>
      cachesVm(w)
        .find((s) => s.id === "walk")!
        .rows.some((row) => row.stale),
    );
    expect(stale).toBe(true);
  });
});

describe("the topology's tasks", () => {
  it("shows the mm's tasks and mm_users, and which task has exited", () => {
    const r = run("task-vs-mm");
    const mmNode = (k: number) => topologyVm(worldAt(r, k)).nodes.find((n) => n.id === "mm:app")!;
    expect(mmNode(0).lines).toContain("tasks: main, worker");
    expect(mmNode(0).lines).toContain("mm_users 2, mm_count 1");
    const mainExit = r.steps.findIndex((s) => s.fn === "do_exit");
    expect(mmNode(mainExit + 1).lines).toContain("tasks: main (exited), worker");
  });

  it("adds no line for a process without tasks", () => {
    const lines = topologyVm(worldAt(run("lifecycle"), 0)).nodes.find((n) => n.id === "mm:app")!.lines;
    expect(lines.some((l) => l.startsWith("tasks:"))).toBe(false);
  });
});
