/**
 * The scheduler: who may step next, and one step of an actor.
 *
 * Actors are the scenario's threads, `smmu` (consumes one command) and `srcu` (runs one SRCU
 * callback whose grace period is over). A thread's next step is found by `settle`: it skips
 * steps whose `when` is false and runs zero-cost control steps, then asks the step's `wait`
 * whether it is blocked. The thread statechart (machines.ts) follows ready / blocked / done.
 *
 * Default policy (CONTRACT §1): the SMMU consumes any queued command first; otherwise the
 * first thread, in declaration order, that can step; otherwise a ready SRCU callback.
 */

import { kernelPart, ownThread } from "../engine/clone.ts";
import { cmdqErrorActive } from "../engine/cmdq-error.ts";
import { consumeCommand } from "../engine/consume.ts";
import { queueEmpty } from "../engine/queue.ts";
import type { Recorder } from "../engine/trace.ts";
import type { Draft, ThreadState, ThreadStatus, World } from "../engine/world.ts";
import type { Op, OpName, Scenario } from "../scenario/types.ts";
import { armSmmuV3Sva } from "./designs/arm-smmu-v3-sva.ts";
import { dmaProgram } from "./dma.ts";
import type { Driver } from "./driver.ts";
import { armSmmuGerrorHandler, gerrorPending } from "./gerror.ts";
import { IOPF, iopfStep, iopfWait } from "./iopf.ts";
import { sendEvent } from "./machines.ts";
import { mmPrograms } from "./mm.ts";
import { firstReadySrcuCallback, kobject } from "./objects.ts";
import {
  AGAIN,
  type Ctx,
  calledProgram,
  inRelease,
  labelIndex,
  type MicroStep,
  type Program,
  RETURN,
  releaseNote,
  step,
} from "./program.ts";
import { driverFor, nestedKernel, registerDriver } from "./registry.ts";

export const SMMU = "smmu";
export const SRCU = "srcu";

export interface Sim {
  readonly scenario: Scenario;
  readonly driver: Driver;
  /** Processes that run in a VM: their ops run the guest kernel's programs where it has one. */
  readonly guests: ReadonlySet<string>;
  /** Every program by name: "op:<op>" for the ops, and the functions they call. */
  readonly programs: Readonly<Record<string, Program>>;
}

// The default design is always there; all.ts registers the others (registry.ts).
registerDriver(armSmmuV3Sva);

export function createSim(scenario: Scenario): Sim {
  const driver = driverFor(scenario.driver);
  const guest = scenario.vms === undefined ? {} : nestedKernel().programs;
  const mm = mmPrograms({ taskExit: driver.taskExit !== undefined });
  const ops: Record<OpName, Program> = {
    bind: driver.bind as Program,
    unbind: driver.unbind as Program,
    dma: dmaProgram as Program,
    mmap: mm.mmap as Program,
    touch: mm.touch as Program,
    munmap: mm.munmap as Program,
    mprotect: mm.mprotect as Program,
    exit: mm.exit as Program,
    // Only processes in a VM have guest commands; the check refuses it for host processes.
    "guest-cmd": guest["guest:guest-cmd"] ?? [],
  };
  const programs: Record<string, Program> = {
    "drv:invalidate": driver.invalidate,
    "drv:release": driver.release,
    "mm:exit_mmap": mm.exitMmap,
    "task:exited": taskExitedProgram,
    ...(driver.taskExit ? { "drv:task_exit": driver.taskExit } : {}),
    ...driver.programs,
    ...guest,
  };
  for (const [name, program] of Object.entries(ops)) programs[`op:${name}`] = program;
  const guests = new Set(scenario.processes.filter((p) => p.vm !== undefined).map((p) => p.name));
  return { scenario, driver, programs, guests };
}

/** The op names a task of its process that has already exited (docs/tasks.md). */
function taskExited(w: World, op: Op): boolean {
  if (op.task === undefined) return false;
  const mm = w.mms.find((m) => m.process === op.process);
  return mm?.tasks?.find((x) => x.name === op.task)?.exited === true;
}

/** An op of a task that has exited: the thread is gone, so it neither runs nor asks a device. */
const taskExitedProgram: Program = [
  step("(task exited)", (c) => {
    c.rec.say(`Task ${c.op.task} of ${c.op.process} has exited: its ${c.op.op} does not run.`);
    return undefined;
  }),
];

