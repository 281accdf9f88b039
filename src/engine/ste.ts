/**
 * Stream table entries, reference §2 (fields §2.1, layout §2.2, used bits §8). Field names
 * follow Linux arm-smmu-v3.h (`STRTAB_STE_0_CFG` → CONFIG, `STRTAB_STE_0_S1CTXPTR_MASK` →
 * S1CTXPTR, …); the makers follow the ≥6.9 `arm_smmu_make_*_ste` builders, which return a
 * whole entry for `writeEntry` to install.
 */

import { defineLayout, getField, prepare, prepareWord } from "./bits.ts";
import type { Pa, Vmid } from "./ids.ts";
import { fieldMask, valueNames } from "./write-entry.ts";

export const STRTAB_STE_DWORDS = 8;
export const STRTAB_STE_SIZE = 64;
/** Bytes per L1 stream table descriptor (STRTAB_L1_DESC_DWORDS = 1). */
export const STRTAB_L1_DESC_SIZE = 8;
/** Linux's two-level stream table: SID bits that index an L2 table (256 STEs, 16 KiB). */
export const STRTAB_SPLIT = 8;

export const STRTAB_STE_0_CFG = { ABORT: 0, BYPASS: 4, S1_TRANS: 5, S2_TRANS: 6, NESTED: 7 } as const;
export const STRTAB_STE_0_S1FMT = { LINEAR: 0, "4K_L2": 1, "64K_L2": 2 } as const;
export const STRTAB_STE_1_S1DSS = { TERMINATE: 0, BYPASS: 1, SSID0: 2 } as const;
export const STRTAB_STE_1_S1C_CACHE = { NC: 0, WBRA: 1, WT: 2, WB: 3 } as const;
/** Shareability encodings (`ARM_SMMU_SH_*`), shared by STE, CD and CMD_SYNC fields. */
export const ARM_SMMU_SH = { NSH: 0, OSH: 2, ISH: 3 } as const;
export const STRTAB_STE_1_EATS = { ABT: 0, TRANS: 1, S1CHK: 2 } as const;
export const STRTAB_STE_1_STRW = { NSEL1: 0, EL2: 2 } as const;
export const STRTAB_STE_1_SHCFG = { NSH: 0, INCOMING: 1, OSH: 2, ISH: 3 } as const;
/** Stage-2 granule (VTCR.S2TG), with the same odd encoding as CD.TG0. */
export const VTCR_S2TG = { "4K": 0, "64K": 1, "16K": 2 } as const;

export type SteConfig = keyof typeof STRTAB_STE_0_CFG;
export type S1Dss = keyof typeof STRTAB_STE_1_S1DSS;

const CACHE = valueNames(STRTAB_STE_1_S1C_CACHE);
const SH = valueNames(ARM_SMMU_SH);

