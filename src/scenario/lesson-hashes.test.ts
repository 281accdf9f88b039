/**
 * A regression guard for refactors of the engine, the kernel model and the world's layout: every
 * lesson (and the large scenario) still takes the same steps and passes through the same states.
 * The golden file holds, per lesson, the final state hash and a digest of every step's actor,
 * function, text and state hash, recorded before the view-model and copy-on-write changes.
 * A change that alters behaviour on purpose regenerates it (`UPDATE_HASHES=1 npx vitest run
 * src/scenario/lesson-hashes.test.ts`) and says why in its commit.
 */

import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { hashState } from "../engine/hash.ts";
import { runScenario, worldHash } from "../kernel/run.ts";
import { largeScenario } from "./large.ts";
import { LIBRARY } from "./library/index.ts";

const golden = new URL("./lesson-hashes.golden.json", import.meta.url);

interface Digest {
  readonly final: string;
  readonly steps: number;
  readonly trace: string;
}

/** Every step's state for a lesson; every 64th for the large scenario (its worlds are big). */
function digest(scenario: Parameters<typeof runScenario>[0], every = 1): Digest {
  const r = runScenario(scenario, every === 1 ? { snapshots: true } : { checkpointEvery: every });
  const at = (i: number): string => (r.snapshots[i] ? worldHash(r.snapshots[i]) : "");
  const per = r.steps.map((s, i) => `${s.actor}|${s.fn}|${s.text}|${at(i + 1)}`);
  return { final: r.stateHash, steps: r.steps.length, trace: hashState(per) };
}

const cases: [string, Parameters<typeof runScenario>[0], number][] = [
  ...LIBRARY.map((l) => [l.id, l.scenario, 1] as [string, Parameters<typeof runScenario>[0], number]),
  ["#large", largeScenario(), 64],
];

describe("state hashes of every lesson", () => {
  const now = Object.fromEntries(cases.map(([id, s, every]) => [id, digest(s, every)]));
  if (process.env.UPDATE_HASHES) writeFileSync(golden, `${JSON.stringify(now, null, 1)}\n`);
  const before = JSON.parse(readFileSync(golden, "utf8")) as Record<string, Digest>;

  it("covers the same lessons", () => {
    expect(Object.keys(now).sort()).toEqual(Object.keys(before).sort());
  });
  it.each(cases.map(([id]) => id))("%s: same steps, texts and states", (id) => {
    expect(now[id]).toEqual(before[id]);
  });
});
