/**
 * Command queue entries: 16 bytes, two 64-bit words, opcode in dw0 7:0 (reference §1.2).
 * One layout per opcode, named as Linux arm-smmu-v3.h names the fields (`CMDQ_CFGI_0_SID` →
 * SID, `CMDQ_TLBI_1_VA_MASK` → VA, …); `Cmd` mirrors `struct arm_smmu_cmdq_ent`, `buildCmd`
 * is `arm_smmu_cmdq_build_cmd`, and the two helpers at the end compute the ATC_INV span and
 * the range-TLBI chunks exactly as the driver does.
 */

import {
  type DecodedField,
  decode,
  defineLayout,
  type Field,
  type FieldSpec,
  getField,
  hex,
  type Layout,
  memo,
  prepare,
} from "./bits.ts";
import { ARM_SMMU_SH } from "./ste.ts";
import { valueNames } from "./write-entry.ts";

/** `CMDQ_OP_*`. CFGI_ALL is the architecture's CFGI_STE_RANGE with RANGE = 31. */
export const CMDQ_OP = {
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
} as const;

export type CmdOp = keyof typeof CMDQ_OP;

export const CMDQ_SYNC_0_CS = { NONE: 0, IRQ: 1, SEV: 2 } as const;
/** `enum pri_resp`. */
export const PRI_RESP = { DENY: 0, FAIL: 1, SUCC: 2 } as const;
export const CMDQ_RESUME_0_RESP = { TERM: 0, RETRY: 1, ABORT: 2 } as const;
/** Range TLBI granule: 0 = not a range command. */
export const CMDQ_TLBI_1_TG = { NONE: 0, "4K": 1, "16K": 2, "64K": 3 } as const;
/** `ARM_SMMU_MEMATTR_*`, the MSI write's attributes. */
export const ARM_SMMU_MEMATTR = { DEVICE_nGnRE: 0x1, OINC: 0x5, OIWB: 0xf } as const;
/** ATC_INV SIZE meaning "the whole address space". */
export const ATC_INV_SIZE_ALL = 52;
/** CFGI_ALL: a CFGI_STE_RANGE covering 2^32 StreamIDs. */
export const CMDQ_CFGI_1_RANGE_ALL = 31;
export const CMDQ_TLBI_RANGE_NUM_MAX = 31;

export type SyncCs = keyof typeof CMDQ_SYNC_0_CS;
export type PriResp = keyof typeof PRI_RESP;
export type ResumeResp = keyof typeof CMDQ_RESUME_0_RESP;

type Extras = Pick<FieldSpec, "values" | "address">;

/** One field of the table below: name, word, hi:lo, meaning, and extras (values, address). */
function spec<N extends string>(
  name: N,
  word: number,
  hi: number,
  lo: number,
  doc: string,
  more: Extras = {},
) {
  const field: FieldSpec<N> = { name, word, hi, lo, doc, ...more };
  return field;
}
const addr: Extras = { address: true };

