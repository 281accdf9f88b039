/**
 * A function of a world, cached per world (cache.ts lists the panels' ones). Its own module,
 * importing only parts.ts, so that the view models fetched after the first paint can use it
 * without pulling the first download's view models into their chunk.
 */

import type { World } from "../engine/index.ts";
import { sameParts } from "./parts.ts";

export interface PerWorld<T, A extends unknown[] = []> {
  (w: World, ...args: A): T;
  /** The cached value, without computing it. */
  peek(w: World): T | undefined;
  /** Whether it has been computed for any world yet (the prefetcher warms a view once shown). */
  used(): boolean;
}

export interface PerWorldOptions<T> {
  /**
   * The world's parts `fn` reads (parts.ts): when each is the same object as in the world
   * computed before, the step left them as they were (copy on write), and so the value: the
   * one computed before is returned as it is, not computed again.
   */
  readonly parts?: (w: World) => readonly unknown[];
  /**
   * When the parts changed: the new value given what it has in common with the one before
   * (`shareEqual`), so a memoised row the change left alone is handed the object it drew.
   */
  readonly share?: (prev: T, next: T) => T;
}

/**
 * `fn` cached per world (worlds are never mutated once shown; a world belongs to one run, so
 * the other arguments, the run's scenario or result, are the same each time it is asked).
 * With `parts`, a world whose parts are those of the world computed before (the prefetcher
 * computes the next step's view model ahead) gets that world's value, the very object the
 * panel has drawn: its memoised diagram skips it without comparing anything.
 */
export function perWorld<T, A extends unknown[] = []>(
  fn: (w: World, ...args: A) => T,
  options: PerWorldOptions<T> = {},
): PerWorld<T, A> {
  const { parts, share } = options;
  const cache = new WeakMap<World, T>();
  let last: { v: T; parts: readonly unknown[] } | null = null;
  const get = ((w: World, ...args: A): T => {
    if (cache.has(w)) return cache.get(w) as T;
    const now = parts ? parts(w) : [];
    let v: T;
    if (parts && last && sameParts(last.parts, now)) v = last.v;
    else {
      v = fn(w, ...args);
      if (share && last) v = share(last.v, v);
    }
    last = { v, parts: now };
    cache.set(w, v);
    return v;
  }) as PerWorld<T, A>;
  get.peek = (w) => cache.get(w);
  get.used = () => last !== null;
  return get;
}