/** The STE, 8 qwords (§2.1). */
export const STE_LAYOUT = defineLayout("STE", STRTAB_STE_DWORDS, [
  { name: "V", word: 0, hi: 0, lo: 0, doc: "Valid; V=0 makes any traffic raise C_BAD_STE" },
  {
    name: "CONFIG",
    word: 0,
    hi: 3,
    lo: 1,
    values: valueNames(STRTAB_STE_0_CFG),
    doc: "What the stream does: abort, bypass, stage 1, stage 2, or both (nested)",
  },
  {
    name: "S1FMT",
    word: 0,
    hi: 5,
    lo: 4,
    values: valueNames(STRTAB_STE_0_S1FMT),
    doc: "CD table format: linear, or two-level with 4K/64K leaves",
  },
  {
    name: "S1CTXPTR",
    word: 0,
    hi: 51,
    lo: 6,
    address: true,
    doc: "S1ContextPtr: physical address of the CD table (or of its L1 table)",
  },
  { name: "S1CDMAX", word: 0, hi: 63, lo: 59, doc: "log2 of the number of CDs (0: no substreams)" },
  {
    name: "S1DSS",
    word: 1,
    hi: 1,
    lo: 0,
    values: valueNames(STRTAB_STE_1_S1DSS),
    doc: "Traffic without a PASID when S1CDMax > 0: terminate, bypass stage 1, or use CD[0]",
  },
  { name: "S1CIR", word: 1, hi: 3, lo: 2, values: CACHE, doc: "Inner cacheability of CD fetches" },
  { name: "S1COR", word: 1, hi: 5, lo: 4, values: CACHE, doc: "Outer cacheability of CD fetches" },
  { name: "S1CSH", word: 1, hi: 7, lo: 6, values: SH, doc: "Shareability of CD fetches" },
  { name: "MEV", word: 1, hi: 19, lo: 19, doc: "Merge events: the SMMU may coalesce similar event records" },
  { name: "S2FWB", word: 1, hi: 25, lo: 25, doc: "Stage 2 forces write-back attributes (newer kernels)" },
  {
    name: "S1STALLD",
    word: 1,
    hi: 27,
    lo: 27,
    doc: "Stall disable: stage-1 faults of this stream never stall",
  },
  {
    name: "EATS",
    word: 1,
    hi: 29,
    lo: 28,
    values: valueNames(STRTAB_STE_1_EATS),
    doc: "ATS: requests aborted, full ATS (translated traffic trusted), or split-stage",
  },
  {
    name: "STRW",
    word: 1,
    hi: 31,
    lo: 30,
    values: valueNames(STRTAB_STE_1_STRW),
    doc: "StreamWorld: the translation regime TLB entries are tagged with",
  },
  {
    name: "SHCFG",
    word: 1,
    hi: 45,
    lo: 44,
    values: valueNames(STRTAB_STE_1_SHCFG),
    doc: "Shareability override for bypassed traffic (1: use incoming)",
  },
  { name: "S2VMID", word: 2, hi: 15, lo: 0, doc: "VMID tagging this stream's TLB entries (0 for S1-only)" },
  { name: "VTCR", word: 2, hi: 50, lo: 32, doc: "Stage-2 translation control (see VTCR_LAYOUT)" },
  { name: "S2AA64", word: 2, hi: 51, lo: 51, doc: "Stage-2 tables are AArch64" },
  { name: "S2ENDI", word: 2, hi: 52, lo: 52, doc: "Stage-2 tables are big-endian" },
  {
    name: "S2PTW",
    word: 2,
    hi: 54,
    lo: 54,
    doc: "Protected table walk: stage-1 walks to device memory fault",
  },
  { name: "S2S", word: 2, hi: 57, lo: 57, doc: "Stage-2 faults stall" },
  { name: "S2R", word: 2, hi: 58, lo: 58, doc: "Stage-2 faults are recorded in the event queue" },
  { name: "S2TTB", word: 3, hi: 51, lo: 4, address: true, doc: "Stage-2 translation table base" },
]);

/** The VTCR field of the STE, bit positions relative to STE dw2 bit 32 (`STRTAB_STE_2_VTCR_*`). */
export const VTCR_LAYOUT = defineLayout("STE.VTCR", 1, [
  { name: "S2T0SZ", word: 0, hi: 5, lo: 0, doc: "64 − IPA bits" },
  { name: "S2SL0", word: 0, hi: 7, lo: 6, doc: "Starting level of the stage-2 walk" },
  { name: "S2IR0", word: 0, hi: 9, lo: 8, values: CACHE, doc: "Inner cacheability of stage-2 walks" },
  { name: "S2OR0", word: 0, hi: 11, lo: 10, values: CACHE, doc: "Outer cacheability of stage-2 walks" },
  { name: "S2SH0", word: 0, hi: 13, lo: 12, values: SH, doc: "Shareability of stage-2 walks" },
  { name: "S2TG", word: 0, hi: 15, lo: 14, values: valueNames(VTCR_S2TG), doc: "Stage-2 granule" },
  {
    name: "S2PS",
    word: 0,
    hi: 18,
    lo: 16,
    doc: "Stage-2 output size (0..6 = 32, 36, 40, 42, 44, 48, 52 bits)",
  },
]);

/** Level-1 stream table descriptor, 8 bytes (§2.2). */
export const STRTAB_L1_DESC = defineLayout("STRTAB_L1_DESC", 1, [
  { name: "SPAN", word: 0, hi: 4, lo: 0, doc: "L2 table holds 2^(SPAN−1) STEs; 0 = invalid descriptor" },
  { name: "L2PTR", word: 0, hi: 51, lo: 6, address: true, doc: "Physical address of the L2 stream table" },
]);

/** An L1 stream table descriptor as Linux writes it (SPAN = STRTAB_SPLIT + 1). */
export function makeL1Std(l2ptr: Pa, span = STRTAB_SPLIT + 1): bigint {
  return prepareWord(STRTAB_L1_DESC, { SPAN: span, L2PTR: l2ptr });
}

