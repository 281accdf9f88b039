import { describe, expect, it } from "vitest";
import { FAULT_NAMES } from "../../kernel/index.ts";
import { BREAKS, explainViolation, explanationText, SAFEGUARDS } from "./safeguards.ts";

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
