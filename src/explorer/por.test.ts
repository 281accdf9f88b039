/**
 * The reduction's claims checked by the engine rather than trusted: wherever seeded random
 * runs of a lesson (and of its faulted variant) meet a thread whose next step is marked
 * `local`, that step enables no other actor and commutes with the next step of every other
 * runnable actor: neither disables the other, and both orders reach the same state hash. A
 * step wrongly marked `local` fails here (marking the command queue's insertion step local
 * fails 33 of these). What this cannot see: a step of another actor further ahead that the
 * local step does not commute with.
 */
import { describe, expect, it } from "vitest";
import { Recorder } from "../engine/trace.ts";
import type { World } from "../engine/world.ts";
import { boot } from "../kernel/boot.ts";
import { clone, worldHash } from "../kernel/run.ts";
import { actors, createSim, nextStep, type Sim, settleAll, stepActor } from "../kernel/sim.ts";
import { LIBRARY } from "../scenario/library/index.ts";
import type { Scenario } from "../scenario/types.ts";
import { mulberry32 } from "./random.ts";

const runnable = (sim: Sim, w: World, name: string): boolean =>
  actors(sim, w).find((a) => a.name === name)?.runnable ?? false;

function stepped(sim: Sim, w: World, ...names: string[]): World {
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
    const w0 = boot(s);
    settleAll(sim, w0, new Recorder());
    const pick = mulberry32(11);
    // Seeded random runs: the default policy alone seldom leaves another actor runnable there.
    for (let run = 0; run < 12; run++) {
      const w = clone(w0);
      for (let i = 0; i < 5000; i++) {
        for (const t of w.threads) {
          const step = nextStep(sim, t);
          if (t.status !== "ready" || !(step?.local || step?.localIf?.(w))) continue;
          const fn = nextStep(sim, t)!.fn;
          const others = (x: World): string[] =>
            actors(sim, x)
              .filter((a) => a.name !== t.name && a.runnable)
              .map((a) => a.name);
          expect(
            others(stepped(sim, w, t.name)),
            `${t.name}'s ${fn} after step ${i} enables another actor`,
          ).toEqual(others(w));
          for (const a of actors(sim, w)) {
            if (a.name === t.name || !a.runnable) continue;
            const where = `${t.name}'s ${fn} and ${a.name}'s next step, after step ${i}`;
            expect(
              runnable(sim, stepped(sim, w, t.name), a.name),
              `${where}: the local step disables it`,
            ).toBe(true);
            expect(
              runnable(sim, stepped(sim, w, a.name), t.name),
              `${where}: it disables the local step`,
            ).toBe(true);
            expect(worldHash(stepped(sim, w, t.name, a.name)), where).toBe(
              worldHash(stepped(sim, w, a.name, t.name)),
            );
            checked++;
          }
        }
        const can = actors(sim, w).filter((a) => a.runnable);
        if (can.length === 0) break;
        stepActor(sim, w, can[Math.floor(pick() * can.length)]!.name, new Recorder());
      }
    }
  });
});

it("the lessons meet local steps with other actors runnable (the checks above ran)", () => {
  expect(checked).toBeGreaterThan(0);
});
