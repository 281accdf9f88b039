import { describe, expect, it } from "vitest";
import { boot } from "../kernel/boot.ts";
import { scenario } from "../kernel/testing.ts";
import lifecycleJson from "../scenario/library/lifecycle.json";
import { cloneWorld, deepClone } from "./clone.ts";
import { hashState } from "./hash.ts";
import type { Pa } from "./ids.ts";
import {
  allocFrame,
  cloneMemory,
  createMemory,
  frameForWrite,
  freeFrame,
  readWord,
  writeWord,
} from "./memory.ts";

describe("cloneWorld", () => {
  it("equals deepClone, key order included", () => {
    const w = boot(scenario(lifecycleJson));
    const copy = cloneWorld(w);
    expect(copy).toStrictEqual(deepClone(w));
    expect(Object.keys(copy)).toEqual(Object.keys(w));
    expect(hashState(copy)).toBe(hashState(w));
  });

  it("a change to either copy is not seen in the other: frames, words, the free list", () => {
    const w = boot(scenario(lifecycleJson));
    const before = hashState(w);
    const copy = cloneWorld(w);
    const pa = allocFrame(copy.mem, { kind: "data", process: "x", va: 0 }, "x");
    writeWord(copy.mem, pa, 7n);
    freeFrame(copy.mem, pa);
    frameForWrite(copy.mem, 0)!.generation += 5;
    copy.devices[0]?.atc.push({ pasid: 1, va: 0, pa: 0, writable: false });
    expect(hashState(w)).toBe(before);

    // And the other way: the original changed after the copy was taken.
    const copied = hashState(copy);
    const table = w.mem.frames.findIndex((f) => f.owner.kind === "pgtable");
    const addr = w.mem.base + table * 4096;
    writeWord(w.mem, addr, 0x1234n);
    freeFrame(w.mem, addr as Pa);
    allocFrame(w.mem, { kind: "data", process: "y", va: 0x1000 }, "y");
    expect(hashState(copy)).toBe(copied);
    expect(readWord(copy.mem, addr)).not.toBe(0x1234n);
  });

  it("a large memory shares its frames and word map until they change, then copies only what changed", () => {
    const mem = createMemory();
    for (let i = 0; i < 1100; i++) allocFrame(mem, { kind: "data", process: "p", va: i * 4096 }, "p");
    const addr = mem.base + 3 * 4096;
    writeWord(mem, addr, 1n);
    const copy = cloneMemory(mem);
    expect(copy.words).toBe(mem.words);
    expect(copy.frames[3]).toBe(mem.frames[3]);
    writeWord(copy, addr + 8, 5n);
    expect(copy.words).not.toBe(mem.words);
    expect(copy.frames[3]).not.toBe(mem.frames[3]);
    expect(copy.frames[4]).toBe(mem.frames[4]);
    expect(copy.frames[3]!.used).toBe(2);
    expect(mem.frames[3]!.used).toBe(1);
    // The frame copied once is the copy's own: later changes do not copy it again.
    const own = copy.frames[3];
    writeWord(copy, addr + 16, 6n);
    expect(copy.frames[3]).toBe(own);
    expect(readWord(mem, addr + 8)).toBe(0n);
    // The original, changed after the copy, copies for itself too.
    freeFrame(mem, (mem.base + 5 * 4096) as Pa);
    expect(copy.frames[5]!.owner.kind).toBe("data");
    expect(mem.frames[5]!.owner.kind).toBe("free");
    expect(hashState(copy)).not.toBe(hashState(mem));
  });
});
