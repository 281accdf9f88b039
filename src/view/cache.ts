/**
 * The view models cached per world, for the panels and the prefetcher (warm.ts).
 *
 * What it saves: a panel asks for its view model on every render, and the prefetcher computes
 * the next step's while the page is idle, so the key press finds it ready; with `shareEqual` a
 * step hands each panel the very objects it drew for the parts that did not change, so the
 * memoised diagrams skip them without comparing. Introduced with the per-world sharing of
 * commit db8e25d ("View models computed ahead on every run"): large scenario, key → rendered
 * 4.8/8.2 ms median/p95 (`npm run bench -- page`).
 */

import type { World } from "../engine/index.ts";
import { actorsIn, type RunResult, worldHash } from "../kernel/index.ts";
import { cachesVm } from "./caches.ts";
import { cmdqVm } from "./cmdq.ts";
import { kernelText } from "./kernel-state.ts";
import { memoryVm, sameMemory } from "./memory.ts";
import { shareEqual } from "./same.ts";
import { streamTableVm } from "./stream.ts";
import { tlbVm } from "./tlb.ts";

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

/** The state hash: not warmed (one task of ~10 ms on a large world, which would delay a key
 * pressed meanwhile); the page computes it once the cursor rests (useLazyWorldValue). */
export const stateHashOf = perWorld(worldHash);
export const streamTableVmOf = perWorld(streamTableVm, shareEqual);
export const cmdqVmOf = perWorld(cmdqVm, shareEqual);
export const tlbVmOf = perWorld(tlbVm, shareEqual);
export const memoryVmOf = perWorld(memoryVm, (a, b) => (sameMemory(a, b) ? a : b));
export const actorsOf = perWorld((w: World, result: RunResult) => actorsIn(result, w), shareEqual);
export const kernelTextOf = perWorld(kernelText, shareEqual);
export const cachesOf = perWorld(cachesVm, shareEqual);
