/**
 * The reduction's singletons checked by the engine rather than trusted, against the condition
 * that makes a set persistent: wherever seeded random runs of a lesson (its faulted variant,
 * random races of up to six threads, the benchmark's races, and a race with an event to log)
 * meet a state where an actor may be taken alone (`singletons`, every rule that allows one, not
 * only the first), random paths of the other actors from there are walked, and at every state
 * on them the lone actor's step must stay enabled and commute with the path's next step: both
 * orders enabled, the same state (as the search tells states apart: the fingerprint) and the
 * same violations. (por.test.ts checks the `local`
 * claim against the other actors' next steps only; this goes further ahead.) A rule that
 * ignores a future step of another actor fails here: taking a `local` step alone whatever the
 * thread reads as it settles after it (the rule before the footprints) fails on a random
 * sva-domain race, a CMD_SYNC poll whose walk then leaves SRCU, against another thread's
 * __mmu_notifier_release that snapshots the SRCU readers 31 steps later.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DESIGNS, race } from "../../bench/races.ts";
import { hashLiveWorldInto } from "../engine/fingerprint.ts";
import { SilentRecorder } from "../engine/trace.ts";
import type { World } from "../engine/world.ts";
import "../kernel/all.ts";
import { boot } from "../kernel/boot.ts";
import { gerrorPending } from "../kernel/gerror.ts";
import { clone } from "../kernel/run.ts";
import { actors, createSim, type Sim, settleAll, stepActor } from "../kernel/sim.ts";
import { parseScenario } from "../scenario/index.ts";
import { LIBRARY } from "../scenario/library/index.ts";
import type { Scenario } from "../scenario/types.ts";
import { type PorRule, singletons } from "./por.ts";
import { loggedFaultRace, randomRace } from "./races.testkit.ts";
import { mulberry32 } from "./random.ts";
import { startExplore } from "./start.ts";

const met = new Map<PorRule, number>();

/** A state as the search tells states apart: its fingerprint (the TLBs as sets, fingerprint.ts). */
function stateOf(w: World): string {
  const out = new Int32Array(2);
  hashLiveWorldInto(w, out);
  return `${out[0]}:${out[1]}`;
}

function runnableNames(sim: Sim, w: World): string[] {
  return actors(sim, w)
    .filter((a) => a.runnable)
    .map((a) => a.name);
}

/** Steps `names` in order on a copy; null if one is not runnable when its turn comes. */
function stepped(sim: Sim, w: World, ...names: string[]): { w: World; kinds: string } | null {
  const c = clone(w);
  const kinds = new Set<string>();
  for (const n of names) {
    if (!runnableNames(sim, c).includes(n)) return null;
    const rec = new SilentRecorder();
    stepActor(sim, c, n, rec);
    for (const e of rec.events) if (e.type === "check.violation") kinds.add(e.kind);
  }
  return { w: c, kinds: [...kinds].sort().join(",") };
}

/** The lone actor `a` at `s` against `walks` random paths of the others, `depth` steps each. */
function checkAlone(sim: Sim, s: World, a: string, rule: PorRule, pick: () => number, where: string): void {
  for (let walk = 0; walk < 3; walk++) {
    let x = s;
    for (let i = 0; i < 40; i++) {
      const others = runnableNames(sim, x).filter((n) => n !== a);
      if (others.length === 0) break;
      const b = others[Math.floor(pick() * others.length)]!;
      const next = (n: string) => actors(sim, x).find((y) => y.name === n)?.next;
      const at = `${where}: ${a} alone (${rule}: ${next(a)}), ${i} steps of the others in, against ${b}'s ${next(b)} (${s.threads.map((t) => `${t.name}@${t.opIndex}:${t.pc}`).join(" ")})`;
      if (rule === "touch-noop") {
        // Not a step that commutes but one that changes nothing but its thread, wherever it runs
        // (another actor may hold mmap_lock meanwhile).
        const alone = stepped(sim, x, a);
        if (alone !== null) {
          expect(stateOf({ ...alone.w, threads: x.threads }), `${at}: it changes the world`).toBe(stateOf(x));
          expect(alone.kinds, `${at}: it meets a violation`).toBe("");
        }
        x = stepped(sim, x, b)!.w;
        continue;
      }
      expect(runnableNames(sim, x), `${at}: the others disabled it`).toContain(a);
      const ab = stepped(sim, x, a, b);
      const ba = stepped(sim, x, b, a);
      expect(ab, `${at}: its step disables ${b}`).not.toBeNull();
      expect(ba, `${at}: ${b} disables it`).not.toBeNull();
      expect(stateOf(ab!.w), `${at}: the two orders differ`).toBe(stateOf(ba!.w));
      expect(ab!.kinds, `${at}: the two orders meet different violations`).toBe(ba!.kinds);
      x = stepped(sim, x, b)!.w;
    }
  }
}

