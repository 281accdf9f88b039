import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tlbiRangeCmds } from "./commands.ts";
import { tlbiSpan } from "./consume.ts";
import { PAGE_SIZE } from "./ids.ts";

describe("IOTLB coverage of range invalidations", () => {
  // Reference model: the set of 4 KiB pages of [iova, iova + size).
  const pagesOf = (iova: number, size: number) =>
    Array.from({ length: size / PAGE_SIZE }, (_, i) => iova / PAGE_SIZE + i);

  const covered = (cmds: ReturnType<typeof tlbiRangeCmds>) => {
    const pages = new Set<number>();
    for (const cmd of cmds) {
      if (cmd.op !== "TLBI_NH_VA") throw new Error(cmd.op);
      const [first, count] = tlbiSpan(cmd);
      for (let i = 0; i < count; i++) pages.add(first / PAGE_SIZE + i);
    }
    return pages;
  };

  const range = fc.record({
    firstPage: fc.integer({ min: 0, max: 2 ** 24 }),
    pages: fc.integer({ min: 1, max: 4096 }),
  });

  it("with RIL, the commands drop exactly the pages of the range", () => {
    fc.assert(
      fc.property(range, ({ firstPage, pages }) => {
        const iova = firstPage * PAGE_SIZE;
        const size = pages * PAGE_SIZE;
        const cmds = tlbiRangeCmds({
          op: "TLBI_NH_VA",
          asid: 1,
          vmid: 0,
          iova,
          size,
          granule: PAGE_SIZE,
          leaf: true,
          ril: true,
        });
        expect([...covered(cmds)].sort((a, b) => a - b)).toEqual(pagesOf(iova, size));
        for (const c of cmds) if (c.op === "TLBI_NH_VA") expect(c.tg).toBe(1);
      }),
      { numRuns: 300 },
    );
  });

  it("without RIL, one command per page (TG=0, NUM=SCALE=TTL=0), together exactly the range", () => {
    fc.assert(
      fc.property(range, ({ firstPage, pages }) => {
        const iova = firstPage * PAGE_SIZE;
        const size = Math.min(pages, 64) * PAGE_SIZE;
        const cmds = tlbiRangeCmds({
          op: "TLBI_NH_VA",
          asid: 1,
          vmid: 0,
          iova,
          size,
          granule: PAGE_SIZE,
          leaf: false,
          ril: false,
        });
        expect(cmds).toHaveLength(size / PAGE_SIZE);
        for (const c of cmds)
          if (c.op === "TLBI_NH_VA") expect([c.tg, c.num, c.scale, c.ttl]).toEqual([0, 0, 0, 0]);
        expect([...covered(cmds)].sort((a, b) => a - b)).toEqual(pagesOf(iova, size));
      }),
      { numRuns: 200 },
    );
  });
});
