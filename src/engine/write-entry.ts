/**
 * The hitless STE/CD writer, reference §8 (Linux `arm_smmu_write_entry` in arm-smmu-v3.c).
 *
 * The SMMU reads an STE or CD with 64-bit single-copy atomicity but in no defined order, so
 * the driver changes an entry in steps and syncs (CFGI + CMD_SYNC) between them. Which steps
 * are needed follows from the "used bits" of the current and the target entry:
 *
 * 1. unused_update = current value in the bits the current entry uses, target value elsewhere.
 * 2. A qword "differs" when its target-used bits still differ from the target after step 1.
 *    (Linux WARNs if a target sets bits its own configuration ignores, and compares whole
 *    qwords; here only the target-used bits are compared, which is the same for every ≥6.9
 *    maker and lets the ≤6.8 quiet CD, which keeps its stale walk fields, take one step.)
 * 3. No qword differs: write the target (only unused bits change).
 * 4. One qword differs (the critical qword), hitless: write every other qword's unused bits,
 *    sync; write the critical qword, sync; write the whole target (clears bits no longer
 *    used), sync. A step that changes nothing is skipped, with its sync.
 * 5. Two or more differ, breaking: qword 0 := 0 (V=0), sync; qwords 1..7 := target, sync;
 *    qword 0 := target, sync.
 *
 * `hitless` is what the kernel's KUnit test (arm-smmu-v3-test.c) checks: no sync ever saw
 * qword 0 equal to 0. So making a zero (empty) CD valid, or clearing one, is "not hitless"
 * even though it takes the one-critical-qword path.
 */

import type { Layout } from "./bits.ts";

/** Where the steps go: `write` receives the whole entry after each step, `sync` follows it. */
export interface EntryWriter {
  write(words: bigint[]): void;
  sync(): void;
}

/** The bits an entry's configuration makes the SMMU read (`arm_smmu_get_ste_used` / `_cd_used`). */
export type UsedBits = (words: readonly bigint[]) => bigint[];

export interface WriteEntryResult {
  /** How many syncs the update took (each = CFGI_STE/CFGI_CD + CMD_SYNC). */
  readonly syncs: number;
  /** No sync exposed an entry whose qword 0 was 0 (the KUnit test's "invalid entry written"). */
  readonly hitless: boolean;
}

/** Per-word mask of the named fields: the building block of a used-bits function. */
export function fieldMask<N extends string>(layout: Layout<N>, names: readonly N[]): bigint[] {
  const out: bigint[] = new Array(layout.words).fill(0n);
  for (const name of names) {
    const f = layout.fields[name];
    out[f.word] = (out[f.word] ?? 0n) | f.mask;
  }
  return out;
}

/** A field's `values` table (encoding → name) from a name → encoding record, so each is written once. */
export function valueNames(record: Readonly<Record<string, number>>): Record<number, string> {
  const out: Record<number, string> = {};
  for (const [name, value] of Object.entries(record)) out[value] = name;
  return out;
}

/** True when `a` and `b` agree on every bit set in `used` (the invariant checked at each sync). */
export function equalOnUsed(a: readonly bigint[], b: readonly bigint[], used: readonly bigint[]): boolean {
  return used.every((mask, i) => ((a[i] ?? 0n) & mask) === ((b[i] ?? 0n) & mask));
}

/**
 * `arm_smmu_entry_qword_diff`: the intermediate entry with every currently-unused bit already
 * at its target value, and the indices of the qwords whose used bits must still change.
 */
export function entryQwordDiff(
  current: readonly bigint[],
  target: readonly bigint[],
  usedBits: UsedBits,
): { readonly unusedUpdate: bigint[]; readonly differing: number[] } {
  const n = Math.max(current.length, target.length);
  const curUsed = usedBits(current);
  const targetUsed = usedBits(target);
  const unusedUpdate: bigint[] = [];
  const differing: number[] = [];
  for (let i = 0; i < n; i++) {
    const cur = current[i] ?? 0n;
    const tgt = target[i] ?? 0n;
    const cu = curUsed[i] ?? 0n;
    const tu = targetUsed[i] ?? 0n;
    const update = (cur & cu) | (tgt & ~cu);
    unusedUpdate.push(update);
    if ((update & tu) !== (tgt & tu)) differing.push(i);
  }
  return { unusedUpdate, differing };
}

/**
 * Writes `target` over `current` in the fewest steps that keep the entry meaningful at every
 * sync (reference §8), calling `writer.write` and `writer.sync()` once per step that changes
 * something.
 *
 * @example
 *   const log: bigint[][] = [];
 *   writeEntry({ write: (w) => log.push(w), sync: () => {} }, makeBypassSte(), makeAbortSte(), steUsedBits);
 *   // → { syncs: 2, hitless: true }: qword 0 becomes abort, then SHCFG is cleared
 */
export function writeEntry(
  writer: EntryWriter,
  current: readonly bigint[],
  target: readonly bigint[],
  usedBits: UsedBits,
): WriteEntryResult {
  const n = Math.max(current.length, target.length);
  const entry = Array.from({ length: n }, (_, i) => current[i] ?? 0n);
  const goal = Array.from({ length: n }, (_, i) => target[i] ?? 0n);
  let syncs = 0;
  let invalidSeen = false;

  /** `entry_set`: copy words start..start+len-1 from `src`; write and sync only if one changed. */
  const set = (src: readonly bigint[], start: number, len: number): void => {
    let changed = false;
    for (let i = start; i < start + len; i++) {
      const word = src[i] ?? 0n;
      if (entry[i] !== word) {
        entry[i] = word;
        changed = true;
      }
    }
    if (!changed) return;
    writer.write(entry.slice());
    writer.sync();
    syncs++;
    if (entry[0] === 0n) invalidSeen = true;
  };

  const { unusedUpdate, differing } = entryQwordDiff(entry, goal, usedBits);
  const critical = differing.length === 1 ? differing[0] : undefined;
  if (critical !== undefined) {
    // The critical qword is written whole in the next step: leave it alone here.
    unusedUpdate[critical] = entry[critical] ?? 0n;
    set(unusedUpdate, 0, n);
    set(goal, critical, 1);
    set(goal, 0, n);
  } else if (differing.length > 1) {
    unusedUpdate[0] = 0n;
    set(unusedUpdate, 0, 1);
    set(goal, 1, n - 1);
    set(goal, 0, 1);
  } else {
    // Nothing in use changes; the kernel WARNs if this still has to write something.
    set(goal, 0, n);
  }
  return { syncs, hitless: !invalidSeen };
}
