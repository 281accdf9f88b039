/**
 * The world at the cursor, and the view models the panels draw from it. The world comes from
 * one selector (`s.world`, which the store keeps equal to `worldAt(result, cursor)`); each view
 * model is cached per world (view/cache.ts), so the prefetcher (store/prefetch.ts, from the list
 * in view/warm.ts) can compute the next step's ahead of time and the panels then find it ready.
 */

import { createContext, useContext, useEffect, useReducer } from "react";
import { remoteOf } from "../../store/remote-of.ts";
import { useLab } from "../../store/store.ts";
import {
  type ActorInfo,
  actorsOf,
  cmdqVmOf,
  memoryVmOf,
  type PerWorld,
  type RunResult,
  stateHashOf,
  streamTableVmOf,
  tlbVmOf,
  type World,
} from "../../view/index.ts";

/**
 * The step a panel draws while it is not the cursor's: after a far jump on a large run each
 * panel is drawn in a task of its own (layout/Staged.tsx), and until its turn it keeps the
 * step it showed. Null (the default): the cursor's, from the store.
 */
export interface DrawnStep {
  readonly result: RunResult;
  readonly cursor: number;
  readonly world: World;
}
export const DrawnStepContext = createContext<DrawnStep | null>(null);

export function useWorld(): World {
  const drawn = useContext(DrawnStepContext);
  // While a step is held, the store's moves do not render this component.
  const live = useLab((s) => (drawn === null ? s.world : null));
  return drawn?.world ?? (live as World);
}

/** The cursor of the world `useWorld` gives (a panel's held step, else the store's). */
export function useCursor(): number {
  const drawn = useContext(DrawnStepContext);
  const live = useLab((s) => (drawn === null ? s.cursor : -1));
  return drawn?.cursor ?? live;
}

/** The run keeps checkpoints rather than a world per step: a large run, where costs show. */
export function useLargeRun(): boolean {
  return useLab((s) => s.result.checkpointEvery > 1);
}

/**
 * A value of the world that is too slow to compute on every step of a large run: computed at
 * once for small runs; for large ones, null until an idle moment computes it (or the
 * prefetcher already has). With `compute` false, only what is already there.
 */
export function useLazyWorldValue<T>(of: PerWorld<T>, compute = true): T | null {
  const w = useWorld();
  const large = useLargeRun();
  const [, bump] = useReducer((n: number) => n + 1, 0);
  const ready = large || !compute ? of.peek(w) : of(w);
  useEffect(() => {
    if (ready !== undefined || !compute) return;
    // Once the cursor has rested a moment: stepping quickly computes none of them.
    const t = setTimeout(() => {
      of(w);
      bump();
    }, 250);
    return () => clearTimeout(t);
  }, [w, of, ready, compute]);
  return ready ?? null;
}

/**
 * The state hash at the cursor (null while a large run's is being computed). A run from the
 * page's worker asks the worker for it (it holds the run; hashing a world of the large scenario
 * takes the page's thread hundreds of milliseconds): the same `worldHash`, off the page's thread.
 */
export function useStateHash(): string | null {
  const w = useWorld();
  const remote = useLab((s) => remoteOf(s.result));
  const cursor = useCursor();
  const [, bump] = useReducer((n: number) => n + 1, 0);
  const known = stateHashOf.peek(w) ?? remote?.hashAt(cursor);
  useEffect(() => {
    if (known !== undefined || remote === undefined) return;
    let live = true;
    // Once the cursor has rested a moment, as useLazyWorldValue does.
    const t = setTimeout(() => {
      if (!remote.askHash(cursor, () => live && bump())) {
        stateHashOf(w);
        bump();
      }
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [w, remote, cursor, known]);
  const local = useLazyWorldValue(stateHashOf, remote === undefined);
  return known ?? local;
}

// A step that leaves a panel's parts of the world alone hands the panel the view model it drew
// (view/per-world.ts: the parts are the same objects), so its memoised diagram neither renders
// nor redraws; nothing here compares.
export const useStreamTableVm = () => streamTableVmOf(useWorld());
export const useCmdqVm = () => cmdqVmOf(useWorld());
export const useTlbVm = () => tlbVmOf(useWorld());
export const useMemoryVm = () => memoryVmOf(useWorld());

export function useActors(): readonly ActorInfo[] {
  const result = useLab((s) => s.result);
  return actorsOf(useWorld(), result);
}
