/**
 * The translation path of one transaction, as the trace records it (docs/trace-tables.md,
 * `dma[].path` of `sva-lab run --json`): every structure the SMMU read, in the order it read
 * them, with the address it read it at and the words it used — the L1 stream table descriptor,
 * the STE, the L1 CD descriptor, the CD, each page-table level — or the cache that gave it
 * instead (the configuration cache for an STE, L1 CD descriptor or CD; the walk cache for a
 * level-3 table; the IOTLB for the whole translation; the device's ATC, which keeps the SMMU
 * out of it). A guest's structures are at IPAs: each read carries the IPA and the stage-2 walk
 * that turned it into the PA read.
 *
 * The SMMU (smmu.ts) fills a `PathLog` as it goes; the explorer's silent recorder asks for none,
 * so it pays nothing. Addresses come from where the SMMU computed them (tables.ts, pgtable.ts,
 * stage2.ts): nothing here does table arithmetic of its own.
 */

import type { Memory } from "./memory.ts";
import { readWord, readWords } from "./memory.ts";
import type { DescRead } from "./pgtable.ts";
import type { L1Desc, Located } from "./tables.ts";

/** Where the words of a structure the SMMU used came from. */
export type PathFrom = "memory" | "config-cache";

/** A stage-2 walk of one IPA (nested translation): the PA it gave, and each descriptor read. */
export interface S2Read {
  readonly ipa: number;
  /** Null when stage 2 maps no page there. */
  readonly pa: number | null;
  readonly descs: readonly DescRead[];
}

interface Where {
  /** The entry's physical address (where memory holds it now), or null where there is none. */
  readonly addr: number | null;
  /** Its slot in the table that holds it, and the table's number of slots. */
  readonly index?: number;
  readonly entries?: number;
  /** A guest's entry: its address as an IPA, and the stage-2 walk the SMMU did for it. */
  readonly ipa?: number;
  readonly s2?: S2Read;
  /** The words the SMMU used: its cached copy when it had one. */
  readonly words: readonly bigint[];
  readonly from: PathFrom;
  /** A cached copy that memory no longer agrees with: what memory holds there now. */
  readonly memory?: readonly bigint[];
}

export type TableRead = Where &
  (
    | { readonly table: "L1STD"; readonly sid: number }
    | { readonly table: "STE"; readonly sid: number }
    | { readonly table: "L1CD"; readonly sid: number; readonly ssid: number }
    | { readonly table: "CD"; readonly sid: number; readonly ssid: number }
    | {
        readonly table: "PTE";
        readonly level: number;
        readonly va: number;
        /** The table's physical address (the descriptor is at `addr`). */
        readonly tableAddr: number;
      }
  );

/** A cache that answered in place of memory. */
export type CacheHit =
  | {
      readonly cache: "IOTLB";
      readonly asid: number;
      readonly vmid: number;
      readonly va: number;
      readonly pa: number;
      readonly writable: boolean;
    }
  /** The walk cache gave the level-3 table: levels 0–2 were not read. */
  | { readonly cache: "walk-cache"; readonly asid: number; readonly va: number; readonly tableAddr: number }
  | {
      readonly cache: "ATC";
      readonly pasid: number | null;
      readonly va: number;
      readonly pa: number;
      readonly writable: boolean;
    };

export type PathEntry = TableRead | CacheHit;

export interface TranslationPath {
  readonly sid: number;
  /** The SubstreamID on the transaction (null: none), and the CD used for it (S1DSS: 0). */
  readonly ssid: number | null;
  readonly va: number;
  readonly entries: readonly PathEntry[];
  /** A stage-2 stream: the stage-2 walk of the output IPA (or of the input, Config=6). */
  readonly output?: S2Read;
  readonly status: "success" | "bypass" | "abort" | "fault";
  readonly via?: "atc" | "iotlb" | "walk";
  readonly pa?: number;
  /** The fault raised. */
  readonly event?: string;
}

