/**
 * The reduction's claims checked by the engine rather than trusted: wherever a lesson's run
 * (and its faulted variant) meets a thread whose next step is marked `local`, that step
 * commutes with the next step of every other runnable actor: neither disables the other, and
 * both orders reach the same state (the same state hash). A new step wrongly marked `local`
 * fails here. (A local step may enable others: the notifier loop's last callback ends its SRCU
 * read section in the control step after it, which can only let `srcu` or a synchronize_srcu
 * go on afterwards.)
 */
import { describe, expect, it } from "vitest";
import { Recorder } from "../engine/trace.ts";
import type { World } from "../engine/world.ts";
import { boot } from "../kernel/boot.ts";
import { clone, worldHash } from "../kernel/run.ts";
import { actors, createSim, defaultActor, nextStep, type Sim, settleAll, stepActor } from "../kernel/sim.ts";
import { LIBRARY } from "../scenario/library/index.ts";
import type { Scenario } from "../scenario/types.ts";

const runnable = (sim: Sim, w: World, name: string): boolean =>
  actors(sim, w).find((a) => a.name === name)?.runnable ?? false;

function after(sim: Sim, w: World, ...names: string[]): World {
  const c = clone(w);
  for (const n of names) {
    if (!runnable(sim, c, n)) return c;
    stepActor(sim, c, n, new Recorder());
  }
  return c;
}

let checked = 0;

describe.each(LIBRARY.map((l) => [l.id, l] as const))("%s", (_id, lesson) => {
  const variants: [string, Scenario][] = [["as written", lesson.scenario]];
  if (lesson.fault)
    variants.push([`with ${lesson.fault.name}`, { ...lesson.scenario, faults: [lesson.fault.name] }]);
  it.each(variants)("%s, its local steps commute with every other actor's next step", (_how, s) => {
    const sim = createSim(s);
    const w = boot(s);
    settleAll(sim, w, new Recorder());
    for (let i = 0; i < 5000; i++) {
      for (const t of w.threads) {
        if (t.status !== "ready" || !nextStep(sim, t)?.local) continue;
        const fn = nextStep(sim, t)!.fn;
        for (const a of actors(sim, w)) {
          if (a.name === t.name || !a.runnable) continue;
          const where = `${t.name}'s ${fn} and ${a.name}'s next step, after step ${i}`;
          expect(runnable(sim, after(sim, w, t.name), a.name), `${where}: the local step disables it`).toBe(
            true,
          );
          expect(runnable(sim, after(sim, w, a.name), t.name), `${where}: it disables the local step`).toBe(
            true,
          );
          expect(worldHash(after(sim, w, t.name, a.name)), where).toBe(
            worldHash(after(sim, w, a.name, t.name)),
          );
        }
      }
      const next = defaultActor(sim, w);
      if (next === null) break;
      stepActor(sim, w, next, new Recorder());
    }
  });
});

it("the lessons meet local steps with other actors runnable (the checks above ran)", () => {
  expect(checked).toBeGreaterThan(0);
});
