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
 * The SMMU (smmu.ts) fills a `PathLog` as it goes when its recorder asks for one (`rec.paths =
 * pathLog`, as `runScenario(…, { paths: pathLog })` does): the runner's JSON and the page's path
 * view ask; a plain run, the page's replays and the explorer do not, and this module stays out
 * of the page's first download. Addresses come from where the SMMU computed them (tables.ts,
 * pgtable.ts, stage2.ts): nothing here does table arithmetic of its own.
 */

import type { Pa } from "./ids.ts";
import type { Memory } from "./memory.ts";
import { readWord, readWords } from "./memory.ts";
import type { DescRead, TableSpace } from "./pgtable.ts";
import type { Translation } from "./smmu.ts";
import { walkS2 } from "./stage2.ts";
import { cdTableOf, type L1Desc, type Located, locateCd, locateSte } from "./tables.ts";
import { findDeviceBySid, type IotlbEntry, type WalkCacheEntry, type World } from "./world.ts";

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

/** What the SMMU tells the path as it translates (smmu.ts). */
export interface PathLog {
  /** The STE from the configuration cache. */
  steCached(w: World, sid: number, words: readonly bigint[]): void;
  /** The STE read from memory at `where` (null words: not found, the L1 descriptor said so). */
  steRead(sid: number, where: Located, words: readonly bigint[] | null): void;
  /** A guest's stage 2 (nested): the space the SMMU reads its structures through, recording each walk. */
  stage2(w: World, s2ttb: number, s2: TableSpace): TableSpace;
  /** The L1 CD descriptor at `desc`: from the configuration cache (`pa` null) or read at `pa`. */
  l1cd(w: World, desc: number, word: bigint, pa: number | null): void;
  cdCached(w: World, sid: number, ste: readonly bigint[], ssid: number, words: readonly bigint[]): void;
  /** CD[ssid] as located (and the L1 CD descriptor that led there), read at `pa`. */
  cdRead(
    sid: number,
    ssid: number,
    where: Located | { ok: false; l1?: L1Desc },
    pa: number | null,
    words: readonly bigint[] | null,
  ): void;
  hit(h: IotlbEntry & { cache: "IOTLB" }): void;
  walkCache(e: WalkCacheEntry): void;
  /** The `seen` of the stage-1 walk of `va` (pgtable.ts). */
  pte(va: number): (d: DescRead) => void;
  /** The `seen` of the stage-2 walk of an output IPA. */
  output(ipa: number): (d: DescRead) => void;
  finish(t: Translation): TranslationPath;
  /** A DMA the device's ATC served: the path is the ATC entry. */
  atc(e: { pasid: number | null; va: number; pa: number; writable: boolean }, pa: number): TranslationPath;
}

export type PathRequest = { readonly sid: number; readonly ssid: number | null; readonly va: number };

/** The recorder's `paths`: a log for each translation. */
export const pathLog = (req: PathRequest): PathLog => new Log(req);

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

class Log implements PathLog {
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
  /** A guest's stage 2, to look at memory behind a cached copy without recording a walk. */
  private peek: TableSpace | undefined;

  constructor(private readonly req: PathRequest) {}

  stage2(w: World, s2ttb: number, s2: TableSpace): TableSpace {
    this.peek = s2;
    return {
      toPa: (ipa) => {
        const descs: DescRead[] = [];
        const r = walkS2(w.mem, s2ttb as Pa, ipa, false, (d) => descs.push(d));
        this.pending = { ipa, pa: r.ok ? r.pa : null, descs };
        return r.ok ? r.pa : null;
      },
      alloc: s2.alloc,
    };
  }

  output(ipa: number): (d: DescRead) => void {
    const descs: DescRead[] = [];
    this.out = { ipa, pa: null, descs };
    return (d) => {
      descs.push(d);
    };
  }

  private toPa(addr: number): number | null {
    return this.peek ? this.peek.toPa(addr) : addr;
  }

  private takeS2(): { ipa?: number; s2?: S2Read } {
    const s2 = this.pending;
    this.pending = null;
    return s2 ? { ipa: s2.ipa, s2 } : {};
  }

  steRead(sid: number, where: Located, words: readonly bigint[] | null): void {
    if (where.l1) this.pushL1("L1STD", { sid }, where.l1, {});
    if (words !== null && where.ok)
      this.entries.push({ table: "STE", sid, addr: where.addr, ...slot(where), words, from: "memory" });
  }

  steCached(w: World, sid: number, words: readonly bigint[]): void {
    const where = locateSte(w, w.smmu.strtab, sid);
    const addr = where.ok ? where.addr : null;
    this.entries.push({
      table: "STE",
      sid,
      addr,
      ...slot(where),
      words,
      from: "config-cache",
      ...memoryOf(w.mem, addr, words),
    });
  }

  l1cd(w: World, desc: number, word: bigint, pa: number | null): void {
    const from: PathFrom = pa === null ? "config-cache" : "memory";
    const s2 = this.takeS2();
    const at = pa ?? this.toPa(desc);
    const now = from === "config-cache" && at !== null ? readWord(w.mem, at) : word;
    this.l1cdFrom = {
      from,
      addr: at,
      ...(this.peek ? { ipa: desc } : {}),
      ...(s2.s2 ? { s2: s2.s2 } : {}),
      ...(now !== word ? { memory: [now] } : {}),
    };
  }

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

  cdCached(w: World, sid: number, ste: readonly bigint[], ssid: number, words: readonly bigint[]): void {
    const dev = findDeviceBySid(w, sid);
    const where = dev ? locateCd(w, cdTableOf(dev.cdTable, ste), ssid, this.peek) : null;
    const pa = where?.ok ? this.toPa(where.addr) : null;
    this.entries.push({
      table: "CD",
      sid,
      ssid,
      addr: pa,
      ...slot(where),
      ...(where?.ok && this.peek ? { ipa: where.addr } : {}),
      words,
      from: "config-cache",
      ...memoryOf(w.mem, pa, words),
    });
  }

  pte(va: number): (d: DescRead) => void {
    return (d) => {
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
  }

  hit(h: IotlbEntry & { cache: "IOTLB" }): void {
    this.entries.push({
      cache: "IOTLB",
      asid: h.asid,
      vmid: h.vmid,
      va: h.va,
      pa: h.pa,
      writable: h.writable,
    });
  }

  walkCache(e: WalkCacheEntry): void {
    this.entries.push({ cache: "walk-cache", asid: e.asid, va: e.va, tableAddr: e.table });
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

  finish(t: Translation): TranslationPath {
    return {
      sid: this.req.sid,
      ssid: this.req.ssid,
      va: this.req.va,
      entries: this.entries,
      // The stage-2 walk of the output gives the translation's PA, when it succeeds.
      ...(this.out ? { output: { ...this.out, pa: t.status === "success" ? t.pa : null } } : {}),
      status: t.status,
      ...(t.status === "success" ? { via: t.via } : {}),
      ...(t.status === "success" || t.status === "bypass" ? { pa: t.pa } : {}),
      ...(t.status === "fault" ? { event: t.event } : {}),
    };
  }

  atc(e: { pasid: number | null; va: number; pa: number; writable: boolean }, pa: number): TranslationPath {
    return {
      sid: this.req.sid,
      ssid: this.req.ssid,
      va: this.req.va,
      entries: [{ cache: "ATC", pasid: e.pasid, va: e.va, pa: e.pa, writable: e.writable }],
      status: "success",
      via: "atc",
      pa,
    };
  }
}
