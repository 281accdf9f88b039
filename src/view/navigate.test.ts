import { describe, expect, it } from "vitest";
import { nextViolation, prevViolation, violationCursors } from "./navigate.ts";

describe("violation navigation", () => {
  const v = [{ step: 9 }, { step: 3 }, { step: 9 }, { step: 40 }];
  it("lists each violating step once, as the cursor just after it", () => {
    expect(violationCursors(v, 41)).toEqual([4, 10, 41]);
  });
  it("finds the next and previous from the cursor", () => {
    expect(nextViolation(v, 41, 0)).toBe(4);
    expect(nextViolation(v, 41, 4)).toBe(10);
    expect(nextViolation(v, 41, 41)).toBeNull();
    expect(prevViolation(v, 41, 41)).toBe(10);
    expect(prevViolation(v, 41, 4)).toBeNull();
  });
});
