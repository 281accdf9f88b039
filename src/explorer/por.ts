/**
 * Partial-order reduction: from the runnable actors, a subset whose steps commute with
 * everything the others could do first (a persistent set: every step any other actor can take,
 * on any path of theirs from here, is independent of the set's steps), so the explorer tries
 * one order instead of all. The cases, each an actor taken alone:
 *   - a thread whose next step is `local` (it touches only its own locals) or only releases
 *     locks it holds (`releases`, locks.ts, mm.ts: no other actor touches a lock another holds;
 *     taking it waits, only its holder releases it), when what the thread reads and writes as
 *     it settles after the step (the declared footprints `fp` of the `when`s and control steps
 *     on the way, program.ts) meets nothing any other actor may still do (`othersFuture`: the
 *     `rest` declared on their next steps, the ops' `OP_FP`) (`threadAlone`);
 *   - the IRQ thread (`iopf`) when the record at EVTQ CONS is an event it only logs (its step
 *     reads that slot and moves CONS): sound while no other actor can, on any path, change
 *     which record it takes or what taking it does (`iopfLogAlone`): no PRI request can come
 *     (the PRI queue is read first), no GERROR (its handler goes first), no event dropped for
 *     a full queue (a producer reads CONS only there);
 *   - the SMMU alone when the command at CONS is a CMD_SYNC (it changes nothing but CONS, which
 *     only enables the thread polling for it), or when no thread has a DMA or a bind left:
 *     consuming a command reads only the queue and writes only the SMMU's caches and the
 *     ATCs, which only DMA (and the PASID/ASID checks in bind) look at; the SMMU step alone.
 * Any other step is taken as dependent with every other (the conservative default: a new
 * micro-step costs states, never an outcome). `exploreScenario(…, { reduce: false })` tries
 * every interleaving; the tests check that both find the same outcomes, and persistent.test.ts
 * checks each singleton against random paths of the other actors.
 */

import { cmdIllegal } from "../engine/cmdq-error.ts";
import { CMDQ_OP, type Cmd, cmdOpcode, decodeCmd, type UnknownCmd } from "../engine/commands.ts";
import { hashLiveWorldInto } from "../engine/fingerprint.ts";
import { readWord, readWords } from "../engine/memory.ts";
import { queueEmpty, queueSpace, slotAddr } from "../engine/queue.ts";
import { SilentRecorder, type TraceEvent } from "../engine/trace.ts";
import { type Draft, findDevice, type ThreadState, type World } from "../engine/world.ts";
import { dmaPasid } from "../kernel/dma.ts";
import { gerrorPending } from "../kernel/gerror.ts";
import { IOPF, pendingFault } from "../kernel/iopf.ts";
import { lockHolder } from "../kernel/objects.ts";
import {
  type Ctx,
  calledProgram,
  type Footprint,
  FP,
  FP_ALL,
  inRelease,
  labelIndex,
  type MicroStep,
  NO_FP,
  RETURN,
} from "../kernel/program.ts";
import { clone } from "../kernel/run.ts";
import { nextStep, remainingOps, type Sim, SMMU, stepActor } from "../kernel/sim.ts";
import type { Op } from "../scenario/types.ts";

/** Which rule a singleton came from (for the tests), or "all". */
export type PorRule =
  | "local"
  | "release"
  | "dma-own-domain"
  | "touch-noop"
  | "iopf-log"
  | "smmu-sync"
  | "smmu-no-dma"
  | "all";

/** `runnable` are actor numbers into `names`; returns the ones to try. */
export function persistentSet(sim: Sim, w: World, names: readonly string[], runnable: number[]): number[] {
  return persistentSetWhy(sim, w, names, runnable)[0];
}

/** `persistentSet`, and the rule that chose it. */
export function persistentSetWhy(
  sim: Sim,
  w: World,
  names: readonly string[],
  runnable: number[],
): [number[], PorRule] {
  if (runnable.length <= 1) return [runnable, "all"];
  for (const [a, rule] of singletons(sim, w, names, runnable)) return [[a], rule];
  return [runnable, "all"];
}

