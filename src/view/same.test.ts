import { describe, expect, it } from "vitest";
import { sameData, shareEqual } from "./same.ts";

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

describe("shareEqual", () => {
  it("gives back the previous value when equal throughout", () => {
    const prev = { rows: [{ a: 1 }, { a: 2 }], n: 3n };
    expect(shareEqual(prev, { rows: [{ a: 1 }, { a: 2 }], n: 3n })).toBe(prev);
  });
  it("keeps the new value's data and shares only the equal parts", () => {
    const prev = { threads: [{ t: "T0" }, { t: "T1" }], objects: [{ id: 1 }], title: "x" };
    const next = { threads: [{ t: "T0" }, { t: "T1 blocked" }], objects: [{ id: 1 }], title: "x" };
    const out = shareEqual(prev, next);
    expect(out).toEqual(next);
    expect(out).not.toBe(prev);
    expect(out.objects).toBe(prev.objects);
    expect(out.threads).not.toBe(prev.threads);
    expect(out.threads[0]).toBe(prev.threads[0]);
    expect(out.threads[1]).toBe(next.threads[1]);
  });
  it("does not share across a change of length, kind or key set", () => {
    const prev = { a: [1, 2], b: { c: 1 } };
    const out = shareEqual(prev, { a: [1, 2, 3], b: { c: 1, d: 2 } });
    expect(out.a).not.toBe(prev.a);
    expect(out.b).not.toBe(prev.b);
    expect(out).toEqual({ a: [1, 2, 3], b: { c: 1, d: 2 } });
    expect(shareEqual([1], { 0: 1 })).toEqual({ 0: 1 });
    const f = { f: () => 1 };
    expect(shareEqual(f, { f: () => 1 })).not.toBe(f);
  });
});
