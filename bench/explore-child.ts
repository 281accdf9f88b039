/**
 * One explorer run of the benchmark, in a process of its own (so its peak memory is its own):
 * `explore-child.ts <sources dir> <design> <threads> <mode> <cpu budget s>`, where mode is
 * "reduced", "full", "k2" (at most 2 preemptions) or "w2" (2 worker threads). Prints one JSON
 * line: states, whether it completed, CPU seconds (this process and its threads), wall
 * seconds, peak RSS, the visited set's bytes, the outcomes.
 *
 * The sources dir is this repository's, or an older tree's (`git archive` of the commit before
 * the explorer's change): only `exploreScenario(scenario, { maxStates, cancelled })` and the
 * report's `states`, `complete` and `outcomes[].violations` are used from it.
 */

import { race } from "./races.ts";

const [dir, design, threads, mode, budget] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
await import(`${dir}/src/kernel/all.ts`);
const { parseScenario } = await import(`${dir}/src/scenario/index.ts`);
const { exploreScenario } = await import(`${dir}/src/explorer/explore.ts`);
const parsed = parseScenario(race(design, Number(threads)));
if (!parsed.ok) throw new Error(parsed.error);
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const limit = Number(budget);
const c0 = cpu();
const t0 = performance.now();
const opts = {
  maxStates: 1e9,
  maxBytes: 2 ** 34,
  cancelled: () => cpu() - c0 > limit,
  ...(mode === "full" ? { reduce: false } : {}),
  ...(mode === "k2" ? { preemptions: 2 } : {}),
};
let report: {
  states: number;
  complete: boolean;
  bytes?: number;
  outcomes: { violations: string[] }[];
};
if (mode === "w2") {
  const { exploreParallel } = await import(`${dir}/src/explorer/node-parallel.ts`);
  report = exploreParallel(parsed.value, opts, 2);
} else report = exploreScenario(parsed.value, opts);
console.log(
  JSON.stringify({
    states: report.states,
    complete: report.complete,
    cpu: cpu() - c0,
    wall: (performance.now() - t0) / 1000,
    rss: process.resourceUsage().maxRSS * 1024,
    bytes: report.bytes ?? null,
    outcomes: report.outcomes.map((o) => o.violations.join("+") || "none"),
  }),
);