/**
 * Under a preemption bound (search.ts), whether the last actor `last`, runnable, may go on
 * alone: it is one `singletons` allows. Only that actor: moving its step, which commutes with
 * every other actor's on any path, to the front of an interleaving never adds a preemption (the
 * switch away from it that the interleaving made first now comes after the step, a preemption
 * only if it was one; the switch back to it merges with the next), whereas taking another actor
 * alone would itself be a preemption the interleavings it stands for need not make.
 */
export function mayGoOnAlone(sim: Sim, w: World, names: readonly string[], last: number): boolean {
  for (const _ of singletons(sim, w, names, [last])) return true;
  return false;
}

/**
 * Every runnable actor that may be taken alone, with the rule that allows it, in the order the
 * explorer tries them (it takes the first); the tests check each.
 */
export function* singletons(
  sim: Sim,
  w: World,
  names: readonly string[],
  runnable: number[],
): Generator<[number, PorRule]> {
  for (const a of runnable) {
    const t = w.threads[a];
    if (t && t.status === "ready" && threadAlone(sim, w, t)) {
      yield [a, nextStep(sim, t)?.releases ? "release" : "local"];
    }
  }
  for (const a of runnable) {
    const t = w.threads[a];
    if (t && t.status === "ready" && dmaAlone(sim, w, t)) yield [a, "dma-own-domain"];
  }
  for (const a of runnable) {
    const t = w.threads[a];
    if (t && t.status === "ready" && touchNoop(sim, w, t)) yield [a, "touch-noop"];
  }
  const iopf = runnable.find((a) => names[a] === IOPF);
  if (iopf !== undefined && iopfLogAlone(sim, w)) yield [iopf, "iopf-log"];
  const smmu = runnable.find((a) => names[a] === SMMU);
  if (smmu === undefined) return;
  const q = w.smmu.cmdq;
  const opcode = cmdOpcode([readWord(w.mem, slotAddr(q, q.consumed))]);
  if (opcode === CMDQ_OP.CMD_SYNC) yield [smmu, "smmu-sync"];
  else if (w.threads.every((t) => remainingOps(sim, t).every((op) => op.op !== "dma" && op.op !== "bind"))) {
    yield [smmu, "smmu-no-dma"];
  }
}

const quiet = new SilentRecorder();

function ctxOf(sim: Sim, w: World, t: ThreadState): Ctx | null {
  const op = sim.scenario.threads.find((x) => x.name === t.name)?.ops[t.opIndex];
  return op === undefined ? null : { w, t: t as Draft<ThreadState>, op, rec: quiet };
}

/**
 * What each op may still observe (`r`) and write (`w`) of the parts FP names, in any design,
 * its callees included, from its start; an op not listed may touch anything (but see `rest`):
 *   - dma, touch, mmap: none (the device, the SMMU, page tables and VMAs; no notifier list, no
 *     SRCU, no `cleared`);
 *   - munmap, mprotect: walk the notifier lists under srcu_read_lock (no snapshot of the
 *     readers), calling each design's invalidate, which neither hooks nor unhooks notifiers nor
 *     touches SRCU or `cleared` (sva-domain's reads the domain's devices); they run no mmput, so never exit_mmap and its release.
 * persistent.test.ts checks them, with every claim built on them.
 */
const OP_FP: Partial<Record<Op["op"], Footprint>> = {
  dma: NO_FP,
  touch: NO_FP,
  mmap: NO_FP,
  munmap: { r: FP.NOTIFIERS | FP.DEVICES, w: FP.SRCU_ENTER | FP.SRCU_LEAVE },
  mprotect: { r: FP.NOTIFIERS | FP.DEVICES, w: FP.SRCU_ENTER | FP.SRCU_LEAVE },
};

/**
 * What thread `t` may still observe and write: from its next step to the end of its program by
 * that step's `rest` (or, at the start of an op, the op's `OP_FP`), then from each caller's
 * return point by the `rest` there (nothing past a program's end), then each later op's
 * `OP_FP`; FP_ALL where nothing is declared.
 */
