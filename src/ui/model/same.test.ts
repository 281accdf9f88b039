import { describe, expect, it } from "vitest";
import { sameData } from "./same.ts";

describe("sameData", () => {
  it("compares plain data by value", () => {
    expect(sameData({ a: [1, 2n, "x"], b: { c: true } }, { a: [1, 2n, "x"], b: { c: true } })).toBe(true);
    expect(sameData(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(sameData(Number.NaN, Number.NaN)).toBe(true);
  });
  it("tells apart what differs anywhere", () => {
    expect(sameData({ a: [1, 2] }, { a: [1, 3] })).toBe(false);
    expect(sameData({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameData({ a: 1, c: undefined }, { a: 1, b: undefined })).toBe(false);
    expect(sameData([1], { 0: 1 })).toBe(false);
    expect(sameData(new Uint8Array([1]), new Uint16Array([1]))).toBe(false);
    expect(sameData(null, {})).toBe(false);
  });
  it("never takes two functions or class instances as equal", () => {
    expect(sameData({ f: () => 1 }, { f: () => 1 })).toBe(false);
    expect(sameData(new Map(), new Map())).toBe(false);
  });
});
