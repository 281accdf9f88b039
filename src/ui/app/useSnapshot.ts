/**
 * The world at the cursor, and the view models the panels draw from it. The world comes from
 * one selector (`s.world`, which the store keeps equal to `worldAt(result, cursor)`); each view
 * model is cached per world (view/cache.ts), so the prefetcher (store/prefetch.ts, from the list
 * in view/warm.ts) can compute the next step's ahead of time and the panels then find it ready.
 */

import { useEffect, useReducer, useRef } from "react";
import { useLab } from "../../store/store.ts";
import {
  type ActorInfo,
  actorsOf,
  cmdqVmOf,
  memoryVmOf,
  type PerWorld,
  sameData,
  sameMemory,
  stateHashOf,
  streamTableVmOf,
  tlbVmOf,
  type World,
} from "../../view/index.ts";

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

export const useStreamTableVm = () => useStable(streamTableVmOf(useWorld()));
export const useCmdqVm = () => useStable(cmdqVmOf(useWorld()));
export const useTlbVm = () => useStable(tlbVmOf(useWorld()));
export const useMemoryVm = () => useStable(memoryVmOf(useWorld()), sameMemory);

export function useActors(): readonly ActorInfo[] {
  const result = useLab((s) => s.result);
  return useStable(actorsOf(useWorld(), result));
}
