/**
 * Keeps stepping instant on large runs. A large run keeps only a checkpoint every few hundred
 * steps, and the world after a step is replayed on demand (`worldAt`, which caches the last
 * few); its view models cost milliseconds too. So while the page is idle after a move, the
 * worlds on either side of the cursor are replayed and the registered warmers (the panels'
 * view models, the state hash) computed for them: the next → or ← then finds everything
 * cached. Small runs keep a clone per step and need none of this.
 *
 * The work is cut into small idle tasks (one world, then one warmer at a time), so a key
 * pressed meanwhile waits for one task at most.
 */

import type { World } from "../engine/index.ts";
import { worldAt } from "../kernel/index.ts";
import { type LabState, useLab } from "./store.ts";

/** Computations to run ahead for a world (they cache their own results, by world). */
export const warmers: ((w: World) => void)[] = [];

type Task = () => void;

interface IdleDeadline {
  timeRemaining(): number;
}

function idle(run: (d: IdleDeadline) => void): () => void {
  const ric = (
    globalThis as {
      requestIdleCallback?: (cb: (d: IdleDeadline) => void, o?: { timeout: number }) => number;
      cancelIdleCallback?: (id: number) => void;
    }
  ).requestIdleCallback;
  if (ric) {
    const id = ric(run, { timeout: 250 });
    return () => (globalThis as { cancelIdleCallback?: (id: number) => void }).cancelIdleCallback?.(id);
  }
  const t = setTimeout(() => run({ timeRemaining: () => 8 }), 16);
  return () => clearTimeout(t);
}

/** The tasks that warm the neighbourhood of the cursor, most useful first. */
function plan(s: LabState): Task[] {
  const { result, cursor } = s;
  const tasks: Task[] = [];
  const warm = (w: () => World): void => {
    let world: World | null = null;
    tasks.push(() => {
      world = w();
    });
    for (const f of warmers) tasks.push(() => world && f(world));
  };
  warm(() => s.world);
  if (cursor < result.steps.length) warm(() => worldAt(result, cursor + 1));
  if (cursor > 0) warm(() => worldAt(result, cursor - 1));
  return tasks;
}

export function startPrefetch(store = useLab): () => void {
  let cancel: (() => void) | null = null;
  const schedule = (s: LabState): void => {
    cancel?.();
    cancel = null;
    if (s.result.checkpointEvery <= 1) return;
    const tasks = plan(s);
    const run = (d: IdleDeadline): void => {
      cancel = null;
      // At least one task per callback; more while the browser says it has time.
      do tasks.shift()?.();
      while (tasks.length > 0 && d.timeRemaining() > 6);
      if (tasks.length > 0) cancel = idle(run);
    };
    cancel = idle(run);
  };
  const unsubscribe = store.subscribe((s, prev) => {
    if (s.world !== prev.world) schedule(s);
  });
  schedule(store.getState());
  return () => {
    unsubscribe();
    cancel?.();
  };
}
