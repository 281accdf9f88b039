/**
 * Two lanes that exit one process without declared tasks act for its one task (docs/tasks.md):
 * only the first do_exit drops the task's mm_users reference. Before, each dropped one, and a
 * bind holding mm_users across its steps saw the mm torn down under it (sva-domain's
 * arm_smmu_sva_domain_alloc then read a freed mm's PASID and the run threw).
 */
import { describe, expect, it } from "vitest";
import { exploreScenario } from "../explorer/explore.ts";
import lifecycleJson from "../scenario/library/lifecycle.json";
import { boot } from "./boot.ts";
import { runScenario } from "./run.ts";
import { scenario } from "./testing.ts";

const race = (driver: string) =>
  scenario({
    format: "sva-lab/1",
    title: "two exits of one task",
    driver,
    devices: [{ name: "gpu0", sid: 16, ats: true }],
    processes: [{ name: "app", vmas: [{ start: "0x10000", pages: 1, prot: "rw", populate: true }] }],
    threads: [
      { name: "T0", ops: [{ op: "bind", process: "app", device: "gpu0" }] },
      {
        name: "T1",
        ops: [
          { op: "munmap", process: "app", start: "0x10000", pages: 1 },
          { op: "exit", process: "app" },
        ],
      },
      { name: "T2", ops: [{ op: "exit", process: "app" }] },
    ],
  });

describe.each(["arm-smmu-v3-sva", "io-mm-2018", "sva-domain"])("%s", (driver) => {
  it("the second exit does not run: the bind's mm_users reference keeps the mm", () => {
    // T0 takes mm_users, T2 exits, T1 unmaps (six steps) and exits, then T0 goes on.
    const r = runScenario({ ...race(driver), schedule: ["T0", "T2", "T2", ...Array(7).fill("T1")] });
    const texts = r.steps.filter((s) => s.actor === "T1" && s.fn === "do_exit").map((s) => s.text);
    expect(texts).toEqual(["app has already exited: it holds no mm_users reference to drop."]);
    // The mm goes with the bind's own mmput, once.
    expect(r.steps.filter((s) => s.fn === "__mmu_notifier_release").map((s) => s.actor)).toEqual(["T0"]);
  });

  it("every interleaving runs to its end", () => {
    const r = exploreScenario(race(driver));
    expect(r.complete).toBe(true);
  });
});

it("a scenario with one exit per process gets no task list (its state hash is kept: lesson-hashes.test.ts)", () => {
  expect(boot(scenario(lifecycleJson)).mms.map((m) => m.tasks)).toEqual([undefined]);
  expect(boot(race("sva-domain")).mms.map((m) => m.tasks)).toEqual([[{ name: "app", exited: false }]]);
});