// Each field once (§1.2); the per-opcode layouts below pick from these.
const OP = spec("OP", 0, 7, 0, "Opcode");
const SSV = spec("SSV", 0, 11, 11, "SubstreamID valid");
const SSID = spec("SSID", 0, 31, 12, "SubstreamID (PASID)");
const SID = spec("SID", 0, 63, 32, "StreamID");
const LEAF = spec("LEAF", 1, 0, 0, "The entry only, not the L1 descriptor");
const RANGE = spec("RANGE", 1, 4, 0, "2^(RANGE+1) StreamIDs", { values: { [CMDQ_CFGI_1_RANGE_ALL]: "ALL" } });
const NUM = spec("NUM", 0, 16, 12, "Range: NUM+1 chunks of 2^SCALE pages");
const SCALE = spec("SCALE", 0, 24, 20, "Range: log2 of the pages per chunk");
const VMID = spec("VMID", 0, 47, 32, "VMID");
const ASID = spec("ASID", 0, 63, 48, "ASID");
const TLBI_LEAF = spec("LEAF", 1, 0, 0, "Only last-level (leaf) entries changed");
const TTL = spec("TTL", 1, 9, 8, "Level of the leaf entries (0: unknown)", { values: { 0: "ANY" } });
const TG = spec("TG", 1, 11, 10, "Range granule (0: one address)", { values: valueNames(CMDQ_TLBI_1_TG) });
const VA = spec("VA", 1, 63, 12, "Virtual address", addr);
const IPA = spec("IPA", 1, 51, 12, "Intermediate physical address", addr);
const GLOBAL = spec("GLOBAL", 0, 9, 9, "Every PASID (never set by Linux)");
const SIZE = spec("SIZE", 1, 5, 0, "log2 of the 4 KiB pages", { values: { [ATC_INV_SIZE_ALL]: "ALL" } });
const ADDR = spec("ADDR", 1, 63, 12, "First address", addr);
const GRPID = spec("GRPID", 1, 8, 0, "Page request group index");
const PRI_RSP = spec("RESP", 1, 13, 12, "Response to the page request group", {
  values: valueNames(PRI_RESP),
});
const RES_RSP = spec("RESP", 0, 13, 12, "Fate of the stalled transaction", {
  values: valueNames(CMDQ_RESUME_0_RESP),
});
const STAG = spec("STAG", 1, 15, 0, "Stall tag from the event record");
const CS = spec("CS", 0, 13, 12, "Completion signal", { values: valueNames(CMDQ_SYNC_0_CS) });
const MSH = spec("MSH", 0, 23, 22, "Shareability of the MSI write", { values: valueNames(ARM_SMMU_SH) });
const MSIATTR = spec("MSIATTR", 0, 27, 24, "Attributes of the MSI write", {
  values: valueNames(ARM_SMMU_MEMATTR),
});
const MSIDATA = spec("MSIDATA", 0, 63, 32, "Data of the MSI write");
const MSIADDR = spec("MSIADDR", 1, 51, 2, "Target of the MSI write (Linux: this SYNC's slot)", addr);

// Fields in the order a decoded `Cmd` lists them.
const TLBI_RANGE = [TLBI_LEAF, NUM, SCALE, TG, TTL];
const cmd = <const N extends string>(op: CmdOp, fields: readonly FieldSpec<N>[]): Layout<"OP" | N> =>
  defineLayout<"OP" | N>(`CMD_${op}`, 2, [OP, ...fields]);

/** Each command's layout, typed by its fields' names (so `CMD_LAYOUTS.CFGI_CD.fields.SSID` is one). */
export const CMD_LAYOUTS = {
  PREFETCH_CFG: cmd("PREFETCH_CFG", [SID]),
  CFGI_STE: cmd("CFGI_STE", [SID, LEAF]),
  CFGI_ALL: cmd("CFGI_ALL", [SID, RANGE]),
  CFGI_CD: cmd("CFGI_CD", [SID, SSID, LEAF]),
  CFGI_CD_ALL: cmd("CFGI_CD_ALL", [SID]),
  TLBI_NH_ALL: cmd("TLBI_NH_ALL", [VMID]),
  TLBI_NH_ASID: cmd("TLBI_NH_ASID", [ASID, VMID]),
  TLBI_NH_VA: cmd("TLBI_NH_VA", [ASID, VMID, VA, ...TLBI_RANGE]),
  TLBI_NH_VAA: cmd("TLBI_NH_VAA", [VMID, VA, ...TLBI_RANGE]),
  TLBI_EL2_ALL: cmd<never>("TLBI_EL2_ALL", []),
  TLBI_EL2_ASID: cmd("TLBI_EL2_ASID", [ASID]),
  TLBI_EL2_VA: cmd("TLBI_EL2_VA", [ASID, VA, ...TLBI_RANGE]),
  TLBI_S12_VMALL: cmd("TLBI_S12_VMALL", [VMID]),
  TLBI_S2_IPA: cmd("TLBI_S2_IPA", [VMID, IPA, ...TLBI_RANGE]),
  TLBI_NSNH_ALL: cmd<never>("TLBI_NSNH_ALL", []),
  ATC_INV: cmd("ATC_INV", [SID, SSID, SSV, ADDR, SIZE, GLOBAL]),
  PRI_RESP: cmd("PRI_RESP", [SID, SSID, SSV, GRPID, PRI_RSP]),
  RESUME: cmd("RESUME", [SID, STAG, RES_RSP]),
  CMD_SYNC: cmd("CMD_SYNC", [CS, MSIADDR, MSIDATA, MSH, MSIATTR]),
} as const satisfies Record<CmdOp, Layout>;

