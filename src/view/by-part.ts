/**
 * View-model rows made once per world part. The World is copy on write by part (engine/clone.ts):
 * a part that is the same object in two worlds holds the same data, so the row made from it is
 * the same row, and a list of rows whose items are all the rows drawn before is that list.
 * Nothing is compared but identities.
 */

/**
 * `fn` remembered per part (and the one other argument, the run's scenario, by identity).
 *
 * @example const line = byPart((t: ThreadState) => ({ text: t.status })); line(t, undefined) === line(t, undefined)
 */
export function byPart<P extends object, A, R>(fn: (part: P, arg: A) => R): (part: P, arg: A) => R {
  const made = new WeakMap<P, { arg: A; row: R }>();
  return (part, arg) => {
    const hit = made.get(part);
    if (hit && hit.arg === arg) return hit.row;
    const row = fn(part, arg);
    made.set(part, { arg, row });
    return row;
  };
}

/** `prev` when `next` holds the same items (===) in the same order, else `next`. */
export function sameItems<T>(prev: readonly T[] | undefined, next: readonly T[]): readonly T[] {
  if (prev === undefined || prev.length !== next.length) return next;
  for (let i = 0; i < next.length; i++) if (prev[i] !== next[i]) return next;
  return prev;
}
