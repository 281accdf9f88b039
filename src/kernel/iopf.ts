/**
 * I/O page faults: the kernel's side of PRI page requests and of stalled transactions
 * (reference §4.2, §4.3), as the actor "iopf" — the SMMU's PRI-queue and event-queue IRQ
 * threads with the IOPF work they queue, one record per step. Event records that are not
 * stalls are only logged ("event 0x10 received"), and CONS moves on.
 *
 *   PRI (a device's Page Request in the PRI queue): the 2018 design services it in two steps
 *     of its fault worker — iommu_report_device_fault → iopf_handle_single (iommu_sva_find: the
 *     mm by PASID with mmget_not_zero, the VMA checked, handle_mm_fault under mmap_lock), then
 *     the worker's mmput and iopf_complete_group's PRI_RESP SUCCESS or FAILURE. A last mmput
 *     there runs exit_mmap in the worker, and mm_exit's iopf_queue_flush_dev waits for the
 *     worker itself: a deadlock (fixed by edcc40d2ab5f, v5.8). Mainline arm-smmu-v3 never
 *     enables PRI: "unexpected PRI request", PRI_RESP DENY.
 *   Stall (an event with STALL=1): every design services it the same way and answers with
 *     CMD_RESUME RETRY (the fault was fixed) or ABORT.
 * Neither answer is followed by a CMD_SYNC (fire and forget). A fault for a PASID whose mm
 * has exited is answered without touching the mm.
 *
 * What the model leaves out: fault groups of several pages, the iopf workqueue's batching,
 * and the per-device fault queue's size limits.
 */

import { kernelShell, ownMm, smmuPart } from "../engine/clone.ts";
import { PAGE_SIZE, va as toVa } from "../engine/ids.ts";
import { buildCmd, type Cmd, cmdSummary, decodeEvent, decodePriEntry, EVT_ID } from "../engine/index.ts";
import { readWords, writeWords } from "../engine/memory.ts";
import { walk } from "../engine/pgtable.ts";
import { queueEmpty, queueSpace, slotAddr } from "../engine/queue.ts";
import type { Recorder } from "../engine/trace.ts";
import type { DeviceState, IopfHeld, MmState, World } from "../engine/world.ts";
import { findDevice, findDeviceBySid, findMm } from "../engine/world.ts";
import { faultIn, mmSpace } from "./mm.ts";
import { lockHolder, recordLifecycle } from "./objects.ts";
import { type MicroStep, step } from "./program.ts";

export const IOPF = "iopf";

interface Fault {
  /** A page request, a stalled access, or an event record the IRQ thread only logs. */
  readonly kind: "pri" | "stall" | "event";
  readonly sid: number;
  readonly pasid: number | null;
  readonly va: number;
  readonly write: boolean;
  /** PRG index or STAG. */
  readonly tag: number;
}

/**
 * The next record the IRQ threads would take: PRI queue entries first, then event records in
 * queue order (a stall record starts fault handling; any other is only logged).
 */
export function pendingFault(w: World): Fault | null {
  const q = w.smmu.priq;
  if (!queueEmpty(q)) {
    const e = decodePriEntry(readWords(w.mem, slotAddr(q, q.consumed), 2));
    return { kind: "pri", sid: e.sid, pasid: e.ssid ?? null, va: e.addr, write: e.write, tag: e.grpid };
  }
  const evtq = w.smmu.evtq;
  if (queueEmpty(evtq)) return null;
  const ev = decodeEvent(readWords(w.mem, slotAddr(evtq, evtq.consumed), 4));
  if (ev.type === "UNKNOWN") return { kind: "event", sid: 0, pasid: null, va: 0, write: false, tag: 0 };
  const kind = ev.stall ? "stall" : "event";
  return { kind, sid: ev.sid, pasid: ev.ssid ?? null, va: ev.addr, write: !ev.rnw, tag: ev.stag ?? 0 };
}

function mmOfPasid(w: World, pasid: number | null): MmState | undefined {
  if (pasid === null) return undefined;
  const owner = w.kernel.pasids[pasid]?.owner;
  return owner === undefined ? undefined : w.mms.find((m) => m.process === owner);
}

/** Why the handler cannot take its next fault now, or null when it can (or has none). */
export function iopfWait(w: World): string | null {
  if (w.kernel.iopfStuck) return "deadlocked: the fault worker waits in iopf_queue_flush_dev for itself";
  if (w.kernel.iopfHeld) return null;
  const f = pendingFault(w);
  if (!f) return "no page request or event record is pending";
  if (f.kind === "event") return null;
  const mm = mmOfPasid(w, f.pasid);
  const holder = mm ? lockHolder(w, `mmap_lock:${mm.process}`) : null;
  if (mm && holder) return `waiting for ${mm.process}'s mmap_lock (held by ${holder})`;
  if (queueSpace(w.smmu.cmdq) === 0) return "the command queue is full";
  return null;
}

