/**
 * Stage 2 against reference §10 (stage-2 leaf: S2AP read bit 6, write bit 7, MemAttr 5:2),
 * §2.1 (VTCR inside STE dw2, S2TTB in dw3) and the nested STE of §7. Golden words worked out
 * by hand from the field tables; the comment above each shows the sum.
 */

import { describe, expect, it } from "vitest";
import { hex64 } from "./bits.ts";
import { pa, vmid } from "./ids.ts";
import { allocFrame, createMemory } from "./memory.ts";
import { mapS2Page, S2_VTCR, s2Lookup, s2PageDesc, walkS2 } from "./stage2.ts";
import { makeCdTableSte, makeNestedSte, makeS2Ste, STE_NESTING_ALLOWED } from "./ste.ts";

const hexes = (w: readonly bigint[]) => w.map(hex64);

describe("stage-2 descriptors (io-pgtable ARM_64_LPAE_S2)", () => {
  it("a read/write page: V | page | MemAttr 0xF<<2 | S2AP 3<<6 | SH 3<<8 | AF<<10 | OA", () => {
    // 0x1 + 0x2 + 0x3c + 0xc0 + 0x300 + 0x400 + 0x4012_3000
    expect(hex64(s2PageDesc(pa(0x4012_3000), true))).toBe("0x00000000401237ff");
  });

  it("a read-only page clears S2AP[1] (bit 7)", () => {
    expect(hex64(s2PageDesc(pa(0x4012_3000), false))).toBe("0x000000004012377f");
  });
});

describe("the stage-2 walk", () => {
  const mem = createMemory();
  const s2ttb = allocFrame(mem, { kind: "pgtable", process: "vm0 stage 2", level: 0 });
  const page = allocFrame(mem, { kind: "guest", vm: "vm0" });
  mapS2Page(mem, s2ttb, 0x4000_0000, page, "vm0 stage 2");

  it("translates an IPA through four levels to the page, keeping the offset", () => {
    const r = walkS2(mem, s2ttb, 0x4000_0123, true);
    expect(r.ok && r.pa).toBe(page + 0x123);
    expect(r.ok && r.tables.length).toBe(4);
    expect(s2Lookup(mem, s2ttb, 0x4000_0000)).toBe(page);
  });

  it("faults with F_TRANSLATION where stage 2 maps nothing", () => {
    expect(walkS2(mem, s2ttb, 0x4000_1000, false)).toEqual({ ok: false, fault: "F_TRANSLATION", level: 3 });
    expect(walkS2(mem, s2ttb, 0x8000_0000, false)).toEqual({ ok: false, fault: "F_TRANSLATION", level: 1 });
    expect(s2Lookup(mem, s2ttb, 0x4000_1000)).toBeNull();
  });
});

describe("STEs of a VM's devices", () => {
  const s2 = { vmid: vmid(1), s2ttb: pa(0x4000_5000), vtcr: S2_VTCR, ats: true };

  it("the nesting parent's S2 STE: Config 6, VMID 1, VTCR of a 48-bit IPA, AA64, PTW, R, S2TTB", () => {
    // dw0: V | 6<<1 = 0xd. dw1: EATS 1<<28 | SHCFG 1<<44.
    // VTCR = T0SZ 16 | SL0 2<<6 | IR0 1<<8 | OR0 1<<10 | SH0 3<<12 | TG 0<<14 | PS 5<<16 = 0x53590;
    // dw2 = VMID 1 | VTCR<<32 | S2AA64<<51 | S2PTW<<54 | S2R<<58 = 0x044d359000000001.
    expect(hexes(makeS2Ste(s2)).slice(0, 4)).toEqual([
      "0x000000000000000d",
      "0x0000100010000000",
      "0x044d359000000001",
      "0x0000000040005000",
    ]);
  });

  const vste = makeCdTableSte({
    cdTable: pa(0x4000_2000), // an IPA: the guest's CD table
    s1fmt: "linear",
    s1cdmax: 10,
    s1dss: "SSID0",
    ats: true,
  });

  it("the nested STE: the S2 STE with Config 7, the guest's S1 fields, MEV=1", () => {
    // dw0: V | 7<<1 | S1CTXPTR 0x40002000 | S1CDMAX 10<<59 = 0x500000004000200f.
    // dw1: S1DSS 2 | S1CIR 1<<2 | S1COR 1<<4 | S1CSH 3<<6 | MEV 1<<19 | EATS 1<<28 | SHCFG 1<<44.
    expect(hexes(makeNestedSte(vste, s2)).slice(0, 4)).toEqual([
      "0x500000004000200f",
      "0x00001000100800d6",
      "0x044d359000000001",
      "0x0000000040005000",
    ]);
  });

  it("takes only the allowed vSTE fields; EATS comes from the kernel", () => {
    expect(STE_NESTING_ALLOWED).toContain("S1CTXPTR");
    const hostile = vste.slice();
    hostile[2] = 0xffffn; // a guest's S2VMID
    hostile[1] = hostile[1]! & ~(3n << 28n); // EATS=0 in the vSTE
    const ste = makeNestedSte(hostile, s2);
    expect(hex64(ste[2]!)).toBe("0x044d359000000001");
    expect((ste[1]! >> 28n) & 3n).toBe(1n);
  });

  it("a vSTE with V=0 gives an abort STE; a bypass vSTE the plain S2 STE", () => {
    expect(hex64(makeNestedSte([0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n], s2)[0]!)).toBe("0x0000000000000001");
    expect(hexes(makeNestedSte([9n, 0n, 0n, 0n, 0n, 0n, 0n, 0n], s2))).toEqual(hexes(makeS2Ste(s2)));
  });
});
