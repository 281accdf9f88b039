/**
 * Where the SMMU finds an STE and a CD in memory: the stream table (linear, or two-level with
 * SPLIT = 8 as Linux sets it) and each master's CD table (linear, or two-level with 1024-CD
 * leaves), reference §2.2 and §3.3. Every address, index and size of these tables is computed
 * here once: the SMMU's fetches, the driver's writes, the trace's table-write ids and the
 * views all use these, so they agree on every address.
 */

import { getField, getPa } from "./bits.ts";
import { CD_L1_DESC, CTXDESC_CD_SIZE, CTXDESC_L1_DESC_SIZE, CTXDESC_L2_ENTRIES } from "./cd.ts";
import type { Pa } from "./ids.ts";
import { readWord } from "./memory.ts";
import type { TableSpace } from "./pgtable.ts";
import { STE_LAYOUT, STRTAB_L1_DESC, STRTAB_L1_DESC_SIZE, STRTAB_STE_SIZE } from "./ste.ts";
import type { CdTableState, StreamTableState, World } from "./world.ts";

// The stream table (§2.2): STE[sid] at base + sid·64, or (2-level) L1 descriptor sid >> SPLIT
// pointing at a leaf of 2^SPLIT STEs holding it at index sid & (2^SPLIT − 1).

type Split = Pick<StreamTableState, "split">;
/**
 * A table's base, in the address space of whoever reads it: a PA for the host's tables, an IPA
 * for a guest's (the addresses computed from it are in the same space).
 */
type Based<A extends number> = { readonly base: A };

/** The L1 descriptor of a 2-level stream table that covers `sid`. */
export const strtabL1Index = (st: Split, sid: number): number => Math.floor(sid / 2 ** st.split);
/** Where `sid`'s STE sits in its leaf. */
export const strtabL2Index = (st: Split, sid: number): number => sid % 2 ** st.split;
/** STEs per leaf (arm_smmu_init_l2_strtab: 256, 16 KiB). */
export const strtabLeafEntries = (st: Split): number => 2 ** st.split;
/** L1 descriptors of a 2-level stream table of 2^log2size StreamIDs. */
export const strtabL1Entries = (st: Pick<StreamTableState, "split" | "log2size">): number =>
  2 ** (st.log2size - st.split);
/** The StreamID of STE `slot` of the leaf under L1 descriptor `index`. */
export const strtabSid = (st: Split, index: number, slot: number): number => index * 2 ** st.split + slot;
/** The address of the L1 descriptor covering `sid`. */
export const strtabL1DescAddr = <A extends number>(st: Based<A> & Split, sid: number): A =>
  (st.base + strtabL1Index(st, sid) * STRTAB_L1_DESC_SIZE) as A;
/** STE[sid] of a linear stream table (the host's, or a guest's at an IPA). */
export const linearSteAddr = <A extends number>(st: Based<A>, sid: number): A =>
  (st.base + sid * STRTAB_STE_SIZE) as A;
/** STE[sid] in the leaf at `l2` (an L1 descriptor's L2Ptr). */
export const leafSteAddr = <A extends number>(st: Split, l2: A, sid: number): A =>
  (l2 + strtabL2Index(st, sid) * STRTAB_STE_SIZE) as A;
/** Bytes of the table the STRTAB_BASE register names: the linear table, or the L1 table. */
export const strtabBytes = (st: Pick<StreamTableState, "fmt" | "split" | "log2size">): number =>
  st.fmt === "linear" ? 2 ** st.log2size * STRTAB_STE_SIZE : strtabL1Entries(st) * STRTAB_L1_DESC_SIZE;

// A CD table (§3.3): CD[ssid] at base + ssid·64, or (S1Fmt = 2) L1 descriptor ssid >> 10
// pointing at a leaf of 1024 CDs holding it at index ssid & 1023.

