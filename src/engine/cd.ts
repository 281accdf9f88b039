/**
 * Context descriptors, reference §3 (fields §3.1, quiet CD §3.2, CD tables §3.3, used bits
 * §8). Field names follow Linux arm-smmu-v3.h (`CTXDESC_CD_0_TCR_T0SZ` → T0SZ,
 * `CTXDESC_CD_1_TTB0_MASK` → TTB0, …). The makers return a whole CD for `writeEntry`.
 */

import { defineLayout, getField, memo, prepare, prepareWord, withField } from "./bits.ts";
import type { Asid, Pa } from "./ids.ts";
import { ARM_SMMU_SH } from "./ste.ts";
import { fieldMask, valueNames } from "./write-entry.ts";

export const CTXDESC_CD_DWORDS = 8;
/** Bytes per CD. */
export const CTXDESC_CD_SIZE = 64;
/** CDs per leaf table of a two-level CD table (S1Fmt = 2: 64 KiB leaves). */
export const CTXDESC_L2_ENTRIES = 1024;
/** log2(CTXDESC_L2_ENTRIES): SSID bits that index a leaf. */
export const CTXDESC_SPLIT = 10;
/** Largest linear table Linux uses without CD2L: 2^10 CDs = 64 KiB. */
export const CTXDESC_LINEAR_CDMAX = 10;
export const CTXDESC_L1_DESC_SIZE = 8;

/** TG0, with its odd encoding. */
export const CTXDESC_CD_0_TCR_TG0 = { "4K": 0, "64K": 1, "16K": 2 } as const;
/** IRGN0 / ORGN0 (`ARM_LPAE_TCR_RGN_*`). */
export const ARM_LPAE_TCR_RGN = { NC: 0, WBWA: 1, WT: 2, WB: 3 } as const;
/** IPS and the CPU's PARange share this encoding. */
export const CTXDESC_CD_0_TCR_IPS = {
  "32": 0,
  "36": 1,
  "40": 2,
  "42": 3,
  "44": 4,
  "48": 5,
  "52": 6,
} as const;

export type Tg0 = keyof typeof CTXDESC_CD_0_TCR_TG0;

const RGN = valueNames(ARM_LPAE_TCR_RGN);

/** The CD, 8 qwords (§3.1). */
export const CD_LAYOUT = defineLayout("CD", CTXDESC_CD_DWORDS, [
  { name: "T0SZ", word: 0, hi: 5, lo: 0, doc: "64 − VA bits of the TTB0 region (16 for a 48-bit VA)" },
  { name: "TG0", word: 0, hi: 7, lo: 6, values: valueNames(CTXDESC_CD_0_TCR_TG0), doc: "TTB0 granule" },
  { name: "IRGN0", word: 0, hi: 9, lo: 8, values: RGN, doc: "Inner cacheability of TTB0 walks" },
  { name: "ORGN0", word: 0, hi: 11, lo: 10, values: RGN, doc: "Outer cacheability of TTB0 walks" },
  {
    name: "SH0",
    word: 0,
    hi: 13,
    lo: 12,
    values: valueNames(ARM_SMMU_SH),
    doc: "Shareability of TTB0 walks",
  },
  { name: "EPD0", word: 0, hi: 14, lo: 14, doc: "No TTB0 walks: every access faults (quiet/release CD)" },
  { name: "ENDI", word: 0, hi: 15, lo: 15, doc: "Translation tables are big-endian" },
  { name: "EPD1", word: 0, hi: 30, lo: 30, doc: "No TTB1 walks (Linux: always 1)" },
  { name: "V", word: 0, hi: 31, lo: 31, doc: "Valid; V=0 makes traffic on this SSID raise C_BAD_CD" },
  {
    name: "IPS",
    word: 0,
    hi: 34,
    lo: 32,
    values: valueNames(CTXDESC_CD_0_TCR_IPS),
    doc: "Stage-1 output size in bits (SVA: the CPU's PARange)",
  },
  { name: "AFFD", word: 0, hi: 35, lo: 35, doc: "Access flag fault disable (Linux leaves 0)" },
  { name: "TBI0", word: 0, hi: 38, lo: 38, doc: "Top byte ignore for TTB0 addresses (not set by Linux)" },
  { name: "AA64", word: 0, hi: 41, lo: 41, doc: "Translation tables are AArch64" },
  { name: "HD", word: 0, hi: 42, lo: 42, doc: "Hardware dirty-state update" },
  { name: "HA", word: 0, hi: 43, lo: 43, doc: "Hardware access-flag update" },
  { name: "S", word: 0, hi: 44, lo: 44, doc: "Faults stall (stall-enabled masters only)" },
  { name: "R", word: 0, hi: 45, lo: 45, doc: "Faults are recorded in the event queue" },
  { name: "A", word: 0, hi: 46, lo: 46, doc: "Faults abort the transaction back to the device" },
  { name: "ASET", word: 0, hi: 47, lo: 47, doc: "ASID set: 1 = private, not matched by broadcast TLBIs" },
  { name: "ASID", word: 0, hi: 63, lo: 48, doc: "ASID tagging this context's TLB entries" },
  { name: "HAFT", word: 1, hi: 3, lo: 3, doc: "Hardware access flag in table descriptors (newest kernels)" },
  {
    name: "TTB0",
    word: 1,
    hi: 51,
    lo: 4,
    address: true,
    doc: "Translation table base (SVA: phys(mm->pgd); DMA: the io-pgtable root)",
  },
  { name: "TTB1", word: 2, hi: 51, lo: 4, address: true, doc: "Upper-range table base (unused: EPD1=1)" },
  { name: "MAIR", word: 3, hi: 63, lo: 0, doc: "Memory attributes (SVA: the CPU's MAIR_EL1)" },
]);

