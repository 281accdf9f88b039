/**
 * Violations that explain themselves: for a scenario with safeguards switched off (faults),
 * which of them would have prevented a violation of a given kind. The invariant each fault
 * breaks comes from the lesson table (`fault: { name, breaks }`), its effect from FAULTS; the
 * positive name of each safeguard is written here.
 */

import { FAULTS, type FaultName, isFaultName } from "../kernel/index.ts";
import { LIBRARY } from "../scenario/library/index.ts";

/** What each fault switches off, said as the safeguard that is then missing. */
export const SAFEGUARDS: Readonly<Record<FaultName, string>> = {
  "skip-tlbi": "the TLBI the MMU notifier sends to the SMMU",
  "skip-atc-inv": "the ATC_INV that reaches the device's ATC",
  "skip-sync": "the CMD_SYNC that waits for the invalidations",
  "early-free-pages": "freeing the pages only after the invalidations completed (tlb_finish_mmu last)",
  "free-notifier-now": "the SRCU grace period before the notifier is freed",
  "no-sva-lock": "the SVA lock around release and unbind",
  "no-quiet-cd": "the quiet CD (EPD0) written when the mm is released",
  "leaf-only-tlbi": "a non-leaf TLBI when page-table pages are freed",
  "kref-get": "kref_get_unless_zero in the io_mm lookup",
  "atc-inv-wrong-sid":
    "the vIOMMU's vSID → StreamID translation of a guest's ATC_INV (arm_vsmmu_vsid_to_sid)",
};

/**
 * The lesson bar's switch, said as what ticking it does: "Break it: skip the ATC_INV" (ticked,
 * the fault is on and the safeguard off).
 */
export const BREAK_IT: Readonly<Record<FaultName, string>> = {
  "skip-tlbi": "skip the TLBI",
  "skip-atc-inv": "skip the ATC_INV",
  "skip-sync": "skip the CMD_SYNC",
  "early-free-pages": "free the pages first",
  "free-notifier-now": "free the notifier at once",
  "no-sva-lock": "drop sva_lock",
  "no-quiet-cd": "leave the CD live on release",
  "leaf-only-tlbi": "leaf-only TLBI",
  "kref-get": "kref_get instead of kref_get_unless_zero",
  "atc-inv-wrong-sid": "send the ATC_INV to the wrong device",
};

export function breakItLabel(fault: string): string {
  return `Break it: ${isFaultName(fault) ? BREAK_IT[fault] : fault}`;
}

/** Fault name → the violation kinds the lessons show it breaking. */
export const BREAKS: ReadonlyMap<string, ReadonlySet<string>> = (() => {
  const m = new Map<string, Set<string>>();
  for (const l of LIBRARY) {
    if (!l.fault) continue;
    const s = m.get(l.fault.name) ?? new Set<string>();
    s.add(l.fault.breaks);
    m.set(l.fault.name, s);
  }
  return m;
})();

export interface SafeguardNote {
  readonly fault: string;
  /** The safeguard, said positively ("the ATC_INV that reaches the device's ATC"). */
  readonly safeguard: string;
  /** What switching it off does (FAULTS). */
  readonly effect: string;
}

export interface ViolationExplanation {
  /** Switched-off safeguards known to protect against this kind of violation. */
  readonly prevented: readonly SafeguardNote[];
  /** The scenario's other switched-off safeguards (shown when none of them matches). */
  readonly others: readonly SafeguardNote[];
}

function note(fault: string): SafeguardNote {
  const known = isFaultName(fault);
  return {
    fault,
    safeguard: known ? SAFEGUARDS[fault] : fault,
    effect: known ? FAULTS[fault] : "",
  };
}

/** Null when the scenario switches no safeguard off: the violation is then the design's own. */
export function explainViolation(faults: readonly string[], kind: string): ViolationExplanation | null {
  if (faults.length === 0) return null;
  const prevented = faults.filter((f) => BREAKS.get(f)?.has(kind)).map(note);
  const others = faults.filter((f) => !BREAKS.get(f)?.has(kind)).map(note);
  return { prevented, others };
}

/** One line for a tooltip: "Prevented by: the ATC_INV … (switched off here: skip-atc-inv)". */
export function explanationText(faults: readonly string[], kind: string): string | null {
  const e = explainViolation(faults, kind);
  if (e === null) return null;
  if (e.prevented.length > 0) {
    return `Prevented by ${e.prevented.map((n) => `${n.safeguard} (switched off here: ${n.fault})`).join("; or ")}.`;
  }
  return `Safeguards switched off here: ${e.others.map((n) => n.fault).join(", ")}; none of them is known to guard against ${kind}.`;
}
