import { describe, expect, it } from "vitest";
import "../all.ts";
import { exploreScenario } from "../../explorer/explore.ts";
import lifecycleJson from "../../scenario/library/lifecycle.json";
import taskVsMmJson from "../../scenario/library/task-vs-mm.json";
import { runScenario } from "../run.ts";
import { scenario } from "../testing.ts";

const taskVsMm = scenario(taskVsMmJson);
const on = (kernel: string) => scenario({ ...taskVsMmJson, kernel });
const kinds = (kernel: string) => runScenario(on(kernel)).violations.map((v) => v.kind);

describe("tasks sharing an mm", () => {
  it("each task holds an mm_users reference; exit_mmap runs only with the last one", () => {
    const r = runScenario(on("rfc-2018"));
    const booted = runScenario(on("rfc-2018"), { until: 0 }).final.mms[0]!;
    expect(booted.users).toBe(2);
    expect(booted.tasks).toEqual([
      { name: "main", exited: false },
      { name: "worker", exited: false },
    ]);
    const exits = r.steps.filter((s) => s.fn === "do_exit").map((s) => s.actor);
    expect(exits).toEqual(["T0", "T1"]);
    // exit_mmap runs once, in worker's thread, after worker's own exit.
    const unmap = r.steps.filter((s) => s.fn === "unmap_vmas");
    expect(unmap.map((s) => s.actor)).toEqual(["T1"]);
    const workerExit = r.steps.findIndex((s) => s.fn === "do_exit" && s.actor === "T1");
    expect(unmap[0]!.index).toBeGreaterThan(workerExit);
    expect(r.final.mms[0]!.users).toBe(0);
    expect(r.final.mms[0]!.tasks!.every((t) => t.exited)).toBe(true);
  });

  it("a task that has exited cannot exit again (no second mmput)", () => {
    const s = scenario({
      ...taskVsMmJson,
      kernel: "v6.12",
      threads: [
        {
          name: "T0",
          ops: [
            { op: "exit", process: "app", task: "main" },
            { op: "exit", process: "app", task: "main" },
          ],
        },
      ],
      schedule: undefined,
    });
    const r = runScenario(s);
    expect(r.final.mms[0]!.users).toBe(1);
    expect(r.final.mms[0]!.state).toBe("live");
    expect(r.steps.filter((x) => x.fn === "mmput")).toHaveLength(1);
    expect(r.steps.at(-1)!.text).toBe("Task main of app has exited: its exit does not run.");
  });

  it("an exited task's ops do not run; the other task's do", () => {
    const s = scenario({
      ...taskVsMmJson,
      kernel: "v6.12",
      threads: [
        {
          name: "T0",
          ops: [
            { op: "exit", process: "app", task: "worker" },
            { op: "touch", process: "app", va: "0x20000", access: "write", task: "worker" },
            { op: "touch", process: "app", va: "0x10000", access: "write", task: "main" },
          ],
        },
      ],
      schedule: undefined,
    });
    const fns = runScenario(s).steps.map((x) => `${x.opIndex} ${x.fn}`);
    expect(fns).toContain("1 (task exited)");
    expect(fns).toContain("2 handle_mm_fault");
  });

  it("a process without tasks runs as before: one task, no do_exit step", () => {
    const r = runScenario(scenario(lifecycleJson));
    expect(r.steps.some((s) => s.fn === "do_exit")).toBe(false);
    expect(r.final.mms[0]).not.toHaveProperty("tasks");
  });
});

describe("rfc-2017: the binding belongs to the task (Joerg Roedel's objection)", () => {
  it("the setup task's exit clears the CD and frees the PASID while worker still uses the mm", () => {
    const r = runScenario(taskVsMm);
    const fns = r.steps.filter((s) => s.actor === "T0" && s.opIndex === 1).map((s) => s.fn);
    expect(fns).toEqual(
      expect.arrayContaining([
        "do_exit",
        "release_task",
        "domain->ops->process_exit",
        "domain->ops->process_detach",
        "idr_remove(&iommu_process_idr)",
      ]),
    );
    expect(fns.indexOf("release_task")).toBeLessThan(fns.indexOf("mmput"));
    const v = r.violations.find((x) => x.kind === "lost-binding");
    expect(v, JSON.stringify(r.violations)).toBeDefined();
    expect(r.steps[v!.step]!.actor).toBe("T1");
    expect(r.steps[v!.step]!.fn).toBe("dma");
    expect(r.violations.map((x) => x.kind)).toEqual(["lost-binding"]);
  });

  it("the bind keeps the task's pid, and a second task's bind makes a second iommu_process", () => {
    const s = scenario({
      ...taskVsMmJson,
      threads: [
        {
          name: "T0",
          ops: [
            { op: "bind", process: "app", device: "nic0", task: "main" },
            { op: "bind", process: "app", device: "nic0", task: "worker" },
          ],
        },
      ],
      schedule: undefined,
    });
    const processes = Object.values(runScenario(s).final.kernel.objects).filter((o) => o.kind === "io_mm");
    expect(processes.map((o) => [o.fields.pid, o.fields.pasid])).toEqual([
      ["main", 1],
      ["worker", 2],
    ]);
  });

  it("the explorer finds it among the interleavings", () => {
    const out = exploreScenario(taskVsMm, { maxStates: 20_000 });
    expect(out.outcomes.some((o) => o.violations.includes("lost-binding"))).toBe(true);
  });

  // v5.11–v5.13 refuse SVA without IOPF (the model binds from v5.14): they would prove nothing.
  it.each(["rfc-2018", "v5.14", "v5.15", "v6.1", "v6.12"])("%s binds the mm: no violation", (kernel) => {
    expect(kinds(kernel)).toEqual([]);
  });

  it.each(["rfc-2018", "v5.14", "v5.15", "v6.1", "v6.12"])(
    "%s: worker's second DMA still translates with the PASID",
    (kernel) => {
      const r = runScenario(on(kernel));
      const dma = r.steps.filter((s) => s.actor === "T1" && s.fn === "dma");
      expect(dma.length).toBeGreaterThanOrEqual(2);
      expect(dma[1]!.text).toMatch(/with PASID 1: translated by/);
    },
  );
});