/**
 * iommu_sva_handle_iopf: resolves a fault against the mm that owns the PASID. SUCC when the
 * page is (now) there with the access the device asked for.
 */
function handleMmFault(w: World, f: Fault, rec: Recorder): boolean {
  const mm = mmOfPasid(w, f.pasid);
  if (mm?.state !== "live") {
    rec.say(
      f.pasid === null
        ? "The fault carries no PASID: there is no address space to fault in."
        : `mmget_not_zero fails for PASID ${f.pasid}: its mm has exited. The fault is answered without touching it.`,
    );
    return false;
  }
  const vma = mm.vmas.find((v) => f.va >= v.start && f.va < v.start + v.pages * PAGE_SIZE);
  if (!vma || vma.prot === "none" || (f.write && vma.prot === "r")) {
    rec.say(
      `No VMA of ${mm.process} allows a ${f.write ? "write" : "read"} at 0x${f.va.toString(16)}: the fault cannot be fixed.`,
    );
    return false;
  }
  if (walk(w.mem, mm.pgd, toVa(f.va), { write: f.write, privileged: false }, mmSpace(w, mm)).ok) {
    rec.say(`0x${f.va.toString(16)} is already mapped in ${mm.process}: nothing to fault in.`);
    return true;
  }
  const frame = faultIn(w, mm, f.va, vma);
  if (frame === null) {
    rec.say(`No free memory for 0x${f.va.toString(16)} in ${mm.process}: the fault cannot be fixed.`);
    return false;
  }
  rec.say(
    `handle_mm_fault maps a new page (frame 0x${frame.toString(16)}) at 0x${f.va.toString(16)} in ${mm.process}.`,
  );
  return true;
}

function queue(w: World, cmd: Cmd, rec: Recorder): void {
  const q = w.smmu.cmdq;
  const words = buildCmd(cmd);
  writeWords(w.mem, slotAddr(q, q.produced), words);
  rec.record({ type: "cmdq.insert", seq: q.produced, words });
  smmuPart(w, "cmdq").produced += 1;
  rec.say(`Queues ${cmdSummary(words)} (no CMD_SYNC: nobody waits for it).`);
}

/**
 * The 2018 design's fault worker, second half (io-pgfault.c, iopf_handle_group): the mmput of
 * the mm iommu_sva_find took, then the page response (iopf_complete_group). When this mmput is
 * the mm's last, exit_mmap runs in the worker: __mmu_notifier_release → iommu_notifier_release →
 * the device driver's mm_exit → iopf_queue_flush_dev, which flushes the fault workqueue and so
 * waits for the worker running it. The worker never returns: a deadlock on exit, fixed by
 * removing mm_exit ("iommu: Remove iommu_sva_ops::mm_exit()", v5.8).
 */
function iopfMmput(w: World, held: IopfHeld, rec: Recorder): string {
  const mm = ownMm(w, findMm(w, held.process));
  mm.users -= 1;
  if (mm.users > 0) {
    kernelShell(w).iopfHeld = null;
    rec.say(
      `mmput: mm_users of ${mm.process} drops to ${mm.users}. iopf_complete_group answers the page request.`,
    );
    queue(
      w,
      {
        op: "PRI_RESP",
        sid: held.sid,
        ssid: held.pasid ?? 0,
        ssv: held.pasid !== null,
        grpid: held.prg,
        resp: held.resp,
      },
      rec,
    );
    return "iopf_complete_group";
  }
  recordLifecycle(rec, "mm", mm.process, mm.state, "exiting");
  mm.state = "exiting";
  kernelShell(w).iopfStuck = true;
  rec.say(
    `mmput: the fault worker dropped ${mm.process}'s last mm_users, so exit_mmap runs here: iommu_notifier_release calls the device driver's mm_exit, then iopf_queue_flush_dev waits for the fault queue to drain — the work item being flushed is this one.`,
  );
  rec.violation(
    "deadlock",
    `The IOPF worker waits for itself: its mmput of ${mm.process} was the last, exit_mmap → iommu_notifier_release → iopf_queue_flush_dev flushes the workqueue it runs on. The page request (PRG ${held.prg}) is never answered and ${mm.process} never finishes exiting.`,
  );
  return "mmput";
}

