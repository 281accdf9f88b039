/**
 * Reading a process's page table as a tree, and one VA's walk through it, for whoever shows
 * them (the page-table diagram, its "Find VA"): the present descriptors of one table with the VA
 * each covers and what it points at, and the descriptors a walk reads on its way to a VA. The
 * layout (nine index bits per level, 4 KiB granule, 48-bit VA) is pgtable.ts's; nothing here
 * has arithmetic of its own beyond a level's span.
 */

import { getField } from "./bits.ts";
import type { Pa, Va } from "./ids.ts";
import { type Memory, readWord } from "./memory.ts";
import { type DescRead, HOST, LEVELS, PTE, type TableSpace, type WalkResult, walk } from "./pgtable.ts";

/** Descriptors in one table. */
export const TABLE_SLOTS = 512;

/** The VA range one descriptor at `level` covers: 512 GiB at level 0 … 4 KiB at level 3. */
export const levelSpan = (level: number): number => 2 ** (12 + 9 * (LEVELS - 1 - level));

/** A present descriptor: valid, or a PROT_NONE entry that keeps its page. */
export interface TableEntry {
  readonly index: number;
  /** The descriptor's physical address. */
  readonly slot: number;
  readonly word: bigint;
  /** The first VA it covers. */
  readonly va: number;
  /** The next table or the page, as the table holds it (an IPA in a guest's table). */
  readonly next: number;
  readonly valid: boolean;
  readonly protNone: boolean;
  readonly readOnly: boolean;
}

/**
 * The present descriptors of the table at `table` (an IPA through `space` for a guest's) at
 * `level`, which covers VAs from `base`; `at` is the table's physical address (null: stage 2
 * maps no page there, and there are no entries).
 */
export function tableEntries(
  mem: Memory,
  table: number,
  level: number,
  base: number,
  space: TableSpace = HOST,
): { at: number | null; entries: TableEntry[] } {
  const at = space.toPa(table);
  const entries: TableEntry[] = [];
  if (at === null) return { at, entries };
  for (let index = 0; index < TABLE_SLOTS; index++) {
    const slot = at + index * 8;
    const word = readWord(mem, slot);
    if (word === 0n) continue;
    const desc = [word];
    const valid = getField(desc, PTE.fields.VALID) === 1n;
    const protNone = getField(desc, PTE.fields.PROT_NONE) === 1n;
    if (!valid && !protNone) continue;
    entries.push({
      index,
      slot,
      word,
      va: base + index * levelSpan(level),
      next: Number(getField(desc, PTE.fields.OA)),
      valid,
      protNone,
      readOnly: getField(desc, PTE.fields.AP_RDONLY) === 1n,
    });
  }
  return { at, entries };
}

/** A walk's descriptors, each with its table's address as the walk met it (an IPA in a guest). */
export interface WalkStep extends DescRead {
  readonly tableIn: number;
  readonly next: number;
  readonly valid: boolean;
  readonly protNone: boolean;
  readonly readOnly: boolean;
}

/** The CPU's walk of `va` (read, privileged: what the page table maps), with every descriptor it read. */
export function walkSteps(
  mem: Memory,
  pgd: Pa,
  va: number,
  space?: TableSpace,
): { result: WalkResult; steps: WalkStep[] } {
  const reads: DescRead[] = [];
  const result = walk(
    mem,
    pgd,
    va as Va,
    { write: false, privileged: true, seen: (d) => reads.push(d) },
    space,
  );
  const steps = reads.map((d, i): WalkStep => {
    const desc = [d.word];
    return {
      ...d,
      tableIn: result.inputs?.[i] ?? d.table,
      next: Number(getField(desc, PTE.fields.OA)),
      valid: getField(desc, PTE.fields.VALID) === 1n,
      protNone: getField(desc, PTE.fields.PROT_NONE) === 1n,
      readOnly: getField(desc, PTE.fields.AP_RDONLY) === 1n,
    };
  });
  return { result, steps };
}
