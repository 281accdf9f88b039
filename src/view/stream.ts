/**
 * View model of the stream table → CD table diagram: each device's STE and the CDs of its
 * table that hold something (valid, or cleared but not zeroed, or still cached), with the
 * configuration cache's state for each.
 */

import type { DeviceState, World } from "../engine/index.ts";
import {
  CD_LAYOUT,
  CD_LEAF_BYTES,
  CTXDESC_CD_SIZE,
  CTXDESC_L2_ENTRIES,
  cdKey,
  cdL1FirstSsid,
  cdTableBytes,
  getField,
  locateSte,
  parseCfgKey,
  readWords,
  STE_LAYOUT,
} from "../engine/index.ts";
import { hexNum, sameWords } from "./format.ts";
import { cdWords, pgdOwner, toPa } from "./nested.ts";

/** How the SMMU's configuration cache relates to the entry in memory. */
export type CacheState = "none" | "cached" | "differs";

export interface CdRow {
  readonly id: string;
  readonly sid: number;
  readonly ssid: number;
  readonly v: boolean;
  readonly epd0: boolean;
  readonly asid: number;
  readonly aset: boolean;
  readonly ttb0: string;
  /** Whose page table TTB0 names: a process, the device's DMA domain, or "". */
  readonly owner: string;
  readonly cache: CacheState;
}

export interface SteRow {
  readonly id: string;
  readonly device: string;
  readonly sid: number;
  readonly addr: string;
  readonly ok: boolean;
  readonly v: boolean;
  readonly config: string;
  readonly s1cdmax: number;
  readonly eats: string;
  readonly s1ctxptr: string;
  readonly cache: CacheState;
  readonly cds: readonly CdRow[];
  /** A nested STE (Config=NESTED): S1ContextPtr is an IPA; stage 2 gives its PA. */
  readonly nested?: {
    readonly vm: string;
    readonly ctxPa: string;
    readonly vmid: number;
    readonly s2ttb: string;
  };
}

function cacheState(cached: readonly bigint[] | undefined, mem: readonly bigint[]): CacheState {
  if (!cached) return "none";
  return sameWords(cached, mem) ? "cached" : "differs";
}

interface Region {
  readonly base: number;
  readonly end: number;
  readonly first: number;
  readonly sid: number;
}

/**
 * Every SSID whose CD has a non-zero word in memory, per StreamID: one pass over the sparse
 * word map for all devices (a binary search of the CD table regions per word), plus the CDs
 * the configuration cache still holds.
 */
function usedSsids(w: World): Map<number, number[]> {
  const regions: Region[] = [];
  const found = new Map<number, Set<number>>(w.devices.map((d) => [d.sid, new Set<number>()]));
  for (const dev of w.devices) {
    const t = dev.cdTable;
    // A VM's CD table is in guest RAM at an IPA: its CDs are read one by one through stage 2.
    if (dev.vm !== undefined) {
      // Linear: at most 1024 CDs; 2-level: the 1024 of each leaf the guest allocated.
      const firsts = t.fmt === "linear" ? [0] : Object.keys(t.leaves).map((l1) => cdL1FirstSsid(Number(l1)));
      const count = t.fmt === "linear" ? Math.min(2 ** t.s1cdmax, CTXDESC_L2_ENTRIES) : CTXDESC_L2_ENTRIES;
      for (const first of firsts)
        for (let ssid = first; ssid < first + count; ssid++)
          if (cdWords(w, dev, ssid).some((x) => x !== 0n)) found.get(dev.sid)?.add(ssid);
      continue;
    }
    if (t.fmt === "linear") {
      regions.push({ base: t.base, end: t.base + cdTableBytes(t.fmt, t.s1cdmax), first: 0, sid: dev.sid });
    } else {
      for (const [l1, base] of Object.entries(t.leaves)) {
        const first = cdL1FirstSsid(Number(l1));
        regions.push({ base, end: base + CD_LEAF_BYTES, first, sid: dev.sid });
      }
    }
  }
  regions.sort((a, b) => a.base - b.base);
  if (regions.length > 0) {
    const lo = regions[0]!.base;
    const hi = Math.max(...regions.map((r) => r.end));
    const longest = Math.max(...regions.map((r) => r.end - r.base));
    for (const addr of w.mem.words.keys()) {
      if (addr < lo || addr >= hi) continue;
      // The last region starting at or before addr.
      let a = 0;
      let b = regions.length - 1;
      while (a < b) {
        const m = (a + b + 1) >> 1;
        if (regions[m]!.base <= addr) a = m;
        else b = m - 1;
      }
      // Any region holding addr starts within `longest` before it (regions may overlap).
      for (let i = a; i >= 0 && regions[i]!.base + longest > addr; i--) {
        const r = regions[i]!;
        if (addr >= r.base && addr < r.end)
          found.get(r.sid)?.add(r.first + Math.floor((addr - r.base) / CTXDESC_CD_SIZE));
      }
    }
  }
  for (const key of Object.keys(w.smmu.cfg.cd)) {
    const [sid, ssid] = parseCfgKey(key);
    found.get(sid)?.add(ssid);
  }
  return new Map([...found].map(([sid, set]) => [sid, [...set].sort((a, b) => a - b)]));
}

