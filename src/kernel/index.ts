/**
 * The kernel model's public face for the page and the runner: run a scenario, read its trace,
 * ask who can step at a point of it, and the statecharts to draw.
 */

import { Recorder } from "../engine/trace.ts";
import type { World } from "../engine/world.ts";
import type { Scenario } from "../scenario/types.ts";
import { clone, type RunResult, worldAt } from "./run.ts";
import { type ActorInfo, actors, createSim, stepActor } from "./sim.ts";

export { FAULT_NAMES, FAULTS, type FaultName, isFaultName } from "../scenario/faults.ts";
export { dmaPasid } from "./dma.ts";
export { guestAsidProcess, guestBindings } from "./guest-bindings.ts";
export { IOPF } from "./iopf.ts";
export { MACHINES, type MachineName, machineGraph, machineOf } from "./machines.ts";
export { objectName } from "./objects.ts";
export { designEra, kernelLoaded } from "./registry.ts";
export { commandFields, TRACE_FORMAT, type TraceJson, toTraceJson } from "./report.ts";
export {
  clone,
  type RunOptions,
  type RunResult,
  runScenario,
  ScheduleError,
  type StepRecord,
  type Violation,
  worldAt,
  worldHash,
} from "./run.ts";
export { type ActorInfo, SMMU, SRCU } from "./sim.ts";

/**
 * Who can step in the world after `cursor` steps (0 = before the first step): the choices a
 * person has when picking the interleaving by hand. Works with checkpointed runs too.
 */
export function actorsAt(r: RunResult, cursor: number): ActorInfo[] {
  return actorsIn(r, worldAt(r, cursor));
}

/** Who can step in `w`, a world of run `r` (one the page already holds). */
export function actorsIn(r: RunResult, w: World): ActorInfo[] {
  return actors(r.sim, w);
}

/**
 * The schedule that replays the run's first `cursor` steps and then lets `actor` step: what
 * the page runs when a person picks who goes next.
 */
export function scheduleWithChoice(r: RunResult, cursor: number, actor: string): string[] {
  return [...r.steps.slice(0, cursor).map((s) => s.actor), actor];
}

/**
 * A run computed in another thread (the page's worker, store/run-worker.ts), rebuilt here from
 * what it posted: its steps, outcome and the worlds it sent, with this thread's own `Sim` (its
 * programs are functions, which cannot be posted; the scenario rebuilds the same ones).
 */
export function runResultOf(scenario: Scenario, parts: Omit<RunResult, "sim">): RunResult {
  return { sim: createSim(scenario), ...parts };
}

/**
 * The world after step `i` of run `r`, from `before`, the world before that step (left as it
 * was): what `worldAt` replays, one step. The page rebuilds a worker's run here with it, up
 * to its final world.
 */
export function worldAfterStep(r: RunResult, before: World, i: number): World {
  const w = clone(before);
  stepActor(r.sim, w, r.steps[i]!.actor, new Recorder());
  return w;
}

/**
 * Takes step `i` of run `r` in `w`, a world the caller owns and has handed to no one (a
 * replay's working copy): `worldAfterStep` without its copy, for a replay of many steps that
 * looks at the clock between them (the page's idle replay of a worker's run).
 */
export function stepInPlace(r: RunResult, w: World, i: number): void {
  stepActor(r.sim, w, r.steps[i]!.actor, new Recorder());
}

/**
 * State hashes computed in another thread (the page's run worker) for the worlds it posted:
 * `worldHash` of the same world, by the same code; the page shows them rather than hashing a
 * posted world from scratch (it comes without any cached part hashes).
 */
export const postedHashes = new WeakMap<World, string>();
