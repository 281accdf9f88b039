import { describe, expect, it } from "vitest";
import { boot } from "../kernel/boot.ts";
import { runScenario } from "../kernel/run.ts";
import { scenario } from "../kernel/testing.ts";
import lifecycleJson from "../scenario/library/lifecycle.json";
import { cloneWorld, deepClone, ownDevice, ownKernel, ownSmmu, owns, ownThread } from "./clone.ts";
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
import { checkHashes, freezeShared } from "./test-modes.ts";
import type { Draft, SmmuState, ThreadState } from "./world.ts";
import { hashWorldInto } from "./world-hash.ts";

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
    ownDevice(copy, 0).atc.push({ pasid: 1, va: 0, pa: 0, writable: false });
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

describe("copy on write by part", () => {
  const booted = () => boot(scenario(lifecycleJson));

  it("a copy shares every part; its part lists are its own", () => {
    const w = booted();
    const copy = cloneWorld(w);
    expect(copy.smmu).toBe(w.smmu);
    expect(copy.kernel).toBe(w.kernel);
    expect(copy.threads[0]).toBe(w.threads[0]);
    expect(copy.devices[0]).toBe(w.devices[0]);
    expect(copy.mms[0]).toBe(w.mms[0]);
    expect(copy.threads).not.toBe(w.threads);
    expect(copy.devices).not.toBe(w.devices);
  });

  it("the first write to a part copies it for that world alone, and only once", () => {
    const w = booted();
    const before = hashState(w);
    const copy = cloneWorld(w);
    const smmu = ownSmmu(copy);
    expect(smmu).not.toBe(w.smmu);
    expect(copy.smmu).toBe(smmu);
    smmu.nextStag += 1;
    expect(ownSmmu(copy)).toBe(smmu);
    ownThread(copy, 0).pc += 3;
    expect(copy.kernel).toBe(w.kernel);
    expect(hashState(w)).toBe(before);
    expect(hashState(copy)).not.toBe(before);
    // The original does not own what it shared either: its own write copies too.
    const mine = ownKernel(w);
    expect(mine).not.toBe(copy.kernel);
    expect(owns(w, mine) && !owns(copy, mine)).toBe(true);
  });

  it("an accessor refuses a part that is no longer the world's (taken before it was copied)", () => {
    const copy = cloneWorld(booted());
    const stale = copy.devices[0]!;
    ownDevice(copy, stale).nextPrg = 5;
    expect(() => ownDevice(copy, stale)).toThrow(/not one of this world's/);
  });

  it("with freezing on, a write that bypasses the accessor throws; through it, it works", () => {
    const was = freezeShared(true);
    try {
      const w = booted();
      const copy = cloneWorld(w);
      expect(() => {
        (copy.smmu as Draft<SmmuState>).nextStag = 9;
      }).toThrow(TypeError);
      expect(() => {
        (w.threads[0] as Draft<ThreadState>).locals.x = 1;
      }).toThrow(TypeError);
      ownSmmu(copy).nextStag = 9;
      expect(copy.smmu.nextStag).toBe(9);
      expect(w.smmu.nextStag).not.toBe(9);
    } finally {
      freezeShared(was);
    }
  });

  it("the incremental hash is the whole world's, and the hash check catches a write it missed", () => {
    const lanes = new Int32Array(2);
    const hex = () =>
      (lanes[0]! >>> 0).toString(16).padStart(8, "0") + (lanes[1]! >>> 0).toString(16).padStart(8, "0");
    const w = booted();
    const copy = cloneWorld(w);
    hashWorldInto(copy, lanes);
    ownThread(copy, 0).pc += 1;
    ownDevice(copy, 0).atc.push({ pasid: 1, va: 0, pa: 0, writable: false });
    hashWorldInto(copy, lanes);
    expect(hex()).toBe(hashState({ ...copy, clock: 0 }));
    // A part kept writable from before the last hash and written again: its cached hash is stale.
    const t = ownThread(copy, 0);
    hashWorldInto(copy, lanes);
    t.pc += 1;
    const was = checkHashes(true);
    try {
      expect(() => hashWorldInto(copy, lanes)).toThrow(/stale/);
    } finally {
      checkHashes(was);
    }
  });

  it("a run's snapshots share what a step left alone: unchanged is the same object", () => {
    const r = runScenario(scenario(lifecycleJson), { snapshots: true });
    let shared = 0;
    let parts = 0;
    for (let i = 1; i < r.snapshots.length; i++) {
      const [a, b] = [r.snapshots[i - 1]!, r.snapshots[i]!];
      const pairs: [unknown, unknown][] = [
        [a.smmu, b.smmu],
        [a.kernel, b.kernel],
        ...a.threads.map((t, j) => [t, b.threads[j]] as [unknown, unknown]),
        ...a.devices.map((d, j) => [d, b.devices[j]] as [unknown, unknown]),
        ...a.mms.map((m, j) => [m, b.mms[j]] as [unknown, unknown]),
      ];
      for (const [x, y] of pairs) {
        parts++;
        if (x === y) shared++;
      }
    }
    // Most parts are left alone by most steps.
    expect(shared / parts).toBeGreaterThan(0.5);
  });
});
