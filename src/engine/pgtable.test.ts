import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PAGE_SIZE, type Pa, type Va } from "./ids.ts";
import { allocFrame, createMemory, frameAt, journalWrites, readWord } from "./memory.ts";
import {
  collectEmptyTables,
  lookup,
  mapPage,
  mappings,
  pgtableIndex,
  protectPage,
  protectRange,
  unmapPage,
  unmapRange,
  userPageDesc,
  walk,
} from "./pgtable.ts";

const setup = () => {
  const mem = createMemory();
  const pgd = allocFrame(mem, { kind: "pgtable", process: "p", level: 0 });
  return { mem, pgd };
};

describe("descriptors", () => {
  it("encodes a writable user page as arm64 does (AF, nG, ISH, AP[1], DBM, PXN, UXN)", () => {
    // VALID|TYPE = 0b11, AP[1] bit6, SH=3 bits 9:8, AF bit10, nG bit11, OA 0x40042000,
    // DBM bit51, PXN bit53, UXN bit54.
    expect(userPageDesc(0x4004_2000 as Pa, true)).toBe(0x0068_0000_4004_2f43n);
  });
  it("sets AP[2] and clears DBM for a read-only page", () => {
    expect(userPageDesc(0x4004_2000 as Pa, false)).toBe(0x0060_0000_4004_2fc3n);
  });
  it("indexes VA 47:39, 38:30, 29:21, 20:12", () => {
    const v = (0x1ff * 2 ** 39 + 3 * 2 ** 30 + 5 * 2 ** 21 + 7 * 2 ** 12 + 0x123) as Va;
    expect([0, 1, 2, 3].map((l) => pgtableIndex(v, l))).toEqual([0x1ff, 3, 5, 7]);
  });
});

describe("walk", () => {
  it("translates through four levels and reports each table", () => {
    const { mem, pgd } = setup();
    mapPage(mem, pgd, 0x10000 as Va, 0x4100_0000 as Pa, true, "p");
    const r = walk(mem, pgd, 0x10123 as Va, { write: true, privileged: false });
    expect(r).toMatchObject({ ok: true, pa: 0x4100_0123, writable: true });
    expect(r.tables).toHaveLength(4);
    expect(frameAt(mem, r.tables[3]!)?.owner).toEqual({ kind: "pgtable", process: "p", level: 3 });
  });
  it("faults F_TRANSLATION at the first missing level", () => {
    const { mem, pgd } = setup();
    expect(walk(mem, pgd, 0x10000 as Va, { write: false, privileged: false })).toMatchObject({
      ok: false,
      fault: "F_TRANSLATION",
      level: 0,
    });
  });
  it("faults F_PERMISSION on a write to a read-only page", () => {
    const { mem, pgd } = setup();
    mapPage(mem, pgd, 0x10000 as Va, 0x4100_0000 as Pa, false, "p");
    expect(walk(mem, pgd, 0x10000 as Va, { write: true, privileged: false })).toMatchObject({
      fault: "F_PERMISSION",
      level: 3,
    });
    protectPage(mem, pgd, 0x10000 as Va, "rw");
    expect(walk(mem, pgd, 0x10000 as Va, { write: true, privileged: false }).ok).toBe(true);
  });
});

describe("map/unmap/walk against a reference model", () => {
  // Pages drawn from a few clustered regions so that tables are shared and emptied.
  const page = fc.oneof(
    fc.integer({ min: 0, max: 1023 }).map((i) => 0x10000 + i * PAGE_SIZE),
    fc.integer({ min: 0, max: 15 }).map((i) => 0x7fff_0000_0000 + i * PAGE_SIZE),
    fc.integer({ min: 0, max: 3 }).map((i) => i * 2 ** 30),
  );
  const op = fc.oneof(
    fc.record({ kind: fc.constant("map" as const), va: page, writable: fc.boolean() }),
    fc.record({ kind: fc.constant("unmap" as const), va: page }),
    fc.record({ kind: fc.constant("free" as const), va: page }),
  );

  it("agrees with a Map of va → pa after any sequence", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const { mem, pgd } = setup();
        const model = new Map<number, { pa: Pa; writable: boolean }>();
        for (const o of ops) {
          if (o.kind === "map") {
            const pa = allocFrame(mem, { kind: "data", process: "p", va: o.va });
            mapPage(mem, pgd, o.va as Va, pa, o.writable, "p");
            model.set(o.va, { pa, writable: o.writable });
          } else if (o.kind === "unmap") {
            expect(unmapPage(mem, pgd, o.va as Va)).toBe(model.get(o.va)?.pa ?? null);
            model.delete(o.va);
          } else {
            // free_pgtables over the page's 2 MiB: only tables left empty may go.
            const lo = Math.floor(o.va / 2 ** 21) * 2 ** 21;
            for (const t of collectEmptyTables(mem, pgd, lo as Va, (lo + 2 ** 21) as Va)) {
              for (let i = 0; i < 512; i++) expect(readWord(mem, t + i * 8)).toBe(0n);
            }
          }
        }
        for (const [v, m] of model) {
          expect(lookup(mem, pgd, v as Va)).toBe(m.pa);
          expect(walk(mem, pgd, v as Va, { write: true, privileged: false }).ok).toBe(m.writable);
        }
        const listed = mappings(mem, pgd);
        expect(listed.map((m) => m.va)).toEqual([...model.keys()].sort((a, b) => a - b));
      }),
      { numRuns: 200 },
    );
  });
});