const same = (a: readonly bigint[], b: readonly bigint[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** What a cached copy adds: memory's words when they differ. */
function memoryOf(mem: Memory, pa: number | null, cached: readonly bigint[]): { memory?: bigint[] } {
  if (pa === null) return {};
  const now = readWords(mem, pa, cached.length);
  return same(now, cached) ? {} : { memory: now };
}

const slot = (where: Located | null): { index?: number; entries?: number } =>
  where?.ok && where.index !== undefined && where.entries !== undefined
    ? { index: where.index, entries: where.entries }
    : {};

/** Collects one translation's path as the SMMU reads (smmu.ts). */
export class PathLog {
  private readonly entries: PathEntry[] = [];
  /** The stage-2 walk just done for the next read (a guest's IPA). */
  private pending: S2Read | null = null;
  private l1cdFrom: {
    from: PathFrom;
    addr: number | null;
    ipa?: number;
    s2?: S2Read;
    memory?: bigint[];
  } | null = null;
  private out: S2Read | undefined;

  constructor(private readonly req: { sid: number; ssid: number | null; va: number }) {}

  /** A stage-2 walk of `ipa` the SMMU did to read a guest's structure: it goes with the next read. */
  stage2(read: S2Read): void {
    this.pending = read;
  }

  /** The stage-2 walk of the output. */
  output(read: S2Read): void {
    this.out = read;
  }

  private takeS2(): { ipa?: number; s2?: S2Read } {
    const s2 = this.pending;
    this.pending = null;
    return s2 ? { ipa: s2.ipa, s2 } : {};
  }

  /** The STE, read from memory at `where` (with the L1 descriptor of a 2-level table). */
  steRead(sid: number, where: Located, words: readonly bigint[] | null): void {
    if (where.l1) this.pushL1("L1STD", { sid }, where.l1, {});
    if (words !== null && where.ok)
      this.entries.push({ table: "STE", sid, addr: where.addr, ...slot(where), words, from: "memory" });
  }

  /** The STE from the configuration cache; `where` is where memory holds it now. */
  steCached(mem: Memory, sid: number, where: Located, words: readonly bigint[]): void {
    const addr = where.ok ? where.addr : null;
    this.entries.push({
      table: "STE",
      sid,
      addr,
      ...slot(where),
      words,
      from: "config-cache",
      ...memoryOf(mem, addr, words),
    });
  }

  /**
   * Where the L1 CD descriptor's word came from, and where memory holds it (`pa`; `ipa` for a
   * guest's table). The entry is pushed once the CD is located (`cdRead`).
   */
  l1cdSource(from: PathFrom, mem: Memory, pa: number | null, ipa: number | null, word: bigint): void {
    const s2 = this.takeS2();
    const now = from === "config-cache" && pa !== null ? readWord(mem, pa) : word;
    this.l1cdFrom = {
      from,
      addr: pa,
      ...(ipa !== null ? { ipa } : {}),
      ...(s2.s2 ? { s2: s2.s2 } : {}),
      ...(now !== word ? { memory: [now] } : {}),
    };
  }

  /** The L1 CD descriptor and CD[ssid] as the SMMU located and read them (a null `words`: not read). */
  cdRead(
    sid: number,
    ssid: number,
    where: Located | { ok: false; l1?: L1Desc },
    pa: number | null,
    words: readonly bigint[] | null,
  ): void {
    if (where.l1 && this.l1cdFrom) this.pushL1("L1CD", { sid, ssid }, where.l1, this.l1cdFrom);
    this.l1cdFrom = null;
    const s2 = this.takeS2();
    if (words === null || !where.ok) return;
    this.entries.push({ table: "CD", sid, ssid, addr: pa, ...slot(where), ...s2, words, from: "memory" });
  }

  /** CD[ssid] from the configuration cache; `pa` is where memory holds it now. */
  cdCached(
    mem: Memory,
    sid: number,
    ssid: number,
    where: Located | null,
    pa: number | null,
    words: readonly bigint[],
  ): void {
    const ipa = where?.ok && pa !== where.addr ? { ipa: where.addr } : {};
    this.entries.push({
      table: "CD",
      sid,
      ssid,
      addr: pa,
      ...slot(where),
      ...ipa,
      words,
      from: "config-cache",
      ...memoryOf(mem, pa, words),
    });
  }

  /** The `seen` of a stage-1 walk (pgtable.ts) for `va`. */
  pte = (va: number) => (d: DescRead) => {
    this.entries.push({
      table: "PTE",
      level: d.level,
      va,
      tableAddr: d.table,
      index: d.index,
      entries: 512,
      addr: d.addr,
      ...this.takeS2(),
      words: [d.word],
      from: "memory",
    });
  };

  hit(h: CacheHit): void {
    this.entries.push(h);
  }

  private pushL1(
    table: "L1STD" | "L1CD",
    id: { sid: number; ssid?: number },
    l1: L1Desc,
    more: { from?: PathFrom; s2?: S2Read; ipa?: number; addr?: number | null; memory?: bigint[] },
  ): void {
    if (l1.word === undefined) return;
    this.entries.push({
      table,
      ...id,
      addr: l1.addr,
      index: l1.index,
      entries: l1.entries,
      words: [l1.word],
      from: "memory",
      ...more,
    } as TableRead);
  }

  finish(t: {
    status: TranslationPath["status"];
    pa?: number;
    via?: "iotlb" | "walk";
    event?: string;
  }): TranslationPath {
    return {
      sid: this.req.sid,
      ssid: this.req.ssid,
      va: this.req.va,
      entries: this.entries,
      ...(this.out ? { output: this.out } : {}),
      status: t.status,
      ...(t.via ? { via: t.via } : {}),
      ...(t.pa !== undefined ? { pa: t.pa } : {}),
      ...(t.event ? { event: t.event } : {}),
    };
  }
}
