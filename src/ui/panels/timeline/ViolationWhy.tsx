/**
 * Under a violation in the step list: which switched-off safeguard would have prevented it
 * (from the lesson table and FAULTS), when the scenario has faults on.
 */

import { useLab } from "../../../store/store.ts";
import { explainViolation } from "../../../view/index.ts";
import { TermText } from "../../glossary/Term.tsx";

export function ViolationWhy({ kind, focusable = true }: { kind: string; focusable?: boolean }) {
  const faults = useLab((s) => s.scenario.faults);
  const e = explainViolation(faults, kind);
  if (e === null) return null;
  if (e.prevented.length > 0) {
    return (
      <span className="block font-normal text-red-800/90 dark:text-red-300/90" data-testid="violation-why">
        {e.prevented.map((n) => (
          <span key={n.fault} className="block">
            Prevented by <TermText text={n.safeguard} focusable={focusable} />, switched off here (
            <code className="font-mono">{n.fault}</code>): <TermText text={n.effect} focusable={focusable} />
          </span>
        ))}
      </span>
    );
  }
  return (
    <span className="block font-normal text-red-800/90 dark:text-red-300/90" data-testid="violation-why">
      Safeguards switched off here: {e.others.map((n) => n.fault).join(", ")}; none is known to guard against{" "}
      {kind}.
    </span>
  );
}
