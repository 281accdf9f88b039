/**
 * The hitless writer against the transition table of reference §8 (the kernel's
 * arm-smmu-v3-test.c fixtures: an ATS-enabled master, a 2-level CD table, an SMMU with
 * stalls and ATTR_TYPES_OVR). Each transition states from → to, the number of syncs and
 * whether it was hitless; at every sync the recording writer checks STYLE point 15: the
 * entry equals the start or the target on the bits the entry now in place uses.
 */

import { describe, expect, it } from "vitest";
import { cdUsedBits, makeQuietCd, makeS1DmaCd, makeSvaCd } from "./cd.ts";
import { asid, pa, vmid } from "./ids.ts";
import { makeAbortSte, makeBypassSte, makeCdTableSte, makeS2Ste, type S1Dss, steUsedBits } from "./ste.ts";
import { entryQwordDiff, equalOnUsed, type UsedBits, writeEntry } from "./write-entry.ts";

interface Recorded {
  syncs: number;
  hitless: boolean;
  /** What the recording writer itself saw: qword 0 was 0 at some sync. */
  invalidSeen: boolean;
  steps: bigint[][];
  final: bigint[];
}

function transition(from: readonly bigint[], to: readonly bigint[], used: UsedBits): Recorded {
  let entry = from.slice();
  let pendingWrite = false;
  let invalidSeen = false;
  let syncs = 0;
  const steps: bigint[][] = [];
  const result = writeEntry(
    {
      write(words) {
        entry = words.slice();
        steps.push(entry);
        pendingWrite = true;
      },
      sync() {
        expect(pendingWrite).toBe(true);
        pendingWrite = false;
        syncs++;
        if (entry[0] === 0n) {
          invalidSeen = true;
          return;
        }
        const inUse = used(entry);
        expect(equalOnUsed(entry, from, inUse) || equalOnUsed(entry, to, inUse)).toBe(true);
      },
    },
    from,
    to,
    used,
  );
  expect(result.syncs).toBe(syncs);
  return { ...result, invalidSeen, steps, final: entry };
}

function expectTransition(
  from: bigint[],
  to: bigint[],
  used: UsedBits,
  syncs: number,
  hitless: boolean,
): void {
  const r = transition(from, to, used);
  expect(r.final).toEqual(to);
  expect(r.syncs).toBe(syncs);
  expect(r.hitless).toBe(hitless);
  expect(r.invalidSeen).toBe(!hitless);
}

const abort = makeAbortSte();
const bypass = makeBypassSte();
const CDTAB_A = pa(0xf0f0f0f0f000);
const CDTAB_B = pa(0x4b4b4b4b40);
const cdtable = (s1dss: S1Dss, cdTable = CDTAB_A, stall = false) =>
  makeCdTableSte({ cdTable, s1fmt: "64k_l2", s1cdmax: 20, s1dss, ats: true, stalls: true, stall });
/** The kernel fixture's S2 domain: VMID 0 (never allocated), its VTCR values, ATS. */
const s2 = (stall = false, id = 0) =>
  makeS2Ste({
    vmid: vmid(id),
    s2ttb: pa(0xbeefdeadbee0),
    vtcr: { ps: 1, tg: 2, sh: 3, orgn: 1, irgn: 2, sl: 3, tsz: 4 },
    ats: true,
    stall,
  });

describe("STE transitions (§8)", () => {
  const cases: [string, bigint[], bigint[], number, boolean][] = [
    ["bypass → abort", bypass, abort, 2, true],
    ["abort → bypass", abort, bypass, 2, true],
    ["CD-table (SSID0) → abort", cdtable("SSID0"), abort, 2, true],
    ["abort → CD-table", abort, cdtable("SSID0"), 2, true],
    ["CD-table → bypass", cdtable("SSID0"), bypass, 3, true],
    ["bypass → CD-table", bypass, cdtable("SSID0"), 3, true],
    ["CD-table S1DSS SSID0 → BYPASS", cdtable("SSID0"), cdtable("BYPASS"), 1, true],
    ["CD-table S1DSS BYPASS → SSID0", cdtable("BYPASS"), cdtable("SSID0"), 1, true],
    ["CD-table with S1DSS=bypass → STE bypass", cdtable("BYPASS"), bypass, 2, true],
    ["STE bypass → CD-table with S1DSS=bypass", bypass, cdtable("BYPASS"), 2, true],
    ["S2 → abort", s2(), abort, 2, true],
    ["abort → S2", abort, s2(), 2, true],
    ["S2 → bypass", s2(), bypass, 2, true],
    ["bypass → S2", bypass, s2(), 2, true],
    ["S1 (CD-table) → S2", cdtable("SSID0"), s2(), 3, true],
    ["S2 → S1 (CD-table)", s2(), cdtable("SSID0"), 3, true],
    [
      "CD-table (SSID0, ptr A) → CD-table (BYPASS, ptr B)",
      cdtable("SSID0"),
      cdtable("BYPASS", CDTAB_B),
      3,
      false,
    ],
    ["S1 → S2, stall-enabled master", cdtable("SSID0", CDTAB_A, true), s2(true), 3, true],
    ["S2 → S1, stall-enabled master", s2(true), cdtable("SSID0", CDTAB_A, true), 3, true],
    // Not in the kernel table: with a real VMID both dw0 (Config) and dw2 (S2VMID, used by
    // stage 1 too) must change, so the update breaks: dw0 := 0, dw1..3, dw0.
    ["S1 → S2 with VMID 5 (derived)", cdtable("SSID0"), s2(false, 5), 3, false],
  ];
  it.each(cases.map(([name, from, to, syncs, hitless]) => ({ name, from, to, syncs, hitless })))(
    "$name: $syncs syncs, hitless $hitless",
    ({ from, to, syncs, hitless }) => expectTransition(from, to, steUsedBits, syncs, hitless),
  );

  it("an identical entry needs no write", () => {
    expect(transition(bypass, makeBypassSte(), steUsedBits)).toMatchObject({
      syncs: 0,
      hitless: true,
      steps: [],
    });
  });

  it("bypass → abort: qword 0 first, then the now-unused SHCFG is cleared", () => {
    const r = transition(bypass, abort, steUsedBits);
    expect(r.steps.map((s) => s.slice(0, 2))).toEqual([
      [0x1n, 0x0000100000000000n],
      [0x1n, 0n],
    ]);
  });

  it("a breaking update writes qword 0 = 0 first", () => {
    const r = transition(cdtable("SSID0"), cdtable("BYPASS", CDTAB_B), steUsedBits);
    expect(r.steps[0]![0]).toBe(0n);
    expect(entryQwordDiff(cdtable("SSID0"), cdtable("BYPASS", CDTAB_B), steUsedBits).differing).toEqual([
      0, 1,
    ]);
  });
});