/** Seeded random runs of `s`; every `every`-th singleton met is checked. */
function checkScenario(s: Scenario, seed: number, runs: number, every: number, prefix = false): void {
  const sim = createSim(s);
  const w0 = prefix ? startExplore(s).root : boot(s);
  if (!prefix) settleAll(sim, w0, new SilentRecorder());
  const names = actors(sim, w0).map((a) => a.name);
  const pick = mulberry32(seed);
  let n = 0;
  for (let run = 0; run < runs; run++) {
    const w = clone(w0);
    for (let i = 0; i < 3000; i++) {
      const runnable: number[] = [];
      actors(sim, w).forEach((x, j) => {
        if (x.runnable) runnable.push(j);
      });
      if (runnable.length === 0) break;
      // The host kernel queues only legal commands (the IRQ thread's rule counts on it).
      if ((s.vms?.length ?? 0) === 0)
        expect(gerrorPending(w), `${s.title}: a GERROR without a VM`).toBe(false);
      if (runnable.length > 1) {
        for (const [a, rule] of singletons(sim, w, names, runnable)) {
          if (n++ % every !== 0) continue;
          met.set(rule, (met.get(rule) ?? 0) + 1);
          checkAlone(sim, w, names[a]!, rule, pick, `${s.title}, run ${run}, step ${i}`);
        }
      }
      stepActor(sim, w, names[runnable[Math.floor(pick() * runnable.length)]!]!, new SilentRecorder());
    }
  }
}

describe.each(LIBRARY.map((l) => [l.id, l] as const))("%s", (_id, lesson) => {
  const variants: [string, Scenario][] = [["as written", lesson.scenario]];
  if (lesson.fault)
    variants.push([`with ${lesson.fault.name}`, { ...lesson.scenario, faults: [lesson.fault.name] }]);
  it.each(variants)("%s, each actor taken alone commutes with the others' paths", (_how, s) => {
    checkScenario(s, 5, 6, 3);
  });
});

it("random races of up to six threads: each actor taken alone commutes with the others' paths", () => {
  const races = fc.sample(randomRace(6), { numRuns: 24, seed: 17 });
  races.forEach((s, i) => {
    checkScenario({ ...s, title: `random race ${i}` }, 100 + i, 3, 2);
  });
});

describe.each(DESIGNS.flatMap((d) => [4, 5, 6].map((n) => [d, n] as const)))(
  "the benchmark's race, %s, %i threads",
  (design, n) => {
    it("each actor taken alone commutes with the others' paths", () => {
      const parsed = parseScenario(race(design, n));
      if (!parsed.ok) throw new Error(parsed.error);
      checkScenario(parsed.value, 7 * n, 4, 4);
    });
  },
);

it.each(DESIGNS)("an event to log with work left for every thread, %s", (design) => {
  checkScenario(loggedFaultRace(design), 3, 3, 2, true);
});

it("the runs met every rule's singletons (the checks above ran)", () => {
  for (const rule of [
    "local",
    "release",
    "dma-own-domain",
    "touch-noop",
    "iopf-log",
    "smmu-sync",
    "smmu-no-dma",
  ] as const)
    expect(met.get(rule) ?? 0, rule).toBeGreaterThan(0);
});
