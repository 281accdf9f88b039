/**
 * The arm64 stage-1 page table of a process: 4 KiB granule, 48-bit VA, four levels (0–3,
 * nine index bits each), held in simulated frames. The SMMU walks the very same tables the
 * CPU uses (CD.TTB0 = the mm's pgd), which is what SVA means.
 *
 * Descriptor bits: reference §10 (io-pgtable-arm / arm64 pgtable-hwdef).
 *
 * Walk (one straight pipeline):
 *   1. for level 0..3: read the descriptor at table + index(level) * 8;
 *   2. invalid (bit 0 clear) → F_TRANSLATION at that level; a table descriptor → next level;
 *   3. at level 3 a page descriptor: AF clear → F_ACCESS; unprivileged without AP[1], or a
 *      write with AP[2] (read-only) → F_PERMISSION; else the output address.
 */

import { defineLayout, type FieldSpec, getField, getPa, prepareWord } from "./bits.ts";
import { inFrame, PAGE_SIZE, type Pa, type Va } from "./ids.ts";
import { allocFrame, type FrameOwner, frameAt, type Memory, readWord, writeWord } from "./memory.ts";

/**
 * Where a table's addresses point. The host's own tables hold physical addresses; a guest's
 * stage-1 tables (nested translation) hold IPAs, which the guest reads and writes through its
 * stage 2, and whose new tables come out of guest RAM.
 */
export interface TableSpace {
  /** The physical address of `addr`, or null when stage 2 does not map it. */
  toPa(addr: number): number | null;
  alloc(owner: FrameOwner): number;
}

export const HOST: TableSpace = {
  toPa: (addr) => addr,
  alloc: () => {
    // Host tables allocate from memory.
    throw new Error("unreachable");
  },
};

/**
 * The fields a VMSAv8-64 descriptor has at the same bits at stage 1 and stage 2 (Arm ARM D8.3):
 * PTE and S2PTE (stage2.ts) both take them from here.
 */
export const LPAE_DESC = {
  VALID: { name: "VALID", word: 0, hi: 0, lo: 0, doc: "Descriptor is valid" },
  TYPE: {
    name: "TYPE",
    word: 0,
    hi: 1,
    lo: 1,
    values: { 0: "block", 1: "table/page" },
    doc: "Table (L0–L2) or page (L3)",
  },
  SH: { name: "SH", word: 0, hi: 9, lo: 8, values: { 0: "NSH", 2: "OSH", 3: "ISH" }, doc: "Shareability" },
  AF: { name: "AF", word: 0, hi: 10, lo: 10, doc: "Access flag" },
  OA: { name: "OA", word: 0, hi: 47, lo: 12, address: true, doc: "Output address (next table or page)" },
} as const satisfies Record<string, FieldSpec>;

export const PTE = defineLayout("PTE", 1, [
  LPAE_DESC.VALID,
  LPAE_DESC.TYPE,
  { name: "ATTRINDX", word: 0, hi: 4, lo: 2, doc: "Index into MAIR" },
  { name: "NS", word: 0, hi: 5, lo: 5, doc: "Non-secure" },
  { name: "AP_USER", word: 0, hi: 6, lo: 6, doc: "AP[1]: EL0 (unprivileged) access allowed — PTE_USER" },
  { name: "AP_RDONLY", word: 0, hi: 7, lo: 7, doc: "AP[2]: read-only — PTE_RDONLY" },
  LPAE_DESC.SH,
  LPAE_DESC.AF,
  { name: "NG", word: 0, hi: 11, lo: 11, doc: "Not global: the entry is tagged with the ASID" },
  LPAE_DESC.OA,
  { name: "DBM", word: 0, hi: 51, lo: 51, doc: "Dirty bit modifier — arm64 PTE_WRITE" },
  { name: "CONT", word: 0, hi: 52, lo: 52, doc: "Contiguous hint" },
  { name: "PXN", word: 0, hi: 53, lo: 53, doc: "Privileged execute-never" },
  { name: "UXN", word: 0, hi: 54, lo: 54, doc: "Unprivileged execute-never" },
  {
    name: "PROT_NONE",
    word: 0,
    hi: 58,
    lo: 58,
    doc: "Software bit: a PROT_NONE entry that still owns its page",
  },
]);

export const LEVELS = 4;
/** Descriptors per 4 KiB table (9 bits of VA per level). */
export const TABLE_ENTRIES = 512;

/** The first address of the region the descriptor for `va` at `level` covers (the trace's id). */
export function regionOf(va: number, level: number): number {
  const span = 2 ** (12 + 9 * (3 - level));
  return Math.floor(va / span) * span;
}

/** Index of `va` in the table at `level` (0: VA 47:39 … 3: VA 20:12). */
export function pgtableIndex(va: Va, level: number): number {
  return Math.floor(va / 2 ** (12 + 9 * (3 - level))) % TABLE_ENTRIES;
}

