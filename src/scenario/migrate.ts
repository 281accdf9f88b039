/**
 * Migrations: what a scenario written for an earlier SVA Lab says that this one no longer
 * reads, turned into what it reads now, with a note saying what changed (CONTRACT: old files
 * and links keep opening). They run on the JSON form, before validation, for files and links
 * alike (a link's compact layout still decodes every name its frozen tables ever held).
 *
 * Every fault, field and op ever accepted is listed here when it goes: none may simply vanish.
 */
import { quote } from "./issues.ts";

interface RemovedFault {
  /** The fault that does its job now, if one does. */
  readonly successor?: string;
  /** What it did and why it went, for the note. */
  readonly why: string;
}

/** Faults a scenario may name that are gone (git log -S '<name>' finds each). */
export const REMOVED_FAULTS: Readonly<Record<string, RemovedFault>> = Object.assign(Object.create(null), {
  // Removed in 34bdf59 (SVA Lab 0.1), with no successor: unbind repeating the invalidations
  // release already sent is harmless, so no interleaving showed a violation with it.
  "no-cleared-flag": {
    why: "it only made unbind repeat the TLBI and ATC_INV that arm_smmu_mm_release had already sent (the notifier's `cleared` flag ignored), which breaks no invariant",
  },
});

export interface Migrated {
  readonly json: unknown;
  /** One line per change, with its path: shown beside the scenario, never instead of it. */
  readonly notes: readonly string[];
}

/** The scenario's JSON form as this version reads it, and what was changed to get there. */
export function migrateScenarioJson(input: unknown): Migrated {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return { json: input, notes: [] };
  const faults: unknown = (input as Record<string, unknown>).faults;
  if (!Array.isArray(faults)) return { json: input, notes: [] };
  const notes: string[] = [];
  const kept: unknown[] = [];
  for (const [i, f] of faults.entries()) {
    const removed = typeof f === "string" && Object.hasOwn(REMOVED_FAULTS, f) ? REMOVED_FAULTS[f] : undefined;
    if (!removed) {
      kept.push(f);
      continue;
    }
    const to = removed.successor;
    if (to !== undefined && !faults.includes(to) && !kept.includes(to)) kept.push(to);
    notes.push(
      `faults[${i}]: the fault ${quote(f as string)} was removed from SVA Lab (${removed.why}); ${
        to === undefined ? "the scenario opens without it" : `${quote(to)} takes its place`
      }`,
    );
  }
  if (notes.length === 0) return { json: input, notes };
  return { json: { ...(input as Record<string, unknown>), faults: kept }, notes };
}