const OP_ONLY = defineLayout("CMD", 2, [OP]);
const OP_BY_CODE = new Map<number, CmdOp>(Object.entries(CMDQ_OP).map(([op, code]) => [code, op as CmdOp]));

/** The command an opcode names, or undefined for a Reserved opcode (or one this model does not build). */
export const cmdOpByCode = (opcode: number): CmdOp | undefined => OP_BY_CODE.get(opcode);

/** A command's opcode (`CMDQ_0_OP`, dw0 7:0), whatever the opcode: a number of `CMDQ_OP` or not. */
export function cmdOpcode(words: readonly bigint[]): number {
  return Number(getField(words, OP_ONLY.fields.OP));
}

/** The range fields shared by the TLBI-by-address commands (`ent->tlbi`). */
export interface TlbiRange {
  readonly addr: number;
  readonly leaf: boolean;
  readonly num: number;
  readonly scale: number;
  readonly tg: number;
  readonly ttl: number;
}

/** `struct arm_smmu_cmdq_ent`, tagged by opcode. Ids and addresses are plain numbers. */
export type Cmd =
  | { readonly op: "PREFETCH_CFG"; readonly sid: number }
  | { readonly op: "CFGI_STE"; readonly sid: number; readonly leaf: boolean }
  | { readonly op: "CFGI_ALL" }
  | { readonly op: "CFGI_CD"; readonly sid: number; readonly ssid: number; readonly leaf: boolean }
  | { readonly op: "CFGI_CD_ALL"; readonly sid: number }
  | { readonly op: "TLBI_NH_ALL"; readonly vmid: number }
  | { readonly op: "TLBI_NH_ASID"; readonly asid: number; readonly vmid: number }
  | ({ readonly op: "TLBI_NH_VA"; readonly asid: number; readonly vmid: number } & TlbiRange)
  | ({ readonly op: "TLBI_NH_VAA"; readonly vmid: number } & TlbiRange)
  | { readonly op: "TLBI_EL2_ALL" }
  | { readonly op: "TLBI_EL2_ASID"; readonly asid: number }
  | ({ readonly op: "TLBI_EL2_VA"; readonly asid: number } & TlbiRange)
  | { readonly op: "TLBI_S12_VMALL"; readonly vmid: number }
  | ({ readonly op: "TLBI_S2_IPA"; readonly vmid: number } & TlbiRange)
  | { readonly op: "TLBI_NSNH_ALL" }
  | ({
      readonly op: "ATC_INV";
      readonly addr: number;
      readonly size: number;
      readonly global: boolean;
    } & Substream)
  | ({ readonly op: "PRI_RESP"; readonly grpid: number; readonly resp: PriResp } & Substream)
  | { readonly op: "RESUME"; readonly sid: number; readonly stag: number; readonly resp: ResumeResp }
  | SyncCmd;

/** Who an ATC_INV or PRI_RESP is for; `ssv` false means "no PASID" (Linux: ssid != IOMMU_NO_PASID). */
export interface Substream {
  readonly sid: number;
  readonly ssid: number;
  readonly ssv: boolean;
}

/** CMD_SYNC. MSH and MSIATTR default to ISH and OIWB, as Linux always sets them. */
export interface SyncCmd {
  readonly op: "CMD_SYNC";
  readonly cs: SyncCs;
  /** With CS=IRQ: where the SMMU writes MSIDATA (Linux: this SYNC's own queue slot). */
  readonly msiaddr?: number;
  readonly msidata?: number;
  readonly msh?: number;
  readonly msiattr?: number;
}

export type CmdOf<K extends CmdOp> = Extract<Cmd, { readonly op: K }>;

/**
 * A `Cmd` holds every field of its layout but OP (and CFGI_ALL's fixed RANGE), keyed by the
 * field's name in lower case, except that VA and IPA are `addr` (Linux `ent->tlbi.addr`).
 */
const inCmd = (f: Field): boolean => f.name !== "OP" && f.name !== "RANGE";
const keyOf = (f: Field): string => (f.name === "VA" || f.name === "IPA" ? "addr" : f.name.toLowerCase());

/** Fields whose value `Cmd` holds by name: RESP and CS. */
function enumOf(op: CmdOp, field: string): Readonly<Record<string, number>> | undefined {
  if (field === "CS") return CMDQ_SYNC_0_CS;
  if (field === "RESP") return op === "PRI_RESP" ? PRI_RESP : CMDQ_RESUME_0_RESP;
  return undefined;
}

