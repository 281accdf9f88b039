/**
 * Copy on write (engine/clone.ts) proven on everything that runs the model: every lesson run
 * step by step, every lesson explored, random races on each design, and the semantic fuzzer's
 * random scenarios. Each runs with freezing on (the parts copies share are deep-frozen, so a
 * write that bypasses its accessor throws) and the hash check on (a cached part hash that is
 * stale throws), and the same run with sharing off (every copy deep, as before copy on write)
 * must give the same steps, texts, state hashes and outcomes: a reader that kept a part across
 * a write that copied it would read the old part, and differ.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkHashes, freezeShared, shareParts } from "../engine/test-modes.ts";
import { runScenario, worldHash } from "../kernel/run.ts";
import "../kernel/all.ts";
import { LIBRARY } from "../scenario/library/index.ts";
import { fuzz } from "../scenario/semantic-fuzz.testkit.ts";
import type { Scenario } from "../scenario/types.ts";
import { exploreScenario } from "./explore.ts";
import { randomRace } from "./races.testkit.ts";

/** `fn` with sharing off: the reference every shared run must equal. */
function unshared<T>(fn: () => T): T {
  const was = shareParts(false);
  try {
    return fn();
  } finally {
    shareParts(was);
  }
}

let modes: [boolean, boolean];
beforeAll(() => {
  modes = [freezeShared(true), checkHashes(true)];
});
afterAll(() => {
  freezeShared(modes[0]);
  checkHashes(modes[1]);
});

function trace(s: Scenario): string[] {
  const r = runScenario(s, { snapshots: true });
  return r.steps.map((x, i) => `${x.actor}|${x.fn}|${x.text}|${worldHash(r.snapshots[i + 1]!)}`);
}

function explored(s: Scenario, maxStates: number) {
  const { format, complete, stopped, mode, states, exactInterleavings, maxDepth, outcomes } = exploreScenario(
    s,
    { maxStates },
  );
  return { format, complete, stopped, mode, states, exactInterleavings, maxDepth, outcomes };
}

describe.each(LIBRARY.map((l) => [l.id, l] as const))("%s", (_id, lesson) => {
  const variants: Scenario[] = [lesson.scenario];
  if (lesson.fault) variants.push({ ...lesson.scenario, faults: [lesson.fault.name] });

  it("runs step by step with every copy's shared parts frozen, as it does unshared", () => {
    for (const s of variants) expect(trace(s)).toEqual(unshared(() => trace(s)));
  });

  it("explores with every branch's shared parts frozen, as it does unshared", () => {
    for (const s of variants) {
      const { schedule: _, ...free } = s;
      for (const x of [s, free]) expect(explored(x, 3000)).toEqual(unshared(() => explored(x, 3000)));
    }
  });
});

it("random races on every design explore alike with frozen sharing and without", () => {
  fc.assert(
    fc.property(randomRace(4), (s) => {
      expect(explored(s, 2000)).toEqual(unshared(() => explored(s, 2000)));
    }),
    { numRuns: 25, seed: 17 },
  );
});

it("the semantic fuzzer's random scenarios run, explore and link with frozen sharing", () => {
  const { counts, crashes } = fuzz(1, 60);
  expect(crashes).toEqual([]);
  expect(counts.explored).toBeGreaterThan(0);
});
