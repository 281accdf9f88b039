/**
 * The world at the cursor, and the view models the panels draw from it. The world comes from
 * one selector (`s.world`, which the store keeps equal to `worldAt(result, cursor)`); each view
 * model is cached per world, so the prefetcher (store/prefetch.ts) can compute the next
 * step's ahead of time and the panels then find it ready.
 */

import { useEffect, useReducer, useRef } from "react";
import type { World } from "../../engine/index.ts";
import { type ActorInfo, actorsIn, type RunResult, worldHash } from "../../kernel/index.ts";
import { warmers } from "../../store/prefetch.ts";
import { useLab } from "../../store/store.ts";
import { cmdqVm } from "../../view/cmdq.ts";
import { type MemoryVm, memoryVm } from "../../view/memory.ts";
import { sameData, shareEqual } from "../../view/same.ts";
import { streamTableVm } from "../../view/stream.ts";
import { tlbVm } from "../../view/tlb.ts";

export interface PerWorld<T, A extends unknown[] = []> {
  (w: World, ...args: A): T;
  /** The cached value, without computing it. */
  peek(w: World): T | undefined;
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
  return get;
}

export const stateHashOf = perWorld(worldHash);
export const streamTableVmOf = perWorld(streamTableVm, shareEqual);
export const cmdqVmOf = perWorld(cmdqVm, shareEqual);
export const tlbVmOf = perWorld(tlbVm, shareEqual);
export const memoryVmOf = perWorld(memoryVm, (a, b) => (sameMemory(a, b) ? a : b));
const actorsOf = perWorld((w: World, result: RunResult) => actorsIn(result, w), shareEqual);

// Not the state hash: one task of ~10 ms on a large world, which would delay a key pressed
// meanwhile; it is computed once the cursor rests (useLazyWorldValue).
warmers.push(streamTableVmOf, cmdqVmOf, tlbVmOf, memoryVmOf, (w, s) => actorsOf(w, s.result));

export function useWorld(): World {
  return useLab((s) => s.world);
}

/** The run keeps checkpoints rather than a world per step: a large run, where costs show. */
export function useLargeRun(): boolean {
  return useLab((s) => s.result.checkpointEvery > 1);
}

/**
 * A value of the world that is too slow to compute on every step of a large run: computed at
 * once for small runs; for large ones, null until an idle moment computes it (or the
 * prefetcher already has).
 */
export function useLazyWorldValue<T>(of: PerWorld<T>): T | null {
  const w = useWorld();
  const large = useLargeRun();
  const [, bump] = useReducer((n: number) => n + 1, 0);
  const ready = large ? of.peek(w) : of(w);
  useEffect(() => {
    if (ready !== undefined) return;
    // Once the cursor has rested a moment: stepping quickly computes none of them.
    const t = setTimeout(() => {
      of(w);
      bump();
    }, 250);
    return () => clearTimeout(t);
  }, [w, of, ready]);
  return ready ?? null;
}

/** The state hash at the cursor (null while a large run's is being computed). */
export function useStateHash(): string | null {
  return useLazyWorldValue(stateHashOf);
}

/**
 * `v`, or the value returned before when `same` finds it equal: a step that leaves a panel's
 * view model as it was gives the panel's memoised diagram the same object, so it neither
 * renders nor redraws.
 */
export function useStable<T>(v: T, same: (a: T, b: T) => boolean = sameData): T {
  const last = useRef(v);
  if (last.current !== v && same(last.current, v)) return last.current;
  last.current = v;
  return v;
}

/** Up to this many frames, the titles are compared too (the SVG grid shows them). */
const MEMORY_TITLES = 2048;

/**
 * Memory drawn the same: frames of the same kinds, and (small memories) the same hover texts.
 * A large memory's hover text is read when shown; it may lag a step behind an owner change
 * that kept the frame's kind.
 */
export function sameMemory(a: MemoryVm, b: MemoryVm): boolean {
  if (a.count !== b.count || a.free !== b.free || !sameData(a.kind, b.kind) || !sameData(a.was, b.was))
    return false;
  if (a.count > MEMORY_TITLES) return true;
  for (let i = 0; i < a.count; i++) if (a.title(i) !== b.title(i)) return false;
  return true;
}

export const useStreamTableVm = () => useStable(streamTableVmOf(useWorld()));
export const useCmdqVm = () => useStable(cmdqVmOf(useWorld()));
export const useTlbVm = () => useStable(tlbVmOf(useWorld()));
export const useMemoryVm = () => useStable(memoryVmOf(useWorld()), sameMemory);

export function useActors(): readonly ActorInfo[] {
  const result = useLab((s) => s.result);
  return useStable(actorsOf(useWorld(), result));
}