function opOf(sim: Sim, t: ThreadState): Op | undefined {
  return sim.scenario.threads.find((x) => x.name === t.name)?.ops[t.opIndex];
}

/** The thread statechart's events from one status to another (machines.ts). */
const STATUS_PATH: Readonly<
  Record<ThreadStatus, Readonly<Partial<Record<ThreadStatus, readonly string[]>>>>
> = {
  ready: { blocked: ["thread.block"], done: ["thread.finish"] },
  blocked: { ready: ["thread.wake"], done: ["thread.wake", "thread.finish"] },
  done: {},
};

function setStatus(t: Draft<ThreadState>, status: ThreadStatus): void {
  if (t.status === status) return;
  let state: string = t.status;
  for (const ev of STATUS_PATH[t.status][status] ?? []) state = sendEvent("thread", state, ev) ?? state;
  t.status = state as ThreadStatus;
}

function jump(program: Program, t: Draft<ThreadState>, result: string | undefined): void {
  if (result === undefined) t.pc += 1;
  else if (result === AGAIN) return;
  else if (result === RETURN) t.pc = program.length;
  else {
    const callee = calledProgram(result);
    if (callee === null) t.pc = labelIndex(program, result);
    else {
      t.stack.push({ program: t.program, pc: t.pc + 1 });
      t.program = callee;
      t.pc = 0;
    }
  }
}

function programOf(sim: Sim, name: string): Program {
  const p = sim.programs[name];
  if (!p) throw new Error(`no program ${name}`);
  return p;
}

/**
 * Finds the thread's next real step (skipping `when`-false and control steps) and its status.
 * The thread is taken for writing (clone.ts) only when something in it changes, so settling
 * the threads a step did not touch leaves them shared.
 */
export function settle(sim: Sim, w: World, thread: ThreadState, rec: Recorder): void {
  // Taken for writing at each change (cheap once the world owns it).
  let t = thread as Draft<ThreadState>;
  for (let guard = 0; guard < 100_000; guard++) {
    const op = opOf(sim, t);
    if (!op) {
      if (t.status !== "done" || t.blockedOn !== null) {
        t = ownThread(w, t);
        setStatus(t, "done");
        t.blockedOn = null;
      }
      return;
    }
    if (t.program === "") {
      t = ownThread(w, t);
      const guest = sim.guests.has(op.process) ? `guest:${op.op}` : "";
      t.program = taskExited(w, op) ? "task:exited" : guest in sim.programs ? guest : `op:${op.op}`;
      t.pc = 0;
    }
    const program = programOf(sim, t.program);
    const s = program[t.pc];
    if (s === undefined) {
      t = ownThread(w, t);
      const caller = t.stack.pop();
      if (caller) {
        t.program = caller.program;
        t.pc = caller.pc;
      } else {
        t.opIndex += 1;
        t.program = "";
        t.pc = 0;
        t.locals = {};
      }
      continue;
    }
    const c: Ctx = { w, t, op, rec };
    if (!inRelease(s, w.kernel.release) || (s.when && !s.when(c))) {
      t = ownThread(w, t);
      t.pc += 1;
      continue;
    }
    if (s.control) {
      t = ownThread(w, t);
      jump(program, t, s.run({ w, t, op, rec }));
      continue;
    }
    const why = s.wait?.(c) ?? null;
    const status = why === null ? "ready" : "blocked";
    if (t.blockedOn !== why || t.status !== status) {
      t = ownThread(w, t);
      t.blockedOn = why;
      setStatus(t, status);
    }
    return;
  }
  throw new Error(`thread ${t.name} loops in control steps`);
}

export function settleAll(sim: Sim, w: World, rec: Recorder): void {
  for (let i = 0; i < w.threads.length; i++) settle(sim, w, w.threads[i]!, rec);
}

/** The thread's next step, if it has one. */
export function nextStep(sim: Sim, t: ThreadState): MicroStep | null {
  return t.status === "done" || t.program === "" ? null : (programOf(sim, t.program)[t.pc] ?? null);
}

/** Ops a thread has not finished, its current one included. */
export function remainingOps(sim: Sim, t: ThreadState): readonly Op[] {
  return sim.scenario.threads.find((x) => x.name === t.name)?.ops.slice(t.opIndex) ?? [];
}

/** The kernel function the thread will run next, if it is not done. */
export function nextFn(sim: Sim, t: ThreadState): string | null {
  return t.status === "done" || t.program === "" ? null : (programOf(sim, t.program)[t.pc]?.fn ?? null);
}