/** Whose page table a CD's TTB0 is: the device's DMA domain, a process, or "". */
export function ttbOwner(w: World, dev: DeviceState, ttb0: number): string {
  if (ttb0 === 0) return "";
  if (ttb0 === dev.dmaPgd) return `${dev.name} DMA`;
  return pgdOwner(w, dev, ttb0)?.process ?? "";
}

function cdRow(w: World, dev: DeviceState, ssid: number): CdRow {
  const words = cdWords(w, dev, ssid);
  const f = CD_LAYOUT.fields;
  const ttb0 = Number(getField(words, f.TTB0));
  return {
    id: `cd:${dev.sid}:${ssid}`,
    sid: dev.sid,
    ssid,
    v: getField(words, f.V) === 1n,
    epd0: getField(words, f.EPD0) === 1n,
    asid: Number(getField(words, f.ASID)),
    aset: getField(words, f.ASET) === 1n,
    ttb0: dev.vm !== undefined && ttb0 !== 0 ? `IPA ${hexNum(ttb0)}` : hexNum(ttb0),
    owner: ttbOwner(w, dev, ttb0),
    cache: cacheState(w.smmu.cfg.cd[cdKey(dev.sid, ssid)], words),
  };
}

export function streamTableVm(w: World): SteRow[] {
  const used = usedSsids(w);
  return w.devices.map((dev) => {
    const where = locateSte(w, w.smmu.strtab, dev.sid);
    const words = where.ok ? readWords(w.mem, where.addr, 8) : new Array<bigint>(8).fill(0n);
    const f = STE_LAYOUT.fields;
    const name = (field: (typeof f)[keyof typeof f]): string => {
      const v = getField(words, field);
      return field.values?.[Number(v)] ?? String(v);
    };
    return {
      id: `ste:${dev.sid}`,
      device: dev.name,
      sid: dev.sid,
      addr: where.ok ? hexNum(where.addr) : where.why,
      ok: where.ok,
      v: getField(words, f.V) === 1n,
      config: name(f.CONFIG),
      s1cdmax: Number(getField(words, f.S1CDMAX)),
      eats: name(f.EATS),
      s1ctxptr: hexNum(getField(words, f.S1CTXPTR)),
      cache: cacheState(w.smmu.cfg.ste[dev.sid], words),
      cds: (used.get(dev.sid) ?? []).map((ssid) => cdRow(w, dev, ssid)),
      ...(name(f.CONFIG) === "NESTED" && dev.vm !== undefined ? { nested: nestedOf(w, dev, words) } : {}),
    };
  });
}

function nestedOf(w: World, dev: DeviceState, words: readonly bigint[]): NonNullable<SteRow["nested"]> {
  const f = STE_LAYOUT.fields;
  const ctx = Number(getField(words, f.S1CTXPTR));
  const pa = toPa(w, dev, ctx);
  return {
    vm: dev.vm ?? "",
    ctxPa: pa === null ? "none" : hexNum(pa),
    vmid: Number(getField(words, f.S2VMID)),
    s2ttb: hexNum(getField(words, f.S2TTB)),
  };
}
