/**
 * The explorer's `runnableActors` (explorer/start.ts, asked at every state) says of every actor what `actors`
 * (what the page and the runner show) says: at every step of every lesson, of its faulted
 * variant, and of seeded random runs of the race ladder on every design.
 */
import { expect, it } from "vitest";
import { race } from "../../bench/races.ts";
import { SilentRecorder } from "../engine/trace.ts";
import type { World } from "../engine/world.ts";
import { parseScenario } from "../scenario/index.ts";
import { LIBRARY } from "../scenario/library/index.ts";
import { mulberry32 } from "./random.ts";
import "../kernel/all.ts";
import { boot } from "../kernel/boot.ts";
import { runScenario } from "../kernel/run.ts";
import { actors, createSim, type Sim, settleAll, stepActor } from "../kernel/sim.ts";
import { runnableActors } from "./start.ts";

function agree(sim: Sim, w: World, where: string): number {
  const shown = actors(sim, w).flatMap((a, i) => (a.runnable ? [i] : []));
  expect(runnableActors(sim, w), where).toEqual(shown);
  return shown.length;
}

it("agrees with actors() at every step of every lesson", () => {
  let runnable = 0;
  for (const l of LIBRARY) {
    for (const s of [l.scenario, ...(l.fault ? [{ ...l.scenario, faults: [l.fault.name] }] : [])]) {
      const sim = createSim(s);
      runScenario(s, { snapshots: true }).snapshots.forEach((w, i) => {
        runnable += agree(sim, w, `${l.id} step ${i}`);
      });
    }
  }
  expect(runnable).toBeGreaterThan(1000);
});

it("agrees with actors() in seeded random runs of the race ladder", () => {
  const pick = mulberry32(5);
  for (const design of ["arm-smmu-v3-sva", "io-mm-2018", "sva-domain"]) {
    const parsed = parseScenario(race(design, 6));
    if (!parsed.ok) throw new Error(parsed.error);
    const sim = createSim(parsed.value);
    for (let run = 0; run < 20; run++) {
      const w = boot(parsed.value);
      settleAll(sim, w, new SilentRecorder());
      for (let i = 0; i < 400; i++) {
        if (agree(sim, w, `${design} run ${run} step ${i}`) === 0) break;
        const names = actors(sim, w).filter((a) => a.runnable);
        stepActor(sim, w, names[Math.floor(pick() * names.length)]!.name, new SilentRecorder());
      }
    }
  }
});
