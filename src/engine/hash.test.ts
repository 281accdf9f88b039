import { describe, expect, it } from "vitest";
import { deepClone } from "./clone.ts";
import { hashState } from "./hash.ts";

describe("hashState", () => {
  it("ignores the order of object keys and Map insertion", () => {
    expect(hashState({ a: 1, b: [2n, "x"] })).toBe(hashState({ b: [2n, "x"], a: 1 }));
    expect(
      hashState(
        new Map([
          [1, "a"],
          [2, "b"],
        ]),
      ),
    ).toBe(
      hashState(
        new Map([
          [2, "b"],
          [1, "a"],
        ]),
      ),
    );
  });
  it("tells apart values that print alike", () => {
    const distinct = [1, "1", 1n, true, null, [1], { 1: 1 }, [1, 2], [12], ["1,2"], 2 ** 40, 2 ** 40 + 1, -1];
    expect(new Set(distinct.map(hashState)).size).toBe(distinct.length);
  });
  it("is a fixed function: a known value keeps its hash across versions", () => {
    expect(hashState({ a: [1, 2n, "x"], m: new Map([[8, 0xffn]]) })).toMatchInlineSnapshot(
      `"caa69adb4fe75cf5"`,
    );
  });
});

describe("deepClone", () => {
  it("copies deeply and keeps bigints and Maps", () => {
    const v = { a: [1, { b: 2n }], m: new Map([[1, [3n]]]) };
    const c = deepClone(v);
    expect(c).toEqual(v);
    expect(c.a).not.toBe(v.a);
    expect(c.m.get(1)).not.toBe(v.m.get(1));
    expect(hashState(c)).toBe(hashState(v));
  });
});