/** The L1 CD descriptor that covers `ssid`. */
export const cdL1Index = (ssid: number): number => Math.floor(ssid / CTXDESC_L2_ENTRIES);
/** Where CD[ssid] sits in its leaf. */
export const cdL2Index = (ssid: number): number => ssid % CTXDESC_L2_ENTRIES;
/** The first SSID L1 CD descriptor `index` covers. */
export const cdL1FirstSsid = (index: number): number => index * CTXDESC_L2_ENTRIES;
/** L1 entries for 2^s1cdmax CDs: ceil(2^s1cdmax / 1024). */
export const cdL1Entries = (s1cdmax: number): number => Math.ceil(2 ** s1cdmax / CTXDESC_L2_ENTRIES);
/** Bytes of a leaf of 1024 CDs (64 KiB). */
export const CD_LEAF_BYTES = CTXDESC_L2_ENTRIES * CTXDESC_CD_SIZE;
/** The address of the L1 CD descriptor that locates CD[ssid] in a 2-level table. */
export const cdL1DescAddr = <A extends number>(table: Based<A>, ssid: number): A =>
  (table.base + cdL1Index(ssid) * CTXDESC_L1_DESC_SIZE) as A;
/** CD[ssid] of a linear CD table. */
export const linearCdAddr = <A extends number>(table: Based<A>, ssid: number): A =>
  (table.base + ssid * CTXDESC_CD_SIZE) as A;
/** CD[ssid] in the leaf at `l2` (an L1 CD descriptor's L2Ptr). */
export const leafCdAddr = <A extends number>(l2: A, ssid: number): A =>
  (l2 + cdL2Index(ssid) * CTXDESC_CD_SIZE) as A;
/** Bytes of the table the STE's S1ContextPtr names: the linear table, or the L1 table. */
export const cdTableBytes = (fmt: CdTableState["fmt"], s1cdmax: number): number =>
  fmt === "linear" ? 2 ** s1cdmax * CTXDESC_CD_SIZE : cdL1Entries(s1cdmax) * CTXDESC_L1_DESC_SIZE;
/** A 2-level CD table with no leaf for `ssid` yet (arm_smmu_get_cd_ptr must allocate one). */
export const needsCdLeaf = (table: CdTableState, ssid: number): boolean =>
  table.fmt === "2lvl" && table.leaves[cdL1Index(ssid)] === undefined;

/**
 * Where an entry is: its address, its slot in the table that holds it and how many slots that
 * table has (`index`, `entries`: the translation path of the trace, xlate-path.ts), and for a
 * 2-level table the level-1 descriptor that led there.
 */
export type Located =
  | {
      readonly ok: true;
      readonly addr: Pa;
      readonly index?: number;
      readonly entries?: number;
      readonly l1?: L1Desc;
    }
  | { readonly ok: false; readonly why: string; readonly l1?: L1Desc };

/** The level-1 descriptor of a 2-level table that locates an entry: its slot, address and word. */
export interface L1Desc {
  readonly index: number;
  /** Descriptors in the level-1 table. */
  readonly entries: number;
  readonly addr: number;
  /** The descriptor as read (absent when stage 2 mapped no page there). */
  readonly word?: bigint;
}

/** The STE of `sid`: linear base + sid·64, or through the L1 descriptor's L2Ptr. */
export function locateSte(w: World, st: StreamTableState, sid: number): Located {
  if (sid >= 2 ** st.log2size)
    return { ok: false, why: `StreamID ${sid} is beyond the table (2^${st.log2size})` };
  if (st.fmt === "linear")
    return { ok: true, addr: linearSteAddr(st, sid), index: sid, entries: 2 ** st.log2size };
  const at = strtabL1DescAddr(st, sid);
  const word = readWord(w.mem, at);
  const l1 = [word];
  const desc: L1Desc = { index: strtabL1Index(st, sid), entries: strtabL1Entries(st), addr: at, word };
  const span = Number(getField(l1, STRTAB_L1_DESC.fields.SPAN));
  if (span === 0)
    return {
      ok: false,
      why: `L1 stream table descriptor for StreamID ${sid} is invalid (SPAN 0)`,
      l1: desc,
    };
  const index = strtabL2Index(st, sid);
  if (index >= 2 ** (span - 1))
    return { ok: false, why: `StreamID ${sid} is beyond its L2 table's span`, l1: desc };
  const l2 = getPa(l1, STRTAB_L1_DESC.fields.L2PTR);
  return { ok: true, addr: leafSteAddr(st, l2, sid), index, entries: strtabLeafEntries(st), l1: desc };
}

