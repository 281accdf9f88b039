import { useDeferredValue } from "react";

/**
 * A list longer than `many` is drawn in a render of its own after the step's (a deferred value,
 * which React renders in slices), so a jump that brings in hundreds of rows (End on the large
 * scenario) has no long task; the list catches up within a few frames. Returns the rows to draw
 * and whether they are many (the rows then skip style and layout while out of view).
 */
export function useLongList<T>(now: readonly T[], many: number): [readonly T[], boolean] {
  const deferred = useDeferredValue(now);
  const rows = now.length > many || deferred.length > many ? deferred : now;
  return [rows, rows.length > many];
}
