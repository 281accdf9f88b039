/**
 * Kernel paths as programs of atomic micro-steps.
 *
 * A path (bind, munmap, exit…) is an array of steps, each named after the kernel function
 * doing it. A thread's progress is plain data in the world (op index, step index, locals), so
 * a world can be cloned and hashed at any point, and races are just orders of steps.
 *
 * - `when` false: the step is skipped without costing a micro-step (an `if` in the kernel).
 * - `wait` non-null: the thread is blocked (a held mutex, a CMD_SYNC not yet consumed).
 * - `run` does the work and may jump: return a label, or `RETURN` to end the op.
 */

import type { Recorder } from "../engine/trace.ts";
import type { Draft, LocalValue, ThreadState, World } from "../engine/world.ts";
import { type ChangeId, changeById, releaseHas } from "../scenario/releases.ts";
import type { Op } from "../scenario/types.ts";

/**
 * What kernel code runs with when it is not a thread's op: the world, the recorder, and who runs
 * it, as the trace names it. The SRCU callback (`srcu`, after a grace period) runs with only
 * this: it has no op, no locals and no place in a program.
 */
export interface KernelCtx {
  readonly w: World;
  /** The runner: a thread (its name in the scenario), or the SRCU callback. */
  readonly t: { readonly name: string };
  readonly rec: Recorder;
}

/** A thread running a micro-step of one of its ops. */
export interface Ctx<O extends Op = Op> extends KernelCtx {
  /** The thread stepping, already its world's own (clone.ts): its locals are written in place. */
  readonly t: Draft<ThreadState>;
  readonly op: O;
}

export const RETURN = "@return";
/** Run the same step again (a loop that costs one micro-step per turn). */
export const AGAIN = "@again";
const CALL = "@call:";

/** Returned by a step: run the named program (a kernel function with steps of its own), then go on. */
export function call(program: string): string {
  return CALL + program;
}

export function calledProgram(result: string): string | null {
  return result.startsWith(CALL) ? result.slice(CALL.length) : null;
}

export interface MicroStep<O extends Op = Op> {
  readonly fn: string;
  /**
   * A control step costs no micro-step: it runs while the thread's next step is being found
   * (a loop head, a jump). It must not touch what another thread can observe.
   */
  readonly control?: boolean;
  /**
   * The step reads nothing another actor writes (or only what can no longer change its
   * effect once it is enabled) and writes only the thread's own locals: it commutes with every
   * other step, so the explorer need not try it in every position.
   */
  readonly local?: boolean;
  /**
   * The step is `local` in the worlds where this holds, a property no step changes (the SMMU's
   * features): a CPU TLB flush without BTM, which the SMMU does not see.
   */
  readonly localIf?: (w: World) => boolean;
  readonly label?: string;
  /**
   * The step does no more than release these locks, each held by the thread (or switched off
   * by a fault: then none), and say so: the explorer (explorer/por.ts) may take it alone, as
   * no other actor touches a lock the thread holds. `explorer/por.test.ts` checks the claim.
   */
  readonly releases?: (c: Ctx<O>) => readonly string[];
  /**
   * What the step's `when` (a control step: its `run`) reads and writes beyond the thread's own
   * locals and what no step changes (the faults, the release, the SMMU's features, a device's
   * capabilities, an object's identity), as bits of `FP`. Absent: anything. The explorer
   * (explorer/por.ts) reads it where a thread settles after a step it may take alone;
   * `explorer/persistent.test.ts` checks the claims.
   */
  readonly fp?: Footprint;
  /**
   * What the thread may still read and write from this step to the end of its program (this
   * step's `when` and `wait`, and the programs it calls, included), as bits of `FP`. Absent:
   * anything. The explorer reads it for the threads a step taken alone must commute with.
   */
  readonly rest?: Footprint;
  /**
   * A control step's possible next steps, for the same reduction: "+1" (the next step), a label,
   * `call(program)` (that program, then the next step) or `RETURN`. Absent: unknown.
   */
  readonly targets?: readonly string[];
  /**
   * The step exists only in releases holding this change (scenario/releases.ts): in older ones
   * it is skipped as if its `when` were false, and its text says from which release it runs.
   */
  readonly since?: ChangeId;
  /** The step exists only in releases before this change (the change removed it). */
  readonly until?: ChangeId;
  readonly when?: (c: Ctx<O>) => boolean;
  readonly wait?: (c: Ctx<O>) => string | null;
  readonly run: (c: Ctx<O>) => string | undefined;
}

export type Program<O extends Op = Op> = readonly MicroStep<O>[];

/**
 * What a step does to the parts of the world `FP` names: `w`, the kinds of writes it does;
 * `r`, the kinds of writes (its own or another's) it observes: a read of what they write, or a
 * write that does not commute with theirs. Two steps commute on these parts unless one's `w`
 * meets the other's `r`.
 */
export interface Footprint {
  readonly r: number;
  readonly w: number;
}

/**
 * The parts of the world that step footprints name (MicroStep.fp, .rest); explorer/por.ts
 * keeps, for each op and actor, which of them it may still observe or write.
 */