/** SMMU features the makers look at (Linux `smmu->features`). */
export interface SteSmmuFeatures {
  /** ARM_SMMU_FEAT_ATTR_TYPES_OVR: SHCFG can ask for incoming shareability. Default true. */
  readonly attrTypesOvr?: boolean;
  /** ARM_SMMU_FEAT_STALLS: the SMMU can stall, so non-stalling masters set S1STALLD. */
  readonly stalls?: boolean;
  /** ARM_SMMU_FEAT_E2H: streams use the EL2 world (STRW=EL2) to match a VHE host. */
  readonly e2h?: boolean;
}

/** `arm_smmu_make_abort_ste`: V=1, Config=abort; traffic is terminated silently. */
export function makeAbortSte(): bigint[] {
  return prepare(STE_LAYOUT, { V: 1, CONFIG: STRTAB_STE_0_CFG.ABORT });
}

/** `arm_smmu_make_bypass_ste`: V=1, Config=bypass, SHCFG=incoming when the SMMU can override. */
export function makeBypassSte(smmu: SteSmmuFeatures = {}): bigint[] {
  return prepare(STE_LAYOUT, {
    V: 1,
    CONFIG: STRTAB_STE_0_CFG.BYPASS,
    SHCFG: (smmu.attrTypesOvr ?? true) ? STRTAB_STE_1_SHCFG.INCOMING : 0,
  });
}

export interface CdTableSteOptions extends SteSmmuFeatures {
  readonly cdTable: Pa;
  readonly s1fmt: "linear" | "64k_l2";
  /** log2 of the number of CDs (the master's ssid_bits), 0..31. */
  readonly s1cdmax: number;
  readonly s1dss: S1Dss;
  /** ATS is enabled for this master: EATS=1 (full ATS). */
  readonly ats: boolean;
  /** The master is stall-enabled (dma-can-stall + IOPF). */
  readonly stall?: boolean;
}

/**
 * `arm_smmu_make_cdtable_ste`: stage 1 through the master's CD table. CD fetches are WBRA,
 * inner shareable; StreamWorld NS-EL1 with VMID 0 (or EL2 with E2H).
 *
 * @example
 *   makeCdTableSte({ cdTable: pa(0x40000), s1fmt: "linear", s1cdmax: 8, s1dss: "SSID0", ats: true })
 */
export function makeCdTableSte(o: CdTableSteOptions): bigint[] {
  return prepare(STE_LAYOUT, {
    V: 1,
    CONFIG: STRTAB_STE_0_CFG.S1_TRANS,
    S1FMT: o.s1fmt === "linear" ? STRTAB_STE_0_S1FMT.LINEAR : STRTAB_STE_0_S1FMT["64K_L2"],
    S1CTXPTR: o.cdTable,
    S1CDMAX: o.s1cdmax,
    S1DSS: STRTAB_STE_1_S1DSS[o.s1dss],
    S1CIR: STRTAB_STE_1_S1C_CACHE.WBRA,
    S1COR: STRTAB_STE_1_S1C_CACHE.WBRA,
    S1CSH: ARM_SMMU_SH.ISH,
    S1STALLD: Boolean(o.stalls) && !o.stall,
    EATS: o.ats ? STRTAB_STE_1_EATS.TRANS : STRTAB_STE_1_EATS.ABT,
    SHCFG: (o.attrTypesOvr ?? true) && o.s1dss === "BYPASS" ? STRTAB_STE_1_SHCFG.INCOMING : 0,
    STRW: o.e2h ? STRTAB_STE_1_STRW.EL2 : STRTAB_STE_1_STRW.NSEL1,
    S2VMID: 0,
  });
}

/** The io-pgtable stage-2 VTCR values (`arm_lpae_s2_cfg.vtcr`). */
export interface VtcrFields {
  readonly tsz: number;
  readonly sl: number;
  readonly irgn: number;
  readonly orgn: number;
  readonly sh: number;
  readonly tg: number;
  readonly ps: number;
}

export interface S2SteOptions {
  readonly vmid: Vmid;
  readonly s2ttb: Pa;
  readonly vtcr: VtcrFields;
  readonly ats: boolean;
  /** The master is stall-enabled: stage-2 faults stall (S2S). */
  readonly stall?: boolean;
  readonly attrTypesOvr?: boolean;
}

