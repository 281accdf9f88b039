/**
 * L1 CD descriptors in the configuration cache (reference §1.2, §3.3, §11): the SMMU may keep
 * the descriptor of a 2-level CD table, valid or not, until an invalidation that covers it.
 * CFGI_CD with LEAF=0 and CFGI_CD_ALL do; CFGI_CD with LEAF=1 says only the CD changed, so
 * the descriptor may stay. This is why Linux's arm_smmu_alloc_cd_ptr follows a new L1
 * descriptor with arm_smmu_sync_cd(master, ssid, false) ("An invalid L1CD can be cached").
 */

import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { boot } from "../kernel/boot.ts";
import { scenario } from "../kernel/testing.ts";
import cdTwoLevel from "../scenario/library/cd-2lvl.json";
import { hex64 } from "./bits.ts";
import { makeL1Cd, makeSvaCd } from "./cd.ts";
import { ownSmmu } from "./clone.ts";
import { buildCmd, type Cmd } from "./commands.ts";
import { consumeCommand } from "./consume.ts";
import { asid, type Pa, va } from "./ids.ts";
import { allocContiguous, writeWord, writeWords } from "./memory.ts";
import { slotAddr } from "./queue.ts";
import { translate } from "./smmu.ts";
import { Recorder } from "./trace.ts";
import type { World } from "./world.ts";

const SID = 272;
/** In leaf 1 (PASIDs 1024–2047), which the boot did not allocate. */
const SSID = 2000;

/** Queues `cmds` and lets the SMMU consume them; returns the steps' explanations. */
function issue(w: World, ...cmds: Cmd[]): string[] {
  const q = ownSmmu(w).cmdq;
  for (const cmd of cmds) {
    writeWords(w.mem, slotAddr(q, q.produced), buildCmd(cmd));
    q.produced += 1;
  }
  const rec = new Recorder();
  while (consumeCommand(w, rec));
  return rec.text;
}

const dma = (w: World) =>
  translate(w, { sid: SID, ssid: SSID, va: va(0x10000), write: true, ats: false }, new Recorder());

/** Leaf 1 and a valid CD for SSID 2000 in it, then its L1 descriptor: what the driver writes. */
function growLeaf(w: World): Pa {
  const dev = w.devices[0]!;
  const leaf = allocContiguous(w.mem, 16, { kind: "cdtable", device: dev.name, level: 2 });
  const mm = w.mms[0]!;
  writeWords(
    w.mem,
    leaf + (SSID % 1024) * 64,
    makeSvaCd({ asid: asid(9), ttb0: mm.pgd, ips: 5, mair: 0xffn }),
  );
  writeWord(w.mem, dev.cdTable.base + 8, makeL1Cd(leaf as Pa));
  return leaf as Pa;
}