/** One step of the IOPF handler: takes the next fault, resolves it, queues the answer. */
export function iopfStep(w: World, servicesPri: boolean, rec: Recorder): string {
  if (w.kernel.iopfHeld) return iopfMmput(w, w.kernel.iopfHeld, rec);
  const f = pendingFault(w);
  if (!f) throw new Error("the IOPF handler has no fault to take");
  const dev: DeviceState | undefined = findDeviceBySid(w, f.sid);
  if (f.kind === "pri") {
    smmuPart(w, "priq").consumed += 1;
    const ssid = f.pasid ?? 0;
    const answer = (resp: "SUCC" | "FAIL" | "DENY") =>
      queue(w, { op: "PRI_RESP", sid: f.sid, ssid, ssv: f.pasid !== null, grpid: f.tag, resp }, rec);
    if (!servicesPri) {
      rec.say(
        `arm_smmu_priq_thread: unexpected PRI request from ${dev?.name ?? `StreamID ${f.sid}`} (mainline never enables PRI).`,
      );
      answer("DENY");
      return "arm_smmu_handle_ppr";
    }
    rec.say(
      `${dev?.name ?? "The device"} asks for 0x${f.va.toString(16)} (PRG ${f.tag}): iommu_report_device_fault queues it; the fault worker's iopf_handle_single looks the mm up with iommu_sva_find.`,
    );
    const found = mmOfPasid(w, f.pasid);
    if (found?.state !== "live" || found.users === 0) {
      handleMmFault(w, f, rec);
      answer("FAIL");
      return "iopf_handle_single";
    }
    // iommu_sva_find: mmget_not_zero, held until the worker's mmput (iopfMmput).
    const mm = ownMm(w, found);
    mm.users += 1;
    const ok = handleMmFault(w, f, rec);
    kernelShell(w).iopfHeld = {
      process: mm.process,
      sid: f.sid,
      pasid: f.pasid,
      prg: f.tag,
      resp: ok ? "SUCC" : "FAIL",
    };
    rec.say(`The worker holds ${mm.process}'s mm_users (${mm.users}) until its mmput.`);
    return "iopf_handle_single";
  }
  smmuPart(w, "evtq").consumed += 1;
  if (f.kind === "event") {
    const ev = decodeEvent(readWords(w.mem, slotAddr(w.smmu.evtq, w.smmu.evtq.consumed - 1), 4));
    const code = ev.type === "UNKNOWN" ? ev.code : EVT_ID[ev.type];
    rec.say(
      `arm_smmu_evtq_thread: "event 0x${code.toString(16).padStart(2, "0")} received" from StreamID ${f.sid}${f.pasid === null ? "" : ` SSID ${f.pasid}`} at 0x${f.va.toString(16)}: logged (rate-limited); CONS moves on.`,
    );
    return "arm_smmu_evtq_thread";
  }
  const stall = smmuPart(w, "stalls").find((x) => x.stag === f.tag)!;
  stall.state = "handling";
  rec.say(
    `arm_smmu_evtq_thread: a stalled ${f.write ? "write" : "read"} at 0x${f.va.toString(16)} (STAG ${f.tag}) → iommu_report_device_fault.`,
  );
  const fixed = handleMmFault(w, f, rec);
  queue(w, { op: "RESUME", sid: f.sid, stag: f.tag, resp: fixed ? "RETRY" : "ABORT" }, rec);
  return "arm_smmu_page_response";
}

/** Faults of a device still waiting for the handler (what iopf_queue_flush_dev waits for). */
export function pendingFaultsOf(w: World, dev: DeviceState): number {
  const q = w.smmu.priq;
  let n = w.kernel.iopfHeld?.sid === dev.sid ? 1 : 0;
  for (let seq = q.consumed; seq < q.produced; seq++) {
    if (decodePriEntry(readWords(w.mem, slotAddr(q, seq), 2)).sid === dev.sid) n++;
  }
  return (
    n +
    w.smmu.stalls.filter((s) => s.sid === dev.sid && (s.state === "stalled" || s.state === "handling")).length
  );
}

/**
 * iopf_queue_flush_dev: wait until every pending fault of the device has been handled, so no
 * handler can act on the PASID after it is released and handed to another mm.
 */
export function flushFaultsStep(fn = "iopf_queue_flush_dev"): MicroStep {
  return step(
    fn,
    (c) => {
      c.rec.say(
        `No page request or stalled access of ${c.op.op === "unbind" ? c.op.device : "the device"} is left for a handler to service.`,
      );
      return undefined;
    },
    {
      wait: (c) => {
        if (c.op.op !== "unbind") return null;
        const n = pendingFaultsOf(c.w, findDevice(c.w, c.op.device));
        return n > 0 ? `waiting for ${n} pending I/O page fault(s) of ${c.op.device} to be handled` : null;
      },
    },
  );
}