/** `arm_smmu_make_s2_domain_ste`: stage 2 only, AArch64 tables, protected walk, faults recorded. */
export function makeS2Ste(o: S2SteOptions): bigint[] {
  const vtcr = prepareWord(VTCR_LAYOUT, {
    S2T0SZ: o.vtcr.tsz,
    S2SL0: o.vtcr.sl,
    S2IR0: o.vtcr.irgn,
    S2OR0: o.vtcr.orgn,
    S2SH0: o.vtcr.sh,
    S2TG: o.vtcr.tg,
    S2PS: o.vtcr.ps,
  });
  return prepare(STE_LAYOUT, {
    V: 1,
    CONFIG: STRTAB_STE_0_CFG.S2_TRANS,
    EATS: o.ats ? STRTAB_STE_1_EATS.TRANS : STRTAB_STE_1_EATS.ABT,
    SHCFG: (o.attrTypesOvr ?? true) ? STRTAB_STE_1_SHCFG.INCOMING : 0,
    S2VMID: o.vmid,
    VTCR: vtcr,
    S2AA64: 1,
    S2PTW: 1,
    S2S: Boolean(o.stall),
    S2R: 1,
    S2TTB: o.s2ttb,
  });
}

const STE_USED_ALWAYS = fieldMask(STE_LAYOUT, ["V"]);
const STE_USED_VALID = fieldMask(STE_LAYOUT, ["CONFIG"]);
const STE_USED_S1 = fieldMask(STE_LAYOUT, [
  "S1FMT",
  "S1CTXPTR",
  "S1CDMAX",
  "S1DSS",
  "S1CIR",
  "S1COR",
  "S1CSH",
  "S1STALLD",
  "STRW",
  "EATS",
  "S2VMID",
]);
const STE_USED_S2 = fieldMask(STE_LAYOUT, [
  "EATS",
  "SHCFG",
  "S2VMID",
  "VTCR",
  "S2AA64",
  "S2ENDI",
  "S2PTW",
  "S2S",
  "S2R",
  "S2TTB",
]);
const STE_USED_SHCFG = fieldMask(STE_LAYOUT, ["SHCFG"]);

function or(a: bigint[], b: readonly bigint[]): void {
  for (let i = 0; i < a.length; i++) a[i] = a[i]! | (b[i] ?? 0n);
}

/**
 * `arm_smmu_get_ste_used` (§8): V always; Config if V; the stage-1 fields if Config bit 0,
 * SHCFG too when S1DSS=bypass; the stage-2 fields if Config bit 1; SHCFG for bypass.
 */
export function steUsedBits(words: readonly bigint[]): bigint[] {
  const used = STE_USED_ALWAYS.slice();
  const f = STE_LAYOUT.fields;
  if (getField(words, f.V) === 0n) return used;
  or(used, STE_USED_VALID);
  const cfg = Number(getField(words, f.CONFIG));
  if (cfg & 1) {
    or(used, STE_USED_S1);
    if (getField(words, f.S1DSS) === BigInt(STRTAB_STE_1_S1DSS.BYPASS)) or(used, STE_USED_SHCFG);
  }
  if (cfg & 2) or(used, STE_USED_S2);
  if (cfg === STRTAB_STE_0_CFG.BYPASS) or(used, STE_USED_SHCFG);
  return used;
}

/** The vSTE fields a guest may set (`STRTAB_STE_0_NESTING_ALLOWED`, `STRTAB_STE_1_NESTING_ALLOWED`). */
export const STE_NESTING_ALLOWED = [
  "V",
  "CONFIG",
  "S1FMT",
  "S1CTXPTR",
  "S1CDMAX",
  "S1DSS",
  "S1CIR",
  "S1COR",
  "S1CSH",
  "S1STALLD",
  "EATS",
] as const;

/**
 * The physical STE of a nested domain (`arm_smmu_make_nested_domain_ste`, reference §7): the
 * nesting parent's stage-2 STE with Config=nested, the guest's stage-1 fields copied from its
 * vSTE (S1ContextPtr is a guest IPA), MEV=1 so a guest cannot flood the event queue, and EATS
 * set by the kernel, not the guest. A vSTE with V=0 becomes an abort STE; a bypass vSTE the plain
 * stage-2 STE.
 */
export function makeNestedSte(vste: readonly bigint[], s2: S2SteOptions): bigint[] {
  const f = (name: (typeof STE_NESTING_ALLOWED)[number]) => Number(getField(vste, STE_LAYOUT.fields[name]));
  if (f("V") === 0) return makeAbortSte();
  const base = makeS2Ste(s2);
  if (f("CONFIG") !== STRTAB_STE_0_CFG.S1_TRANS) return base;
  const fields: Record<string, number | boolean> = {};
  for (const name of STE_NESTING_ALLOWED) if (name !== "EATS") fields[name] = f(name);
  return prepare(STE_LAYOUT, {
    ...Object.fromEntries(STE_LAYOUT.list.map((fd) => [fd.name, Number(getField(base, fd))])),
    ...fields,
    CONFIG: STRTAB_STE_0_CFG.NESTED,
    MEV: 1,
  });
}
