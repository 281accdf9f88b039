/**
 * URL length: the shareable URL of a 100-op scenario and of the built-in scenarios, against
 * plain JSON compressed the usual way (lz-string's compressToEncodedURIComponent).
 */

import LZString from "lz-string";
import { generateScenarioJson } from "../src/scenario/fixtures.ts";
import { encodeScenarioUrl, parseScenario, scenarioToJson } from "../src/scenario/index.ts";
import lifecycle from "../src/scenario/library/lifecycle.json";
import race from "../src/scenario/library/unbind-vs-exit.json";

export function benchUrl(): void {
  const cases: [string, unknown][] = [
    ["100-op generated", generateScenarioJson(100)],
    ["lifecycle", lifecycle],
    ["unbind-vs-exit", race],
  ];
  for (const [name, json] of cases) {
    const r = parseScenario(json);
    if (!r.ok) throw new Error(`${name}: ${r.error}`);
    const ours = encodeScenarioUrl(r.value).length;
    const lz =
      `https://sva-lab.invalid/#${LZString.compressToEncodedURIComponent(JSON.stringify(scenarioToJson(r.value)))}`
        .length;
    console.log(`${name}: ${ours} chars vs ${lz} with lz-string JSON (${(lz / ours).toFixed(2)}× shorter)`);
  }
}