/** What Linux sets without being asked: CFGI_ALL covers every SID; a SYNC's MSI is ISH + write-back. */
const FIXED: Partial<Record<CmdOp, Readonly<Record<string, number>>>> = {
  CFGI_ALL: { RANGE: CMDQ_CFGI_1_RANGE_ALL },
  CMD_SYNC: { MSH: ARM_SMMU_SH.ISH, MSIATTR: ARM_SMMU_MEMATTR.OIWB },
};

/**
 * `arm_smmu_cmdq_build_cmd`: the two words of a command, every field of its opcode's layout
 * filled from the `Cmd` (absent optional values: Linux's defaults, else 0). Throws RangeError
 * naming the field when a value does not fit (an address must also be aligned to the field).
 *
 * @example
 *   buildCmd({ op: "CFGI_CD", sid: 16, ssid: 1, leaf: true }).map(hex64)
 *   // ["0x0000001000001005", "0x0000000000000001"]
 */
export function buildCmd(c: Cmd): [bigint, bigint] {
  const [w0, w1] = built(c);
  return [w0, w1];
}

const built = memo(JSON.stringify, (c: Cmd): readonly [bigint, bigint] => {
  const given = new Map<string, unknown>(Object.entries(c));
  const values: Record<string, number | boolean> = { OP: CMDQ_OP[c.op], ...FIXED[c.op] };
  for (const f of CMD_LAYOUTS[c.op].list.filter(inCmd)) {
    const v = given.get(keyOf(f));
    if (v === undefined) continue;
    const names = enumOf(c.op, f.name);
    values[f.name] = names ? names[String(v)]! : (v as number | boolean);
  }
  const layout: Layout = CMD_LAYOUTS[c.op];
  const [w0, w1] = prepare(layout, values);
  return [w0!, w1!] as const;
});

/**
 * Command `i` of a batch kept as hex words, two a command (how the kernel's programs keep a
 * batch in their locals); throws past the batch's end.
 */
export function cmdAt(hexWords: readonly string[], i: number): [bigint, bigint] {
  const w0 = hexWords[2 * i];
  const w1 = hexWords[2 * i + 1];
  if (w0 === undefined || w1 === undefined)
    throw new RangeError(`no command ${i} in a batch of ${Math.floor(hexWords.length / 2)}`);
  return [BigInt(w0), BigInt(w1)];
}

/**
 * The inverse of `buildCmd`. An opcode outside `CmdOp`, or a reserved RESP/CS encoding, gives
 * `{ op: "UNKNOWN", opcode }`: a command the SMMU rejects with CERROR_ILL.
 */
export const decodeCmd: (words: readonly bigint[]) => Cmd | UnknownCmd = memo(String, (words) => {
  const opcode = cmdOpcode(words);
  const op = OP_BY_CODE.get(opcode);
  if (op === undefined) return { op: "UNKNOWN", opcode };
  if (op === "CFGI_ALL") return { op };
  const out: Record<string, unknown> = { op };
  for (const f of CMD_LAYOUTS[op].list.filter(inCmd)) {
    const key = keyOf(f);
    const v = getField(words, f);
    const names = enumOf(op, f.name);
    if (names) {
      const named = Object.keys(names).find((k) => BigInt(names[k]!) === v);
      if (named === undefined) return { op: "UNKNOWN", opcode };
      out[key] = named;
    } else {
      out[key] = f.width === 1 && !f.address ? v !== 0n : Number(v);
    }
  }
  return out as Cmd;
});

/** A command `decodeCmd` cannot name: unknown opcode or reserved encoding. */
export interface UnknownCmd {
  readonly op: "UNKNOWN";
  readonly opcode: number;
}

/** The rows a detail view shows for a command: every field of its opcode's layout. */
export function cmdFields(words: readonly bigint[]): DecodedField[] {
  const op = OP_BY_CODE.get(cmdOpcode(words));
  return decode(op ? CMD_LAYOUTS[op] : OP_ONLY, words);
}

/**
 * A short human line for a command, e.g. "CFGI_CD sid=16 ssid=1 leaf": flags by name when
 * set, ssid only when meaningful, range fields only for range commands, MSI fields only for
 * CS=IRQ.
 */