describe("the configuration cache and L1 CD descriptors", () => {
  let w: World;
  beforeEach(() => {
    w = boot(scenario(cdTwoLevel));
  });

  it("caches the L1 descriptor a CD fetch went through, an invalid one included", () => {
    const r = dma(w);
    expect(r).toMatchObject({ status: "fault", event: "C_BAD_SUBSTREAMID" });
    // Key "sid:L1 index": SSID 2000 is in L1 entry 2000 >> 10 = 1, still 0 (V=0).
    expect(w.smmu.cfg.l1cd).toEqual({ [`${SID}:1`]: 0n });
  });

  it("a linear CD table caches none (the field does not appear)", () => {
    const linear = boot(
      scenario({ ...cdTwoLevel, smmu: { features: ["ats"], streamTable: "2lvl" }, pasidBase: 1 }),
    );
    translate(linear, { sid: SID, ssid: 1, va: va(0x10000), write: true, ats: false }, new Recorder());
    expect(linear.smmu.cfg.l1cd).toBeUndefined();
  });

  it("CFGI_CD with LEAF=1 leaves it cached: the SMMU still sees the old, invalid descriptor", () => {
    dma(w);
    growLeaf(w);
    const said = issue(w, { op: "CFGI_CD", sid: SID, ssid: SSID, leaf: true });
    expect(w.smmu.cfg.l1cd?.[`${SID}:1`]).toBe(0n);
    expect(said.at(-1)).toBe("LEAF=1: the L1 CD descriptor it cached for that SSID stays cached.");
    expect(dma(w)).toMatchObject({ status: "fault", event: "C_BAD_SUBSTREAMID" });
  });

  it("CFGI_CD with LEAF=0 drops it: the next access reads the new descriptor and the CD", () => {
    dma(w);
    const leaf = growLeaf(w);
    issue(w, { op: "CFGI_CD", sid: SID, ssid: SSID, leaf: false });
    expect(w.smmu.cfg.l1cd?.[`${SID}:1`]).toBeUndefined();
    expect(dma(w)).toMatchObject({ status: "success", via: "walk" });
    // And caches the new, valid descriptor in its place: V=1, L2Ptr = the leaf.
    expect(w.smmu.cfg.l1cd?.[`${SID}:1`]).toBe(makeL1Cd(leaf));
    expect(w.smmu.cfg.l1cd?.[`${SID}:1`]).toBe(BigInt(leaf) | 1n);
  });

  it("CFGI_CD with LEAF=0 for an SSID under another L1 entry leaves it", () => {
    dma(w);
    growLeaf(w);
    issue(w, { op: "CFGI_CD", sid: SID, ssid: 5, leaf: false });
    expect(w.smmu.cfg.l1cd?.[`${SID}:1`]).toBe(0n);
  });

  it("CFGI_CD_ALL drops every L1 descriptor of the StreamID, CFGI_ALL every one", () => {
    dma(w);
    translate(w, { sid: SID, ssid: null, va: va(0x10000), write: false, ats: false }, new Recorder());
    expect(Object.keys(w.smmu.cfg.l1cd ?? {}).sort()).toEqual([`${SID}:0`, `${SID}:1`]);
    growLeaf(w);
    issue(w, { op: "CFGI_CD_ALL", sid: SID });
    expect(w.smmu.cfg.l1cd).toEqual({});
    expect(dma(w)).toMatchObject({ status: "success" });
    issue(w, { op: "CFGI_ALL" });
    expect(w.smmu.cfg.l1cd).toEqual({});
  });

  it("CFGI_STE drops them with the STE and its CDs", () => {
    dma(w);
    issue(w, { op: "CFGI_STE", sid: SID, leaf: true });
    expect(w.smmu.cfg.l1cd).toEqual({});
  });

  it("the commands are the architecture's: LEAF is dw1 bit 0 of CFGI_CD (opcode 0x05)", () => {
    // SSID 2000 = 0x7d0 at dw0 31:12, SID 272 = 0x110 at dw0 63:32.
    expect(buildCmd({ op: "CFGI_CD", sid: SID, ssid: SSID, leaf: false }).map(hex64)).toEqual([
      "0x00000110007d0005",
      "0x0000000000000000",
    ]);
    expect(buildCmd({ op: "CFGI_CD", sid: SID, ssid: SSID, leaf: true }).map(hex64)[1]).toBe(
      "0x0000000000000001",
    );
    expect(buildCmd({ op: "CFGI_CD_ALL", sid: SID }).map(hex64)[0]).toBe("0x0000011000000006");
  });
});

describe("the L1 CD descriptor cache against the architecture's rules", () => {
  // A reference of what may stay cached: an L1 entry is cached by a CD fetch that misses the
  // CD cache, and dropped by CFGI_CD LEAF=0 for an SSID under it, CFGI_CD_ALL and CFGI_STE.
  type Act =
    | { readonly kind: "dma"; readonly ssid: number }
    | { readonly kind: "cfgi-cd"; readonly ssid: number; readonly leaf: boolean }
    | { readonly kind: "cfgi-cd-all" }
    | { readonly kind: "cfgi-ste" };
  const ssid = fc.integer({ min: 0, max: 4095 });
  const act: fc.Arbitrary<Act> = fc.oneof(
    fc.record({ kind: fc.constant("dma" as const), ssid }),
    fc.record({ kind: fc.constant("cfgi-cd" as const), ssid, leaf: fc.boolean() }),
    fc.constant({ kind: "cfgi-cd-all" as const }),
    fc.constant({ kind: "cfgi-ste" as const }),
  );

  it("holds exactly the descriptors the reference says, after any sequence", () => {
    fc.assert(
      fc.property(fc.array(act, { maxLength: 30 }), (acts) => {
        const w = boot(scenario(cdTwoLevel));
        const l1 = new Set<number>();
        const cds = new Set<number>();
        for (const a of acts) {
          if (a.kind === "dma") {
            translate(
              w,
              { sid: SID, ssid: a.ssid, va: va(0x10000), write: false, ats: false },
              new Recorder(),
            );
            if (!cds.has(a.ssid)) {
              l1.add(a.ssid >> 10);
              // Only leaf 0 exists: a CD is fetched, and cached, through a valid descriptor alone.
              if (a.ssid < 1024) cds.add(a.ssid);
            }
          } else if (a.kind === "cfgi-cd") {
            issue(w, { op: "CFGI_CD", sid: SID, ssid: a.ssid, leaf: a.leaf });
            cds.delete(a.ssid);
            if (!a.leaf) l1.delete(a.ssid >> 10);
          } else {
            issue(
              w,
              a.kind === "cfgi-ste"
                ? { op: "CFGI_STE", sid: SID, leaf: true }
                : { op: "CFGI_CD_ALL", sid: SID },
            );
            l1.clear();
            cds.clear();
          }
          const held = Object.keys(w.smmu.cfg.l1cd ?? {}).map((k) => Number(k.split(":")[1]));
          expect(held.sort()).toEqual([...l1].sort());
        }
      }),
      { numRuns: 150 },
    );
  });
});