/** A table descriptor (L0–L2) pointing at the next-level table. */
export function tableDesc(next: Pa): bigint {
  return prepareWord(PTE, { VALID: 1, TYPE: 1, OA: next });
}

/** A user page descriptor as arm64 builds it (PAGE_SHARED / PAGE_READONLY with AF set). */
export function userPageDesc(page: Pa, writable: boolean): bigint {
  return prepareWord(PTE, {
    VALID: 1,
    TYPE: 1,
    ATTRINDX: 0, // MT_NORMAL
    AP_USER: 1,
    AP_RDONLY: writable ? 0 : 1,
    SH: 3,
    AF: 1,
    NG: 1,
    OA: page,
    DBM: writable ? 1 : 0,
    PXN: 1,
    UXN: 1,
  });
}

export type WalkFault = "F_TRANSLATION" | "F_ACCESS" | "F_PERMISSION";

/**
 * A walk's outcome. `pa` is the output address (an IPA for a guest's stage 1); `tables` are the
 * physical addresses of the tables read. `stage2`: a table address had no stage-2 mapping.
 */
export type WalkResult =
  | {
      readonly ok: true;
      readonly pa: Pa;
      readonly writable: boolean;
      readonly tables: readonly Pa[];
      /** With a `space`: the tables' addresses in it (IPAs). */
      readonly inputs?: readonly number[];
    }
  | {
      readonly ok: false;
      readonly fault: WalkFault;
      readonly level: number;
      readonly tables: readonly Pa[];
      readonly inputs?: readonly number[];
      readonly stage2?: boolean;
    };

/** The 2 MiB region a level-3 table covers. */
export const L3_SPAN = 2 ** 21;

export interface WalkRequest {
  readonly write: boolean;
  /** Device transactions are normally unprivileged (PnU = 0): AP[1] must allow EL0. */
  readonly privileged: boolean;
  /** Told of each descriptor the walk reads (the trace's translation path, xlate-path.ts). */
  readonly seen?: (d: DescRead) => void;
}

/** One descriptor a walk read: its level, the table's PA, its index there, its PA and word. */
export interface DescRead {
  readonly level: number;
  readonly table: number;
  readonly index: number;
  readonly addr: number;
  readonly word: bigint;
}

/** Walks the four levels from `pgd` for `va`; the tables visited are listed for the diagram. */
export function walk(mem: Memory, pgd: Pa, va: Va, req: WalkRequest, space?: TableSpace): WalkResult {
  return walkFrom(mem, pgd, 0, va, req, space);
}

/**
 * Walks from the table at `start` (0 = the pgd; 3 = a level-3 table a walk cache remembered)
 * down to the page.
 */
export function walkFrom(
  mem: Memory,
  top: Pa,
  start: number,
  va: Va,
  req: WalkRequest,
  space?: TableSpace,
): WalkResult {
  const tables: Pa[] = [];
  const inputs: number[] | undefined = space ? [] : undefined;
  const more = inputs ? { inputs } : {};
  let table = top;
  for (let level = start; level < LEVELS; level++) {
    const at = space ? space.toPa(table) : table;
    if (at === null) return { ok: false, fault: "F_TRANSLATION", level, tables, stage2: true, ...more };
    tables.push(at as Pa);
    inputs?.push(table);
    const index = pgtableIndex(va, level);
    const desc = [readWord(mem, at + index * 8)];
    req.seen?.({ level, table: at, index, addr: at + index * 8, word: desc[0]! });
    if (getField(desc, PTE.fields.VALID) === 0n)
      return { ok: false, fault: "F_TRANSLATION", level, tables, ...more };
    const next = getPa(desc, PTE.fields.OA);
    if (level < LEVELS - 1) {
      // Only 4 KiB pages are mapped here: a block descriptor would end the walk early.
      if (getField(desc, PTE.fields.TYPE) === 0n)
        return { ok: false, fault: "F_TRANSLATION", level, tables, ...more };
      table = next;
      continue;
    }
    if (getField(desc, PTE.fields.TYPE) === 0n)
      return { ok: false, fault: "F_TRANSLATION", level, tables, ...more };
    if (getField(desc, PTE.fields.AF) === 0n) return { ok: false, fault: "F_ACCESS", level, tables, ...more };
    const writable = getField(desc, PTE.fields.AP_RDONLY) === 0n;
    const userOk = getField(desc, PTE.fields.AP_USER) === 1n;
    if ((!req.privileged && !userOk) || (req.write && !writable)) {
      return { ok: false, fault: "F_PERMISSION", level, tables, ...more };
    }
    return { ok: true, pa: inFrame(next, va), writable, tables, ...more };
  }
  // The walk ends at level 3.
  throw new Error("unreachable");
}

