import { describe, expect, it } from "vitest";
import { inRelease, releaseNote, step } from "./program.ts";

describe("a micro-step that exists only in some releases", () => {
  const freePasid = step("iommu_sva_free_pasid", () => undefined, { until: "pasid-mm-lifetime" });
  const pasidDrop = step("mm_pasid_drop", () => undefined, { since: "pasid-mm-lifetime" });

  it("runs in the releases on its side of the change", () => {
    expect(inRelease(freePasid, "v5.17")).toBe(true);
    expect(inRelease(freePasid, "v5.18")).toBe(false);
    expect(inRelease(pasidDrop, "v5.17")).toBe(false);
    expect(inRelease(pasidDrop, "v6.12")).toBe(true);
    // The RFC holds no mainline change: a step that a change removed is there.
    expect(inRelease(freePasid, "rfc-2018")).toBe(true);
  });

  it("says so in its text, naming the commit", () => {
    expect(releaseNote(pasidDrop)).toBe(
      '(This step exists from v5.18 on: "mm: Fix PASID use-after-free issue", 2667ed10d9f0.)',
    );
    expect(releaseNote(freePasid)).toBe(
      '(This step exists only before v5.18: "mm: Fix PASID use-after-free issue", 2667ed10d9f0.)',
    );
    expect(releaseNote(step("f", () => undefined))).toBe("");
  });
});
