/**
 * Valid means it runs: random valid scenarios (semantic-fuzz.testkit.ts), each validated, run,
 * explored with a small bound and (one in eight) sent through its link, where any exception
 * but the intended ones fails with the scenario printed; the crashes found so far, replayed;
 * and scenarios whose names are hostile behaving as their plain-named twins.
 *
 * `npm test` runs a few hundred seeds here; `npm run test:fuzz` sets FUZZ_SEMANTIC_RUNS (100,000)
 * and spreads them over worker threads, one per core.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import "../kernel/all.ts";
import { exploreScenario } from "../explorer/explore.ts";
import { toTraceJson } from "../kernel/report.ts";
import { runScenario } from "../kernel/run.ts";
import crashes from "./fuzz-crashes.json";
import type { JsonObject } from "./json-form.ts";
import { scenarioToJson } from "./json-form.ts";
import { LIBRARY } from "./library/index.ts";
import { parseScenario } from "./schema.ts";
import { type Crash, type FuzzCounts, fuzz, runCase } from "./semantic-fuzz.testkit.ts";

const RUNS = Number(process.env.FUZZ_SEMANTIC_RUNS) || 200;
const FROM = Number(process.env.FUZZ_SEMANTIC_SEED) || 1;

function shard(from: number, n: number): Promise<{ counts: FuzzCounts; crashes: Crash[] }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL("./semantic-fuzz.worker.mjs", import.meta.url), { workerData: { from, n } });
    w.once("message", resolve);
    w.once("error", reject);
  });
}

/** Seeds [FROM, FROM + RUNS): inline when few, else split over one worker per core. */
async function fuzzAll(): Promise<{ counts: FuzzCounts; crashes: Crash[] }> {
  if (RUNS <= 2000) return fuzz(FROM, RUNS);
  const workers = Math.max(1, availableParallelism());
  const size = Math.ceil(RUNS / workers);
  const parts = await Promise.all(
    Array.from({ length: workers }, (_, i) => shard(FROM + i * size, Math.min(size, RUNS - i * size))),
  );
  const counts = { ...parts[0]!.counts };
  for (const p of parts.slice(1))
    for (const k of Object.keys(counts) as (keyof FuzzCounts)[]) counts[k] += p.counts[k];
  return { counts, crashes: parts.flatMap((p) => p.crashes) };
}

describe("semantic fuzzer: every valid scenario runs", () => {
  it(
    `${RUNS} random valid scenarios validate, run, explore and link without a crash`,
    async () => {
      const started = Date.now();
      const { counts, crashes: found } = await fuzzAll();
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(
        `semantic fuzz, seeds ${FROM}…${FROM + RUNS - 1} in ${seconds} s: ${JSON.stringify(counts)}`,
      );
      for (const c of found.slice(0, 3))
        console.error(`crash, seed ${c.seed}: ${c.error}\n${JSON.stringify(c.scenario)}`);
      expect(found.map((c) => `seed ${c.seed}: ${c.error}`)).toEqual([]);
      // The generator makes valid scenarios: a refusal now and then (a rare combination the
      // checks rule out), never most of them; most run to the end rather than stop.
      expect(counts.refused).toBeLessThan(counts.generated * 0.02);
      expect(counts.run).toBeGreaterThan(counts.generated * 0.5);
    },
    RUNS > 2000 ? 3_600_000 : 60_000,
  );
});

type Entry = {
  id: string;
  found: string;
  repeatOps?: number;
  expect?: { refused?: string; stopped?: string; violations?: string[]; pasids?: [string, number][] };
  scenario: JsonObject;
};

function expand(e: Entry): JsonObject {
  if (!e.repeatOps) return e.scenario;
  const threads = (e.scenario.threads as { name: string; ops: JsonObject[] }[]).map((t) => ({
    ...t,
    ops: Array.from({ length: e.repeatOps! }, () => t.ops).flat(),
  }));
  return { ...e.scenario, threads };
}