describe("range ops (zap_pte_range, change_pte_range) table by table", () => {
  // A few pages scattered over 64 MiB, some PROT_NONE: the range ops must do exactly what the
  // page-by-page ops do, page for page and word for word.
  const scattered = fc.uniqueArray(fc.nat(2 ** 14 - 1), { minLength: 1, maxLength: 24 });
  const range = fc.tuple(fc.nat(2 ** 14), fc.integer({ min: 1, max: 2 ** 12 }));
  const build = (pages: readonly number[]) => {
    const { mem, pgd } = setup();
    for (const [i, p] of pages.entries()) {
      const va = (p * PAGE_SIZE) as Va;
      mapPage(mem, pgd, va, allocFrame(mem, { kind: "data", process: "p", va }), i % 2 === 0, "p");
      if (i % 3 === 0) protectPage(mem, pgd, va, "none");
    }
    return { mem, pgd };
  };
  const pageByPage = <T>(first: number, count: number, f: (va: Va) => T): T[] =>
    Array.from({ length: count }, (_, i) => f(((first + i) * PAGE_SIZE) as Va));

  it("unmapRange frees the same pages in the same order and leaves the same words", () => {
    fc.assert(
      fc.property(scattered, range, (pages, [first, count]) => {
        const a = build(pages);
        const b = build(pages);
        const start = (first * PAGE_SIZE) as Va;
        const end = ((first + count) * PAGE_SIZE) as Va;
        const [expected, journalA] = journalWrites(() =>
          pageByPage(first, count, (va) => unmapPage(a.mem, a.pgd, va)).filter((p) => p !== null),
        );
        const [freed, journalB] = journalWrites(() => unmapRange(b.mem, b.pgd, start, end));
        expect(freed).toEqual(expected);
        // The same words written in the same order, tagged alike (the trace's table writes).
        expect(journalB).toEqual(journalA);
        expect([...b.mem.words].sort()).toEqual([...a.mem.words].sort());
      }),
    );
  });

  it("protectRange rewrites the same PTEs as protectPage", () => {
    fc.assert(
      fc.property(scattered, range, fc.constantFrom("r", "rw", "none"), (pages, [first, count], prot) => {
        const a = build(pages);
        const b = build(pages);
        const start = (first * PAGE_SIZE) as Va;
        const end = ((first + count) * PAGE_SIZE) as Va;
        const [changed, journalA] = journalWrites(() =>
          pageByPage(first, count, (va) => protectPage(a.mem, a.pgd, va, prot)).filter(Boolean),
        );
        const [n, journalB] = journalWrites(() => protectRange(b.mem, b.pgd, start, end, prot));
        expect(n).toBe(changed.length);
        expect(journalB).toEqual(journalA);
        expect([...b.mem.words].sort()).toEqual([...a.mem.words].sort());
      }),
    );
  });

  it("walks only the tables present: a 2^36-page range with one page mapped reads a few tables", () => {
    const { mem, pgd } = build([5]);
    let reads = 0;
    const counting = {
      toPa: (a: number) => {
        reads++;
        return a;
      },
      alloc: () => 0,
    };
    expect(unmapRange(mem, pgd, 0 as Va, (2 ** 48) as Va, counting)).toHaveLength(1);
    expect(reads).toBeLessThanOrEqual(4 * 512);
  });
});
