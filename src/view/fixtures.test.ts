import { describe, expect, it } from "vitest";
import { queueSize } from "../engine/index.ts";
import { LIBRARY } from "../scenario/library/index.ts";
import {
  FIXTURES,
  type FixtureFeature,
  type FixtureRun,
  fixtureName,
  fixtureNamed,
  runFixture,
} from "./fixtures.ts";
import { lastDma } from "./path.ts";
import { topologyVm } from "./topology.ts";
import { nestedQueuesVm } from "./vcmdq.ts";

/** Each feature, read from the run the way the model holds it (not from the diagrams' view models where it can be helped). */
const CHECKS: Record<FixtureFeature, (r: FixtureRun) => boolean> = {
  boot: (r) => r.cursor === 0,
  "walk-path": (r) => lastDma(r.result.steps, r.cursor)?.dma.via === "walk" && r.path !== null,
  "cached-path": (r) => {
    const via = lastDma(r.result.steps, r.cursor)?.dma.via;
    return via !== undefined && via !== "walk" && r.path !== null;
  },
  "strtab-2lvl": (r) => r.world.smmu.strtab.fmt === "2lvl",
  "cd-2lvl": (r) => r.world.devices.some((d) => d.cdTable.fmt === "2lvl"),
  // PROD has passed the end of the ring at least once: its wrap bit has flipped.
  "cmdq-wrapped": (r) => r.world.smmu.cmdq.produced > queueSize(r.world.smmu.cmdq),
  "cmdq-error": (r) => r.world.smmu.cmdqErr !== 0,
  evtq: (r) => r.world.smmu.evtq.produced > r.world.smmu.evtq.consumed,
  priq: (r) => r.world.smmu.priq.produced > r.world.smmu.priq.consumed,
  stall: (r) => r.world.smmu.stalls.length > 0,
  iotlb: (r) => r.world.smmu.iotlb.length > 0,
  "walk-cache": (r) => r.world.smmu.walkCache.length > 0,
  atc: (r) => r.world.devices.some((d) => d.atc.length > 0),
  "two-processes": (r) => r.world.mms.length >= 2,
  "vm-queues": (r) => (r.world.vms ?? []).length > 0,
  "vm-queue-error": (r) =>
    (r.world.vms ?? []).some(
      (vm, i) => nestedQueuesVm(r.world, vm, i, r.result.steps, r.cursor).cerror !== null,
    ),
  dying: (r) => topologyVm(r.world).nodes.some((n) => n.tone === "dying"),
};

describe("the gallery's fixtures", () => {
  it("have distinct names, each derived from its lesson, variant and step", () => {
    const names = FIXTURES.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    for (const f of FIXTURES) {
      expect(f.name).toBe(fixtureName(f));
      expect(fixtureNamed(f.name)).toBe(f);
    }
    expect(fixtureName({ lesson: "lifecycle", step: 12, shows: [], why: "" })).toBe("lifecycle@12");
    expect(
      fixtureName({ lesson: "x", step: 3, variant: { kernel: "v6.5", cmdqEntries: 8 }, shows: [], why: "" }),
    ).toBe("x~v6.5~cmdq8@3");
  });

  it("name lessons of the library and steps within their runs", () => {
    for (const f of FIXTURES) {
      expect(LIBRARY.some((l) => l.id === f.lesson)).toBe(true);
      expect(() => runFixture(f)).not.toThrow();
    }
    expect(() => runFixture({ ...FIXTURES[0]!, name: "lifecycle@100000", step: 100_000 })).toThrow(
      /the run has \d+ steps, not 100000/,
    );
  });

  it.each(FIXTURES.map((f) => [f.name, f] as const))("%s shows what it is there for", (_name, f) => {
    const run = runFixture(f);
    for (const feature of f.shows) expect([feature, CHECKS[feature](run)]).toEqual([feature, true]);
  });

  it("between them show every feature, the checks telling one case from another", () => {
    const runs = FIXTURES.map(runFixture);
    for (const feature of Object.keys(CHECKS) as FixtureFeature[]) {
      const with_ = runs.filter((r) => CHECKS[feature](r));
      expect([feature, with_.length > 0]).toEqual([feature, true]);
      // Not a check that holds everywhere: some fixture lacks the feature.
      expect([feature, with_.length < runs.length]).toEqual([feature, true]);
    }
  });

  it("a variant changes only the options it names", () => {
    const f = FIXTURES.find((x) => x.variant?.cmdqEntries !== undefined)!;
    const run = runFixture(f);
    const lesson = LIBRARY.find((l) => l.id === f.lesson)!.scenario;
    expect(run.scenario.smmu.cmdqEntries).toBe(f.variant!.cmdqEntries);
    expect(run.scenario.kernel).toBe(f.variant!.kernel);
    expect({ ...run.scenario, smmu: lesson.smmu, kernel: lesson.kernel }).toEqual(lesson);
  });
});
