// For each built-in lesson: its shareable fragment, a step in the middle, and the state hash
// the runner gives at that step and at the end. One process, so the test needs no spawn per lesson.
import "../../src/kernel/all.ts";
import { runScenario } from "../../src/kernel/index.ts";
import { encodeScenarioUrl } from "../../src/scenario/index.ts";
import { LIBRARY } from "../../src/scenario/library/index.ts";

const out = LIBRARY.map((l) => {
  const full = runScenario(l.scenario);
  const step = Math.floor(full.steps.length / 2);
  const url = encodeScenarioUrl(l.scenario, { step });
  return {
    id: l.id,
    fragment: url.slice(url.indexOf("#") + 1),
    step,
    steps: full.steps.length,
    hashAtStep: runScenario(l.scenario, { until: step }).stateHash,
  };
});
process.stdout.write(JSON.stringify(out));
