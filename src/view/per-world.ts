/**
 * A function of a world, cached per world (cache.ts lists the panels' ones). Its own module,
 * with no other import, so that the view models fetched after the first paint can use it
 * without pulling the first download's view models into their chunk.
 */

import type { World } from "../engine/index.ts";

export interface PerWorld<T, A extends unknown[] = []> {
  (w: World, ...args: A): T;
  /** The cached value, without computing it. */
  peek(w: World): T | undefined;
  /** Whether it has been computed for any world yet (the prefetcher warms a view once shown). */
  used(): boolean;
}

/**
 * `fn` cached per world (worlds are never mutated once shown; a world belongs to one run, so
 * the other arguments, the run's scenario or result, are the same each time it is asked).
 * With `share` (`shareEqual`), a value is given the parts it has in common with the one
 * computed before: the prefetcher computes the next step's view model ahead, and the panel
 * then gets, for each part the step left as it was, the very object it has drawn, and skips it
 * without comparing anything.
 */
export function perWorld<T, A extends unknown[] = []>(
  fn: (w: World, ...args: A) => T,
  share?: (prev: T, next: T) => T,
): PerWorld<T, A> {
  const cache = new WeakMap<World, T>();
  let last: { v: T } | null = null;
  const get = ((w: World, ...args: A): T => {
    if (cache.has(w)) return cache.get(w) as T;
    let v = fn(w, ...args);
    if (share && last) v = share(last.v, v);
    last = { v };
    cache.set(w, v);
    return v;
  }) as PerWorld<T, A>;
  get.peek = (w) => cache.get(w);
  get.used = () => last !== null;
  return get;
}
