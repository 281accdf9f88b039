/**
 * Which runs came from the page's run worker, and their worlds (remote-run.ts, fetched with the
 * first large scenario, fills it in): the store and the prefetcher ask here, at every move.
 */

import type { World } from "../engine/index.ts";
import { type RunResult, worldAt } from "../kernel/index.ts";

/** The worlds of a run the worker holds, seen from the page. */
export interface RemoteWorlds {
  /** The world after `k` steps if it is here or a few steps past one that is; else null. */
  near(k: number): World | null;
  /** The world after `k` steps, from the worker unless it is near one held here. */
  fetch(k: number): Promise<World>;
  /** Builds the page's own checkpoints of the run in idle moments, while `shown` holds. */
  warm(shown: () => boolean): void;
  /** The state hash after `k` steps, if the worker has computed it (the final one always). */
  hashAt(k: number): string | undefined;
  /**
   * Asks the worker for the state hash after `k` steps (hashing a large world takes the page
   * hundreds of milliseconds); `then` runs when `hashAt(k)` has it, or when the worker is gone.
   * False when it is already gone: the page computes the hash itself.
   */
  askHash(k: number, then: () => void): boolean;
  /** True once `warm` has replayed the whole run: no world is then asked of the worker. */
  readonly warmed: boolean;
}

export const remotes = new WeakMap<RunResult, RemoteWorlds>();

/** Counts the worlds that came from the worker: a view waiting for one re-reads on a change. */
let arrivals = 0;
const listeners = new Set<() => void>();
export function worldArrived(): void {
  arrivals++;
  for (const l of listeners) l();
}
export function onWorldArrived(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
export const worldsArrived = (): number => arrivals;

/**
 * The world after `k` steps of `result` if the page has it or can replay it at once, else null
 * (a run from the worker: it is asked for, and `onWorldArrived` tells when it is here). For
 * views that read a world other than the cursor's (a large run's far one would take seconds
 * to replay here).
 */
export function worldIfNear(result: RunResult, k: number): World | null {
  const remote = remotes.get(result);
  if (!remote) return worldAt(result, k);
  const w = remote.near(k);
  if (w === null) void remote.fetch(k);
  return w;
}

/** The worker's side of `result`, when it is a run from the worker. */
export function remoteOf(result: RunResult): RemoteWorlds | undefined {
  return remotes.get(result);
}