export const FP = {
  /** An mm's list of notifiers (mm->notifier_subscriptions): hooked, unhooked, read. */
  NOTIFIERS: 1,
  /**
   * srcu_read_lock. Observed by what snapshots the readers (call_srcu, __mmu_notifier_release),
   * by synchronize_srcu's wait and by an SRCU callback waiting for that reader. Two threads'
   * srcu_read_lock and srcu_read_unlock commute (each counts its own).
   */
  SRCU_ENTER: 2,
  /**
   * srcu_read_unlock. Observed by the readers' snapshots and by an SRCU callback waiting for
   * that reader; synchronize_srcu's wait it can only end.
   */
  SRCU_LEAVE: 4,
  /** arm-smmu-v3-sva's `smmu_mn->cleared`. */
  CLEARED: 8,
  /** sva-domain's `smmu_domain->devices`: the masters an SVA domain is attached to. */
  DEVICES: 16,
} as const;

/** Every bit of FP, and more: a footprint not declared. */
export const FP_ALL = -1;

/** Reads and writes nothing another actor can see or change. */
export const NO_FP: Footprint = { r: 0, w: 0 };

export function step<O extends Op = Op>(
  fn: string,
  run: MicroStep<O>["run"],
  extra: Partial<MicroStep<O>> = {},
) {
  return { fn, run, ...extra } as MicroStep<O>;
}

/**
 * Typed access to the thread locals of a module's programs. `L` declares each local the module
 * reads or writes, with its type; a local a step may read before any step set it is optional.
 * The values live in the thread (`ThreadState.locals`: plain data, cloned and hashed with the
 * world, cleared between ops), so the programs of one op share them: a module that hands a local
 * to another's program (the notifier's `mn`, `inv.start`) exports its declaration and the other
 * includes it in its own `L`.
 */
export interface Locals<L> {
  local<K extends keyof L & string>(c: Ctx, name: K): L[K];
  /**
   * A local the step can only run with (a guard or an earlier step set it): its value, neither
   * null nor absent. Anything else is a bug in the program, and throws.
   */
  required<K extends keyof L & string>(c: Ctx, name: K): NonNullable<L[K]>;
  setLocal<K extends keyof L & string>(c: Ctx, name: K, value: Exclude<L[K], undefined>): void;
  /**
   * Forgets a local no later step reads: a value kept past its last use would make states that
   * differ only in it different states (the explorer meets each as a state of its own).
   */
  dropLocal<K extends keyof L & string>(c: Ctx, name: K): void;
}

export function locals<L extends { [K in keyof L]: LocalValue | undefined }>(): Locals<L> {
  return {
    local: <K extends keyof L & string>(c: Ctx, name: K) => c.t.locals[name] as L[K],
    required: <K extends keyof L & string>(c: Ctx, name: K) => {
      const v = c.t.locals[name];
      if (v === undefined || v === null) throw new Error(`${c.t.name}: local ${name} is not set`);
      return v as NonNullable<L[K]>;
    },
    setLocal: (c, name, value) => {
      (c.t.locals as Record<string, LocalValue>)[name] = value as LocalValue;
    },
    dropLocal: (c, name) => {
      delete (c.t.locals as Record<string, LocalValue>)[name];
    },
  };
}

/** Index of the step with `label` in `program`; throws for an unknown label (a bug in a program). */
export function labelIndex(program: Program, label: string): number {
  const i = program.findIndex((s) => s.label === label);
  if (i < 0) throw new Error(`no label ${label}`);
  return i;
}

/** A zero-cost control step: loop heads and jumps (with `fp` and `targets`, for the explorer). */
export function control<O extends Op = Op>(
  label: string,
  run: MicroStep<O>["run"],
  extra: Pick<MicroStep<O>, "fp" | "targets"> = {},
): MicroStep<O> {
  return { fn: label, label, control: true, run, ...extra };
}

/** Whether the step exists in the release the world models (its `since` / `until`). */
export function inRelease(s: MicroStep, release: string): boolean {
  return (
    (s.since === undefined || releaseHas(release, s.since)) &&
    (s.until === undefined || !releaseHas(release, s.until))
  );
}

/**
 * What the step's text says of the releases it exists in, e.g. `(this step exists from v5.18 on:
 * "mm: Fix PASID use-after-free issue", 2667ed10d9f0)`; empty for a step of every release.
 */
export function releaseNote(s: MicroStep): string {
  const part = (id: ChangeId, from: boolean): string => {
    const c = changeById(id);
    const commit = c.commit ? `: "${c.commit.subject}", ${c.commit.hash}` : "";
    return from ? `from ${c.release} on${commit}` : `only before ${c.release}${commit}`;
  };
  const parts = [
    ...(s.since === undefined ? [] : [part(s.since, true)]),
    ...(s.until === undefined ? [] : [part(s.until, false)]),
  ];
  return parts.length === 0 ? "" : `(This step exists ${parts.join("; ")}.)`;
}
