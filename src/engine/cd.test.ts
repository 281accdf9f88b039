/**
 * CD encodings against reference §3 and the used bits of §8. Golden words were worked out by
 * hand from the field table; the comment above each shows the sum. dw0 is written as its
 * high half (bits 63:32) and low half (31:0).
 */

import { describe, expect, it } from "vitest";
import { decode, hex64 } from "./bits.ts";
import {
  CD_L1_DESC,
  CD_LAYOUT,
  CTXDESC_CD_SIZE,
  CTXDESC_L2_ENTRIES,
  cdUsedBits,
  makeL1Cd,
  makeQuietCd,
  makeS1DmaCd,
  makeSvaCd,
} from "./cd.ts";
import { asid, pa } from "./ids.ts";
import { cdL1DescAddr, cdL1Entries, cdL1Index, cdL2Index, leafCdAddr, linearCdAddr } from "./tables.ts";

const hexes = (w: readonly bigint[]) => w.map(hex64);
const Z = "0x0000000000000000";
const MAIR = 0x000c0400bb44ff00n;
const sva = { asid: asid(1), ttb0: pa(0x81000), ips: 5, mair: MAIR } as const;

describe("makeSvaCd (arm_smmu_make_sva_cd)", () => {
  it("with an mm: walk fields, TTB0 = pgd, MAIR", () => {
    // low:  T0SZ 16 | IRGN0 1<<8 | ORGN0 1<<10 | SH0 3<<12 | EPD1 1<<30 | V 1<<31 = 0xc0003510
    // high: IPS 5 | AA64 1<<9 | R 1<<13 | A 1<<14 | ASET 1<<15 | ASID 1<<16 = 0x0001e205
    expect(hexes(makeSvaCd(sva))).toEqual([
      "0x0001e205c0003510",
      "0x0000000000081000",
      Z,
      "0x000c0400bb44ff00",
      Z,
      Z,
      Z,
      Z,
    ]);
  });

  it("≤6.8 shared CD: ASET 0; stall-enabled master: S (bit 44)", () => {
    expect(hex64(makeSvaCd({ ...sva, aset: false })[0]!)).toBe("0x00016205c0003510");
    expect(hex64(makeSvaCd({ ...sva, stall: true })[0]!)).toBe("0x0001f205c0003510");
  });

  it("release CD (no mm): EPD0, no walk fields, no TTB0, S and R cleared", () => {
    // low: EPD0 1<<14 | EPD1 | V = 0xc0004000 ; high: IPS 5 | AA64 | A | ASET | ASID 1 = 0x0001c205
    expect(hexes(makeSvaCd({ ...sva, ttb0: null, stall: true }))).toEqual([
      "0x0001c205c0004000",
      Z,
      Z,
      "0x000c0400bb44ff00",
      Z,
      Z,
      Z,
      Z,
    ]);
    // STALL_FORCE keeps S and R: high | 0x1000 | 0x2000
    expect(hex64(makeSvaCd({ ...sva, ttb0: null, stall: true, stallForce: true })[0]!)).toBe(
      "0x0001f205c0004000",
    );
  });

  it("39-bit VA, 64K pages: T0SZ 25, TG0 1<<6", () => {
    // low: 25 | 0x40 | 0x100 | 0x400 | 0x3000 | EPD1 | V = 0xc0003559
    expect(hex64(makeSvaCd({ ...sva, t0sz: 25, tg0: "64K" })[0]!)).toBe("0x0001e205c0003559");
  });
});

describe("makeQuietCd (≤6.8 quiet_cd)", () => {
  const live = makeSvaCd(sva);
  it("keep-r (5.11–6.7): the live dw0 | EPD0", () => {
    expect(hexes(makeQuietCd(live, "keep-r")).slice(0, 2)).toEqual([
      "0x0001e205c0007510",
      "0x0000000000081000",
    ]);
  });
  it("clear-s-r (≈6.8): also clears S and R", () => {
    const stalled = makeSvaCd({ ...sva, stall: true });
    expect(hex64(makeQuietCd(stalled, "clear-s-r")[0]!)).toBe("0x0001c205c0007510");
    expect(hex64(makeQuietCd(stalled, "clear-s-r", { stallForce: true })[0]!)).toBe("0x0001f205c0007510");
  });
});