export function cmdSummary(words: readonly bigint[]): string {
  const c = decodeCmd(words);
  if (c.op === "UNKNOWN") return `UNKNOWN opcode=${hex(c.opcode)}`;
  const entries: [string, unknown][] = Object.entries(c);
  const isRange = "tg" in c && (c.tg !== 0 || c.num !== 0 || c.scale !== 0 || c.ttl !== 0);
  const parts: string[] = [c.op];
  for (const [k, v] of entries) {
    if (k === "op" || k === "ssv") continue;
    if (k === "ssid" && "ssv" in c && !c.ssv) continue;
    if (!isRange && (k === "num" || k === "scale" || k === "tg" || k === "ttl")) continue;
    if (c.op === "CMD_SYNC" && k !== "cs" && c.cs !== "IRQ") continue;
    if (typeof v === "boolean") {
      if (v) parts.push(k);
    } else if (k === "addr" || k === "msiaddr") {
      parts.push(`${k}=${hex(Number(v))}`);
    } else {
      parts.push(`${k}=${k === "size" && v === ATC_INV_SIZE_ALL ? "ALL" : String(v)}`);
    }
  }
  return parts.join(" ");
}

/** Index (1-based) of the most significant set bit; 0 for 0 (Linux `fls_long`). */
const fls = (x: bigint): number => (x === 0n ? 0 : x.toString(2).length);
/** Index of the least significant set bit of a non-zero value (Linux `__ffs`). */
const ffs = (x: bigint): number => fls(x & -x) - 1;

/**
 * `arm_smmu_atc_inv_to_cmd` (§1.2): one ATC_INV covering [iova, iova+size) with the smallest
 * aligned power-of-two span of 4 KiB pages; size 0 means everything (SIZE 52); SSID 0
 * (IOMMU_NO_PASID) sends no PASID (SSV 0), which also hits PASID-tagged ATC entries.
 *
 * Steps: start = iova >> 12, end = (iova + size − 1) >> 12; span = fls(start ^ end);
 * ADDR = start rounded down to 2^span pages; SIZE = span.
 *
 * @example
 *   atcInvCmd(16, 1, 7 * 4096, 4 * 4096) // pages 7..10 → { addr: 0, size: 4, … }: pages 0..15
 */
export function atcInvCmd(sid: number, ssid: number, iova: number, size: number): CmdOf<"ATC_INV"> {
  const base = { op: "ATC_INV", sid, ssid, ssv: ssid !== 0, global: false } as const;
  if (size === 0) return { ...base, addr: 0, size: ATC_INV_SIZE_ALL };
  const start = BigInt(iova) >> 12n;
  const end = (BigInt(iova) + BigInt(size) - 1n) >> 12n;
  const span = fls(start ^ end);
  const first = (start >> BigInt(span)) << BigInt(span);
  return { ...base, addr: Number(first << 12n), size: span };
}

/**
 * ATC_INV of a PASID's whole address space: `arm_smmu_atc_inv_to_cmd(ssid, 0, 0, &cmd)`, which
 * the kernel sends when a size is 0 — `arm_smmu_atc_inv_master` (attach, detach), the release
 * of an mm, and an invalidation the notifier has widened to everything (the TLBI threshold).
 * SSV=1 with the PASID, ADDR 0, SIZE 52 (ATC_INV_SIZE_ALL: a 2^64-byte span, §4.5.1).
 *
 * @example
 *   buildCmd(atcInvPasidCmd(16, 1)).map(hex64) // ["0x0000001000001840", "0x0000000000000034"]
 */
export function atcInvPasidCmd(sid: number, ssid: number): CmdOf<"ATC_INV"> {
  return atcInvCmd(sid, ssid, 0, 0);
}

export type TlbiRangeOp = "TLBI_NH_VA" | "TLBI_S2_IPA" | "TLBI_EL2_VA";

export interface TlbiRangeOptions {
  readonly op: TlbiRangeOp;
  readonly asid?: number;
  readonly vmid?: number;
  readonly iova: number;
  readonly size: number;
  /** The granule the caller invalidates at (a power of two, ≥ the smallest page). */
  readonly granule: number;
  readonly leaf: boolean;
  /** IDR3.RIL: range invalidation (ARM_SMMU_FEAT_RANGE_INV). */
  readonly ril: boolean;
  /** log2 of the smallest page in the domain's pgsize_bitmap: 12, 14 or 16. */
  readonly tgShift?: number;
  /** ≥6.12: a non-leaf range whose page count ends in NUM=0,SCALE=0 is widened by one page. */
  readonly bumpNonLeaf?: boolean;
  /**
   * Before Linux v6.5 ("Set TTL invalidation hint better", 6833b8f2e199) the TTL came from the
   * granule for non-leaf invalidations too (TTL=3 for 4 KiB pages: "level 3 only").
   */
  readonly ttlNonLeaf?: boolean;
}

