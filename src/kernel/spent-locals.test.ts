/**
 * A loop's working copies in a thread's locals (`<loop>.list`, `.i`, `.stages`, `.n`,
 * `.hitless`, `.rows`, `.visited`) live only while the loop runs: its program is the thread's or
 * one it will return to, and the thread has not gone past the loop's `<loop>.done`. A copy kept
 * longer makes states that differ only in how a finished loop went (docs/explorer.md, "Spent
 * locals are forgotten"). Checked at every step of every lesson, its faulted variant, and seeded
 * random runs of the race ladder.
 */
import { expect, it } from "vitest";
import type { ThreadState } from "../engine/world.ts";
import { parseScenario } from "../scenario/index.ts";
import { LIBRARY } from "../scenario/library/index.ts";
import type { Scenario } from "../scenario/types.ts";
import "./all.ts";
import { Recorder } from "../engine/trace.ts";
import { mulberry32 } from "../explorer/random.ts";
import { boot } from "./boot.ts";
import { clone, runScenario } from "./run.ts";
import { actors, createSim, type Sim, settleAll, stepActor } from "./sim.ts";

const LOOP_LOCAL = /^(.+)\.(list|i|stages|n|hitless|rows|visited)$/;

function check(sim: Sim, t: ThreadState, where: string): number {
  let n = 0;
  for (const name of Object.keys(t.locals)) {
    const m = LOOP_LOCAL.exec(name);
    if (!m) continue;
    // The loop ends at its `.done` (or, where it can give up, its `.fail`), which forgets it.
    const ends = [`${m[1]}.done`, `${m[1]}.fail`];
    const frames = [{ program: t.program, pc: t.pc }, ...t.stack];
    const frame = frames.find((f) => sim.programs[f.program]?.some((s) => s.label === ends[0]));
    expect(frame, `${where}: ${t.name} keeps ${name} outside its loop's program`).toBeDefined();
    const program = sim.programs[frame!.program]!;
    const at = Math.max(...ends.map((e) => program.findIndex((s) => s.label === e)));
    expect(frame!.pc, `${where}: ${t.name} keeps ${name} past ${ends[0]}`).toBeLessThanOrEqual(at);
    n++;
  }
  return n;
}

function checkRun(s: Scenario, id: string): number {
  const sim = createSim(s);
  const r = runScenario(s, { snapshots: true });
  let n = 0;
  r.snapshots.forEach((w, i) => {
    for (const t of w.threads) n += check(sim, t, `${id} step ${i}`);
  });
  return n;
}

it("every lesson's loop locals live only while their loop runs", () => {
  let n = 0;
  for (const l of LIBRARY) {
    n += checkRun(l.scenario, l.id);
    if (l.fault) n += checkRun({ ...l.scenario, faults: [l.fault.name] }, `${l.id}+${l.fault.name}`);
  }
  expect(n).toBeGreaterThan(100);
});

it("so do those of the race ladder, on every design, in seeded random interleavings", () => {
  const threads = [
    [
      { op: "bind", process: "app", device: "gpu0" },
      { op: "unbind", process: "app", device: "gpu0" },
    ],
    [{ op: "exit", process: "app" }],
    [{ op: "dma", device: "gpu0", process: "app", va: "0x10000", access: "read" }],
    [{ op: "munmap", process: "app", start: "0x10000", pages: 1 }],
  ];
  let n = 0;
  for (const driver of ["arm-smmu-v3-sva", "io-mm-2018", "sva-domain"]) {
    const parsed = parseScenario({
      format: "sva-lab/1",
      title: "race",
      driver,
      smmu: { features: ["ats"] },
      devices: [{ name: "gpu0", sid: 16, ats: true }],
      processes: [{ name: "app", vmas: [{ start: "0x10000", pages: 1, prot: "rw", populate: true }] }],
      threads: threads.map((ops, i) => ({ name: `T${i}`, ops })),
    });
    if (!parsed.ok) throw new Error(parsed.error);
    const sim = createSim(parsed.value);
    const w0 = boot(parsed.value);
    settleAll(sim, w0, new Recorder());
    const pick = mulberry32(5);
    for (let run = 0; run < 40; run++) {
      const w = clone(w0);
      for (let i = 0; i < 1000; i++) {
        for (const t of w.threads) n += check(sim, t, `${driver} run ${run} step ${i}`);
        const can = actors(sim, w).filter((a) => a.runnable);
        if (can.length === 0) break;
        stepActor(sim, w, can[Math.floor(pick() * can.length)]!.name, new Recorder());
      }
    }
  }
  expect(n).toBeGreaterThan(0);
});
