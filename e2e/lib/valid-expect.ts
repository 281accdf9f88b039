// For valid.e2e.mjs (issue 15): links the page must refuse at once or run, hostile-named twins
// of two lessons, and a seeded sample of the semantic fuzzer's scenarios, each with what the
// runner gives at its last step. One process, so the test needs no spawn per scenario.
import "../../src/kernel/all.ts";
import { runScenario, toTraceJson } from "../../src/kernel/index.ts";
import { encodeScenarioUrl, parseScenario, type Scenario, scenarioToJson } from "../../src/scenario/index.ts";
import { LIBRARY } from "../../src/scenario/library/index.ts";
import { generateScenario } from "../../src/scenario/semantic-fuzz.testkit.ts";

const fragment = (s: Scenario, step?: number): string => {
  const url = encodeScenarioUrl(s, step === undefined ? {} : { step });
  return url.slice(url.indexOf("#") + 1);
};

function expected(s: Scenario) {
  const t = toTraceJson(runScenario(s));
  return {
    fragment: fragment(s),
    steps: t.steps.length,
    stateHash: t.stateHash,
    violations: t.violations.length,
    kinds: t.violations.map((v) => v.kind),
  };
}

const lesson = (id: string): Scenario => LIBRARY.find((l) => l.id === id)!.scenario;

/** The lesson with one name replaced everywhere (schedule entries "T0:op" included). */
function renamed(s: Scenario, from: string, to: string, faults?: string[]): Scenario {
  const text = JSON.stringify(scenarioToJson(s))
    .replaceAll(JSON.stringify(from), JSON.stringify(to))
    .replaceAll(JSON.stringify(`${from}:op`), JSON.stringify(`${to}:op`));
  const json = JSON.parse(text);
  const r = parseScenario(faults ? { ...json, faults } : json);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

// The links of the issue: made with the encoder alone (the validator would refuse the first).
const app = { name: "app", vmas: [{ start: 0x10000, pages: 2 ** 23, prot: "rw" as const, populate: true }] };
const bomb: Scenario = { ...lesson("lifecycle"), processes: [app] };
const hugeExit: Scenario = {
  ...lesson("lifecycle"),
  title: "one 2^36-page VMA and an exit",
  processes: [{ name: "app", vmas: [{ start: 0, pages: 2 ** 36, prot: "rw", populate: false }] }],
  threads: [{ name: "T0", ops: [{ op: "exit", process: "app" }] }],
};

const twins = [
  ["lifecycle", "app", "constructor", ["skip-atc-inv"]],
  ["lifecycle", "app", "__proto__", ["skip-atc-inv"]],
  ["nested-invalidation", "gapp", "g:app", ["atc-inv-wrong-sid"]],
] as const;

const fuzz: ReturnType<typeof expected>[] = [];
for (let seed = 1; fuzz.length < 12 && seed < 500; seed++) {
  const r = parseScenario(generateScenario(seed));
  if (!r.ok) continue;
  try {
    const e = expected(r.value);
    if (e.steps > 0 && e.steps < 2000 && e.fragment.length < 8000) fuzz.push({ ...e, seed } as never);
  } catch {
    // An impossible schedule (the intended ScheduleError): not a scenario the page runs either.
  }
}

process.stdout.write(
  JSON.stringify({
    bomb: fragment(bomb),
    hugeExit: expected(hugeExit),
    twins: twins.map(([id, from, to, faults]) => ({
      id,
      to,
      plain: expected(renamed(lesson(id), from, from, [...faults])),
      hostile: expected(renamed(lesson(id), from, to, [...faults])),
    })),
    fuzz,
  }),
);
