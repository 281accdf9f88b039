/**
 * Moving between violations: the cursor that shows a violation is the one just after its step
 * (the step list then highlights that step), as the lesson bar's "Show the violation" does.
 */

export interface HasStep {
  readonly step: number;
}

/** Cursors just after each violating step, ascending, clamped to the run. */
export function violationCursors(violations: readonly HasStep[], total: number): number[] {
  const set = new Set(violations.map((v) => Math.max(0, Math.min(total, v.step + 1))));
  return [...set].sort((a, b) => a - b);
}

export function nextViolation(violations: readonly HasStep[], total: number, cursor: number): number | null {
  return violationCursors(violations, total).find((c) => c > cursor) ?? null;
}

export function prevViolation(violations: readonly HasStep[], total: number, cursor: number): number | null {
  const before = violationCursors(violations, total).filter((c) => c < cursor);
  return before.length > 0 ? before[before.length - 1]! : null;
}
