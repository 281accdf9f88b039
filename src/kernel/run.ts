/**
 * Runs a scenario: the schedule's entries first, then the default policy, until no actor can
 * step. Produces the steps (with what each did) and, on request, a snapshot of the world after
 * each step for time travel. After the last step the checker looks for deadlock and leaks.
 */

import { deepClone } from "../engine/clone.ts";
import { hashState } from "../engine/hash.ts";
import { Recorder, type TraceEvent, type ViolationKind } from "../engine/trace.ts";
import type { World } from "../engine/world.ts";
import type { Scenario } from "../scenario/types.ts";
import { boot } from "./boot.ts";
import { actors, createSim, defaultActor, type Sim, SMMU, settleAll, stepActor } from "./sim.ts";

export interface StepRecord {
  readonly index: number;
  readonly actor: string;
  readonly fn: string;
  readonly text: string;
  readonly opIndex: number | null;
  readonly events: readonly TraceEvent[];
}

export interface Violation {
  readonly step: number;
  readonly kind: ViolationKind;
  readonly text: string;
}

export interface RunResult {
  readonly sim: Sim;
  readonly steps: StepRecord[];
  /** snapshots[0] is the booted world; snapshots[i + 1] the world after steps[i]. */
  readonly snapshots: World[];
  readonly final: World;
  readonly violations: Violation[];
  readonly stateHash: string;
}

export class ScheduleError extends Error {}

export interface RunOptions {
  /** Keep a clone of the world after every step (the page's time travel). */
  readonly snapshots?: boolean;
  /** Stop after this many steps. */
  readonly until?: number;
  /** A guard against runaway scenarios. */
  readonly maxSteps?: number;
  /** Replace the scenario's schedule. */
  readonly schedule?: readonly string[];
}

export const clone = (w: World): World => deepClone(w);

/** The state hash of a world (what the runner prints and the page shows). */
export function worldHash(w: World): string {
  return hashState({ ...w, clock: 0 });
}

/** Runs one entry of a schedule (CONTRACT §1): "T0", "T0:op" or "smmu"/"srcu". */
export function* entrySteps(sim: Sim, w: World, entry: string, where: string): Generator<string> {
  const [name, suffix] = entry.split(":") as [string, string | undefined];
  const info = actors(sim, w).find((a) => a.name === name);
  if (!info) throw new ScheduleError(`${where}: no thread or actor named "${name}"`);
  if (!info.runnable) throw new ScheduleError(`${where}: ${name} cannot step (${info.why ?? "blocked"})`);
  if (suffix === undefined) {
    yield name;
    return;
  }
  if (suffix !== "op") throw new ScheduleError(`${where}: unknown suffix ":${suffix}" (only ":op")`);
  const t = w.threads.find((x) => x.name === name);
  if (!t) throw new ScheduleError(`${where}: "${name}" is not a thread`);
  const start = t.opIndex;
  while (t.status !== "done" && t.opIndex === start) {
    const now = actors(sim, w);
    if (now.find((a) => a.name === name)?.runnable) yield name;
    else if (now.find((a) => a.name === SMMU)?.runnable) yield SMMU;
    else
      throw new ScheduleError(
        `${where}: ${name} is stuck (${t.blockedOn ?? "blocked"}) before its op finished`,
      );
  }
}

export function runScenario(scenario: Scenario, opts: RunOptions = {}): RunResult {
  const sim = createSim(scenario);
  const w = boot(scenario);
  const steps: StepRecord[] = [];
  const violations: Violation[] = [];
  const snapshots: World[] = [];
  const maxSteps = opts.maxSteps ?? 200_000;
  const until = opts.until ?? Number.POSITIVE_INFINITY;
  settleAll(sim, w, new Recorder());
  if (opts.snapshots) snapshots.push(clone(w));

  const take = (actor: string): void => {
    const rec = new Recorder();
    const out = stepActor(sim, w, actor, rec);
    const index = steps.length;
    steps.push({
      index,
      actor,
      fn: out.fn,
      text: rec.text.join(" "),
      opIndex: out.opIndex,
      events: rec.events,
    });
    for (const e of rec.events)
      if (e.type === "check.violation") violations.push({ step: index, kind: e.kind, text: e.text });
    if (opts.snapshots) snapshots.push(clone(w));
  };

  const schedule = opts.schedule ?? scenario.schedule ?? [];
  schedule.forEach((entry, i) => {
    for (const actor of entrySteps(sim, w, entry, `schedule[${i}]`)) {
      if (steps.length >= until) return;
      take(actor);
    }
  });
  while (steps.length < until) {
    const actor = defaultActor(sim, w);
    if (actor === null) break;
    if (steps.length >= maxSteps)
      throw new ScheduleError(`the scenario did not finish within ${maxSteps} steps`);
    take(actor);
  }
  if (steps.length < until) finalChecks(w, steps.length - 1, violations);
  return { sim, steps, snapshots, final: w, violations, stateHash: worldHash(w) };
}

/** Deadlock and leak checks once nothing can step (DESIGN, the checker). */
export function finalChecks(w: World, step: number, violations: Violation[]): void {
  const stuck = w.threads.filter((t) => t.status !== "done");
  if (stuck.length > 0) {
    violations.push({
      step,
      kind: "deadlock",
      text: `No actor can step, yet ${stuck.map((t) => `${t.name} (${t.blockedOn})`).join(", ")} never finished.`,
    });
    return;
  }
  const allExited = w.mms.every((m) => m.state !== "live");
  const bondsLive = Object.values(w.kernel.objects).some((o) => o.kind === "bond" && o.state !== "freed");
  if (!allExited || bondsLive) return;
  const leaks: string[] = [];
  for (const m of w.mms) if (m.state !== "freed") leaks.push(`${m.process}'s mm (mm_count ${m.count})`);
  for (const [pasid, p] of Object.entries(w.kernel.pasids)) leaks.push(`PASID ${pasid} of ${p.owner}`);
  for (const [asid, a] of Object.entries(w.kernel.asids))
    if (a.owner.startsWith("mm:")) leaks.push(`ASID ${asid} of ${a.owner}`);
  for (const o of Object.values(w.kernel.objects))
    if (o.state !== "freed") leaks.push(`${o.kind} #${o.id} (${o.state})`);
  // Process memory only: the devices' DMA domains (owner "dma:…") live as long as the devices.
  const frames = w.mem.frames.filter(
    (f) => (f.owner.kind === "data" || f.owner.kind === "pgtable") && !f.owner.process.startsWith("dma:"),
  );
  if (frames.length > 0) leaks.push(`${frames.length} frame(s) of process memory`);
  if (leaks.length > 0) {
    violations.push({
      step,
      kind: "leak",
      text: `Every process exited and every binding ended, yet still allocated: ${leaks.join("; ")}.`,
    });
  }
}
