/**
 * Runs a scenario: the schedule's entries first, then the default policy, until no actor can
 * step. Produces the steps (with what each did) and, on request, a snapshot of the world after
 * each step for time travel. After the last step the checker looks for deadlock and leaks.
 */

import { cloneWorld } from "../engine/clone.ts";
import type { QueueRecord, TableTracker, TableWrite } from "../engine/table-writes.ts";
import { Recorder, type TraceEvent, type ViolationKind } from "../engine/trace.ts";
import type { World } from "../engine/world.ts";
import { hashWorldInto } from "../engine/world-hash.ts";
import { SCENARIO_LIMITS } from "../scenario/limits.ts";
import type { Scenario } from "../scenario/types.ts";
import { boot } from "./boot.ts";
import { staleCdsAtEnd } from "./checks.ts";
import { gerrorPending } from "./gerror.ts";
import { IOPF } from "./iopf.ts";
import { actors, createSim, defaultActor, type Sim, SMMU, settleAll, stepActor } from "./sim.ts";

export interface StepRecord {
  readonly index: number;
  readonly actor: string;
  readonly fn: string;
  readonly text: string;
  readonly opIndex: number | null;
  readonly events: readonly TraceEvent[];
  /** Threads blocked after the step, with why: the timeline's blocked spans. */
  readonly blocked: readonly { readonly thread: string; readonly why: string }[];
  /** With `tables`: the STE, CD, L1 descriptor and page-table entries the step wrote. */
  readonly tables?: readonly TableWrite[];
  /** With `tables`: the event records and PRI queue entries the step wrote. */
  readonly records?: readonly QueueRecord[];
  /** With `tables`: the queue registers the step changed, with their new values. */
  readonly regs?: Readonly<Record<string, number>>;
}

export interface Violation {
  readonly step: number;
  readonly kind: ViolationKind;
  readonly text: string;
}

export interface RunResult {
  readonly sim: Sim;
  readonly steps: StepRecord[];
  /**
   * snapshots[0] is the booted world; snapshots[i + 1] the world after steps[i]. With
   * `checkpointEvery: n` only every n-th is kept (the array is sparse): use `worldAt`.
   */
  readonly snapshots: World[];
  readonly checkpointEvery: number;
  readonly final: World;
  readonly violations: Violation[];
  readonly stateHash: string;
}

export class ScheduleError extends Error {}

export interface RunOptions {
  /** Keep a clone of the world after every step (the page's time travel). */
  readonly snapshots?: boolean;
  /** Keep a clone only every n steps, and replay from it on demand (large scenarios). */
  readonly checkpointEvery?: number;
  /** Stop after this many steps. */
  readonly until?: number;
  /** A guard against runaway scenarios. */
  readonly maxSteps?: number;
  /** Replace the scenario's schedule. */
  readonly schedule?: readonly string[];
  /**
   * Record each step's table writes, queue records and register changes (`run --json`): pass
   * `tableTracker` (engine/table-writes.ts). Off, they cost nothing: memory keeps no journal, and
   * the page, which never asks, does not download the describer.
   */
  readonly tables?: (w: World) => TableTracker;
  /**
   * Record each translation's path on its DMA event (`run --json`): pass `pathLog`
   * (engine/xlate-path.ts). Off, the SMMU builds none.
   */
  readonly paths?: Recorder["paths"];
  /** Told the number of steps taken so far, every PROGRESS_EVERY steps (the page's worker reports it). */
  readonly progress?: (steps: number) => void;
}

/** Steps between two `progress` calls. */
export const PROGRESS_EVERY = 512;

export const clone = (w: World): World => cloneWorld(w);

/** The state hash of a world (what the runner prints and the page shows): `hashState` of it without its clock. */
export function worldHash(w: World): string {
  hashWorldInto(w, lanes);
  return (lanes[0]! >>> 0).toString(16).padStart(8, "0") + (lanes[1]! >>> 0).toString(16).padStart(8, "0");
}

