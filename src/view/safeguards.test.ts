import { describe, expect, it } from "vitest";
import { FAULT_NAMES } from "../kernel/index.ts";
import { LIBRARY } from "../scenario/library/index.ts";
import { BREAKS, breakItLabel, explainViolation, explanationText, SAFEGUARDS } from "./safeguards.ts";

describe("safeguards", () => {
  it("names every fault's safeguard, and the lessons say what each breaks", () => {
    for (const f of FAULT_NAMES) {
      expect(SAFEGUARDS[f], f).toBeTruthy();
      expect(BREAKS.get(f)?.size ?? 0, `a lesson shows ${f}`).toBeGreaterThan(0);
    }
  });

  it("says which switched-off safeguard would have prevented a violation", () => {
    const e = explainViolation(["skip-atc-inv"], "stale-translation");
    expect(e?.prevented.map((n) => n.fault)).toEqual(["skip-atc-inv"]);
    expect(explanationText(["skip-atc-inv"], "stale-translation")).toContain("ATC_INV");
  });

  it("lists the others when none matches, and nothing without faults", () => {
    const e = explainViolation(["skip-atc-inv"], "deadlock");
    expect(e?.prevented).toEqual([]);
    expect(e?.others.map((n) => n.fault)).toEqual(["skip-atc-inv"]);
    expect(explainViolation([], "stale-translation")).toBeNull();
    expect(explanationText([], "leak")).toBeNull();
  });
});

describe("the Break it switch", () => {
  it("names every fault as what ticking it does, and each lesson's recap says the same words", async () => {
    const { RECAPS } = await import("../scenario/library/guide.ts");
    for (const f of FAULT_NAMES) expect(breakItLabel(f)).toMatch(/^Break it: \S/);
    for (const l of LIBRARY) {
      if (l.fault) expect(RECAPS[l.id]?.breakIt, l.id).toContain(`“${breakItLabel(l.fault.name)}”`);
    }
  });
});