export interface ActorInfo {
  readonly name: string;
  readonly runnable: boolean;
  /** Why not, when not runnable. */
  readonly why: string | null;
  /** What it would do. */
  readonly next: string | null;
}

/** Every actor with whether it can step now (after settleAll). */
export function actors(sim: Sim, w: World): ActorInfo[] {
  const list: ActorInfo[] = w.threads.map((t) => ({
    name: t.name,
    runnable: t.status === "ready",
    why: t.status === "done" ? "finished" : t.blockedOn,
    next: nextFn(sim, t),
  }));
  const cmdqEmpty = queueEmpty(w.smmu.cmdq);
  const stopped = cmdqErrorActive(w.smmu);
  list.push({
    name: SMMU,
    runnable: !cmdqEmpty && !stopped,
    why: stopped
      ? "the command queue is stopped at CONS (CMDQ_CONS.ERR = CERROR_ILL) until the GERROR handler acknowledges it"
      : cmdqEmpty
        ? "the command queue is empty"
        : null,
    next: cmdqEmpty || stopped ? null : "consume one command",
  });
  // The SMMU's interrupt handlers: a pending GERROR (gerror.ts) comes before any fault record.
  const iopfWhy = gerrorPending(w) ? null : iopfWait(w);
  list.push({
    name: IOPF,
    runnable: iopfWhy === null,
    why: iopfWhy,
    next:
      iopfWhy !== null
        ? null
        : gerrorPending(w)
          ? "handle the global error (GERROR)"
          : "handle one I/O page fault",
  });
  const ready = firstReadySrcuCallback(w);
  const srcuReady = ready >= 0;
  list.push({
    name: SRCU,
    runnable: srcuReady,
    why: srcuReady ? null : "no SRCU callback is past its grace period",
    next: srcuReady ? (w.kernel.srcu.callbacks[ready]?.fn ?? null) : null,
  });
  return list;
}

export function defaultActor(sim: Sim, w: World): string | null {
  const list = actors(sim, w);
  if (list.find((a) => a.name === SMMU)?.runnable) return SMMU;
  if (list.find((a) => a.name === IOPF)?.runnable) return IOPF;
  const thread = list.find((a) => a.name !== SMMU && a.name !== SRCU && a.name !== IOPF && a.runnable);
  if (thread) return thread.name;
  return list.find((a) => a.name === SRCU)?.runnable ? SRCU : null;
}

export interface StepOutcome {
  readonly actor: string;
  readonly fn: string;
  /** Which op of the thread the step belongs to. */
  readonly opIndex: number | null;
}

/** Takes one step of `actor`; the caller has checked that it is runnable. */
export function stepActor(sim: Sim, w: World, actor: string, rec: Recorder): StepOutcome {
  w.clock += 1;
  if (actor === SMMU) {
    consumeCommand(w, rec);
    settleAll(sim, w, rec);
    return { actor, fn: "arm_smmu_cmdq_consume", opIndex: null };
  }
  if (actor === IOPF) {
    const fn = gerrorPending(w) ? armSmmuGerrorHandler(w, rec) : iopfStep(w, sim.driver.servicesPri, rec);
    settleAll(sim, w, rec);
    return { actor, fn, opIndex: null };
  }
  if (actor === SRCU) {
    const i = firstReadySrcuCallback(w);
    const cb = kernelPart(w, "srcu").callbacks.splice(i, 1)[0];
    if (cb === undefined) throw new Error("no SRCU callback is ready");
    const obj = kobject(w, cb.object);
    sim.driver.freeNotifier({ w, t: { name: SRCU }, rec }, obj);
    rec.say(`The SRCU grace period is over: ${cb.fn} frees the notifier.`);
    settleAll(sim, w, rec);
    return { actor, fn: cb.fn, opIndex: null };
  }
  const t = ownThread(
    w,
    w.threads.findIndex((x) => x.name === actor),
  );
  const op = opOf(sim, t);
  if (op === undefined) throw new Error(`${actor} has no op to run`);
  const program = programOf(sim, t.program);
  const s = program[t.pc];
  if (s === undefined) throw new Error(`${actor} has no step to take`);
  const opIndex = t.opIndex;
  jump(program, t, s.run({ w, t, op, rec }));
  if (!rec.silent && (s.since !== undefined || s.until !== undefined)) rec.say(releaseNote(s));
  settleAll(sim, w, rec);
  return { actor, fn: rec.fn ?? s.fn, opIndex };
}
