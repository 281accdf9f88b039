import { describe, expect, it } from "vitest";
import "../kernel/all.ts";
import { runScenario } from "../kernel/run.ts";
import { findLesson } from "../scenario/library/index.ts";
import { expandSchedule, shortSchedule } from "./schedule.ts";
import { sourceLink, sourceTag } from "./source-links.ts";

describe("expandSchedule", () => {
  it("reads T0×3, T0x3, T0*3, :op entries, commas and spaces", () => {
    expect(expandSchedule("T0×3 smmu*2, T1:op T2x2")).toEqual({
      ok: true,
      value: ["T0", "T0", "T0", "smmu", "smmu", "T1:op", "T2", "T2"],
    });
  });
  it("refuses what is not an entry, in one line", () => {
    expect(expandSchedule("T0×0")).toEqual({
      ok: false,
      error: '"T0×0" is not a schedule entry (T0, T0×3, T0:op, smmu, srcu, iopf)',
    });
    expect(expandSchedule("T0××3").ok).toBe(false);
  });
});

describe("shortSchedule", () => {
  it("writes a run's actors as a short schedule that replays the same steps", () => {
    const s = findLesson("unbind-vs-exit")!.scenario;
    const run = runScenario({ ...s, schedule: ["T0:op", "T0", "T0", "T0", "T1", "T2", "T0"] });
    const all = run.steps.map((x) => x.actor);
    const short = shortSchedule(s, all);
    // bind as one :op, dma and unbind's first two steps as a run, then the interleaving; the
    // default policy does the rest (the SMMU first, then T0, T1, T2 in order).
    expect(short.join(" ")).toBe("T0:op T0×3 T1 T2");
    const back = expandSchedule(short.join(" "));
    if (!back.ok) throw new Error(back.error);
    expect(runScenario({ ...s, schedule: back.value }).steps.map((x) => x.actor)).toEqual(all);
  });
});

describe("source links", () => {
  it("link the function in the release modelled, mainline or the RFC's nearest mainline tag", () => {
    expect(sourceLink("v6.1", "T1", "arm_smmu_mm_release")?.url).toBe(
      "https://elixir.bootlin.com/linux/v6.1/A/ident/arm_smmu_mm_release",
    );
    expect(sourceLink("v5.15", "T0", "mutex_lock(&sva_lock)")?.url).toBe(
      "https://elixir.bootlin.com/linux/v5.15/A/ident/mutex_lock",
    );
    expect(sourceLink("v6.12", "T0", "iommu_sva_bind_device (guest)")?.ident).toBe("iommu_sva_bind_device");
    expect(sourceLink("rfc-2018", "T0", "io_mm_get_locked")).toEqual({
      ident: "io_mm_get_locked",
      url: "https://elixir.bootlin.com/linux/v4.17/A/ident/io_mm_get_locked",
      label: "v4.17 (rfc-2018 is not mainline)",
    });
    expect(sourceTag("v9.9")).toBeNull();
  });
  it("do not link the hardware, the device or the VMM", () => {
    expect(sourceLink("v6.1", "smmu", "arm_smmu_cmdq_consume")).toBeNull();
    expect(sourceLink("v6.1", "T2", "dma")).toBeNull();
    expect(sourceLink("v6.14", "T0", "smmuv3_cmdq_consume (VMM)")).toBeNull();
  });
});