/** Level-1 CD descriptor, 8 bytes (§3.3). */
export const CD_L1_DESC = defineLayout("CD_L1_DESC", 1, [
  { name: "V", word: 0, hi: 0, lo: 0, doc: "Valid: the leaf table exists" },
  {
    name: "L2PTR",
    word: 0,
    hi: 51,
    lo: 12,
    address: true,
    doc: "Physical address of the 64 KiB leaf of 1024 CDs",
  },
]);

/** An L1 CD descriptor pointing at a leaf (`arm_smmu_write_cd_l1_desc`). */
export function makeL1Cd(l2ptr: Pa): bigint {
  return prepareWord(CD_L1_DESC, { V: 1, L2PTR: l2ptr });
}

export interface SvaCdOptions {
  readonly asid: Asid;
  /** phys(mm->pgd); null builds the release CD of an exiting mm (`arm_smmu_make_sva_cd(…, NULL, asid)`). */
  readonly ttb0: Pa | null;
  /** 64 − vabits_actual. */
  readonly t0sz?: number;
  /** The CPU page size. */
  readonly tg0?: Tg0;
  /** The CPU's ID_AA64MMFR0.PARange. */
  readonly ips: number;
  /** The CPU's MAIR_EL1. */
  readonly mair: bigint;
  /** The master is stall-enabled: faults stall (S). */
  readonly stall?: boolean;
  /** ASET: 1 from 6.9 on; 0 up to ≈6.8, so a BTM SMMU matched the CPU's broadcast TLBIs. */
  readonly aset?: boolean;
  /** IDR0.STALL_MODEL = force: the release CD keeps S and R. */
  readonly stallForce?: boolean;
}

/**
 * `arm_smmu_make_sva_cd` (6.9+; the same fields as the older shared CD): EPD1, V, IPS, AA64,
 * S if stalling, R, A, ASET, ASID, MAIR; with an mm, also T0SZ, TG0, IRGN0/ORGN0 = WBWA,
 * SH0 = IS and TTB0 = the pgd. Without one (release): EPD0 and no walk fields, and S and R
 * cleared unless stalls are forced, so faults terminate silently.
 *
 * @example
 *   makeSvaCd({ asid: asid(1), ttb0: pa(0x81000), ips: 5, mair: 0xffn })
 */
export function makeSvaCd(o: SvaCdOptions): bigint[] {
  return svaCdOf(o).slice();
}

