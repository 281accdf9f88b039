import { describe, expect, it } from "vitest";
import { exploreScenario } from "../explorer/explore.ts";
import { runScenario, SMMU, SRCU } from "../kernel/index.ts";
import { parseScenario, type Scenario } from "../scenario/index.ts";
import freedEarlyJson from "../scenario/library/notifier-freed-early.json";
import raceJson from "../scenario/library/unbind-vs-exit.json";
import { abbreviate, swimlaneSlices, swimlaneVm } from "./swimlane.ts";

function scenario(json: unknown): Scenario {
  const r = parseScenario(json);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

describe("swimlane view model of unbind ‖ exit ‖ DMA", () => {
  const race = scenario(raceJson);
  const result = runScenario(race, { snapshots: true });
  const vm = swimlaneVm(race, result);

  it("has a lane per thread in order, then smmu, srcu and the others, then the device", () => {
    const names = vm.lanes.map((l) => l.name);
    expect(names.slice(0, 3)).toEqual(["T0", "T1", "T2"]);
    expect(names[3]).toBe(SMMU);
    expect(names).toContain(SRCU);
    expect(vm.lanes.at(-1)).toEqual({ id: "dev:gpu0", name: "gpu0", kind: "device" });
  });

  it("puts each step in its actor's lane and each DMA in the device's lane too", () => {
    const own = vm.boxes.filter((b) => b.kind !== "device");
    expect(own.map((b) => [b.step, b.lane])).toEqual(result.steps.map((s) => [s.index, s.actor]));
    const dma = vm.boxes.filter((b) => b.kind === "device");
    expect(dma.map((b) => b.step)).toEqual(result.steps.filter((s) => s.fn === "dma").map((s) => s.index));
    expect(new Set(vm.boxes.map((b) => b.id)).size).toBe(vm.boxes.length);
  });

  it("labels an SMMU step with the command it consumed", () => {
    const smmu = vm.boxes.filter((b) => b.lane === SMMU);
    expect(smmu.length).toBeGreaterThan(0);
    for (const b of smmu) {
      expect(b.fn).toBe("arm_smmu_cmdq_consume");
      expect(b.label).toMatch(/^[A-Z_]+$/);
    }
  });

  it("spans exactly the steps taken while a thread was blocked, with the reason", () => {
    expect(vm.blocked.length).toBeGreaterThan(0);
    for (const span of vm.blocked) {
      for (let i = span.from; i < span.to; i++) {
        const t = result.snapshots[i]!.threads.find((x) => x.name === span.lane)!;
        expect(t.status).toBe("blocked");
        expect(t.blockedOn).toBe(span.why);
      }
    }
    const blockedSteps = vm.blocked.reduce((n, s) => n + s.to - s.from, 0);
    const expected = result.snapshots
      .slice(0, result.steps.length)
      .reduce((n, w) => n + w.threads.filter((t) => t.status === "blocked").length, 0);
    expect(blockedSteps).toBe(expected);
    // The lesson's race: release reads the freed shared CD (one use-after-free).
    expect(vm.violations.map((v) => v.step)).toEqual(result.violations.map((v) => v.step));
    expect(result.violations.map((v) => v.kind)).toEqual(["use-after-free"]);
  });
});

describe("swimlane view model of a broken interleaving", () => {
  it("marks the use-after-free at the step the run records it", () => {
    const s = scenario({ ...freedEarlyJson, faults: ["free-notifier-now"] });
    const uaf = exploreScenario(s).outcomes.find((o) => o.violations.includes("use-after-free"))!;
    const result = runScenario({ ...s, schedule: uaf.schedule }, { snapshots: true });
    const vm = swimlaneVm(s, result);
    expect(vm.violations[0]!.step).toBe(uaf.step);
    expect(vm.violations[0]!.kinds).toContain("use-after-free");
    expect(vm.boxes.filter((b) => b.violation).map((b) => b.step)).toContain(uaf.step);
  });
});

describe("abbreviate", () => {
  it("keeps short names, drops driver prefixes, then cuts with an ellipsis", () => {
    expect(abbreviate("dma", 5)).toBe("dma");
    expect(abbreviate("arm_smmu_sync_cd", 8)).toBe("sync_cd");
    expect(abbreviate("mutex_lock(&sva_lock)", 13)).toBe("lock sva_lock");
    expect(abbreviate("mutex_unlock(&sva_lock)", 15)).toBe("unlock sva_lock");
    expect(abbreviate("arm_smmu_cmdq_poll_until_sync", 6)).toBe("cmdq_…");
    expect(abbreviate("anything", 0)).toBe("");
    for (let n = 1; n < 30; n++)
      expect(abbreviate("arm_smmu_mmu_notifier_put", n).length).toBeLessThanOrEqual(n);
  });
});

describe("the swimlane made in slices (a long run's, in idle moments)", () => {
  const race = scenario(raceJson);
  const result = runScenario(race, { snapshots: true });
  const plain = (vm: ReturnType<typeof swimlaneVm>) => ({
    ...vm,
    // A box's id, label and title are made when read: compare what the chart reads.
    boxes: vm.boxes.map((b) => ({ ...b, id: b.id, label: b.label, title: b.title })),
  });

  it("pauses every few steps and makes the same model", () => {
    const slices = swimlaneSlices(race, result, 3);
    let pauses = 0;
    let r = slices.next();
    while (!r.done) {
      pauses++;
      r = slices.next();
    }
    // The boxes, then the blocked spans: each pass pauses every 3 steps.
    expect(pauses).toBeGreaterThanOrEqual(2 * Math.floor(result.steps.length / 3) - 1);
    expect(plain(r.value)).toEqual(plain(swimlaneVm(race, result)));
  });

  it("titles a step's box with its number, actor, function and text", () => {
    const vm = swimlaneVm(race, result);
    const s = result.steps.find(
      (x) => x.actor !== SMMU && !result.violations.some((v) => v.step === x.index),
    )!;
    const box = vm.boxes.find((b) => b.id === `${s.actor}:${s.index}`)!;
    expect(box.title).toBe(`Step ${s.index + 1} · ${s.actor} · ${s.fn}\n${s.text}`);
    expect(box.label).toBe(s.fn);
    const smmu = vm.boxes.find((b) => b.actor === SMMU && b.label !== b.fn);
    // An SMMU step that consumed a command is labelled with it, and says so in its title.
    if (smmu) expect(smmu.title).toContain(`· ${smmu.fn} (${smmu.label})`);
  });
});