/**
 * The physical address of the level-3 slot for `va`, allocating missing intermediate tables
 * (owned by `process`) when `alloc` is set.
 */
export function ptep(
  mem: Memory,
  pgd: Pa,
  va: Va,
  process: string,
  alloc: boolean,
  space: TableSpace = HOST,
): number | null {
  let table: number = pgd;
  for (let level = 0; level < LEVELS - 1; level++) {
    const slot = space.toPa(table + pgtableIndex(va, level) * 8)!;
    const desc = [readWord(mem, slot)];
    if (getField(desc, PTE.fields.VALID) === 0n) {
      if (!alloc) return null;
      const owner: FrameOwner = { kind: "pgtable", process, level: level + 1 };
      const next = space === HOST ? allocFrame(mem, owner) : space.alloc(owner);
      writeWord(mem, slot, tableDesc(next as Pa), regionOf(va, level), level);
      table = next;
    } else {
      table = Number(getField(desc, PTE.fields.OA));
    }
  }
  return space.toPa(table + pgtableIndex(va, LEVELS - 1) * 8);
}

/** Installs a 4 KiB page mapping (set_pte_at), allocating tables on the way. */
export function mapPage(
  mem: Memory,
  pgd: Pa,
  va: Va,
  page: Pa,
  writable: boolean,
  process: string,
  space?: TableSpace,
): void {
  writeWord(mem, ptep(mem, pgd, va, process, true, space)!, userPageDesc(page, writable), regionOf(va, 3), 3);
}

/** Clears the PTE for `va` (ptep_get_and_clear) and returns the page it mapped, if any. */
export function unmapPage(mem: Memory, pgd: Pa, va: Va, space?: TableSpace): Pa | null {
  const slot = ptep(mem, pgd, va, "", false, space);
  if (slot === null) return null;
  const desc = [readWord(mem, slot)];
  if (getField(desc, PTE.fields.VALID) === 0n && getField(desc, PTE.fields.PROT_NONE) === 0n) return null;
  writeWord(mem, slot, 0n, regionOf(va, 3), 3);
  return getPa(desc, PTE.fields.OA);
}

/**
 * Rewrites the protection of a present PTE (change_pte_range); false when nothing is there.
 * PROT_NONE keeps the page but clears the valid bit, with the software bit arm64 calls
 * PTE_PROT_NONE remembering that the entry still owns its page.
 */
export function protectPage(
  mem: Memory,
  pgd: Pa,
  va: Va,
  prot: "r" | "rw" | "none",
  space?: TableSpace,
): boolean {
  const slot = ptep(mem, pgd, va, "", false, space);
  if (slot === null) return false;
  const desc = [readWord(mem, slot)];
  const present = getField(desc, PTE.fields.VALID) === 1n || getField(desc, PTE.fields.PROT_NONE) === 1n;
  if (!present) return false;
  const page = getPa(desc, PTE.fields.OA);
  writeWord(
    mem,
    slot,
    prot === "none" ? protNoneDesc(page) : userPageDesc(page, prot === "rw"),
    regionOf(va, 3),
    3,
  );
  return true;
}

/**
 * Visits the level-3 slots of [start, end) that have a table above them, in VA order, table by
 * table as zap_pte_range and change_pte_range do (pmd_none: the 2 MiB is skipped whole): the
 * cost is the tables present, not the pages of the range, so a 2^36-page VMA with nothing
 * mapped costs one scan of the pgd.
 */
function forEachLeafSlot(
  mem: Memory,
  pgd: Pa,
  start: number,
  end: number,
  space: TableSpace,
  visit: (slot: number, desc: bigint, va: number) => void,
): void {
  const descend = (table: number, level: number, base: number): void => {
    const span = 2 ** (12 + 9 * (3 - level));
    const first = Math.max(0, Math.floor((start - base) / span));
    const last = Math.min(TABLE_ENTRIES - 1, Math.ceil((end - base) / span) - 1);
    for (let i = first; i <= last; i++) {
      const slot = space.toPa(table + i * 8);
      if (slot === null) continue;
      const desc = readWord(mem, slot);
      if (level === LEVELS - 1) visit(slot, desc, base + i * span);
      else if (getField([desc], PTE.fields.VALID) === 1n)
        descend(Number(getField([desc], PTE.fields.OA)), level + 1, base + i * span);
    }
  };
  if (end > start) descend(pgd, 0, 0);
}

/**
 * Clears every PTE of [start, end) (zap_pte_range) and returns the pages they mapped, in VA
 * order: `unmapPage` for each page of the range, at the cost of the tables present.
 */
