/**
 * The explorer's fingerprints leave out the SMMU queues' dead slots (engine/world-hash.ts
 * `hashLiveWorldInto`). Merging states that differ only there is exact when those states step
 * alike: then every merged state has the same continuations, so not only the outcome sets but
 * every interleaving count is what the search over whole-world hashes gives. Checked here on
 * every lesson (and its faulted variant), with and without their schedules, and on random races;
 * and the fingerprint's caches against a fresh computation at every step of every lesson.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { writeWords } from "../engine/memory.ts";
import { slotAddr } from "../engine/queue.ts";
import { hashLiveWorldInto } from "../engine/world-hash.ts";
import { boot } from "../kernel/boot.ts";
import { clone, runScenario, worldHash } from "../kernel/run.ts";
import "../kernel/all.ts";
import { smmuPart } from "../engine/clone.ts";
import type { World } from "../engine/world.ts";
import { parseScenario } from "../scenario/index.ts";
import { LIBRARY } from "../scenario/library/index.ts";
import type { Scenario } from "../scenario/types.ts";
import { exploreScenario } from "./explore.ts";
import { liveFingerprints } from "./start.ts";

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
    for (const w of r.snapshots) expect(fingerprint(w)).toBe(fingerprint(fresh(w)));
  });
});

/** The race ladder's threads (bench/races.ts), to draw races from. */
const THREADS = [
  { op: "bind", process: "app", device: "gpu0" },
  { op: "unbind", process: "app", device: "gpu0" },
  { op: "exit", process: "app" },
  { op: "dma", device: "gpu0", process: "app", va: "0x10000", access: "read" },
  { op: "munmap", process: "app", start: "0x10000", pages: 1 },
  { op: "dma", device: "gpu1", process: "app", va: "0x10000", access: "write" },
  { op: "touch", process: "app", va: "0x10000", access: "write" },
  { op: "mprotect", process: "app", start: "0x10000", pages: 1, prot: "r" },
];

it("random races on every design explore to the same outcomes and counts either way", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("arm-smmu-v3-sva", "io-mm-2018", "sva-domain"),
      fc.array(fc.array(fc.integer({ min: 0, max: THREADS.length - 1 }), { minLength: 1, maxLength: 3 }), {
        minLength: 2,
        maxLength: 3,
      }),
      fc.subarray(["ats", "btm", "pri"]),
      (driver, threads, features) => {
        const parsed = parseScenario({
          format: "sva-lab/1",
          title: "random race",
          driver,
          smmu: { features },
          devices: [
            { name: "gpu0", sid: 16, ats: true },
            { name: "gpu1", sid: 17, ats: true },
          ],
          processes: [{ name: "app", vmas: [{ start: "0x10000", pages: 1, prot: "rw", populate: true }] }],
          threads: threads.map((ops, i) => ({ name: `T${i}`, ops: ops.map((o) => THREADS[o]!) })),
        });
        if (!parsed.ok) throw new Error(parsed.error);
        same(parsed.value, 20_000);
      },
    ),
    { numRuns: 30, seed: 23 },
  );
});

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
});