function threadFuture(sim: Sim, t: ThreadState): { r: number; w: number } {
  const all = { r: FP_ALL, w: FP_ALL };
  if (t.status === "done") return { r: 0, w: 0 };
  // A guest's ops run the guest kernel's programs, which declare nothing.
  if (sim.guests.size > 0) return all;
  const ops = remainingOps(sim, t);
  let r = 0;
  let wr = 0;
  const add = (fp: Footprint | undefined): boolean => {
    if (fp === undefined) return false;
    r |= fp.r;
    wr |= fp.w;
    return true;
  };
  const restAt = (program: string, pc: number): Footprint | undefined => {
    const steps = sim.programs[program];
    if (!steps) return undefined;
    return pc >= steps.length ? NO_FP : steps[pc]!.rest;
  };
  const current = ops[0];
  if (current === undefined) return { r: 0, w: 0 };
  if (t.program === "" || !add(restAt(t.program, t.pc))) {
    if (t.stack.length > 0 || t.pc > 0 || !add(OP_FP[current.op])) return all;
  } else {
    for (let d = t.stack.length - 1; d >= 0; d--) {
      const f = t.stack[d]!;
      if (!add(restAt(f.program, f.pc))) return all;
    }
  }
  for (const op of ops.slice(1)) if (!add(OP_FP[op.op])) return all;
  return { r, w: wr };
}

/**
 * What every actor but thread `self` may still observe and write. The SMMU consumes commands
 * (its queue, caches, the devices' ATCs and PRGs, the stalls); the IRQ thread takes event and
 * PRI records (a PRI fault touches an mm's users, VMAs and page table; its last mmput stops
 * short of the notifiers): neither touches FP's parts. The SRCU callback observes a reader
 * entering or leaving only when one of the callbacks waits for that reader (which one is ready
 * first may change); callbacks queued later snapshot the readers in the step that queues them.
 */
function othersFuture(sim: Sim, w: World, self: string): { r: number; w: number } {
  let r = 0;
  let wr = 0;
  for (const t of w.threads) {
    if (t.name === self) continue;
    const f = threadFuture(sim, t);
    r |= f.r;
    wr |= f.w;
    if (r === FP_ALL && wr === FP_ALL) return { r, w: wr };
  }
  if (w.kernel.srcu.callbacks.some((cb) => cb.waitFor.includes(self))) r |= FP.SRCU_ENTER | FP.SRCU_LEAVE;
  return { r, w: wr };
}

/**
 * A thread's next step may be taken alone when it is `local` (it touches only the thread's
 * locals) or only releases locks the thread holds (`releases`: no other actor touches a lock
 * another holds — taking it waits, only its holder releases it), and what the step goes on to
 * read and write as the thread settles after it (`afterStep`), with what its own `when` reads
 * (settling re-reads it after every step), is neither written by any other actor's remaining
 * steps nor read by them where the thread writes (`othersFuture`). Then every step the others
 * can take first commutes with it: the waits that read the world are read again after every
 * step whichever order, and neither of these steps has a wait another actor can close (a
 * release has none; a local step's is enabled for good once it is).
 */
function threadAlone(sim: Sim, w: World, t: ThreadState): boolean {
  const s = nextStep(sim, t);
  if (!s || s.control) return false;
  if (s.releases) {
    const c = ctxOf(sim, w, t);
    if (c === null || !s.releases(c).every((lock) => lockHolder(w, lock) === t.name)) return false;
  } else if (!s.local && !s.localIf?.(w)) return false;
  const own = s.when ? s.fp : NO_FP;
  const after = afterStep(sim, w, t);
  if (own === undefined || after === null) return false;
  const r = own.r | after.r;
  const wr = own.w | after.w;
  if (r === 0 && wr === 0) return true;
  const others = othersFuture(sim, w, t.name);
  return (wr & others.r) === 0 && (r & others.w) === 0;
}

interface Walk {
  r: number;
  w: number;
  /** Some path runs off the program's end (a return to the caller). */
  ends: boolean;
}

const walks = new WeakMap<Sim, Map<string, Walk | null>>();

/**
 * Everything settling may read and write from `pc` of `program` on, up to the next real step
 * on every path: the `when`s it evaluates (a step whose `when` holds is the next real step; one
 * whose `when` fails is skipped) and the control steps it runs, each by its declared `fp`, and
 * every `targets` a control step may go to; null when one declares nothing. Steps outside the
 * world's release are skipped, as settle skips them. Depends on the program and the release
 * only: kept per Sim.
 */