describe.each((crashes.entries as unknown as Entry[]).map((e) => [e.id, e] as const))(
  "regression fixture %s",
  (_id, e) => {
    it(`no longer ${e.found.slice(0, 80)}`, () => {
      const json = expand(e);
      const out = runCase(json);
      if (e.expect?.refused !== undefined) {
        expect(out.kind).toBe("refused");
        if (out.kind === "refused") expect(out.error).toContain(e.expect.refused);
        return;
      }
      expect(out.kind).toBe("ran");
      if (out.kind !== "ran") return;
      if (e.expect?.stopped !== undefined) expect(out.stopped).toContain(e.expect.stopped);
      else expect(out.stopped).toBeUndefined();
      const parsed = parseScenario(json);
      if (!parsed.ok || e.expect?.stopped !== undefined) return;
      const trace = toTraceJson(runScenario(parsed.value));
      if (e.expect?.violations) expect(trace.violations.map((v) => v.kind)).toEqual(e.expect.violations);
      // As pairs: a JSON module would turn a "__proto__" key into a prototype.
      if (e.expect?.pasids) expect(Object.entries(trace.pasids)).toEqual(e.expect.pasids);
    });
  },
);

/** A lesson with every name of one kind replaced by `name` (the JSON text, string for string). */
function renamed(json: JsonObject, from: string, to: string): JsonObject {
  const text = JSON.stringify(json)
    .replaceAll(JSON.stringify(from), JSON.stringify(to))
    .replaceAll(JSON.stringify(`${from}:op`), JSON.stringify(`${to}:op`));
  return JSON.parse(text);
}

function outcome(json: JsonObject, faults?: string[]) {
  const parsed = parseScenario(faults ? { ...json, faults } : json);
  if (!parsed.ok) throw new Error(parsed.error);
  const trace = toTraceJson(runScenario(parsed.value));
  const explored = exploreScenario(parsed.value, { maxStates: 100 });
  return {
    steps: trace.steps.map((s) => s.fn),
    violations: trace.violations.map((v) => v.kind),
    pasids: Object.values(trace.pasids),
    outcomes: explored.outcomes.map((o) => `${o.violations.join("+")}×${o.count}`).sort(),
  };
}

describe("any name is just a name", () => {
  // Each lesson's first process, first device and first thread renamed to a hostile name runs
  // as its plain-named twin: the same steps, violations, PASIDs and explored outcomes, with the
  // lesson's own fault and without.
  const cases = LIBRARY.flatMap((l) => {
    const json = scenarioToJson(l.scenario) as JsonObject;
    const names = [
      ...(json.processes as { name: string }[]).slice(0, 1).map((p) => p.name),
      ...(json.devices as { name: string }[]).slice(0, 1).map((d) => d.name),
      ...(json.threads as { name: string }[]).slice(0, 1).map((t) => t.name),
    ];
    return names.map((from) => [l.id, from, json, l.fault?.name] as const);
  });
  // The prototype's own keys (the names a plain object answers for), and a JSON-looking one.
  const hostile = ["constructor", "__proto__", "toString", "hasOwnProperty", "[x"];
  it.each(cases)("%s: %s renamed", (_id, from, json, fault) => {
    const faults = fault ? [undefined, [fault]] : [undefined];
    for (const f of faults) {
      const twin = outcome(json, f);
      for (const to of hostile) {
        if (JSON.stringify(json).includes(JSON.stringify(to))) continue;
        expect(outcome(renamed(json, from, to), f), `${from} → ${to}`).toEqual(twin);
      }
    }
  });

  it("a guest process named g:app or [x behaves as gapp (nested-invalidation, atc-inv-wrong-sid)", () => {
    const lesson = LIBRARY.find((l) => l.id === "nested-invalidation")!;
    const json = scenarioToJson(lesson.scenario) as JsonObject;
    for (const f of [undefined, ["atc-inv-wrong-sid"]]) {
      const twin = outcome(json, f);
      for (const to of ["g:app", "[x", '["gapp","nic0"]', "a:b:c"])
        expect(outcome(renamed(json, "gapp", to), f), to).toEqual(twin);
    }
  });
});
