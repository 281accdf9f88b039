/**
 * The explorer's modes against the full search: the preemption bound, the random search, the
 * reduction on random races, the exact counts, and a thread too long for a recursive search.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runScenario } from "../kernel/run.ts";
import { scenario } from "../kernel/testing.ts";
import raceJson from "../scenario/library/unbind-vs-exit.json";
import type { Op, Scenario } from "../scenario/types.ts";
import { type ExploreReport, exploreScenario } from "./explore.ts";
import { randomRace } from "./races.testkit.ts";

const race = scenario(raceJson);
const kinds = (r: ExploreReport): string[] => r.outcomes.map((o) => o.violations.join("+"));

describe("the preemption-bounded search", () => {
  const full = exploreScenario(race, { reduce: false });

  it("with a bound no schedule reaches is the full search, counts included (unreduced)", () => {
    const bounded = exploreScenario(race, { preemptions: 1000, reduce: false });
    expect(bounded.complete).toBe(true);
    expect(bounded.mode).toEqual({ kind: "preemptions", bound: 1000, reduced: false });
    expect(bounded.exactInterleavings).toBe(full.exactInterleavings);
    expect(bounded.outcomes.map((o) => [o.violations, o.exactCount])).toEqual(
      full.outcomes.map((o) => [o.violations, o.exactCount]),
    );
  });

  it("reduced (the last actor going on alone), finds what the unreduced bounded search finds", () => {
    const races = [
      race,
      { ...race, faults: ["free-notifier-now"] },
      ...fc.sample(randomRace(3), { numRuns: 5, seed: 3 }),
    ];
    for (const s of races) {
      for (const k of [0, 1, 2]) {
        const full = exploreScenario(s, { preemptions: k, reduce: false });
        const reduced = exploreScenario(s, { preemptions: k });
        expect(reduced.mode).toEqual({ kind: "preemptions", bound: k, reduced: true });
        expect(kinds(reduced), `${s.title}, ${k} preemption(s)`).toEqual(kinds(full));
        expect(reduced.states).toBeLessThanOrEqual(full.states);
      }
    }
  });

  it("covers more interleavings as the bound grows, never more than the full search", () => {
    const counts = [0, 1, 2, 3].map((k) =>
      BigInt(exploreScenario(race, { preemptions: k, reduce: false }).exactInterleavings),
    );
    for (let k = 1; k < counts.length; k++) expect(counts[k]! >= counts[k - 1]!).toBe(true);
    expect(counts[0]! >= 1n).toBe(true);
    expect(counts[3]! <= BigInt(full.exactInterleavings)).toBe(true);
  });

  it("finds the freed notifier within two preemptions, and run replays it", () => {
    const s = { ...race, faults: ["free-notifier-now"] };
    const report = exploreScenario(s, { preemptions: 2 });
    const bad = report.outcomes.find((o) => o.violations.includes("use-after-free"));
    expect(bad).toBeDefined();
    const replay = runScenario({ ...s, schedule: bad!.schedule });
    expect(replay.violations.map((v) => v.kind)).toContain("use-after-free");
    expect(replay.violations[0]!.step).toBe(bad!.step);
  });
});

describe("the seeded random search", () => {
  const s = { ...race, faults: ["free-notifier-now"] };

  it("gives the same report for the same seed, and says it is not complete", () => {
    const a = exploreScenario(s, { random: { runs: 200, seed: 7 } });
    const b = exploreScenario(s, { random: { runs: 200, seed: 7 } });
    expect(a).toEqual(b);
    expect(a.complete).toBe(false);
    expect(a.stopped).toBeNull();
    expect(a.exactInterleavings).toBe("200");
  });

  it("meets only outcomes the full search finds, each replayable", () => {
    const full = new Set(kinds(exploreScenario(s)));
    const r = exploreScenario(s, { random: { runs: 300, seed: 1 } });
    for (const k of kinds(r)) expect(full.has(k)).toBe(true);
    for (const o of r.outcomes) {
      const replay = runScenario({ ...s, schedule: o.schedule });
      expect([...new Set(replay.violations.map((v) => v.kind))].sort()).toEqual(o.violations);
    }
  });
});

describe("exact counts", () => {
  it("are decimal strings that add up, and the float counts follow them", () => {
    const r = exploreScenario(race, { reduce: false });
    const sum = r.outcomes.reduce((n, o) => n + BigInt(o.exactCount), 0n);
    expect(sum.toString()).toBe(r.exactInterleavings);
    for (const o of r.outcomes) expect(o.count).toBe(Number(o.exactCount));
  });
});

it("explores a thread of 4,000 ops without growing the call stack", () => {
  const touches: Op[] = Array.from(
    { length: 4000 },
    () => ({ op: "touch", process: "app", va: 0x10000, access: "read" }) as Op,
  );
  const s: Scenario = { ...race, schedule: [], threads: [{ name: "T0", ops: touches }] };
  const r = exploreScenario(s);
  expect(r.complete).toBe(true);
  expect(r.maxDepth).toBeGreaterThanOrEqual(4000);
});

describe("partial-order reduction on random races", () => {
  const opPool: Op[] = [
    { op: "bind", process: "app", device: "gpu0" },
    { op: "unbind", process: "app", device: "gpu0" },
    { op: "dma", device: "gpu0", process: "app", va: 0x10000, access: "read" },
    { op: "dma", device: "gpu0", process: "app", va: 0x10000, access: "write" },
    { op: "munmap", process: "app", start: 0x10000, pages: 1 },
    { op: "touch", process: "app", va: 0x10000, access: "write" },
    { op: "exit", process: "app" },
  ] as Op[];
  const designs = ["arm-smmu-v3-sva", "io-mm-2018", "sva-domain"];

  it("finds the same outcomes as the full search", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...designs),
        fc.array(fc.array(fc.constantFrom(...opPool), { minLength: 1, maxLength: 2 }), {
          minLength: 2,
          maxLength: 3,
        }),
        fc.subarray(["free-notifier-now", "skip-sync", "skip-atc-inv"]),
        (driver, threads, faults) => {
          const { kernel: _release, ...json } = raceJson as Record<string, unknown>;
          const s = scenario({
            ...json,
            driver,
            faults,
            schedule: ["T0:op"],
            threads: [
              { name: "T0", ops: [{ op: "bind", process: "app", device: "gpu0" }] },
              ...threads.map((ops, i) => ({ name: `T${i + 1}`, ops: ops.map(toJson) })),
            ],
          });
          const full = exploreScenario(s, { reduce: false, maxStates: 100_000 });
          const reduced = exploreScenario(s, { maxStates: 100_000 });
          fc.pre(full.complete);
          expect(reduced.complete).toBe(true);
          expect(kinds(reduced)).toEqual(kinds(full));
          expect(reduced.states).toBeLessThanOrEqual(full.states);
        },
      ),
      { numRuns: 8, seed: 17 },
    );
  }, 300_000);
});

function toJson(op: Op): unknown {
  const o = { ...op } as Record<string, unknown>;
  for (const k of ["va", "start"]) if (typeof o[k] === "number") o[k] = `0x${(o[k] as number).toString(16)}`;
  return o;
}