function walkFrom(sim: Sim, release: string, program: string, pc: number): Walk | null {
  let memo = walks.get(sim);
  if (!memo) {
    memo = new Map();
    walks.set(sim, memo);
  }
  const key = `${release}\0${program}\0${pc}`;
  if (memo.has(key)) return memo.get(key)!;
  const out: Walk = { r: 0, w: 0, ends: false };
  const seen = new Set<string>();
  // Each path carries the return points of the calls it is in (a call, then the next step).
  type Path = { prog: string; i: number; back: readonly (readonly [string, number])[] };
  const todo: Path[] = [{ prog: program, i: pc, back: [] }];
  let ok = true;
  while (ok && todo.length > 0) {
    const { prog, i, back } = todo.pop()!;
    const id = `${prog}\0${i}\0${back.map(([p, at]) => `${p}@${at}`).join("\0")}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const steps = sim.programs[prog];
    if (!steps || back.length > 8) {
      ok = false;
      break;
    }
    const s: MicroStep | undefined = steps[i];
    if (s === undefined) {
      const ret = back[back.length - 1];
      if (ret === undefined) out.ends = true;
      else todo.push({ prog: ret[0], i: ret[1], back: back.slice(0, -1) });
      continue;
    }
    if (!inRelease(s, release)) {
      todo.push({ prog, i: i + 1, back });
      continue;
    }
    if (!s.control && !s.when) continue;
    if (!s.fp) {
      ok = false;
      break;
    }
    out.r |= s.fp.r;
    out.w |= s.fp.w;
    if (!s.control) {
      todo.push({ prog, i: i + 1, back });
      continue;
    }
    if (!s.targets) {
      ok = false;
      break;
    }
    for (const to of s.targets) {
      if (to === "+1") todo.push({ prog, i: i + 1, back });
      else if (to === RETURN) todo.push({ prog, i: steps.length, back });
      else {
        const callee = calledProgram(to);
        if (callee === null) todo.push({ prog, i: labelIndex(steps, to), back });
        else todo.push({ prog: callee, i: 0, back: [...back, [prog, i + 1] as const] });
      }
    }
  }
  const result = ok ? out : null;
  memo.set(key, result);
  return result;
}

/**
 * What the thread reads and writes as it settles after its next step (`walkFrom` pc + 1, then
 * from each caller's return point while a path runs off a program's end); null when unknown.
 * Running off the last op ends the thread; a new op starts at its program's first step (its
 * program is fixed unless the op names a task, which reads whether the task has exited).
 */
function afterStep(sim: Sim, w: World, t: ThreadState): { r: number; w: number } | null {
  const ops = sim.scenario.threads.find((x) => x.name === t.name)?.ops ?? [];
  const release = w.kernel.release;
  let r = 0;
  let wr = 0;
  let walk = walkFrom(sim, release, t.program, t.pc + 1);
  for (let depth = t.stack.length; ; ) {
    if (walk === null) return null;
    r |= walk.r;
    wr |= walk.w;
    if (!walk.ends) return { r, w: wr };
    if (depth === 0) break;
    depth -= 1;
    const caller = t.stack[depth]!;
    walk = walkFrom(sim, release, caller.program, caller.pc);
  }
  const next = ops[t.opIndex + 1];
  if (next === undefined) return { r, w: wr };
  if (next.task !== undefined || sim.guests.has(next.process)) return null;
  const walk2 = walkFrom(sim, release, `op:${next.op}`, 0);
  if (walk2 === null || walk2.ends) return null;
  return { r: r | walk2.r, w: wr | walk2.w };
}

/**
 * The host's commands that name neither StreamID `sid` nor ASID `asid` (and are not global):
 * all but these reach every StreamID or ASID, or are a guest's.
 */
function sparesDevice(cmd: Cmd | UnknownCmd, sid: number, asid: number): boolean {
  switch (cmd.op) {
    case "CMD_SYNC":
      return true;
    case "CFGI_STE":
    case "CFGI_CD":
    case "CFGI_CD_ALL":
    case "ATC_INV":
    case "PRI_RESP":
    case "RESUME":
      return cmd.sid !== sid;
    case "TLBI_NH_ASID":
    case "TLBI_NH_VA":
      return cmd.asid !== asid;
    default:
      return false;
  }
}

/** A silent recorder that keeps the DMA's result (the dry run in `dmaAlone`). */
class DmaProbe extends SilentRecorder {
  result: string | null = null;
  override record(ev: TraceEvent): void {
    if (ev.type === "dev.dma") this.result = ev.dma.result;
  }
}

const probe = new DmaProbe();

/**
 * The thread's next step is a DMA (dma.ts, its one issuing step) that its device makes through
 * its own DMA domain (no PASID: CD 0, the domain's ASID and io-pgtable, which boot.ts gave it),
 * and it succeeds without an event. No other actor can change what it reads or read what it
 * writes, on any path of theirs from here, when:
 *   - no VM and no guest (a guest's commands are its own choosing), and the device is no VM's;
 *   - no other thread has an op left that names the device (only a bind, an unbind or a DMA of
 *     the device touch its STE, CD table, ATC and PRGs), and the device has no PASID for any
 *     process (no bond, no SVA domain: no mm's invalidation names its StreamID);
 *   - its domain's ASID is still its own (`kernel.asids`) and no mm's CPU ASID (which
 *     arm-smmu-v3-sva's bind would take from it, arm_smmu_share_asid): the host kernel's
 *     commands name the StreamIDs of the devices an op names or an mm is bound to and the ASIDs
 *     of mms and SVA domains (`sparesDevice` of each command already queued);
 *   - the access translates and succeeds, tried on a copy: no event, PRI request or stall,
 *     no violation (a fault would write the event queue that other DMAs write and the IRQ
 *     thread reads).
 * What it writes then is the device's ATC, the SMMU's caches under its own StreamID and ASID
 * (entries no other translation looks up: the caches are keyed by them, and the fingerprint
 * takes them as sets, fingerprint.ts) and its own page. As it settles after the step the
 * thread meets `afterStep`'s footprint, checked against the others' as for `threadAlone`.
 */
function dmaAlone(sim: Sim, w: World, t: ThreadState): boolean {
  if (t.program !== "op:dma" || t.pc !== 0 || t.stack.length > 0) return false;
  if (sim.guests.size > 0 || (sim.scenario.vms?.length ?? 0) > 0) return false;
  const op = sim.scenario.threads.find((x) => x.name === t.name)?.ops[t.opIndex];
  if (op?.op !== "dma" || dmaPasid(w, op) !== null) return false;
  const dev = findDevice(w, op.device);
  if (dev.vm !== undefined || dev.prgs.length > 0 || Object.keys(dev.pasids).length > 0) return false;
  if (w.kernel.asids[dev.dmaAsid]?.owner !== `dma:${dev.name}`) return false;
  if (w.mms.some((m) => m.cpuAsid === dev.dmaAsid)) return false;
  for (const u of w.threads) {
    if (u === t) continue;
    for (const o of remainingOps(sim, u)) if ("device" in o && o.device === dev.name) return false;
  }
  const q = w.smmu.cmdq;
  for (let seq = q.consumed; seq < q.produced; seq++) {
    if (!sparesDevice(decodeCmd(readWords(w.mem, slotAddr(q, seq), 2)), dev.sid, dev.dmaAsid)) return false;
  }
  if (!settlesApart(sim, w, t)) return false;
  const c = clone(w);
  probe.reset();
  probe.result = null;
  stepActor(sim, c, t.name, probe);
  const s = c.smmu;
  return (
    probe.result === "ok" &&
    probe.events.length === 0 &&
    s.evtq.produced === w.smmu.evtq.produced &&
    s.priq.produced === w.smmu.priq.produced &&
    s.stalls.length === w.smmu.stalls.length
  );
}

const fpBefore = new Int32Array(2);
const fpAfter = new Int32Array(2);

/** Whether `c` is `w` with only thread `t` stepped: every other part as it was. */
function onlyThreadMoved(w: World, c: World): boolean {
  hashLiveWorldInto(w, fpBefore);
  hashLiveWorldInto({ ...c, threads: w.threads }, fpAfter);
  return fpBefore[0] === fpAfter[0] && fpBefore[1] === fpAfter[1];
}

/**
 * The thread's next step is a CPU access (`touch`, mm.ts handle_mm_fault) that changes nothing
 * but the thread, tried on a copy: the page is mapped allowing the access, or no VMA allows it,
 * or the process has exited. No other actor can make it do more on any path of theirs: it would
 * take a VMA that allows the access over a page not mapped, and no host op leaves one when
 * no thread has an mmap or an mprotect of the process left (munmap drops the VMA with its PTEs
 * in one step, exit leaves the mm before exit_mmap unmaps it, a PRI fault maps pages, never
 * unmaps them), with no VM or guest and no fault injected. Such a step, wherever an
 * interleaving takes it, leaves the world as it was: taken first, every interleaving is one
 * it stands for. (Another actor may hold mmap_lock and so delay it, which changes nothing.)
 * As it settles after the step the thread meets `afterStep`'s footprint, as for `threadAlone`.
 */
function touchNoop(sim: Sim, w: World, t: ThreadState): boolean {
  if (t.program !== "op:touch" || t.pc !== 0 || t.stack.length > 0) return false;
  if (sim.guests.size > 0 || (sim.scenario.vms?.length ?? 0) > 0 || sim.scenario.faults.length > 0)
    return false;
  const op = sim.scenario.threads.find((x) => x.name === t.name)?.ops[t.opIndex];
  if (op?.op !== "touch") return false;
  for (const u of w.threads) {
    if (u === t) continue;
    for (const o of remainingOps(sim, u)) {
      if ((o.op === "mmap" || o.op === "mprotect") && o.process === op.process) return false;
    }
  }
  if (!settlesApart(sim, w, t)) return false;
  const c = clone(w);
  probe.reset();
  stepActor(sim, c, t.name, probe);
  return probe.events.length === 0 && onlyThreadMoved(w, c);
}

/** What the thread meets as it settles after its next step meets nothing the others may do. */
function settlesApart(sim: Sim, w: World, t: ThreadState): boolean {
  const after = afterStep(sim, w, t);
  if (after === null) return false;
  if (after.r === 0 && after.w === 0) return true;
  const others = othersFuture(sim, w, t.name);
  return (after.w & others.r) === 0 && (after.r & others.w) === 0;
}

/**
 * The IRQ thread's next step logs an event record and moves EVTQ CONS, and no other actor can
 * change that on any path of theirs from here:
 *   - it is that step: no GERROR pending (its handler would go first), no fault worker half-way
 *     (`iopfHeld`, `iopfStuck`), the PRI queue empty (it is read first), the record at CONS an
 *     event that is not a stall;
 *   - no PRI request can come: no device has PRI with the SMMU's PRI (`canAskPri`, device.ts);
 *   - no GERROR can come: no VM (a guest queues commands of its own choosing), and no command
 *     now in the queue is illegal (`cmdIllegal`); the host kernel's programs queue only legal
 *     commands (por.test.ts checks that no host-only run meets a GERROR);
 *   - the queue cannot fill, which is the one place a producer reads CONS (`recordEvent`
 *     drops a record when the queue is full): events come only from translations, at most one
 *     each (smmu.ts `translateVia`), and a `dma` op translates at most twice (its issue and
 *     its one retry, dma.ts), so the room left must exceed two per `dma` op any thread has
 *     left.
 * Nothing else reads EVTQ CONS or the slot at it (`iopf_queue_flush_dev` counts PRI requests
 * and stalls, not events).
 */
function iopfLogAlone(sim: Sim, w: World): boolean {
  const k = w.kernel;
  if (k.iopfStuck || k.iopfHeld || gerrorPending(w) || !queueEmpty(w.smmu.priq)) return false;
  if (pendingFault(w)?.kind !== "event") return false;
  if (sim.guests.size > 0 || (sim.scenario.vms?.length ?? 0) > 0) return false;
  if (w.smmu.features.pri && w.devices.some((d) => d.pri)) return false;
  const q = w.smmu.cmdq;
  for (let seq = q.consumed; seq < q.produced; seq++) {
    if (cmdIllegal(w.smmu, readWords(w.mem, slotAddr(q, seq), 2)) !== null) return false;
  }
  let dmas = 0;
  for (const t of w.threads) for (const op of remainingOps(sim, t)) if (op.op === "dma") dmas++;
  return queueSpace(w.smmu.evtq) > 2 * dmas;
}
