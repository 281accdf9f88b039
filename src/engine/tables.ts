/**
 * Where the SMMU finds an STE and a CD in memory: the stream table (linear, or two-level with
 * SPLIT = 8 as Linux sets it) and each master's CD table (linear, or two-level with 1024-CD
 * leaves), reference §2.2 and §3.3. Used by the SMMU for its fetches and by the driver for
 * its writes, so both agree on every address.
 */

import { getField } from "./bits.ts";
import { CD_L1_DESC, CTXDESC_L2_ENTRIES } from "./cd.ts";
import type { Pa } from "./ids.ts";
import { readWord } from "./memory.ts";
import type { TableSpace } from "./pgtable.ts";
import { STE_LAYOUT, STRTAB_L1_DESC } from "./ste.ts";
import type { CdTableState, StreamTableState, World } from "./world.ts";

export const STE_BYTES = 64;
export const CD_BYTES = 64;

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
    return { ok: true, addr: (st.base + sid * STE_BYTES) as Pa, index: sid, entries: 2 ** st.log2size };
  const i = Math.floor(sid / 2 ** st.split);
  const at = st.base + i * 8;
  const l1 = [readWord(w.mem, at)];
  const desc: L1Desc = { index: i, entries: 2 ** (st.log2size - st.split), addr: at, word: l1[0]! };
  const span = Number(getField(l1, STRTAB_L1_DESC.fields.SPAN));
  if (span === 0)
    return {
      ok: false,
      why: `L1 stream table descriptor for StreamID ${sid} is invalid (SPAN 0)`,
      l1: desc,
    };
  const index = sid % 2 ** st.split;
  if (index >= 2 ** (span - 1))
    return { ok: false, why: `StreamID ${sid} is beyond its L2 table's span`, l1: desc };
  const l2 = Number(getField(l1, STRTAB_L1_DESC.fields.L2PTR));
  return { ok: true, addr: (l2 + index * STE_BYTES) as Pa, index, entries: 2 ** st.split, l1: desc };
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
    base: Number(getField(ste, STE_LAYOUT.fields.S1CTXPTR)) as Pa,
    s1cdmax: Number(getField(ste, STE_LAYOUT.fields.S1CDMAX)),
  };
}

/** The configuration cache's key of CD[ssid] of StreamID `sid` (`SmmuState.cfg.cd`). */
export const cdKey = (sid: number, ssid: number): string => `${sid}:${ssid}`;

/** The configuration cache's key of the L1 CD descriptor that locates CD[ssid] of StreamID `sid`. */
export const l1CdKey = (sid: number, ssid: number): string =>
  `${sid}:${Math.floor(ssid / CTXDESC_L2_ENTRIES)}`;

/** A key of `cfg.cd` or `cfg.l1cd` is one of StreamID `sid`'s (what CFGI_STE drops). */
export const cfgKeyOfSid = (key: string, sid: number): boolean => key.startsWith(`${sid}:`);

/** The StreamID of a `cfg.cd` or `cfg.l1cd` key, and its SSID (`cdKey`) or L1 index (`l1CdKey`). */
export function parseCfgKey(key: string): readonly [sid: number, second: number] {
  const colon = key.indexOf(":");
  return [Number(key.slice(0, colon)), Number(key.slice(colon + 1))];
}

/** The address of the L1 CD descriptor that locates CD[ssid] in a 2-level table (§3.3). */
export function cdL1DescAddr(table: CdTableState, ssid: number): number {
  return table.base + Math.floor(ssid / CTXDESC_L2_ENTRIES) * 8;
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
    return { ok: true, addr: (table.base + ssid * CD_BYTES) as Pa, index: ssid, entries: 2 ** table.s1cdmax };
  const desc = cdL1DescAddr(table, ssid);
  const at = {
    index: Math.floor(ssid / CTXDESC_L2_ENTRIES),
    entries: Math.max(1, Math.ceil(2 ** table.s1cdmax / CTXDESC_L2_ENTRIES)),
    addr: desc,
  };
  const word = readL1(desc);
  if (word === null)
    return { ok: false, why: `stage 2 maps no page at IPA 0x${desc.toString(16)}`, s2: true, l1: at };
  const l1 = [word];
  if (getField(l1, CD_L1_DESC.fields.V) === 0n) {
    return { ok: false, why: `L1 CD descriptor for SSID ${ssid} is invalid`, l1: { ...at, word } };
  }
  const l2 = Number(getField(l1, CD_L1_DESC.fields.L2PTR));
  const index = ssid % CTXDESC_L2_ENTRIES;
  return {
    ok: true,
    addr: (l2 + index * CD_BYTES) as Pa,
    index,
    entries: CTXDESC_L2_ENTRIES,
    l1: { ...at, word },
  };
}
