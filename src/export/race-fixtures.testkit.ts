/**
 * The race lessons as a user would mail them: each lesson with two threads or more, with its
 * safeguard switched off (unbind-vs-exit: free-notifier-now, as its two sister lessons), run on
 * the first violating interleaving the explorer finds, its schedule shortened.
 */
import "../kernel/all.ts";
import { exploreScenario } from "../explorer/explore.ts";
import { type RunResult, runScenario } from "../kernel/run.ts";
import { LIBRARY } from "../scenario/library/index.ts";
import type { Scenario } from "../scenario/types.ts";
import { expandSchedule, shortSchedule } from "./schedule.ts";

export interface Race {
  readonly id: string;
  readonly scenario: Scenario;
  readonly run: RunResult;
  readonly schedule: string[];
  /** The explorer's full schedule, one actor per step. */
  readonly actors: readonly string[];
}

const EXTRA_FAULT: Readonly<Record<string, string>> = { "unbind-vs-exit": "free-notifier-now" };

export function raceLessons(): Race[] {
  return LIBRARY.filter((l) => l.scenario.threads.length >= 2).map((l) => {
    const fault = l.fault?.name ?? EXTRA_FAULT[l.id];
    const base: Scenario = fault ? { ...l.scenario, faults: [fault] } : l.scenario;
    const report = exploreScenario(base, { maxStates: 50_000 });
    const outcome = report.outcomes.find((o) => o.violations.length > 0) ?? report.outcomes[0]!;
    const schedule = shortSchedule(base, outcome.schedule);
    const expanded = expandSchedule(schedule.join(" "));
    if (!expanded.ok) throw new Error(expanded.error);
    const scenario: Scenario = { ...base, schedule: expanded.value };
    return { id: l.id, scenario, run: runScenario(scenario), schedule, actors: outcome.schedule };
  });
}
