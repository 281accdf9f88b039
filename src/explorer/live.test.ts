/**
 * The explorer's fingerprints leave out the SMMU queues' dead slots (engine/fingerprint.ts
 * `hashLiveWorldInto`). Merging states that differ only there is exact when those states step
 * alike: then every merged state has the same continuations, so not only the outcome sets but
 * every interleaving count is what the search over whole-world hashes gives. Checked here on
 * every lesson (and its faulted variant), with and without their schedules, and on random races;
 * and the fingerprint's caches against a fresh computation at every step of every lesson.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { race } from "../../bench/races.ts";
import { FINGERPRINTED, hashLiveWorldInto, PartLanes } from "../engine/fingerprint.ts";
import { writeWords } from "../engine/memory.ts";
import { slotAddr } from "../engine/queue.ts";
import { boot } from "../kernel/boot.ts";
import { clone, runScenario, worldHash } from "../kernel/run.ts";
import "../kernel/all.ts";
import { ownThread, smmuPart } from "../engine/clone.ts";
import { SilentRecorder } from "../engine/trace.ts";
import type { World } from "../engine/world.ts";
import { stepActor } from "../kernel/sim.ts";
import { parseScenario } from "../scenario/index.ts";
import { LIBRARY } from "../scenario/library/index.ts";
import type { Scenario } from "../scenario/types.ts";
import { exploreScenario } from "./explore.ts";
import { randomRace } from "./races.testkit.ts";
import { mulberry32 } from "./random.ts";
import { liveFingerprints, runnableActors, startExplore } from "./start.ts";

function explored(s: Scenario, maxStates: number, live: boolean) {
  const was = liveFingerprints(live);
  try {
    const r = exploreScenario(s, { maxStates, reduce: false });
    return { ...r, outcomes: r.outcomes.map((o) => [o.violations, o.exactCount]) };
  } finally {
    liveFingerprints(was);
  }
}

/** Same outcomes and counts; no more states. */
function same(s: Scenario, maxStates: number): void {
  const whole = explored(s, maxStates, false);
  if (!whole.complete) return;
  const live = explored(s, maxStates, true);
  expect(live.complete).toBe(true);
  expect(live.outcomes).toEqual(whole.outcomes);
  expect(live.exactInterleavings).toBe(whole.exactInterleavings);
  expect(live.states).toBeLessThanOrEqual(whole.states);
  if (live.states < whole.states) merged++;
}

let merged = 0;

const fresh = (w: World): World => structuredClone(w);

function fingerprint(w: World): string {
  const l = new Int32Array(2);
  hashLiveWorldInto(w, l);
  return `${l[0]}:${l[1]}`;
}

describe.each(LIBRARY.map((l) => [l.id, l] as const))("%s", (_id, lesson) => {
  const variants: Scenario[] = [lesson.scenario];
  if (lesson.fault) variants.push({ ...lesson.scenario, faults: [lesson.fault.name] });

  it("explores to the same outcomes and counts with live fingerprints as with whole hashes", () => {
    for (const s of variants) {
      const { schedule: _, ...free } = s;
      for (const x of [s, free]) same(x, 20_000);
    }
  });

  it("has at every step the fingerprint a world without cached hashes has", () => {
    const r = runScenario(lesson.scenario, { snapshots: true });
    for (const w of r.snapshots) {
      expect(fingerprint(w)).toBe(fingerprint(fresh(w)));
      // Every field of the world but the clock is in the fingerprint.
      for (const k of Object.keys(w)) if (k !== "clock") expect(FINGERPRINTED).toContain(k);
    }
  });

  it("takes from a state's part lanes the fingerprint its successors have afresh", () => {
    // As the explorer does: each successor from a copy, or (the last one) the world itself,
    // whose parts it owns and writes in place; seeded walks, 400 steps in all.
    const start = startExplore(lesson.scenario);
    const pick = mulberry32(17);
    let reused = 0;
    let steps = 0;
    for (let walk = 0; walk < 20 && steps < 400; walk++) {
      let w = clone(start.root);
      let from = new PartLanes();
      const l = new Int32Array(2);
      hashLiveWorldInto(w, l, null, from);
      for (let i = 0; i < 100; i++) {
        const runnable = runnableActors(start.sim, w);
        if (runnable.length === 0) break;
        const next = pick() < 0.5 ? clone(w) : w;
        stepActor(
          start.sim,
          next,
          start.names[runnable[Math.floor(pick() * runnable.length)]!]!,
          new SilentRecorder(),
        );
        const into = new PartLanes();
        hashLiveWorldInto(next, l, from, into);
        expect(`${l[0]}:${l[1]}`, `walk ${walk} step ${i}`).toBe(fingerprint(fresh(next)));
        reused += into.shared.filter((x) => x === 1).length;
        steps++;
        w = next;
        from = into;
      }
    }
    if (steps > 0) expect(reused).toBeGreaterThan(0);
  });
});

