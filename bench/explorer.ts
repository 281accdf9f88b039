/**
 * Exploration speed: states per second exploring the unbind ‖ exit ‖ DMA race, against a
 * traversal of the thread statechart's reachable states by @xstate/graph in the same run.
 */

import { getShortestPaths } from "@xstate/graph";
import { exploreScenario } from "../src/explorer/explore.ts";
import { threadMachine } from "../src/kernel/machines.ts";
import { parseScenario } from "../src/scenario/index.ts";
import raceJson from "../src/scenario/library/unbind-vs-exit.json";

export function benchExplorer(): void {
  const parsed = parseScenario(raceJson);
  if (!parsed.ok) throw new Error(parsed.error);
  exploreScenario(parsed.value);
  const t0 = performance.now();
  const report = exploreScenario(parsed.value);
  const ms = performance.now() - t0;
  const perState = ms / report.states;
  console.log(
    `race: ${report.states} states, ${report.interleavings} interleavings, ${ms.toFixed(0)} ms (${((report.states / ms) * 1000).toFixed(0)} states/s), complete: ${report.complete}`,
  );
  const t1 = performance.now();
  let graphStates = 0;
  for (let i = 0; i < 200; i++) graphStates = getShortestPaths(threadMachine).length;
  const graphMs = (performance.now() - t1) / 200;
  const graphPerState = graphMs / graphStates;
  console.log(
    `@xstate/graph getShortestPaths on the thread statechart: ${graphStates} states in ${graphMs.toFixed(3)} ms (${(graphPerState * 1000).toFixed(1)} µs/state); the explorer spends ${(perState * 1000).toFixed(1)} µs per whole-world state: ratio ${(perState / graphPerState).toFixed(1)}×`,
  );
}
