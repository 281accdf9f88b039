/**
 * STE encodings against reference §2.1/§2.2 and the used bits of §8. Golden words were
 * worked out by hand from the field table; the comment above each shows the sum.
 */

import { describe, expect, it } from "vitest";
import { decode, hex64 } from "./bits.ts";
import { pa, vmid } from "./ids.ts";
import {
  makeAbortSte,
  makeBypassSte,
  makeCdTableSte,
  makeL1Std,
  makeS2Ste,
  STE_LAYOUT,
  STRTAB_L1_DESC,
  STRTAB_SPLIT,
  steUsedBits,
} from "./ste.ts";
import { leafSteAddr, linearSteAddr, strtabL1DescAddr, strtabL1Index, strtabL2Index } from "./tables.ts";

const hexes = (w: readonly bigint[]) => w.map(hex64);
const Z = "0x0000000000000000";
const baseCd = { cdTable: pa(0x40000), s1fmt: "linear", s1cdmax: 8, s1dss: "SSID0", ats: true } as const;

describe("STE makers (≥6.9 arm_smmu_make_*_ste)", () => {
  it("abort: V | Config 0", () => {
    expect(hexes(makeAbortSte())).toEqual(["0x0000000000000001", Z, Z, Z, Z, Z, Z, Z]);
  });

  it("bypass: V | Config 4<<1 ; SHCFG incoming 1<<44", () => {
    expect(hexes(makeBypassSte())).toEqual(["0x0000000000000009", "0x0000100000000000", Z, Z, Z, Z, Z, Z]);
    expect(hexes(makeBypassSte({ attrTypesOvr: false }))).toEqual([
      "0x0000000000000009",
      Z,
      Z,
      Z,
      Z,
      Z,
      Z,
      Z,
    ]);
  });

  it("CD table, linear, S1DSS=SSID0, ATS", () => {
    const ste = makeCdTableSte({
      cdTable: pa(0x40000),
      s1fmt: "linear",
      s1cdmax: 8,
      s1dss: "SSID0",
      ats: true,
    });
    // dw0: V 1 | Config 5<<1 (0xa) | S1ContextPtr 0x40000 | S1CDMax 8<<59 (0x4000000000000000)
    // dw1: S1DSS 2 | S1CIR 1<<2 | S1COR 1<<4 | S1CSH 3<<6 (0xd6) | EATS 1<<28 ; STRW 0, no SHCFG
    expect(hexes(ste)).toEqual(["0x400000000004000b", "0x00000000100000d6", Z, Z, Z, Z, Z, Z]);
  });

  it("CD table, 64K leaves, S1DSS=bypass, stalling SMMU, no ATS", () => {
    const ste = makeCdTableSte({
      cdTable: pa(0x80000),
      s1fmt: "64k_l2",
      s1cdmax: 20,
      s1dss: "BYPASS",
      ats: false,
      stalls: true,
    });
    // dw0: V | 5<<1 | S1Fmt 2<<4 (0x20) | 0x80000 | 20<<59 (0xa000000000000000)
    // dw1: S1DSS 1 | 0x4 | 0x10 | 0xc0 | S1STALLD 1<<27 | SHCFG 1<<44
    expect(hexes(ste).slice(0, 2)).toEqual(["0xa00000000008002b", "0x00001000080000d5"]);
    // a stall-enabled master does not set S1STALLD
    expect(hexes(makeCdTableSte({ ...baseCd, stalls: true, stall: true }))[1]).toBe("0x00000000100000d6");
  });

  it("CD table with E2H: StreamWorld EL2 (2<<30)", () => {
    expect(hexes(makeCdTableSte({ ...baseCd, e2h: true }))[1]).toBe("0x00000000900000d6");
  });

  it("stage 2", () => {
    const ste = makeS2Ste({
      vmid: vmid(5),
      s2ttb: pa(0x123450),
      vtcr: { tsz: 25, sl: 1, irgn: 1, orgn: 1, sh: 3, tg: 0, ps: 5 },
      ats: false,
    });
    // dw0: V | Config 6<<1 = 0xd ; dw1: SHCFG 1<<44
    // VTCR: 25 | 1<<6 | 1<<8 | 1<<10 | 3<<12 | 0<<14 | 5<<16 = 0x53559
    // dw2: VMID 5 | 0x53559<<32 | S2AA64 1<<51 | S2PTW 1<<54 | S2R 1<<58
    // dw3: S2TTB 0x123450
    expect(hexes(ste)).toEqual([
      "0x000000000000000d",
      "0x0000100000000000",
      "0x044d355900000005",
      "0x0000000000123450",
      Z,
      Z,
      Z,
      Z,
    ]);
  });

  it("rejects values that do not fit", () => {
    expect(() => makeCdTableSte({ ...baseCd, s1cdmax: 32 })).toThrow(/S1CDMAX/);
    expect(() => makeCdTableSte({ ...baseCd, cdTable: pa(0x40020) })).toThrow(/S1CTXPTR/);
  });
});