const lanes = new Int32Array(2);

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
  // Looked up afresh after every step: a step replaces the thread it changes (clone.ts).
  const thread = () => w.threads.find((x) => x.name === name);
  let t = thread();
  if (!t) throw new ScheduleError(`${where}: "${name}" is not a thread`);
  const start = t.opIndex;
  for (; t.status !== "done" && t.opIndex === start; t = thread()!) {
    const now = actors(sim, w);
    if (now.find((a) => a.name === name)?.runnable) yield name;
    else if (now.find((a) => a.name === SMMU)?.runnable) yield SMMU;
    // A stopped command queue needs the GERROR handler before the SMMU goes on.
    else if (gerrorPending(w)) yield IOPF;
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
  const maxSteps = opts.maxSteps ?? SCENARIO_LIMITS.steps;
  const until = opts.until ?? Number.POSITIVE_INFINITY;
  const tables = opts.tables ? opts.tables(w) : null;
  settleAll(sim, w, new Recorder());
  const every = opts.checkpointEvery ?? (opts.snapshots ? 1 : 0);
  if (every > 0) snapshots[0] = clone(w);

  // A livelock (a kernel loop the model cut) ends the run at its step: the kernel would not
  // have got past it either.
  let cut = false;
  const take = (actor: string): void => {
    const rec = new Recorder();
    if (opts.paths) rec.paths = opts.paths;
    const out = tables ? tables.around(() => stepActor(sim, w, actor, rec)) : stepActor(sim, w, actor, rec);
    const index = steps.length;
    const blocked = w.threads
      .filter((t) => t.status === "blocked")
      .map((t) => ({ thread: t.name, why: t.blockedOn ?? "" }));
    steps.push({
      index,
      actor,
      fn: out.fn,
      text: rec.text.join(" "),
      opIndex: out.opIndex,
      events: rec.events,
      blocked,
      ...tables?.describe(),
    });
    for (const e of rec.events) {
      if (e.type !== "check.violation") continue;
      violations.push({ step: index, kind: e.kind, text: e.text });
      if (e.kind === "livelock") cut = true;
    }
    if (every > 0 && (index + 1) % every === 0) snapshots[index + 1] = clone(w);
    if (opts.progress && (index + 1) % PROGRESS_EVERY === 0) opts.progress(index + 1);
  };

  const schedule = opts.schedule ?? scenario.schedule ?? [];
  for (let i = 0; i < schedule.length && steps.length < until && !cut; i++) {
    for (const actor of entrySteps(sim, w, schedule[i]!, `schedule[${i}]`)) {
      take(actor);
      if (steps.length >= until || cut) break;
    }
  }
  while (steps.length < until && !cut) {
    const actor = defaultActor(sim, w);
    if (actor === null) break;
    if (steps.length >= maxSteps)
      throw new ScheduleError(`the scenario did not finish within ${maxSteps} steps (the step limit)`);
    take(actor);
  }
  if (steps.length < until && !cut) finalChecks(w, steps.length - 1, violations);
  return { sim, steps, snapshots, checkpointEvery: every, final: w, violations, stateHash: worldHash(w) };
}

const replayed = new WeakMap<RunResult, Map<number, World>>();

/**
 * The world after the first `k` steps of a run: its snapshot, or the nearest checkpoint
 * before it replayed forward (the same actors in the same order give the same worlds). The
 * result must not be mutated; the last few are cached.
 */
export function worldAt(r: RunResult, k: number): World {
  const exact = r.snapshots[k];
  if (exact) return exact;
  if (k >= r.steps.length) return r.final;
  let cache = replayed.get(r);
  if (!cache) {
    cache = new Map();
    replayed.set(r, cache);
  }
  const hit = cache.get(k);
  if (hit) return hit;
  // The nearest snapshot at or before k: a checkpoint, or (the page's worker, store/remote-run.ts)
  // any world its holder put there.
  let from = k;
  while (from > 0 && !r.snapshots[from]) from--;
  // Continue from a cached replay when it is nearer than the checkpoint.
  for (const [at] of cache) if (at <= k && at > from) from = at;
  const base = cache.get(from) ?? r.snapshots[from];
  const w = base ? clone(base) : boot(r.sim.scenario);
  if (!base) settleAll(r.sim, w, new Recorder());
  for (let i = from; i < k; i++) stepActor(r.sim, w, r.steps[i]!.actor, new Recorder());
  if (cache.size >= 8) cache.delete(cache.keys().next().value!);
  cache.set(k, w);
  return w;
}

/** Deadlock, stale-CD and leak checks once nothing can step (DESIGN, the checker). */
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
  const stale = staleCdsAtEnd(w);
  if (stale.length > 0) violations.push({ step, kind: "stale-cd", text: `At the end: ${stale.join("; ")}.` });
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
  for (const vm of w.vms ?? []) {
    for (const [pasid, p] of Object.entries(vm.pasids))
      leaks.push(`${vm.name}'s guest PASID ${pasid} of ${p.owner}`);
    for (const [asid, a] of Object.entries(vm.asids))
      if (a.owner.startsWith("sva:")) leaks.push(`${vm.name}'s guest ASID ${asid} (${a.owner})`);
  }
  // Process memory only: DMA domains and a VM's stage 2 live as long as the devices and the VM.
  const processes = new Set(w.mms.map((m) => m.process));
  const frames = w.mem.frames.filter(
    (f) => (f.owner.kind === "data" || f.owner.kind === "pgtable") && processes.has(f.owner.process),
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
