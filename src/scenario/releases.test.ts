import { describe, expect, it } from "vitest";
import { SAMPLE_SCENARIO_JSON } from "./fixtures.ts";
import { CHANGE_NOTES, KERNEL_CHANGES } from "./kernel-changes.ts";
import {
  type ChangeId,
  DEFAULT_RELEASE,
  designOf,
  MAINLINE_RELEASES,
  NEWEST_MAINLINE,
  releaseHas,
  resolveKernel,
} from "./releases.ts";
import { parseScenario } from "./schema.ts";
import { decodeScenarioUrl, encodeScenarioUrl } from "./url.ts";

describe("the releases modelled", () => {
  it("are every mainline tag from v5.11 to the newest, in order", () => {
    expect(MAINLINE_RELEASES[0]).toBe("v5.11");
    expect(MAINLINE_RELEASES).toContain("v5.19");
    expect(MAINLINE_RELEASES).toContain("v6.0");
    expect(MAINLINE_RELEASES.at(-1)).toBe(NEWEST_MAINLINE);
    expect(new Set(MAINLINE_RELEASES).size).toBe(MAINLINE_RELEASES.length);
  });

  it("hold a change from the release it landed in on, and RFCs hold none", () => {
    // "mm: Fix PASID use-after-free issue" (2667ed10d9f0) landed in v5.18.
    expect(releaseHas("v5.17", "pasid-mm-lifetime")).toBe(false);
    expect(releaseHas("v5.18", "pasid-mm-lifetime")).toBe(true);
    expect(releaseHas("v6.12", "pasid-mm-lifetime")).toBe(true);
    expect(releaseHas("rfc-2018", "pasid-mm-lifetime")).toBe(false);
    expect(() => releaseHas("v6.1", "no-such-change" as ChangeId)).toThrow(/no kernel change/);
  });

  it("each name a first release that is modelled, and a unique id", () => {
    for (const c of KERNEL_CHANGES) expect(MAINLINE_RELEASES, c.id).toContain(c.release);
    expect(new Set(KERNEL_CHANGES.map((c) => c.id)).size).toBe(KERNEL_CHANGES.length);
    expect(Object.keys(CHANGE_NOTES).sort()).toEqual(KERNEL_CHANGES.map((c) => c.id).sort());
  });

  it("run the design of their code: the shared-CD driver up to v6.9, the SVA domain from v6.10", () => {
    expect(designOf("rfc-2018")).toBe("io-mm-2018");
    expect(designOf("rfc-2017")).toBe("iommu-process-2017");
    expect(designOf("v5.11")).toBe("arm-smmu-v3-sva");
    expect(designOf("v6.9")).toBe("arm-smmu-v3-sva");
    expect(designOf("v6.10")).toBe("sva-domain");
    // The v1 nesting series was posted on v6.3-rc1: the shared-CD design, v6.3's changes.
    expect(designOf("nested-v1-2023")).toBe("arm-smmu-v3-sva");
    expect(releaseHas("nested-v1-2023", "sva-domain-core")).toBe(true);
    expect(releaseHas("nested-v1-2023", "ttl-leaf-only")).toBe(false);
    for (const [design, release] of Object.entries(DEFAULT_RELEASE)) expect(designOf(release)).toBe(design);
  });
});

describe("a scenario's kernel", () => {
  const { driver: _, ...withoutDriver } = SAMPLE_SCENARIO_JSON as Record<string, unknown>;

  it("names the release; the design follows from it", () => {
    const r = parseScenario({ ...withoutDriver, kernel: "v5.15" });
    expect(r.ok && [r.value.kernel, r.value.driver]).toEqual(["v5.15", "arm-smmu-v3-sva"]);
  });

  it("defaults to the release a design stood for when a file names only the driver", () => {
    const r = parseScenario(SAMPLE_SCENARIO_JSON);
    expect(r.ok && r.value.kernel).toBe(DEFAULT_RELEASE["arm-smmu-v3-sva"]);
  });

  it("refuses an unknown release, naming kernel and the range accepted", () => {
    const r = parseScenario({ ...withoutDriver, kernel: "v4.19" });
    expect(!r.ok && r.error).toBe(
      `kernel: unknown release "v4.19" (expected "v5.11" … "${NEWEST_MAINLINE}" or "rfc-2017", "rfc-2018", "nested-v1-2023")`,
    );
    expect(resolveKernel(undefined, undefined)).toMatchObject({ path: "kernel" });
  });

  it("refuses a driver that is not the release's design", () => {
    const r = parseScenario({ ...SAMPLE_SCENARIO_JSON, kernel: "v6.12" });
    expect(!r.ok && r.error).toMatch(/^driver: "arm-smmu-v3-sva" is not the design of kernel v6\.12/);
  });

  it("travels in a link, and an old link (a design code) opens on the design's default release", () => {
    const parsed = parseScenario({ ...withoutDriver, kernel: "v5.15" });
    if (!parsed.ok) throw new Error(parsed.error);
    const back = decodeScenarioUrl(encodeScenarioUrl(parsed.value));
    expect(back.ok && back.value.scenario).toEqual(parsed.value);
    const old = parseScenario(SAMPLE_SCENARIO_JSON);
    if (!old.ok) throw new Error(old.error);
    const oldBack = decodeScenarioUrl(encodeScenarioUrl(old.value));
    expect(oldBack.ok && oldBack.value.scenario.kernel).toBe(DEFAULT_RELEASE["arm-smmu-v3-sva"]);
  });
});
