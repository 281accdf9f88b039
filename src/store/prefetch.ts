/**
 * Keeps stepping instant. A large run keeps only a checkpoint every few hundred steps, and the
 * world after a step is replayed on demand (`worldAt`, which caches the last few); and on any
 * run the panels' view models cost milliseconds. So while the page is idle after a move, the
 * worlds on either side of the cursor are replayed (a small run has them already) and the
 * warmers (the panels' view models, listed once in view/warm.ts) computed for them: the next →
 * or ← then finds everything cached.
 *
 * The work is cut into small idle tasks (one world, then one warmer at a time), and it makes
 * way for input: the step ahead (in the direction of the last move) is warmed first, the one
 * behind only once the cursor has rested (a held or repeated key presses again within tens of
 * milliseconds, and work still running then delays it); a task starts only when the idle
 * period has room for it (as long as it took last time) and no input is waiting.
 */

import type { World } from "../engine/index.ts";
import { WARMERS, type Warmer } from "../view/warm.ts";
import { worldIfNear } from "./remote-of.ts";
import { isStarting, type LabState, useLab } from "./store.ts";

/**
 * The warmers ready to run, in WARMERS' order: the ones in the first download at once, the
 * others once their module has been fetched (loadLater, after the first paint).
 */
const warmers: (Warmer | null)[] = WARMERS.map((e) => ("warm" in e ? e.warm : null));
let laterRequested = false;
function loadLater(): void {
  if (laterRequested) return;
  laterRequested = true;
  WARMERS.forEach((e, i) => {
    if ("load" in e)
      void e.load().then((warm) => {
        warmers[i] = warm;
      });
  });
}

/** The step behind the direction of travel is warmed only after the cursor rests this long. */
const REST_MS = 300;

interface Task {
  /** What it computes, for its cost estimate: "world" or the warmer's index. */
  readonly kind: string;
  /** Not before this time (performance.now()). */
  readonly notBefore: number;
  readonly run: () => void;
}

interface IdleDeadline {
  readonly didTimeout?: boolean;
  timeRemaining(): number;
}

/** How long each kind of task took last time, in ms. */
const took = new Map<string, number>();

const now = (): number => globalThis.performance?.now() ?? Date.now();

/** Whether an input event is waiting (Chromium's isInputPending; false elsewhere). */
function inputPending(): boolean {
  const scheduling = (globalThis as { navigator?: { scheduling?: { isInputPending?: () => boolean } } })
    .navigator?.scheduling;
  return scheduling?.isInputPending?.() ?? false;
}

/** Runs `run` in an idle moment (after `delay` ms); returns what cancels it. */
export function idle(run: (d: IdleDeadline) => void, delay = 0): () => void {
  const ric = (
    globalThis as {
      requestIdleCallback?: (cb: (d: IdleDeadline) => void, o?: { timeout: number }) => number;
      cancelIdleCallback?: (id: number) => void;
    }
  ).requestIdleCallback;
  if (ric && delay <= 0) {
    const id = ric(run, { timeout: 250 });
    return () => (globalThis as { cancelIdleCallback?: (id: number) => void }).cancelIdleCallback?.(id);
  }
  if (ric) {
    // Later: then in an idle period.
    let stop: (() => void) | null = null;
    const t = setTimeout(() => {
      stop = idle(run);
    }, delay);
    return () => {
      clearTimeout(t);
      stop?.();
    };
  }
  const t = setTimeout(() => run({ timeRemaining: () => 8 }), Math.max(16, delay));
  return () => clearTimeout(t);
}

/** The tasks that warm the neighbourhood of the cursor, most useful first. */
function plan(s: LabState, forward: boolean): Task[] {
  const { result, cursor } = s;
  const tasks: Task[] = [];
  const warm = (w: () => World | null, notBefore: number): void => {
    let world: World | null = null;
    tasks.push({
      kind: "world",
      notBefore,
      run: () => {
        world = w();
      },
    });
    warmers.forEach((f, i) => {
      if (f) tasks.push({ kind: String(i), notBefore, run: () => world && f(world, s) });
    });
  };
  const rested = now() + REST_MS;
  // A run in the worker: a world not near one held here is asked of it (it arrives as a
  // message, and is then near); the warmers wait for the next move.
  const worldNear = (k: number) => (): World | null => worldIfNear(result, k);
  const next = cursor < result.steps.length ? worldNear(cursor + 1) : null;
  const prev = cursor > 0 ? worldNear(cursor - 1) : null;
  const [ahead, behind] = forward ? [next, prev] : [prev, next];
  warm(() => s.world, 0);
  if (ahead) warm(ahead, 0);
  if (behind) warm(behind, rested);
  return tasks;
}

export function startPrefetch(store = useLab): () => void {
  let cancel: (() => void) | null = null;
  const schedule = (s: LabState, forward: boolean): void => {
    cancel?.();
    cancel = null;
    // Opening a large link: the world held meanwhile is drawn by nothing.
    if (isStarting(s)) return;
    const tasks = plan(s, forward);
    const run = (d: IdleDeadline): void => {
      cancel = null;
      // Fetching the later warmers' modules (a preload link each) is a task of its own.
      if (!laterRequested) {
        loadLater();
        cancel = idle(run);
        return;
      }
      let ran = 0;
      // At most a few milliseconds a callback, however long the idle period: a callback
      // that ran late (`didTimeout`, the page busy drawing) runs one task only.
      const until = now() + Math.min(10, d.timeRemaining());
      while (tasks.length > 0) {
        const task = tasks[0]!;
        const wait = task.notBefore - now();
        if (wait > 0) {
          cancel = idle(run, wait);
          return;
        }
        // A key waiting goes first; so does the next frame when this task would not fit
        // before it (at least one task per callback still, so the work ends).
        if (inputPending()) break;
        if (ran > 0 && (d.didTimeout || until - now() < (took.get(task.kind) ?? 1) + 1)) break;
        const t0 = now();
        tasks.shift();
        task.run();
        took.set(task.kind, now() - t0);
        ran++;
      }
      if (tasks.length > 0) cancel = idle(run);
    };
    cancel = idle(run);
  };
  const unsubscribe = store.subscribe((s, prev) => {
    if (s.world !== prev.world) schedule(s, s.cursor >= prev.cursor);
  });
  schedule(store.getState(), true);
  return () => {
    unsubscribe();
    cancel?.();
  };
}