export function unmapRange(mem: Memory, pgd: Pa, start: Va, end: Va, space: TableSpace = HOST): Pa[] {
  const freed: Pa[] = [];
  forEachLeafSlot(mem, pgd, start, end, space, (slot, desc, va) => {
    const d = [desc];
    if (getField(d, PTE.fields.VALID) === 0n && getField(d, PTE.fields.PROT_NONE) === 0n) return;
    writeWord(mem, slot, 0n, regionOf(va, 3), 3);
    freed.push(getPa(d, PTE.fields.OA));
  });
  return freed;
}

/**
 * Rewrites the protection of every present PTE of [start, end) (change_pte_range): `protectPage`
 * for each page of the range, at the cost of the tables present. Returns how many changed.
 */
export function protectRange(
  mem: Memory,
  pgd: Pa,
  start: Va,
  end: Va,
  prot: "r" | "rw" | "none",
  space: TableSpace = HOST,
): number {
  let changed = 0;
  forEachLeafSlot(mem, pgd, start, end, space, (slot, desc, va) => {
    const d = [desc];
    if (getField(d, PTE.fields.VALID) === 0n && getField(d, PTE.fields.PROT_NONE) === 0n) return;
    const page = getPa(d, PTE.fields.OA);
    const value = prot === "none" ? protNoneDesc(page) : userPageDesc(page, prot === "rw");
    writeWord(mem, slot, value, regionOf(va, 3), 3);
    changed += 1;
  });
  return changed;
}

function protNoneDesc(page: Pa): bigint {
  return prepareWord(PTE, { PROT_NONE: 1, AF: 1, NG: 1, SH: 3, OA: page, PXN: 1, UXN: 1 });
}

/** What the CPU's page table maps at `va` now (the checker's ground truth), ignoring permissions. */
export function lookup(mem: Memory, pgd: Pa, va: Va, space?: TableSpace): Pa | null {
  const r = walk(mem, pgd, va, { write: false, privileged: true }, space);
  return r.ok ? ((r.pa - (va % PAGE_SIZE)) as Pa) : null;
}

function tableIsEmpty(mem: Memory, table: Pa): boolean {
  // A frame counts its non-zero words (memory.ts keeps `used` exact at every write).
  const frame = frameAt(mem, table);
  if (frame) return frame.used === 0;
  for (let i = 0; i < TABLE_ENTRIES; i++) if (readWord(mem, table + i * 8) !== 0n) return false;
  return true;
}

/**
 * free_pgtables for [start, end): unhooks every level-1..3 table that the range empties and
 * returns them, deepest first, for the caller to free once the TLBs are clean. The pgd itself
 * is freed only with the mm.
 */
export function collectEmptyTables(mem: Memory, pgd: Pa, start: Va, end: Va): Pa[] {
  const freed: Pa[] = [];
  const visit = (table: Pa, level: number, base: number): void => {
    const span = 2 ** (12 + 9 * (3 - level));
    // Only the slots that overlap [start, end), in order: the first one's index, until `end`.
    for (let i = Math.max(0, Math.floor((start - base) / span)); i < TABLE_ENTRIES; i++) {
      const lo = base + i * span;
      if (lo >= end) break;
      const slot = table + i * 8;
      // Most slots are empty: absent from the word map, no descriptor to decode.
      const word = mem.words.get(slot);
      if (word === undefined || level === LEVELS - 1) continue;
      const desc = [word];
      if (getField(desc, PTE.fields.VALID) === 0n) continue;
      const next = getPa(desc, PTE.fields.OA);
      visit(next, level + 1, lo);
      if (tableIsEmpty(mem, next)) {
        writeWord(mem, slot, 0n, lo, level);
        freed.push(next);
      }
    }
  };
  visit(pgd, 0, 0);
  return freed;
}

/** Every mapped page under `pgd`, in VA order: the page-table diagram's leaves. */
export function mappings(
  mem: Memory,
  pgd: Pa,
  space: TableSpace = HOST,
): { va: Va; pa: Pa; writable: boolean }[] {
  const out: { va: Va; pa: Pa; writable: boolean }[] = [];
  const visit = (table: Pa, level: number, base: number): void => {
    const span = 2 ** (12 + 9 * (3 - level));
    const at = space.toPa(table);
    if (at === null) return;
    for (let i = 0; i < TABLE_ENTRIES; i++) {
      const w = readWord(mem, at + i * 8);
      if (w === 0n) continue;
      const desc = [w];
      if (getField(desc, PTE.fields.VALID) === 0n) continue;
      const next = getPa(desc, PTE.fields.OA);
      if (level === LEVELS - 1) {
        out.push({
          va: (base + i * span) as Va,
          pa: next,
          writable: getField(desc, PTE.fields.AP_RDONLY) === 0n,
        });
      } else visit(next, level + 1, base + i * span);
    }
  };
  visit(pgd, 0, 0);
  return out;
}