const MAIR = 0xabcdef012345678n;
const dma = (id: number) => makeS1DmaCd({ asid: asid(id), ttb0: pa(0xbeefdeadbee0), mair: MAIR, ips: 1 });
const svaCd = (ttb0: ReturnType<typeof pa> | null) =>
  makeSvaCd({ asid: asid(1), ttb0, ips: 5, mair: 0xff04n, stall: true });
const empty = (): bigint[] => new Array(8).fill(0n);

describe("CD transitions (§8)", () => {
  const cases: [string, bigint[], bigint[], number, boolean][] = [
    ["empty → S1 CD (ASID 1997)", empty(), dma(1997), 2, false],
    ["S1 CD (ASID 1997) → empty", dma(1997), empty(), 2, false],
    ["S1 CD ASID 778 → 1997", dma(778), dma(1997), 1, true],
    ["S1 CD ASID 1997 → 778", dma(1997), dma(778), 1, true],
    ["empty → SVA CD", empty(), svaCd(pa(0xdeadbeef000)), 2, false],
    ["SVA CD → empty", svaCd(pa(0xdeadbeef000)), empty(), 2, false],
    ["SVA CD → release CD (same ASID)", svaCd(pa(0xdeadbeef000)), svaCd(null), 2, true],
    ["release CD → SVA CD", svaCd(null), svaCd(pa(0xdeadbeef000)), 2, true],
    // The ≤6.8 quiet CD changes dw0 only: one write, one sync (reference §3.2).
    ["SVA CD → quiet CD (keep-r)", svaCd(pa(0x81000)), makeQuietCd(svaCd(pa(0x81000)), "keep-r"), 1, true],
    [
      "SVA CD → quiet CD (clear-s-r)",
      svaCd(pa(0x81000)),
      makeQuietCd(svaCd(pa(0x81000)), "clear-s-r"),
      1,
      true,
    ],
  ];
  it.each(cases.map(([name, from, to, syncs, hitless]) => ({ name, from, to, syncs, hitless })))(
    "$name: $syncs syncs, hitless $hitless",
    ({ from, to, syncs, hitless }) => expectTransition(from, to, cdUsedBits, syncs, hitless),
  );

  it("empty → SVA CD writes dw1..dw3 first, then dw0 with V", () => {
    const target = svaCd(pa(0x81000));
    const r = transition(empty(), target, cdUsedBits);
    expect(r.steps[0]).toEqual([0n, target[1], 0n, target[3], 0n, 0n, 0n, 0n]);
    expect(r.steps[1]).toEqual(target);
  });

  it("release: dw0 (EPD0, no S/R) first, then TTB0 cleared", () => {
    const live = svaCd(pa(0x81000));
    const release = svaCd(null);
    const r = transition(live, release, cdUsedBits);
    expect(r.steps[0]).toEqual([release[0], live[1], 0n, live[3], 0n, 0n, 0n, 0n]);
    expect(r.steps[1]).toEqual(release);
  });
});

describe("every pair of entries", () => {
  it("ends at the target in at most 3 syncs, meaningful at each (STE and CD pools)", () => {
    const stes = [
      abort,
      bypass,
      cdtable("SSID0"),
      cdtable("BYPASS"),
      cdtable("TERMINATE", CDTAB_B),
      s2(),
      s2(true, 7),
    ];
    const cds = [empty(), dma(778), dma(1997), svaCd(pa(0x81000)), svaCd(null), svaCd(pa(0x93000))];
    for (const [pool, used] of [
      [stes, steUsedBits],
      [cds, cdUsedBits],
    ] as const) {
      for (const from of pool) {
        for (const to of pool) {
          const r = transition(from, to, used);
          expect(r.final).toEqual(to);
          expect(r.syncs).toBeLessThanOrEqual(3);
          expect(r.hitless).toBe(!r.invalidSeen);
        }
      }
    }
  });
});
