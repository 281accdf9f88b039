import { describe, expect, it } from "vitest";
import { consReg, createQueue, prodReg } from "../engine/index.ts";
import { pointer, pointerMarks, ringByCount, ringByMemory, ringSegments, type SlotState } from "./ring.ts";

describe("the ring model of the SMMU queues", () => {
  it("a record queue: the last 2^n produced are pending or done, and PROD's wrap bit flips each lap", () => {
    // 4 slots; 6 records produced, 5 consumed: records 2..5 are in the ring, 5 is pending.
    const q = { ...createQueue("evtq", 0x1000, 2, 32), produced: 6, consumed: 5 };
    expect(ringByCount(q)).toEqual(["done", "pending", "done", "done"]);
    // PROD = 6 = 0b1_10: index 2, wrap 1 (the bit above the log2size index bits).
    expect(pointer(q, prodReg(q))).toEqual({ reg: 6, index: 2, wrap: 1 });
    expect(pointer(q, consReg(q))).toEqual({ reg: 5, index: 1, wrap: 1 });
  });

  it("the command queue: done where a slot holds words, pending between CONS and PROD", () => {
    const q = { ...createQueue("cmdq", 0x2000, 2, 16), produced: 3, consumed: 1 };
    const words = new Map<number, bigint>([
      [0x2000, 1n],
      [0x2008, 0n],
    ]);
    expect(ringByMemory(q, { words })).toEqual(["done", "pending", "pending", "empty"]);
  });

  it("a large ring is drawn in 256 segments, pending over done over empty", () => {
    const ring = Array.from(
      { length: 1024 },
      (_, i): SlotState => (i === 5 ? "pending" : i < 8 ? "done" : "empty"),
    );
    const segs = ringSegments(ring);
    expect(segs).toHaveLength(256);
    expect(segs.slice(0, 3)).toEqual(["done", "pending", "empty"]);
  });

  it("marks the slot CONS and PROD point at", () => {
    expect(pointerMarks(2, { index: 2, wrap: 0 }, { index: 2, wrap: 1 })).toBe("◀ CONS w0 PROD w1");
    expect(pointerMarks(1, { index: 2, wrap: 0 }, { index: 3, wrap: 0 })).toBe("");
  });
});
