import { describe, expect, it } from "vitest";
import { boot } from "../kernel/boot.ts";
import { scenario } from "../kernel/testing.ts";
import lifecycleJson from "../scenario/library/lifecycle.json";
import { cloneWorld, deepClone } from "./clone.ts";
import { hashState } from "./hash.ts";
import { allocFrame, freeFrame, writeWord } from "./memory.ts";

describe("cloneWorld", () => {
  it("equals deepClone, key order included", () => {
    const w = boot(scenario(lifecycleJson));
    const copy = cloneWorld(w);
    expect(copy).toStrictEqual(deepClone(w));
    expect(Object.keys(copy)).toEqual(Object.keys(w));
    expect(hashState(copy)).toBe(hashState(w));
  });

  it("shares nothing the engine changes in place: frames, words, the free list", () => {
    const w = boot(scenario(lifecycleJson));
    const before = hashState(w);
    const copy = cloneWorld(w);
    const pa = allocFrame(copy.mem, { kind: "data", process: "x", va: 0 }, "x");
    writeWord(copy.mem, pa, 7n);
    freeFrame(copy.mem, pa);
    copy.mem.frames[0]!.generation += 5;
    copy.devices[0]?.atc.push({ pasid: 1, va: 0, pa: 0, writable: false });
    expect(hashState(w)).toBe(before);
  });
});
