/**
 * Mutex steps: `mutex_lock` blocks the thread while another holds the lock; `mutex_unlock`
 * releases it. A fault can switch a lock off (`no-sva-lock`), to show what it serialises.
 */

import { hasFault } from "./cmdq.ts";
import { lockWait, releaseLock, takeLock } from "./objects.ts";
import { type Ctx, type MicroStep, step } from "./program.ts";

export interface LockSpec {
  /** The lock's name in the world ("sva_lock"). */
  readonly name: string;
  /** The fault that switches it off, if any. */
  readonly fault?: string;
  /** A spinlock is named with spin_lock / spin_unlock; the model treats both kinds alike. */
  readonly spin?: boolean;
}

const off = (c: Ctx, lock: LockSpec): boolean => lock.fault !== undefined && hasFault(c.w, lock.fault);

export function mutexLock(lock: LockSpec): MicroStep {
  return step(
    lock.spin ? `spin_lock(&${lock.name})` : `mutex_lock(&${lock.name})`,
    (c) => {
      takeLock(c.w, lock.name, c.t.name);
      c.rec.say(`${c.t.name} takes ${lock.name}.`);
      return undefined;
    },
    { when: (c) => !off(c, lock), wait: (c) => lockWait(c.w, lock.name, c.t.name) },
  );
}

/** `before` runs first, under the lock (the last statement of the critical section). */
export function mutexUnlock(lock: LockSpec, label?: string, before?: (c: Ctx) => void): MicroStep {
  return step(
    lock.spin ? `spin_unlock(&${lock.name})` : `mutex_unlock(&${lock.name})`,
    (c) => {
      before?.(c);
      if (!off(c, lock)) {
        releaseLock(c.w, lock.name);
        c.rec.say(`${c.t.name} releases ${lock.name}.`);
      }
      return undefined;
    },
    {
      ...(label ? { label } : {}),
      // With a `before`, the step writes what `before` writes: no claim.
      ...(before ? {} : { releases: (c: Ctx) => (off(c, lock) ? [] : [lock.name]) }),
    },
  );
}