describe("makeS1DmaCd (arm_smmu_make_s1_cd)", () => {
  it("private DMA domain at SSID 0: ASET=1", () => {
    // high: IPS 5 | AA64 0x200 | R 0x2000 | A 0x4000 | ASET 0x8000 | ASID 0x22<<16 = 0x0022e205
    const cd = makeS1DmaCd({ asid: asid(0x22), ttb0: pa(0x4000000), mair: 0xf404ffn, ips: 5 });
    expect(hexes(cd)).toEqual([
      "0x0022e205c0003510",
      "0x0000000004000000",
      Z,
      "0x0000000000f404ff",
      Z,
      Z,
      Z,
      Z,
    ]);
    // dirty tracking: HD 1<<42, HA 1<<43 → high | 0x400 | 0x800
    const hd = makeS1DmaCd({ asid: asid(0x22), ttb0: pa(0x4000000), mair: 0xf404ffn, ips: 5, hd: true });
    expect(hex64(hd[0]!)).toBe("0x0022ee05c0003510");
  });
});

describe("cdUsedBits (arm_smmu_get_cd_used)", () => {
  it("invalid: V (bit 31) only", () => {
    expect(hexes(cdUsedBits(new Array(8).fill(0n)))).toEqual(["0x0000000080000000", Z, Z, Z, Z, Z, Z, Z]);
  });
  it("valid: every bit", () => {
    expect(cdUsedBits(makeSvaCd(sva))).toEqual(new Array(8).fill(0xffffffffffffffffn));
  });
  it("EPD0: T0SZ/TG0/IRGN0/ORGN0/SH0 (13:0) and TTB0 (dw1 51:4) ignored", () => {
    const used = hexes(cdUsedBits(makeSvaCd({ ...sva, ttb0: null })));
    expect(used.slice(0, 3)).toEqual(["0xffffffffffffc000", "0xfff000000000000f", "0xffffffffffffffff"]);
  });
  it("a quiet CD keeps its stale walk fields, which are unused", () => {
    const quiet = makeQuietCd(makeSvaCd(sva), "keep-r");
    const used = cdUsedBits(quiet);
    expect(quiet[1]! & used[1]!).toBe(0n);
  });
});

describe("CD tables (§3.3)", () => {
  it("L1 descriptor: V bit 0, L2Ptr 51:12", () => {
    expect(hex64(makeL1Cd(pa(0x200000)))).toBe("0x0000000000200001");
    expect(() => makeL1Cd(pa(0x200800))).toThrow(/L2PTR/);
    expect(CD_L1_DESC.fields.L2PTR).toMatchObject({ hi: 51, lo: 12, address: true });
  });

  it("locates CD[ssid]", () => {
    expect(CTXDESC_L2_ENTRIES).toBe(1024);
    expect(CTXDESC_CD_SIZE).toBe(64);
    expect(linearCdAddr({ base: pa(0x40000) }, 3)).toBe(0x400c0);
    expect(cdL1Index(1025)).toBe(1);
    expect(cdL2Index(1025)).toBe(1);
    expect(cdL1Index(0xfffff)).toBe(1023);
    expect(cdL2Index(0xfffff)).toBe(1023);
    expect(cdL1DescAddr({ base: pa(0x10000) }, 1025)).toBe(0x10008);
    expect(leafCdAddr(pa(0x200000), 1025)).toBe(0x200040);
    expect(cdL1Entries(20)).toBe(1024);
    expect(cdL1Entries(8)).toBe(1);
  });

  it("decodes with named values", () => {
    const text = Object.fromEntries(decode(CD_LAYOUT, makeSvaCd(sva)).map((r) => [r.name, r.text]));
    expect(text).toMatchObject({
      V: "1",
      TG0: "4K",
      IRGN0: "WBWA",
      SH0: "ISH",
      IPS: "48",
      ASID: "0x1",
      TTB0: "0x81000",
    });
  });
});