/**
 * CD[ssid] of a CD table: linear base + ssid·64, or through the L1 CD descriptor. With a guest's
 * table (`space`: its stage 2), the descriptor is read through stage 2 and the address returned
 * is an IPA; `s2` says stage 2 did not map the L1 descriptor.
 */
export function locateCd(
  w: World,
  table: CdTableState,
  ssid: number,
  space?: TableSpace,
): Located | { readonly ok: false; readonly why: string; readonly s2: true } {
  return locateCdVia(table, ssid, (desc) => {
    const at = space ? space.toPa(desc) : desc;
    return at === null ? null : readWord(w.mem, at);
  });
}

/**
 * The CD table an STE names: S1ContextPtr and S1CDMax from the STE itself (the SMMU follows the
 * STE it holds, not the driver's bookkeeping), the format and leaves from `table`.
 */
export function cdTableOf(table: CdTableState, ste: readonly bigint[]): CdTableState {
  return {
    ...table,
    base: getPa(ste, STE_LAYOUT.fields.S1CTXPTR),
    s1cdmax: Number(getField(ste, STE_LAYOUT.fields.S1CDMAX)),
  };
}

/** The configuration cache's key of CD[ssid] of StreamID `sid` (`SmmuState.cfg.cd`). */
export const cdKey = (sid: number, ssid: number): string => `${sid}:${ssid}`;

/** The configuration cache's key of the L1 CD descriptor that locates CD[ssid] of StreamID `sid`. */
export const l1CdKey = (sid: number, ssid: number): string => `${sid}:${cdL1Index(ssid)}`;

/** A key of `cfg.cd` or `cfg.l1cd` is one of StreamID `sid`'s (what CFGI_STE drops). */
export const cfgKeyOfSid = (key: string, sid: number): boolean => key.startsWith(`${sid}:`);

/** The StreamID of a `cfg.cd` or `cfg.l1cd` key, and its SSID (`cdKey`) or L1 index (`l1CdKey`). */
export function parseCfgKey(key: string): readonly [sid: number, second: number] {
  const colon = key.indexOf(":");
  return [Number(key.slice(0, colon)), Number(key.slice(colon + 1))];
}

/**
 * `locateCd` with the L1 descriptor supplied by `readL1` (its address in, its value out, or
 * null when stage 2 does not map it): the SMMU passes its configuration cache, which may hold
 * the descriptor, and the driver the memory.
 */
export function locateCdVia(
  table: CdTableState,
  ssid: number,
  readL1: (descAddr: number) => bigint | null,
): Located | { readonly ok: false; readonly why: string; readonly s2: true; readonly l1: L1Desc } {
  if (table.fmt === "linear")
    return { ok: true, addr: linearCdAddr(table, ssid), index: ssid, entries: 2 ** table.s1cdmax };
  const desc = cdL1DescAddr(table, ssid);
  const at = { index: cdL1Index(ssid), entries: cdL1Entries(table.s1cdmax), addr: desc };
  const word = readL1(desc);
  if (word === null)
    return { ok: false, why: `stage 2 maps no page at IPA 0x${desc.toString(16)}`, s2: true, l1: at };
  const l1 = [word];
  if (getField(l1, CD_L1_DESC.fields.V) === 0n) {
    return { ok: false, why: `L1 CD descriptor for SSID ${ssid} is invalid`, l1: { ...at, word } };
  }
  const l2 = getPa(l1, CD_L1_DESC.fields.L2PTR);
  return {
    ok: true,
    addr: leafCdAddr(l2, ssid),
    index: cdL2Index(ssid),
    entries: CTXDESC_L2_ENTRIES,
    l1: { ...at, word },
  };
}
