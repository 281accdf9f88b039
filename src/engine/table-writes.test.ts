/**
 * describeWrites names each journalled word by the structure the architecture puts there: a
 * two-level stream table's L1 descriptor covers 2^SPLIT StreamIDs (Linux STRTAB_SPLIT = 8) and
 * its STE is at L2Ptr + 64 × (SID & 0xff) (reference §2.2); a guest's vSTE sits in the guest's
 * own stream table, in its RAM; a stage-2 descriptor is named by the IPA it maps.
 */

import { describe, expect, it } from "vitest";
import { boot } from "../kernel/boot.ts";
import { scenario } from "../kernel/testing.ts";
import cd2lvlJson from "../scenario/library/cd-2lvl.json";
import nestedJson from "../scenario/library/nested-invalidation.json";
import type { Pa } from "./ids.ts";
import { journalWrites, readWord, writeWord, writeWords } from "./memory.ts";
import { GUEST_RAM_BASE, mapS2Page, s2Lookup } from "./stage2.ts";
import { makeAbortSte } from "./ste.ts";
import { describeWrites } from "./table-writes.ts";
import { locateSte } from "./tables.ts";

describe("describeWrites", () => {
  it("a two-level stream table: the L1 descriptor of SIDs 256–511, and STE 272 at L2Ptr + 64 × 16", () => {
    const w = boot(scenario(cd2lvlJson)); // gpu0 has StreamID 272
    const st = w.smmu.strtab;
    const ste = locateSte(w, st, 272);
    if (!ste.ok) throw new Error(ste.why);
    expect(ste.addr).toBe(st.leaves[1]! + 64 * (272 & 0xff));
    const [, writes] = journalWrites(() => {
      writeWord(w.mem, st.base + 8, readWord(w.mem, st.base + 8));
      writeWords(w.mem, ste.addr, makeAbortSte());
    });
    const { tables } = describeWrites(w, writes);
    expect(tables.map(({ words: _, ...t }) => t)).toEqual([
      { table: "L1STD", index: 1, sids: [256, 511], addr: st.base + 8, dwords: [0] },
      { table: "STE", sid: 272, addr: ste.addr, dwords: [0, 1, 2, 3, 4, 5, 6, 7] },
    ]);
    expect(tables[1]!.words).toEqual(makeAbortSte());
  });

  it("a guest's vSTE names its VM, its virtual StreamID and its IPA; a stage-2 descriptor its IPA", () => {
    const w = boot(scenario(nestedJson));
    const vm = w.vms![0]!;
    const vsteIpa = vm.strtab + 64 * 1;
    const vstePa = s2Lookup(w.mem, vm.s2ttb, vsteIpa)!;
    const ipa = GUEST_RAM_BASE + 0x40_0000_0000;
    const [, writes] = journalWrites(() => {
      writeWords(w.mem, vstePa, makeAbortSte());
      mapS2Page(w.mem, vm.s2ttb, ipa, 0x4000_0000 as Pa, `${vm.name} stage 2`);
    });
    const { tables } = describeWrites(w, writes);
    expect(tables[0]).toMatchObject({ table: "STE", sid: 1, vm: "vm0", addr: vstePa, addrIpa: vsteIpa });
    // The level-0 entry is there already (guest RAM shares it): new level-2 and level-3 tables
    // hooked at levels 1 and 2, then the page descriptor.
    expect(
      tables.slice(1).map((t) => [t.table, t.table === "S2PTE" ? [t.vm, t.level, t.ipa] : null]),
    ).toEqual([
      ["S2PTE", ["vm0", 1, ipa - (ipa % 2 ** 30)]],
      ["S2PTE", ["vm0", 2, ipa - (ipa % 2 ** 21)]],
      ["S2PTE", ["vm0", 3, ipa]],
    ]);
  });

  it("writes nobody journals are not kept: without journalWrites there is nothing to describe", () => {
    const w = boot(scenario(cd2lvlJson));
    const [, inner] = journalWrites(() => undefined);
    writeWord(w.mem, w.smmu.strtab.base, 0n);
    expect(inner).toEqual([]);
  });
});