/**
 * `__arm_smmu_tlb_inv_range` (§1.2): the TLBI-by-address commands for [iova, iova+size).
 *
 * Without RIL: one command per granule, TG = NUM = SCALE = TTL = 0.
 * With RIL: TG = (tgShift − 10) / 2; TTL = 4 − (log2(granule) − 3) / (tgShift − 3) for leaf
 * invalidations, else 0; then, from num_pages = size >> tgShift, repeatedly: SCALE = lowest
 * set bit, n = (num_pages >> SCALE) & 31, NUM = n − 1, cover n·2^SCALE pages, subtract.
 *
 * @example
 *   tlbiRangeCmds({ op: "TLBI_NH_VA", asid: 1, iova: 0, size: 33 * 4096, granule: 4096, leaf: true, ril: true })
 *   // 33 pages = 1 + 32: [{ addr: 0, num: 0, scale: 0, tg: 1, ttl: 3, … }, { addr: 0x1000, num: 0, scale: 5, … }]
 */
export function tlbiRangeCmds(o: TlbiRangeOptions): CmdOf<TlbiRangeOp>[] {
  const tgShift = o.tgShift ?? 12;
  if (tgShift !== 12 && tgShift !== 14 && tgShift !== 16)
    throw new RangeError(`tgShift ${tgShift}: not 12/14/16`);
  const granuleShift = Math.log2(o.granule);
  if (!Number.isInteger(granuleShift) || granuleShift < tgShift) {
    throw new RangeError(`granule ${o.granule}: not a power of two of at least 2^${tgShift}`);
  }
  if (o.size === 0) return [];
  let iova = BigInt(o.iova);
  const end = iova + BigInt(o.size);
  let numPages = 0n;
  let tg = 0;
  let ttl = 0;
  if (o.ril) {
    if (o.size % 2 ** tgShift !== 0) throw new RangeError(`size ${o.size} is not a multiple of 2^${tgShift}`);
    numPages = BigInt(o.size) >> BigInt(tgShift);
    tg = (tgShift - 10) / 2;
    if (o.leaf || o.ttlNonLeaf) ttl = 4 - Math.floor((granuleShift - 3) / (tgShift - 3));
    if (!o.leaf && (o.bumpNonLeaf ?? true) && (numPages & BigInt(CMDQ_TLBI_RANGE_NUM_MAX)) === 1n) numPages++;
  }
  const out: CmdOf<TlbiRangeOp>[] = [];
  while (iova < end) {
    let num = 0;
    let scale = 0;
    let invRange = BigInt(o.granule);
    if (o.ril) {
      scale = ffs(numPages);
      const n = (numPages >> BigInt(scale)) & BigInt(CMDQ_TLBI_RANGE_NUM_MAX);
      num = Number(n) - 1;
      invRange = n << BigInt(scale + tgShift);
      numPages -= n << BigInt(scale);
    }
    // FIELD_PREP(CMDQ_TLBI_0_SCALE, scale) masks a runtime value to the field's 5 bits: a range
    // of 2^32 pages or more aligned to its size (only the model's whole-VA-space munmap makes
    // one) is sent with SCALE = scale mod 32, as Linux would send it, and invalidates less.
    const range = { addr: Number(iova), leaf: o.leaf, num, scale: scale % 32, tg, ttl };
    const asid = o.asid ?? 0;
    const vmid = o.vmid ?? 0;
    switch (o.op) {
      case "TLBI_NH_VA":
        out.push({ op: o.op, asid, vmid, ...range });
        break;
      case "TLBI_S2_IPA":
        out.push({ op: o.op, vmid, ...range });
        break;
      case "TLBI_EL2_VA":
        out.push({ op: o.op, asid, ...range });
        break;
      default: {
        const _exhaustive: never = o.op;
        throw new Error(`unreachable ${String(_exhaustive)}`);
      }
    }
    iova += invRange;
  }
  return out;
}
