/**
 * The page table read as a tree and a VA's walk with its descriptors, against the arm64 format
 * (4 KiB granule, 48-bit VA): index at level n = VA[47−9n : 39−9n], each level's descriptor
 * covers 2^(39−9n) bytes, a table descriptor's next table in bits 47:12, AP[2] (bit 7) read-only.
 */

import { describe, expect, it } from "vitest";
import type { Pa, Va } from "./ids.ts";
import { allocFrame, createMemory, readWord } from "./memory.ts";
import { mapPage, protectPage } from "./pgtable.ts";
import { levelSpan, tableEntries, walkSteps } from "./pgtable-entries.ts";

const VA = 0x7f_1234_5000;
const idx = (va: number, n: number) => Math.floor(va / 2 ** (39 - 9 * n)) % 512;

const setup = () => {
  const mem = createMemory();
  const pgd = allocFrame(mem, { kind: "pgtable", process: "p", level: 0 });
  mapPage(mem, pgd, VA as Va, 0x4100_0000 as Pa, true, "p");
  mapPage(mem, pgd, (VA + 0x1000) as Va, 0x4100_1000 as Pa, false, "p");
  return { mem, pgd };
};

describe("tableEntries", () => {
  it("lists each present descriptor with the VA it starts at, from the pgd down", () => {
    const { mem, pgd } = setup();
    expect([0, 1, 2, 3].map(levelSpan)).toEqual([2 ** 39, 2 ** 30, 2 ** 21, 2 ** 12]);
    let table: number = pgd;
    let base = 0;
    for (let n = 0; n < 3; n++) {
      const { at, entries } = tableEntries(mem, table, n, base);
      expect(at).toBe(table);
      expect(entries.map((e) => e.index)).toEqual([idx(VA, n)]);
      const e = entries[0]!;
      expect(e.slot).toBe(table + 8 * idx(VA, n));
      expect(e.va).toBe(base + idx(VA, n) * 2 ** (39 - 9 * n));
      expect(e.next).toBe(Number((readWord(mem, e.slot) >> 12n) & 0xf_ffff_ffffn) * 4096);
      table = e.next;
      base = e.va;
    }
    const leaves = tableEntries(mem, table, 3, base).entries;
    expect(leaves.map((e) => [e.va, e.next, e.readOnly])).toEqual([
      [VA, 0x4100_0000, false],
      [VA + 0x1000, 0x4100_1000, true],
    ]);
  });

  it("keeps a PROT_NONE entry (not valid, still owning its page)", () => {
    const { mem, pgd } = setup();
    protectPage(mem, pgd, VA as Va, "none");
    const { steps, result } = walkSteps(mem, pgd, VA);
    expect(result.ok).toBe(false);
    const leaf = steps.at(-1)!;
    expect(leaf).toMatchObject({ level: 3, valid: false, protNone: true, next: 0x4100_0000 });
  });
});

describe("walkSteps", () => {
  it("reads one descriptor per level at table + 8·index, and maps the VA", () => {
    const { mem, pgd } = setup();
    const { result, steps } = walkSteps(mem, pgd, VA + 0x1abc);
    expect(result).toMatchObject({ ok: true, pa: 0x4100_1abc });
    expect(steps.map((s) => s.level)).toEqual([0, 1, 2, 3]);
    let table: number = pgd;
    for (const s of steps) {
      expect(s.table).toBe(table);
      expect(s.tableIn).toBe(table);
      expect(s.addr).toBe(table + 8 * idx(VA + 0x1000, s.level));
      table = s.next;
    }
    expect(steps[3]!.readOnly).toBe(true);
  });

  it("stops at the first invalid level", () => {
    const { mem, pgd } = setup();
    const { result, steps } = walkSteps(mem, pgd, 0x1000);
    expect(result).toMatchObject({ ok: false, level: 1 });
    expect(steps.map((s) => [s.level, s.valid])).toEqual([
      [0, true],
      [1, false],
    ]);
  });
});