it("random races on every design explore to the same outcomes and counts either way", () => {
  fc.assert(
    fc.property(randomRace(3), (s) => {
      same(s, 20_000);
    }),
    { numRuns: 30, seed: 23 },
  );
  // Sixty complete explorations: several seconds alone, more on a loaded machine.
}, 180_000);

it("merged states somewhere (the comparisons above saw fewer states)", () => {
  expect(merged).toBeGreaterThan(0);
});

describe("what the fingerprint leaves out", () => {
  const lesson = LIBRARY[0]!;
  const w0 = boot(lesson.scenario);
  const q = w0.smmu.cmdq;
  const words = [0x46n, 0x10n] as const;

  it("a slot behind CONS: the state hash changes, the fingerprint does not", () => {
    const w = clone(w0);
    const c = smmuPart(w, "cmdq");
    writeWords(w.mem, slotAddr(q, 0), words);
    c.produced = 1;
    c.consumed = 1;
    const other = clone(w);
    writeWords(other.mem, slotAddr(q, 0), [0x11n, 0x20n]);
    expect(worldHash(other)).not.toBe(worldHash(w));
    expect(fingerprint(other)).toBe(fingerprint(w));
  });

  it("a slot between CONS and PROD counts", () => {
    const w = clone(w0);
    writeWords(w.mem, slotAddr(q, 0), words);
    smmuPart(w, "cmdq").produced = 1;
    const other = clone(w);
    writeWords(other.mem, slotAddr(q, 0), [0x11n, 0x20n]);
    expect(fingerprint(other)).not.toBe(fingerprint(w));
  });

  /** `w0` with `queued` commands between CONS and PROD, CONS at `cons`, and T0 waiting for `wait`. */
  function queued(cons: number, cmds: readonly (readonly bigint[])[], wait?: number): World {
    const w = clone(w0);
    const c = smmuPart(w, "cmdq");
    c.produced = cons;
    c.consumed = cons;
    for (const cmd of cmds) {
      writeWords(w.mem, slotAddr(q, c.produced), cmd);
      c.produced += 1;
    }
    if (wait !== undefined) (ownThread(w, 0).locals as Record<string, number>)["cmdq.wait"] = cons + wait;
    return w;
  }

  it("where the queue stands in its ring: the state hash changes, the fingerprint does not", () => {
    const size = 2 ** q.log2size;
    const a = queued(0, [words, [0x11n, 0x20n]], 2);
    for (const cons of [1, 5, size - 1, size, 3 * size + 2]) {
      const b = queued(cons, [words, [0x11n, 0x20n]], 2);
      expect(worldHash(b)).not.toBe(worldHash(a));
      expect(fingerprint(b)).toBe(fingerprint(a));
    }
  });

  it("but what is queued, in its order, and how far a wait is past CONS count", () => {
    const a = queued(3, [words, [0x11n, 0x20n]], 2);
    expect(fingerprint(queued(3, [[0x11n, 0x20n], words], 2))).not.toBe(fingerprint(a));
    expect(fingerprint(queued(3, [words], 2))).not.toBe(fingerprint(a));
    expect(fingerprint(queued(3, [words, [0x11n, 0x20n]], 1))).not.toBe(fingerprint(a));
    expect(fingerprint(queued(3, [words, [0x11n, 0x20n]]))).not.toBe(fingerprint(a));
  });

  it("a wait CONS has passed is a wait CONS has passed, however long ago", () => {
    const at = (wait: number) => {
      const w = queued(8, []);
      (ownThread(w, 0).locals as Record<string, number>)["cmdq.wait"] = wait;
      return w;
    };
    expect(worldHash(at(3))).not.toBe(worldHash(at(8)));
    expect(fingerprint(at(3))).toBe(fingerprint(at(8)));
    expect(fingerprint(at(9))).not.toBe(fingerprint(at(8)));
  });
});

describe("the race ladder", () => {
  const reduced = (sc: Scenario, live: boolean) => {
    const was = liveFingerprints(live);
    try {
      const r = exploreScenario(sc, { maxStates: 200_000 });
      return { ...r, outcomes: r.outcomes.map((o) => [o.violations, o.exactCount]) };
    } finally {
      liveFingerprints(was);
    }
  };
  it.each(["arm-smmu-v3-sva", "io-mm-2018", "sva-domain"])(
    "%s, 3 threads (reduced): the same outcomes and counts either way, in no more states",
    (driver) => {
      const parsed = parseScenario(race(driver, 3));
      if (!parsed.ok) throw new Error(parsed.error);
      const whole = reduced(parsed.value, false);
      const live = reduced(parsed.value, true);
      expect(whole.complete && live.complete).toBe(true);
      expect(live.outcomes).toEqual(whole.outcomes);
      expect(live.exactInterleavings).toBe(whole.exactInterleavings);
      expect(live.states).toBeLessThanOrEqual(whole.states);
      // Where the queues stand merges most of sva-domain's states (docs/explorer.md).
      if (driver === "sva-domain") expect(live.states).toBeLessThan(whole.states * 0.7);
    },
    120_000,
  );
});
