/**
 * The encodings this part of the model adds, rebuilt bit by bit from Linux arm-smmu-v3.h's own
 * masks (GENMASK_ULL / BIT as the header defines them, FIELD_PREP as include/linux/bitfield.h
 * does), not from our layouts: the whole-PASID ATC_INV (`arm_smmu_atc_inv_to_cmd` with size
 * 0), the illegal range TLBI the kernel built before v6.6, and the CMD_SYNC that
 * `arm_smmu_cmdq_skip_err` writes over a bad command.
 */

import { describe, expect, it } from "vitest";
import { hex64 } from "./bits.ts";
import { atcInvPasidCmd, buildCmd, tlbiRangeCmds } from "./commands.ts";

const GENMASK_ULL = (h: number, l: number) => ((1n << BigInt(h - l + 1)) - 1n) << BigInt(l);
const BIT = (n: number) => 1n << BigInt(n);
/** FIELD_PREP: shift the value to the mask's lowest set bit. */
function FIELD_PREP(mask: bigint, value: number | bigint): bigint {
  let shift = 0n;
  while (((mask >> shift) & 1n) === 0n) shift++;
  const v = BigInt(value) << shift;
  if ((v & ~mask) !== 0n) throw new Error("value does not fit the mask");
  return v;
}

// arm-smmu-v3.h
const CMDQ_0_OP = GENMASK_ULL(7, 0);
const CMDQ_0_SSV = BIT(11);
const CMDQ_ATC_0_SSID = GENMASK_ULL(31, 12);
const CMDQ_ATC_0_SID = GENMASK_ULL(63, 32);
const CMDQ_ATC_0_GLOBAL = BIT(9);
const CMDQ_ATC_1_SIZE = GENMASK_ULL(5, 0);
const CMDQ_ATC_1_ADDR_MASK = GENMASK_ULL(63, 12);
const CMDQ_OP_ATC_INV = 0x40;
const ATC_INV_SIZE_ALL = 52;
const CMDQ_TLBI_0_NUM = GENMASK_ULL(16, 12);
const CMDQ_TLBI_0_SCALE = GENMASK_ULL(24, 20);
const CMDQ_TLBI_0_VMID = GENMASK_ULL(47, 32);
const CMDQ_TLBI_0_ASID = GENMASK_ULL(63, 48);
const CMDQ_TLBI_1_LEAF = BIT(0);
const CMDQ_TLBI_1_TTL = GENMASK_ULL(9, 8);
const CMDQ_TLBI_1_TG = GENMASK_ULL(11, 10);
const CMDQ_TLBI_1_VA_MASK = GENMASK_ULL(63, 12);
const CMDQ_OP_TLBI_NH_VA = 0x12;
const CMDQ_SYNC_0_CS = GENMASK_ULL(13, 12);
const CMDQ_SYNC_0_CS_SEV = 2;
const CMDQ_SYNC_0_MSH = GENMASK_ULL(23, 22);
const ARM_SMMU_SH_ISH = 3;
const CMDQ_SYNC_0_MSIATTR = GENMASK_ULL(27, 24);
const ARM_SMMU_MEMATTR_OIWB = 0xf;
const CMDQ_OP_CMD_SYNC = 0x46;

describe("ATC_INV of a whole PASID (arm_smmu_atc_inv_to_cmd, size 0)", () => {
  it("SSV=1, SSID, SID; ADDR 0, SIZE = ATC_INV_SIZE_ALL; GLOBAL never set", () => {
    const sid = 0x10;
    const ssid = 0xabcde; // a 20-bit PASID: every bit of CMDQ_ATC_0_SSID in use
    const w0 =
      FIELD_PREP(CMDQ_0_OP, CMDQ_OP_ATC_INV) |
      CMDQ_0_SSV |
      FIELD_PREP(CMDQ_ATC_0_SSID, ssid) |
      FIELD_PREP(CMDQ_ATC_0_SID, sid);
    const w1 = FIELD_PREP(CMDQ_ATC_1_SIZE, ATC_INV_SIZE_ALL) | (0n & CMDQ_ATC_1_ADDR_MASK);
    const got = buildCmd(atcInvPasidCmd(sid, ssid));
    expect(got.map(hex64)).toEqual([hex64(w0), hex64(w1)]);
    expect(got[0] & CMDQ_ATC_0_GLOBAL).toBe(0n);
    expect(got.map(hex64)).toEqual(["0x00000010abcde840", "0x0000000000000034"]);
  });
});

describe("the range TLBI a kernel without 'Avoid constructing invalid range commands' sends", () => {
  it("a non-leaf 33-page range unbumped starts with TG=1 (4K), NUM=0, SCALE=0, TTL=0", () => {
    const [first] = tlbiRangeCmds({
      op: "TLBI_NH_VA",
      asid: 5,
      vmid: 0,
      iova: 0x200000,
      size: 33 * 4096,
      granule: 4096,
      leaf: false,
      ril: true,
      bumpNonLeaf: false,
    });
    const w0 =
      FIELD_PREP(CMDQ_0_OP, CMDQ_OP_TLBI_NH_VA) |
      FIELD_PREP(CMDQ_TLBI_0_NUM, 0) |
      FIELD_PREP(CMDQ_TLBI_0_SCALE, 0) |
      FIELD_PREP(CMDQ_TLBI_0_VMID, 0) |
      FIELD_PREP(CMDQ_TLBI_0_ASID, 5);
    const w1 =
      FIELD_PREP(CMDQ_TLBI_1_TG, 1) |
      FIELD_PREP(CMDQ_TLBI_1_TTL, 0) |
      (0n & CMDQ_TLBI_1_LEAF) |
      (0x200000n & CMDQ_TLBI_1_VA_MASK);
    expect(buildCmd(first!).map(hex64)).toEqual([hex64(w0), hex64(w1)]);
  });
});

describe("the CMD_SYNC arm_smmu_cmdq_skip_err writes", () => {
  it("CS=SEV, MSH=ISH, MSIATTR=OIWB, no MSI address", () => {
    const w0 =
      FIELD_PREP(CMDQ_0_OP, CMDQ_OP_CMD_SYNC) |
      FIELD_PREP(CMDQ_SYNC_0_CS, CMDQ_SYNC_0_CS_SEV) |
      FIELD_PREP(CMDQ_SYNC_0_MSH, ARM_SMMU_SH_ISH) |
      FIELD_PREP(CMDQ_SYNC_0_MSIATTR, ARM_SMMU_MEMATTR_OIWB);
    expect(buildCmd({ op: "CMD_SYNC", cs: "SEV" }).map(hex64)).toEqual([hex64(w0), hex64(0n)]);
  });
});