describe("steUsedBits (arm_smmu_get_ste_used)", () => {
  it("invalid: V only", () => {
    expect(hexes(steUsedBits(new Array(8).fill(0n)))).toEqual(["0x0000000000000001", Z, Z, Z, Z, Z, Z, Z]);
  });

  it("abort: V and Config (3:0)", () => {
    expect(hexes(steUsedBits(makeAbortSte()))).toEqual(["0x000000000000000f", Z, Z, Z, Z, Z, Z, Z]);
  });

  it("bypass: V, Config, SHCFG (45:44)", () => {
    expect(hexes(steUsedBits(makeBypassSte()))).toEqual([
      "0x000000000000000f",
      "0x0000300000000000",
      Z,
      Z,
      Z,
      Z,
      Z,
      Z,
    ]);
  });

  it("stage 1: the CD-table fields, STRW, EATS, S2VMID; SHCFG only with S1DSS=bypass", () => {
    // dw0: 5:0 | 51:6 | 63:59 ; dw1: 7:0 | S1STALLD 27 | EATS 29:28 | STRW 31:30 ; dw2: S2VMID 15:0
    const s1 = ["0xf80fffffffffffff", "0x00000000f80000ff", "0x000000000000ffff", Z, Z, Z, Z, Z];
    expect(hexes(steUsedBits(makeCdTableSte(baseCd)))).toEqual(s1);
    expect(hexes(steUsedBits(makeCdTableSte({ ...baseCd, s1dss: "BYPASS" })))[1]).toBe("0x00003000f80000ff");
  });

  it("stage 2: EATS, SHCFG, dw2 (VMID, VTCR 50:32, bits 51,52,54,57,58), S2TTB 51:4", () => {
    const s2 = makeS2Ste({
      vmid: vmid(1),
      s2ttb: pa(0x1000),
      vtcr: { tsz: 25, sl: 1, irgn: 1, orgn: 1, sh: 3, tg: 0, ps: 5 },
      ats: true,
    });
    expect(hexes(steUsedBits(s2))).toEqual([
      "0x000000000000000f",
      "0x0000300030000000",
      "0x065fffff0000ffff",
      "0x000ffffffffffff0",
      Z,
      Z,
      Z,
      Z,
    ]);
  });

  it("every maker sets only bits its own configuration uses", () => {
    const s2 = makeS2Ste({
      vmid: vmid(1),
      s2ttb: pa(0x1000),
      vtcr: { tsz: 25, sl: 1, irgn: 1, orgn: 1, sh: 3, tg: 0, ps: 5 },
      ats: true,
      stall: true,
    });
    const all = [
      makeAbortSte(),
      makeBypassSte(),
      makeCdTableSte(baseCd),
      makeCdTableSte({ ...baseCd, s1dss: "BYPASS", stalls: true, e2h: true }),
      s2,
    ];
    for (const ste of all) {
      const used = steUsedBits(ste);
      ste.forEach((w, i) => {
        expect(w & ~used[i]!).toBe(0n);
      });
    }
  });
});

describe("decode and the stream table", () => {
  it("names Config, S1DSS and EATS values", () => {
    const rows = decode(STE_LAYOUT, makeCdTableSte(baseCd));
    const text = Object.fromEntries(rows.map((r) => [r.name, r.text]));
    expect(text).toMatchObject({ V: "1", CONFIG: "S1_TRANS", S1DSS: "SSID0", EATS: "TRANS", S1CSH: "ISH" });
    expect(text.S1CTXPTR).toBe("0x40000");
  });

  it("L1 descriptor: SPAN 4:0 = 9, L2Ptr 51:6", () => {
    // 0x100000 | 9
    expect(hex64(makeL1Std(pa(0x100000)))).toBe("0x0000000000100009");
    expect(STRTAB_L1_DESC.fields.SPAN).toMatchObject({ word: 0, hi: 4, lo: 0 });
    expect(STRTAB_L1_DESC.fields.L2PTR).toMatchObject({ word: 0, hi: 51, lo: 6, address: true });
  });

  it("locates STE[sid]: linear base + sid·64, or L1 sid>>8 / L2 sid&0xff", () => {
    // Linux's split (STRTAB_SPLIT = 8), as the 2-level table boot makes has it.
    const st = { base: pa(0x8000), split: STRTAB_SPLIT };
    expect(linearSteAddr({ base: pa(0x10000) }, 3)).toBe(0x100c0);
    expect(strtabL1Index(st, 0x1234)).toBe(0x12);
    expect(strtabL2Index(st, 0x1234)).toBe(0x34);
    expect(strtabL1DescAddr(st, 0x1234)).toBe(0x8000 + 0x12 * 8);
    expect(leafSteAddr(st, pa(0x20000), 0x1234)).toBe(0x20000 + 0x34 * 64);
  });
});
