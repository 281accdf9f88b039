/**
 * Schedules as people write them (docs/cli.md): `T0×9 smmu×2 T1:op`. `T0×9` is nine `T0`
 * entries (`T0x9` and `T0*9` too, for keyboards without ×); `T1:op` and the rest are the
 * scenario format's own entries (CONTRACT §1). `shortSchedule` writes a run's actors this way,
 * cut where the default policy would do the same anyway; `expandSchedule` reads it back.
 */
import { cloneWorld } from "../engine/clone.ts";
import { Recorder } from "../engine/trace.ts";
import type { World } from "../engine/world.ts";
import { entrySteps } from "../kernel/run.ts";
import { type Sim, stepActor } from "../kernel/sim.ts";
import type { Parsed, Scenario } from "../scenario/types.ts";
import { replay } from "./replay.ts";

/** `T0×9` → nine "T0"; other entries as they are. Entries are separated by spaces or commas. */
export function expandSchedule(text: string): Parsed<string[]> {
  const out: string[] = [];
  for (const word of text.split(/[\s,]+/).filter(Boolean)) {
    const m = /^([^×*:\s]+?(?::op)?)(?:[×*x](\d{1,6}))?$/u.exec(word);
    if (!m || (m[2] !== undefined && Number(m[2]) < 1)) {
      return {
        ok: false,
        error: `"${word.slice(0, 40)}" is not a schedule entry (T0, T0×3, T0:op, smmu, srcu, iopf)`,
      };
    }
    for (let k = 0; k < Number(m[2] ?? 1); k++) out.push(m[1]!);
    if (out.length > 1_000_000) return { ok: false, error: "the schedule is longer than 1000000 entries" };
  }
  return { ok: true, value: out };
}

/** Above this many steps only runs are folded (`T0×9`): trying `:op` at each run costs a clone. */
const OP_FOLD_STEPS = 5000;

/** The actors `name:op` would take from world `w`, or null if it cannot run there. */
function opSteps(sim: Sim, w: World, name: string, limit: number): string[] | null {
  const copy = cloneWorld(w);
  const taken: string[] = [];
  try {
    for (const actor of entrySteps(sim, copy, `${name}:op`, "")) {
      taken.push(actor);
      if (taken.length > limit) return null;
      // entrySteps steps nothing itself: the caller does, as run.ts does.
      stepActor(sim, copy, actor, new Recorder());
    }
  } catch {
    return null;
  }
  return taken;
}

/**
 * A run's actors (one per step) as a short schedule that replays the same steps: the entries
 * up to the last step the default policy would not have taken, with `T1:op` where a thread's
 * op runs as `:op` runs it and `T0×9` for runs of one actor.
 */
export function shortSchedule(scenario: Scenario, actors: readonly string[]): string[] {
  const threads = new Set(scenario.threads.map((t) => t.name));
  const fold = actors.length <= OP_FOLD_STEPS;
  const opAt = new Map<number, number>();
  const steps = replay(scenario, actors, (sim, w, i) => {
    if (!fold || !threads.has(actors[i]!) || (i > 0 && actors[i - 1] === actors[i])) return;
    const t = w.threads.find((x) => x.name === actors[i]);
    if (!t || t.program === "" || t.pc !== 0 || t.stack.length > 0) return;
    const taken = opSteps(sim, w, actors[i]!, actors.length - i);
    if (taken && taken.length >= 3 && taken.every((a, k) => actors[i + k] === a)) opAt.set(i, taken.length);
  });
  let end = actors.length;
  while (end > 0 && steps[end - 1]!.byDefault === actors[end - 1]) end--;
  const out: string[] = [];
  for (let i = 0; i < end; ) {
    const op = opAt.get(i);
    if (op !== undefined && i + op <= end) {
      out.push(`${actors[i]}:op`);
      i += op;
      continue;
    }
    let k = i + 1;
    while (k < end && actors[k] === actors[i] && !opAt.has(k)) k++;
    out.push(k - i > 1 ? `${actors[i]}×${k - i}` : actors[i]!);
    i = k;
  }
  return out;
}
