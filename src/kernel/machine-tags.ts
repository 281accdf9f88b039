/**
 * What a lifecycle state means, as the statecharts (machines.ts) declare it on their states with
 * tags: `dying` (on its way out: the count reached zero, the mm is exiting, the notifier released
 * or put) and `freed` (gone: a use now is a use after free). A state without a tag is alive. The
 * topology and the runner's JSON read them here; the kernel model records only the states.
 */

import type { AnyStateMachine } from "xstate";
import { MACHINES, type MachineName } from "./machines.ts";

export type LifecycleTag = "dying" | "freed";

const TAGS: readonly LifecycleTag[] = ["dying", "freed"];
const known = new Map<string, readonly LifecycleTag[]>();

/** The tags of state `value` of machine `name`. */
export function stateTags(name: MachineName, value: string): readonly LifecycleTag[] {
  const key = `${name}/${value}`;
  let tags = known.get(key);
  if (!tags) {
    const snap = (MACHINES[name] as AnyStateMachine).resolveState({ value, context: {} });
    tags = TAGS.filter((t) => snap.hasTag(t));
    known.set(key, tags);
  }
  return tags;
}
