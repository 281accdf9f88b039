/**
 * Command encodings against reference §1.2. Each golden vector was worked out by hand from
 * the field table (opcode in dw0 7:0, then each field shifted to its bit range); the comment
 * beside it shows the sum.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hex64 } from "./bits.ts";
import {
  atcInvCmd,
  buildCmd,
  CMDQ_OP,
  type Cmd,
  type CmdOp,
  cmdFields,
  cmdOpByCode,
  cmdOpcode,
  cmdSummary,
  decodeCmd,
  tlbiRangeCmds,
} from "./commands.ts";

const words = (c: Cmd): string[] => buildCmd(c).map(hex64);
const range0 = { leaf: false, num: 0, scale: 0, tg: 0, ttl: 0 };

describe("opcodes (§1.2)", () => {
  it("match the reference table", () => {
    expect(CMDQ_OP).toEqual({
      PREFETCH_CFG: 0x01,
      CFGI_STE: 0x03,
      CFGI_ALL: 0x04,
      CFGI_CD: 0x05,
      CFGI_CD_ALL: 0x06,
      TLBI_NH_ALL: 0x10,
      TLBI_NH_ASID: 0x11,
      TLBI_NH_VA: 0x12,
      TLBI_NH_VAA: 0x13,
      TLBI_EL2_ALL: 0x20,
      TLBI_EL2_ASID: 0x21,
      TLBI_EL2_VA: 0x22,
      TLBI_S12_VMALL: 0x28,
      TLBI_S2_IPA: 0x2a,
      TLBI_NSNH_ALL: 0x30,
      ATC_INV: 0x40,
      PRI_RESP: 0x41,
      RESUME: 0x44,
      CMD_SYNC: 0x46,
    });
  });

  it("are read from dw0 7:0 alone, named or Reserved (cmdOpcode, cmdOpByCode)", () => {
    // CFGI_CD of SID 0x10, SSID 1: dw0 = 0x10 << 32 | 1 << 12 | SSV 1 << 11 | 0x05.
    expect(cmdOpcode([0x0000_0010_0000_1805n, 1n])).toBe(0x05);
    expect(cmdOpByCode(0x05)).toBe("CFGI_CD");
    // Every bit above 7 set: the opcode is still dw0's low byte.
    expect(cmdOpcode([0xffff_ffff_ffff_ff46n, 0n])).toBe(0x46);
    // 0x7f is Reserved (§4.1.1).
    expect(cmdOpcode([0x7fn])).toBe(0x7f);
    expect(cmdOpByCode(0x7f)).toBeUndefined();
  });
});

describe("buildCmd golden vectors", () => {
  const cases: [string, Cmd, [string, string]][] = [
    // 0x05 | SSID 1<<12 | SID 16<<32 ; LEAF dw1 bit0
    [
      "CFGI_CD",
      { op: "CFGI_CD", sid: 16, ssid: 1, leaf: true },
      ["0x0000001000001005", "0x0000000000000001"],
    ],
    // 0x01 | SID 16<<32
    ["PREFETCH_CFG", { op: "PREFETCH_CFG", sid: 16 }, ["0x0000001000000001", "0x0000000000000000"]],
    // 0x03 | SID 16<<32 ; LEAF
    ["CFGI_STE", { op: "CFGI_STE", sid: 16, leaf: true }, ["0x0000001000000003", "0x0000000000000001"]],
    // 0x04 ; RANGE 31 in dw1 4:0
    ["CFGI_ALL", { op: "CFGI_ALL" }, ["0x0000000000000004", "0x000000000000001f"]],
    // 0x06 | SID 0x20<<32
    ["CFGI_CD_ALL", { op: "CFGI_CD_ALL", sid: 0x20 }, ["0x0000002000000006", "0x0000000000000000"]],
    // 0x10 | VMID 3<<32
    ["TLBI_NH_ALL", { op: "TLBI_NH_ALL", vmid: 3 }, ["0x0000000300000010", "0x0000000000000000"]],
    // 0x11 | ASID 5<<48
    ["TLBI_NH_ASID", { op: "TLBI_NH_ASID", asid: 5, vmid: 0 }, ["0x0005000000000011", "0x0000000000000000"]],
    // 0x12 | ASID 5<<48 ; VA 0x10000 | LEAF
    [
      "TLBI_NH_VA single",
      { op: "TLBI_NH_VA", asid: 5, vmid: 0, addr: 0x10000, ...range0, leaf: true },
      ["0x0005000000000012", "0x0000000000010001"],
    ],
    // 0x12 | NUM 3<<12 | SCALE 2<<20 | VMID 2<<32 | ASID 1<<48 ; LEAF | TTL 3<<8 | TG 1<<10 | VA 0x40000000
    [
      "TLBI_NH_VA range",
      { op: "TLBI_NH_VA", asid: 1, vmid: 2, addr: 0x40000000, leaf: true, num: 3, scale: 2, tg: 1, ttl: 3 },
      ["0x0001000200203012", "0x0000000040000701"],
    ],
    // 0x13 | VMID 9<<32 ; VA 0x7000
    [
      "TLBI_NH_VAA",
      { op: "TLBI_NH_VAA", vmid: 9, addr: 0x7000, ...range0 },
      ["0x0000000900000013", "0x0000000000007000"],
    ],
    ["TLBI_EL2_ALL", { op: "TLBI_EL2_ALL" }, ["0x0000000000000020", "0x0000000000000000"]],
    // 0x21 | ASID 0x1234<<48
    ["TLBI_EL2_ASID", { op: "TLBI_EL2_ASID", asid: 0x1234 }, ["0x1234000000000021", "0x0000000000000000"]],
    // 0x22 | ASID 2<<48 ; VA 0x3000 | LEAF
    [
      "TLBI_EL2_VA",
      { op: "TLBI_EL2_VA", asid: 2, addr: 0x3000, ...range0, leaf: true },
      ["0x0002000000000022", "0x0000000000003001"],
    ],
    // 0x28 | VMID 3<<32
    ["TLBI_S12_VMALL", { op: "TLBI_S12_VMALL", vmid: 3 }, ["0x0000000300000028", "0x0000000000000000"]],
    // 0x2a | VMID 7<<32 ; IPA 0xabc000
    [
      "TLBI_S2_IPA",
      { op: "TLBI_S2_IPA", vmid: 7, addr: 0xabc000, ...range0 },
      ["0x000000070000002a", "0x0000000000abc000"],
    ],
    ["TLBI_NSNH_ALL", { op: "TLBI_NSNH_ALL" }, ["0x0000000000000030", "0x0000000000000000"]],
    // 0x40 | SSV 1<<11 | SSID 1<<12 | SID 16<<32 ; SIZE 4
    [
      "ATC_INV with PASID",
      { op: "ATC_INV", sid: 16, ssid: 1, ssv: true, addr: 0, size: 4, global: false },
      ["0x0000001000001840", "0x0000000000000004"],
    ],
    // 0x40 | SID 16<<32 ; SIZE 52 (0x34)
    [
      "ATC_INV everything, no PASID",
      { op: "ATC_INV", sid: 16, ssid: 0, ssv: false, addr: 0, size: 52, global: false },
      ["0x0000001000000040", "0x0000000000000034"],
    ],
    // 0x40 | GLOBAL 1<<9 | SID 1<<32 ; ADDR 0x5000 | SIZE 1
    [
      "ATC_INV global",
      { op: "ATC_INV", sid: 1, ssid: 0, ssv: false, addr: 0x5000, size: 1, global: true },
      ["0x0000000100000240", "0x0000000000005001"],
    ],
    // 0x41 | SSV | SSID 1<<12 | SID 16<<32 ; GRPID 5 | RESP SUCC 2<<12
    [
      "PRI_RESP",
      { op: "PRI_RESP", sid: 16, ssid: 1, ssv: true, grpid: 5, resp: "SUCC" },
      ["0x0000001000001841", "0x0000000000002005"],
    ],
    [
      "PRI_RESP deny",
      { op: "PRI_RESP", sid: 16, ssid: 0, ssv: false, grpid: 5, resp: "DENY" },
      ["0x0000001000000041", "0x0000000000000005"],
    ],
    // 0x44 | RESP RETRY 1<<12 | SID 16<<32 ; STAG 0x1234
    [
      "RESUME retry",
      { op: "RESUME", sid: 16, stag: 0x1234, resp: "RETRY" },
      ["0x0000001000001044", "0x0000000000001234"],
    ],
    [
      "RESUME abort",
      { op: "RESUME", sid: 16, stag: 0x1234, resp: "ABORT" },
      ["0x0000001000002044", "0x0000000000001234"],
    ],
    // 0x46 | CS SEV 2<<12 | MSH ISH 3<<22 | MSIATTR 0xF<<24
    ["CMD_SYNC sev", { op: "CMD_SYNC", cs: "SEV" }, ["0x000000000fc02046", "0x0000000000000000"]],
    // 0x46 | CS IRQ 1<<12 | MSH 3<<22 | MSIATTR 0xF<<24 ; MSIADDR 0x80001230 in 51:2
    [
      "CMD_SYNC msi",
      { op: "CMD_SYNC", cs: "IRQ", msiaddr: 0x80001230 },
      ["0x000000000fc01046", "0x0000000080001230"],
    ],
  ];
  it.each(cases)("%s", (_name, c, expected) => {
    expect(words(c)).toEqual(expected);
  });

  it("throws RangeError when a value does not fit", () => {
    expect(() => buildCmd({ op: "CFGI_CD", sid: 16, ssid: 1 << 20, leaf: true })).toThrow(RangeError);
    expect(() => buildCmd({ op: "TLBI_NH_ASID", asid: 0x10000, vmid: 0 })).toThrow(/ASID/);
    expect(() => buildCmd({ op: "TLBI_NH_VA", asid: 1, vmid: 0, addr: 0x1234, ...range0 })).toThrow(/VA/);
    expect(() =>
      buildCmd({ op: "ATC_INV", sid: 1, ssid: 0, ssv: false, addr: 0, size: 64, global: false }),
    ).toThrow(/SIZE/);
    expect(() => buildCmd({ op: "TLBI_S2_IPA", vmid: 1, addr: 2 ** 52, ...range0 })).toThrow(/IPA/);
  });
});

const u = (bits: number) => fc.integer({ min: 0, max: 2 ** bits - 1 });
const page = (bits: number) => u(bits - 12).map((x) => x * 4096);
const rangeArb = fc.record({
  addr: page(52),
  leaf: fc.boolean(),
  num: u(5),
  scale: u(5),
  tg: u(2),
  ttl: u(2),
});
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({ op: fc.constant("PREFETCH_CFG" as const), sid: u(32) }),
  fc.record({ op: fc.constant("CFGI_STE" as const), sid: u(32), leaf: fc.boolean() }),
  fc.record({ op: fc.constant("CFGI_ALL" as const) }),
  fc.record({ op: fc.constant("CFGI_CD" as const), sid: u(32), ssid: u(20), leaf: fc.boolean() }),
  fc.record({ op: fc.constant("CFGI_CD_ALL" as const), sid: u(32) }),
  fc.record({ op: fc.constant("TLBI_NH_ALL" as const), vmid: u(16) }),
  fc.record({ op: fc.constant("TLBI_NH_ASID" as const), asid: u(16), vmid: u(16) }),
  fc
    .tuple(rangeArb, u(16), u(16))
    .map(([r, asid, vmid]) => ({ op: "TLBI_NH_VA" as const, asid, vmid, ...r })),
  fc.tuple(rangeArb, u(16)).map(([r, vmid]) => ({ op: "TLBI_NH_VAA" as const, vmid, ...r })),
  fc.record({ op: fc.constant("TLBI_EL2_ALL" as const) }),
  fc.record({ op: fc.constant("TLBI_EL2_ASID" as const), asid: u(16) }),
  fc.tuple(rangeArb, u(16)).map(([r, asid]) => ({ op: "TLBI_EL2_VA" as const, asid, ...r })),
  fc.record({ op: fc.constant("TLBI_S12_VMALL" as const), vmid: u(16) }),
  fc.tuple(rangeArb, u(16)).map(([r, vmid]) => ({ op: "TLBI_S2_IPA" as const, vmid, ...r })),
  fc.record({ op: fc.constant("TLBI_NSNH_ALL" as const) }),
  fc.record({
    op: fc.constant("ATC_INV" as const),
    sid: u(32),
    ssid: u(20),
    ssv: fc.boolean(),
    addr: page(52),
    size: u(6),
    global: fc.boolean(),
  }),
  fc.record({
    op: fc.constant("PRI_RESP" as const),
    sid: u(32),
    ssid: u(20),
    ssv: fc.boolean(),
    grpid: u(9),
    resp: fc.constantFrom("DENY" as const, "FAIL" as const, "SUCC" as const),
  }),
  fc.record({
    op: fc.constant("RESUME" as const),
    sid: u(32),
    stag: u(16),
    resp: fc.constantFrom("TERM" as const, "RETRY" as const, "ABORT" as const),
  }),
  fc.record({
    op: fc.constant("CMD_SYNC" as const),
    cs: fc.constantFrom("NONE" as const, "IRQ" as const, "SEV" as const),
    msiaddr: u(50).map((x) => x * 4),
    msidata: u(32),
    msh: u(2),
    msiattr: u(4),
  }),
);

describe("decodeCmd", () => {
  it("inverts buildCmd, both ways", () => {
    fc.assert(
      fc.property(cmdArb, (c) => {
        const w = buildCmd(c);
        expect(decodeCmd(w)).toEqual(c);
        expect(buildCmd(decodeCmd(w) as Cmd)).toEqual(w);
      }),
      { numRuns: 2000 },
    );
  });

  it("fills in what Linux leaves implicit in a SYNC", () => {
    expect(decodeCmd([0x0fc02046n, 0n])).toEqual({
      op: "CMD_SYNC",
      cs: "SEV",
      msiaddr: 0,
      msidata: 0,
      msh: 3,
      msiattr: 0xf,
    });
  });

  it("gives UNKNOWN for an unknown opcode or a reserved encoding", () => {
    expect(decodeCmd([0x99n, 0n])).toEqual({ op: "UNKNOWN", opcode: 0x99 });
    // PRI_RESP with RESP = 3 (dw1 13:12): reserved
    expect(decodeCmd([0x41n, 0x3000n])).toEqual({ op: "UNKNOWN", opcode: 0x41 });
    // CMD_SYNC with CS = 3 (dw0 13:12)
    expect(decodeCmd([0x3046n, 0n])).toEqual({ op: "UNKNOWN", opcode: 0x46 });
  });
});

describe("cmdFields and cmdSummary", () => {
  it("lists the opcode's fields with named values", () => {
    const rows = cmdFields(buildCmd({ op: "CMD_SYNC", cs: "SEV" }));
    expect(rows.map((r) => [r.name, r.text])).toEqual([
      ["OP", "0x46"],
      ["CS", "SEV"],
      ["MSIADDR", "0x0"],
      ["MSIDATA", "0x0"],
      ["MSH", "ISH"],
      ["MSIATTR", "OIWB"],
    ]);
    expect(cmdFields([0x99n, 0n]).map((r) => r.name)).toEqual(["OP"]);
  });

  it("every opcode's layout starts with OP at dw0 7:0", () => {
    for (const op of Object.keys(CMDQ_OP) as CmdOp[]) {
      const rows = cmdFields([BigInt(CMDQ_OP[op]), 0n]);
      expect(rows[0]).toMatchObject({ name: "OP", word: 0, hi: 7, lo: 0, value: BigInt(CMDQ_OP[op]) });
    }
  });

  it("summarises", () => {
    const s = (c: Cmd) => cmdSummary(buildCmd(c));
    expect(s({ op: "CFGI_CD", sid: 16, ssid: 1, leaf: true })).toBe("CFGI_CD sid=16 ssid=1 leaf");
    expect(s({ op: "CMD_SYNC", cs: "SEV" })).toBe("CMD_SYNC cs=SEV");
    expect(s({ op: "CMD_SYNC", cs: "IRQ", msiaddr: 0x1000 })).toBe(
      "CMD_SYNC cs=IRQ msiaddr=0x1000 msidata=0 msh=3 msiattr=15",
    );
    expect(s(atcInvCmd(16, 0, 0, 0))).toBe("ATC_INV sid=16 addr=0x0 size=ALL");
    expect(s(atcInvCmd(16, 1, 0x7000, 0x4000))).toBe("ATC_INV sid=16 ssid=1 addr=0x0 size=4");
    expect(s({ op: "TLBI_NH_VA", asid: 1, vmid: 0, addr: 0x10000, ...range0 })).toBe(
      "TLBI_NH_VA asid=1 vmid=0 addr=0x10000",
    );
    expect(
      s({ op: "TLBI_NH_VA", asid: 1, vmid: 0, addr: 0, leaf: true, num: 2, scale: 0, tg: 1, ttl: 3 }),
    ).toBe("TLBI_NH_VA asid=1 vmid=0 addr=0x0 leaf num=2 scale=0 tg=1 ttl=3");
    expect(s({ op: "RESUME", sid: 3, stag: 7, resp: "RETRY" })).toBe("RESUME sid=3 stag=7 resp=RETRY");
    expect(cmdSummary([0x99n, 0n])).toBe("UNKNOWN opcode=0x99");
  });
});

describe("atcInvCmd (arm_smmu_atc_inv_to_cmd)", () => {
  it("pages 7..10 → one command covering pages 0..15", () => {
    // start 7, end 10: 7 ^ 10 = 0b1101, fls = 4 → 16 pages from page 0
    expect(atcInvCmd(16, 1, 7 * 4096, 4 * 4096)).toEqual({
      op: "ATC_INV",
      sid: 16,
      ssid: 1,
      ssv: true,
      addr: 0,
      size: 4,
      global: false,
    });
  });

  it("computes the smallest aligned span", () => {
    expect(atcInvCmd(1, 2, 0x5000, 0x1000)).toMatchObject({ addr: 0x5000, size: 0 }); // page 5 alone
    expect(atcInvCmd(1, 2, 0x5000, 0x2000)).toMatchObject({ addr: 0x4000, size: 2 }); // 5..6 → 4..7
    expect(atcInvCmd(1, 2, 0x1fff, 2)).toMatchObject({ addr: 0, size: 2 }); // pages 1..2 → 0..3
    // 2^36 pages in: start 0x1000000000, end 0x1000000001 → span 1
    expect(atcInvCmd(1, 2, 2 ** 48, 0x2000)).toMatchObject({ addr: 2 ** 48, size: 1 });
  });

  it("size 0 → SIZE 52 (everything); SSID 0 → SSV 0", () => {
    expect(atcInvCmd(16, 0, 0x1234000, 0)).toEqual({
      op: "ATC_INV",
      sid: 16,
      ssid: 0,
      ssv: false,
      addr: 0,
      size: 52,
      global: false,
    });
    expect(words(atcInvCmd(16, 0, 0, 0))).toEqual(["0x0000001000000040", "0x0000000000000034"]);
  });
});

describe("tlbiRangeCmds (__arm_smmu_tlb_inv_range)", () => {
  const base = { op: "TLBI_NH_VA" as const, asid: 1, iova: 0, granule: 4096 };
  const pick = (cmds: ReturnType<typeof tlbiRangeCmds>) =>
    cmds.map((c) => [c.addr, c.num, c.scale, c.tg, c.ttl, c.leaf]);

  it("without RIL: one command per granule, TG=NUM=SCALE=TTL=0", () => {
    expect(pick(tlbiRangeCmds({ ...base, size: 3 * 4096, leaf: true, ril: false }))).toEqual([
      [0, 0, 0, 0, 0, true],
      [0x1000, 0, 0, 0, 0, true],
      [0x2000, 0, 0, 0, 0, true],
    ]);
    expect(tlbiRangeCmds({ ...base, size: 0, leaf: true, ril: false })).toEqual([]);
  });

  it("with RIL: 3 leaf pages → NUM 2, SCALE 0, TG 1 (4K), TTL 3", () => {
    expect(pick(tlbiRangeCmds({ ...base, size: 3 * 4096, leaf: true, ril: true }))).toEqual([
      [0, 2, 0, 1, 3, true],
    ]);
  });

  it("33 pages = 1 page + 32 pages", () => {
    expect(pick(tlbiRangeCmds({ ...base, size: 33 * 4096, leaf: true, ril: true }))).toEqual([
      [0, 0, 0, 1, 3, true],
      [0x1000, 0, 5, 1, 3, true],
    ]);
  });

  it("100 pages = 25 × 2^2: one command", () => {
    expect(pick(tlbiRangeCmds({ ...base, size: 100 * 4096, leaf: true, ril: true }))).toEqual([
      [0, 24, 2, 1, 3, true],
    ]);
  });

  it("1000 pages = 29 × 2^3 + 3 × 2^8", () => {
    expect(pick(tlbiRangeCmds({ ...base, size: 1000 * 4096, leaf: true, ril: true }))).toEqual([
      [0, 28, 3, 1, 3, true],
      [232 * 4096, 2, 8, 1, 3, true],
    ]);
  });

  it("2 MiB blocks: TTL 2", () => {
    const cmds = tlbiRangeCmds({
      ...base,
      iova: 0x200000,
      size: 0x400000,
      granule: 0x200000,
      leaf: true,
      ril: true,
    });
    expect(pick(cmds)).toEqual([[0x200000, 0, 10, 1, 2, true]]);
  });

  it("64K pages: TG 3, TTL 3", () => {
    const cmds = tlbiRangeCmds({
      ...base,
      size: 5 * 65536,
      granule: 65536,
      tgShift: 16,
      leaf: true,
      ril: true,
    });
    expect(pick(cmds)).toEqual([[0, 4, 0, 3, 3, true]]);
  });

  it("≥6.12 non-leaf bump: 1 page becomes 2 (never NUM=SCALE=TTL=0)", () => {
    expect(pick(tlbiRangeCmds({ ...base, size: 4096, leaf: false, ril: true }))).toEqual([
      [0, 0, 1, 1, 0, false],
    ]);
    expect(pick(tlbiRangeCmds({ ...base, size: 4096, leaf: false, ril: true, bumpNonLeaf: false }))).toEqual([
      [0, 0, 0, 1, 0, false],
    ]);
    // 65 pages: 65 & 31 = 1 → bumped to 66: SCALE 1, n = 33 & 31 = 1 (2 pages), then 64 = 1 × 2^6
    expect(pick(tlbiRangeCmds({ ...base, size: 65 * 4096, leaf: false, ril: true }))).toEqual([
      [0, 0, 1, 1, 0, false],
      [0x2000, 0, 6, 1, 0, false],
    ]);
  });

  it("carries the op's ids and builds valid words", () => {
    const ipa = tlbiRangeCmds({
      op: "TLBI_S2_IPA",
      vmid: 4,
      iova: 0x1000,
      size: 0x1000,
      granule: 4096,
      leaf: true,
      ril: true,
    });
    expect(ipa).toEqual([
      { op: "TLBI_S2_IPA", vmid: 4, addr: 0x1000, leaf: true, num: 0, scale: 0, tg: 1, ttl: 3 },
    ]);
    // 0x2a | VMID 4<<32 ; LEAF | TTL 3<<8 | TG 1<<10 | IPA 0x1000
    expect(words(ipa[0]!)).toEqual(["0x000000040000002a", "0x0000000000001701"]);
    const el2 = tlbiRangeCmds({
      op: "TLBI_EL2_VA",
      asid: 9,
      iova: 0,
      size: 0x1000,
      granule: 4096,
      leaf: true,
      ril: false,
    });
    expect(el2).toEqual([
      { op: "TLBI_EL2_VA", asid: 9, addr: 0, leaf: true, num: 0, scale: 0, tg: 0, ttl: 0 },
    ]);
  });

  it("rejects sizes and granules the driver never passes", () => {
    expect(() => tlbiRangeCmds({ ...base, size: 100, leaf: true, ril: true })).toThrow(RangeError);
    expect(() => tlbiRangeCmds({ ...base, size: 4096, granule: 3000, leaf: true, ril: true })).toThrow(
      RangeError,
    );
  });
});