const svaCdOf = memo(
  (o: SvaCdOptions) => Object.entries(o).join(),
  (o: SvaCdOptions): readonly bigint[] => {
    const common = {
      EPD1: 1,
      V: 1,
      IPS: o.ips,
      AA64: 1,
      S: Boolean(o.stall),
      R: 1,
      A: 1,
      ASET: o.aset ?? true,
      ASID: o.asid,
      MAIR: o.mair,
    } as const;
    if (o.ttb0 === null) {
      const silent = !o.stallForce;
      return prepare(CD_LAYOUT, { ...common, EPD0: 1, S: common.S && !silent, R: !silent });
    }
    return prepare(CD_LAYOUT, {
      ...common,
      T0SZ: o.t0sz ?? 16,
      TG0: CTXDESC_CD_0_TCR_TG0[o.tg0 ?? "4K"],
      IRGN0: ARM_LPAE_TCR_RGN.WBWA,
      ORGN0: ARM_LPAE_TCR_RGN.WBWA,
      SH0: ARM_SMMU_SH.ISH,
      TTB0: o.ttb0,
    });
  },
);

/**
 * The quiet CD written on mm release before 6.9: the live CD with EPD0 set (5.11–6.7,
 * `keep-r`: faults still recorded and stalled), or also with S and R cleared (≈6.8,
 * `clear-s-r`, unless stalls are forced). One qword changes: one sync.
 */
export function makeQuietCd(
  current: readonly bigint[],
  era: "keep-r" | "clear-s-r",
  opts: { readonly stallForce?: boolean } = {},
): bigint[] {
  const f = CD_LAYOUT.fields;
  let cd = withField(current, f.EPD0, 1, CD_LAYOUT.name);
  if (era === "clear-s-r" && !opts.stallForce) {
    cd = withField(withField(cd, f.S, 0), f.R, 0);
  }
  return cd;
}

export interface S1DmaCdOptions {
  readonly asid: Asid;
  /** The io-pgtable root. */
  readonly ttb0: Pa;
  /** The io-pgtable MAIR. */
  readonly mair: bigint;
  /** The SMMU's output size (IDR5.OAS encoding). */
  readonly ips: number;
  readonly t0sz?: number;
  readonly tg0?: Tg0;
  readonly stall?: boolean;
  /** IO_PGTABLE_QUIRK_ARM_HD: dirty tracking, so HA and HD. */
  readonly hd?: boolean;
}

/** `arm_smmu_make_s1_cd`: the private DMA domain's CD at SSID 0 (ASET=1, coherent WBWA/IS walks). */
export function makeS1DmaCd(o: S1DmaCdOptions): bigint[] {
  return prepare(CD_LAYOUT, {
    T0SZ: o.t0sz ?? 16,
    TG0: CTXDESC_CD_0_TCR_TG0[o.tg0 ?? "4K"],
    IRGN0: ARM_LPAE_TCR_RGN.WBWA,
    ORGN0: ARM_LPAE_TCR_RGN.WBWA,
    SH0: ARM_SMMU_SH.ISH,
    EPD1: 1,
    V: 1,
    IPS: o.ips,
    AA64: 1,
    HA: Boolean(o.hd),
    HD: Boolean(o.hd),
    S: Boolean(o.stall),
    R: 1,
    A: 1,
    ASET: 1,
    ASID: o.asid,
    TTB0: o.ttb0,
    MAIR: o.mair,
  });
}

const CD_USED_ALL: readonly bigint[] = new Array(CTXDESC_CD_DWORDS).fill((1n << 64n) - 1n);
const CD_EPD0_IGNORED = fieldMask(CD_LAYOUT, ["T0SZ", "TG0", "IRGN0", "ORGN0", "SH0", "TTB0"]);

/**
 * `arm_smmu_get_cd_used` (§8): V alone when invalid; every bit when valid, except that EPD0=1
 * makes the TTB0 walk fields (T0SZ, TG0, IRGN0, ORGN0, SH0, TTB0) ignored.
 */
export function cdUsedBits(words: readonly bigint[]): bigint[] {
  const f = CD_LAYOUT.fields;
  if (getField(words, f.V) === 0n) return fieldMask(CD_LAYOUT, ["V"]);
  if (getField(words, f.EPD0) === 0n) return CD_USED_ALL.slice();
  return CD_USED_ALL.map((all, i) => all & ~CD_EPD0_IGNORED[i]!);
}
