/**
 * The `iommu-process-2017` design: Jean-Philippe Brucker's RFCv2 "Process management for IOMMU"
 * (October 2017, drivers/iommu/iommu-process.c), the one the SVA review threads start from.
 * `iommu_process_bind_device(dev, task, &pasid, flags)` binds a task, not an mm:
 *
 *   bind:    get_task_pid(task, PIDTYPE_PID) → spin_lock(iommu_process_lock) → IDR scan for an
 *            iommu_process whose ->pid is that task's (kref_get_unless_zero) → spin_unlock →
 *            [iommu_process_alloc: driver process_alloc → get_task_pid, get_task_mm →
 *            idr_alloc_cyclic (kref 0) → mmu_notifier_register → kref_init → mmput] →
 *            iommu_process_attach (driver process_attach writes the CD) → *pasid
 *   task exit: the iommu_process keyed by the exiting task's pid is torn down: for each
 *            context, the driver's process_exit (CD cleared, CFGI_CD, TLBI, ATC_INV) and
 *            iommu_context_free; the last kref frees the PASID (idr_remove, put_pid) and
 *            unhooks the notifier — while another task of the process still runs on the mm.
 *
 * The RFCv2 core had the same machinery as the 2018 io_mm series that replaced it (one
 * spinlock, a PASID IDR holding objects with a kref taken by kref_get_unless_zero, an embedded
 * MMU notifier, mmu_notifier_call_srcu to free), so this module reuses io-mm-2018's programs and
 * changes what the review was about: the key (the task's `struct pid`, so a second thread that
 * binds gets a second iommu_process and PASID for the same mm) and the lifetime (the binding
 * ends with the task that made it). The RFCv2 code itself reached teardown through the
 * notifier's release; the task-exit hook models the lifetime its task-based API promised and
 * Joerg Roedel's review read in it: "only that thread can safely use the device".
 *
 * Left out: the bind flags, the device driver's exit handler (iommu_set_process_exit_handler),
 * iommu_process_find by PASID for the fault handler, clear_flush_young and change_pte.
 */

import type { Draft, KObject } from "../../engine/world.ts";
import type { Op } from "../../scenario/types.ts";
import type { Driver } from "../driver.ts";
import { mmFor, mmOf, taskOf } from "../mm.ts";
import { kobject, lifecycle, putRef } from "../objects.ts";
import { type Ctx, call, control, locals, type MicroStep, type Program, RETURN, step } from "../program.ts";
import {
  bondsOf,
  type IoMm,
  type IoMmLocals,
  type IommuBond,
  idrEntries,
  ioMm2018,
  ioMmDetach,
  ioMmGetLocked,
  ioMmPutLocked,
  ioMmRelease,
  lock,
  unlock,
} from "./io-mm-2018.ts";

// --- pure helpers ----------------------------------------------------------------------------

/** The 2018 design's locals, and the bonds a task's exit has visited. */
interface ProcessLocals extends IoMmLocals {
  "texit.visited"?: readonly number[];
}

const { required, setLocal, dropLocal } = locals<ProcessLocals>();

/** The iommu_process (the 2018 design's io_mm with its pid) and the iommu_context (bond). */
const processOf = (c: Ctx): Draft<KObject<IoMm>> => kobject<IoMm>(c.w, required(c, "io_mm"), "io_mm");
const contextOf = (c: Ctx): Draft<KObject<IommuBond>> => kobject<IommuBond>(c.w, required(c, "bond"), "bond");

/** The RFCv2's struct iommu_context: the link of a process and a domain (a device here). */
const contextName = (bond: KObject<unknown>): string =>
  `iommu_context #${bond.id} (${bond.process} ↔ ${bond.device})`;

/** The RFCv2's struct iommu_process, named with the task whose pid it keeps. */
const processName = (io: KObject<IoMm>): string =>
  `iommu_process #${io.id} (${io.process}${typeof io.fields.pid === "string" ? `, pid of ${io.fields.pid}` : ""})`;

/**
 * The RFCv2 names of the functions io-mm-2018 renamed (iommu-process.c → iommu-sva.c). The
 * SMMU driver's side is named by the iommu_ops the core called (domain->ops->process_*).
 */
const RFC_V2_NAMES: Readonly<Record<string, string>> = {
  arm_smmu_mm_alloc: "domain->ops->process_alloc",
  "idr_alloc(&iommu_pasid_idr)": "idr_alloc_cyclic(&iommu_process_idr)",
  io_mm_attach: "iommu_process_attach",
  arm_smmu_mm_attach: "domain->ops->process_attach",
  "list_add(&bond->mm_head, &io_mm->devices)": "list_add(&context->process_head, &process->domains)",
  __iommu_sva_unbind_device: "iommu_process_unbind_device",
  io_mm_detach_locked: "iommu_process_detach_locked",
  io_mm_put_locked: "iommu_process_put_locked",
  "idr_remove(&iommu_pasid_idr)": "idr_remove(&iommu_process_idr)",
  "list_del(&bond->mm_head)": "list_del(&context->process_head)",
  arm_smmu_mm_detach: "domain->ops->process_detach",
  "kfree(bond)": "kfree(context)",
  arm_smmu_mm_invalidate: "domain->ops->process_invalidate",
  "spin_lock(&iommu_sva_lock)": "spin_lock(&iommu_process_lock)",
  "spin_unlock(&iommu_sva_lock)": "spin_unlock(&iommu_process_lock)",
};

/** The step under its RFCv2 name, where io-mm-2018 renamed its function. */
function rfcV2<S extends { readonly fn: string }>(s: S): S {
  const fn = RFC_V2_NAMES[s.fn];
  return fn === undefined ? s : { ...s, fn };
}

function renamed<O extends Op>(program: Program<O>): Program<O> {
  return program.map(rfcV2);
}

// --- bind: keyed by the task -----------------------------------------------------------------

/** The IDR scan of iommu_process_bind_device: an existing iommu_process of this task's pid. */
const lookupByPid: MicroStep = step("iommu_process_bind_device", (c) => {
  const mm = mmFor(c);
  const task = taskOf(c);
  setLocal(c, "io_mm", null);
  setLocal(c, "found", false);
  for (const io of idrEntries(c.w)) {
    if (io.process !== mm.process || io.fields.pid !== task || !ioMmGetLocked(c, io)) continue;
    setLocal(c, "io_mm", io.id);
    setLocal(c, "found", true);
    if (bondsOf(c.w, io).some((b) => b.device === (c.op as { device: string }).device)) {
      c.rec.say(`${(c.op as { device: string }).device} is already bound to ${processName(io)}: -EEXIST.`);
      return "bind.put";
    }
    c.rec.say(
      `${processName(io)} (PASID ${io.fields.pasid}) belongs to task ${task}'s pid: kref now ${io.refs}.`,
    );
    return undefined;
  }
  const others = idrEntries(c.w).filter((io) => io.process === mm.process && io.state === "live");
  c.rec.say(
    `No iommu_process with task ${task}'s pid in iommu_process_idr${others.length > 0 ? ` (the one of task ${others[0]!.fields.pid} shares the mm, but process->pid differs)` : ""}: a new one is allocated.`,
  );
  return undefined;
});

/** iommu_process_alloc keeps the task's pid (get_task_pid(task, PIDTYPE_PID): this thread). */
const getTaskPid: MicroStep = step("get_task_pid", (c) => {
  const io = processOf(c);
  io.fields.pid = taskOf(c);
  (io as { label: string }).label = "iommu_process";
  c.rec.say(
    `process->pid = get_task_pid(${taskOf(c)}, PIDTYPE_PID): the binding belongs to this task, not to ${io.process}'s mm.`,
  );
  return undefined;
});

const bind = renamed(
  (ioMm2018.bind as Program).flatMap((s): MicroStep[] => {
    if (s.fn === "__iommu_sva_bind_device") return [lookupByPid];
    return s.fn === "arm_smmu_mm_alloc" ? [s, getTaskPid] : [s];
  }),
);

// --- task exit -------------------------------------------------------------------------------

const taskExit: Program = [
  control("task_exit.find", (c) => {
    const mm = mmFor(c);
    const io = idrEntries(c.w).find(
      (o) => o.process === mm.process && o.fields.pid === taskOf(c) && o.state === "live",
    );
    if (!io) return RETURN;
    setLocal(c, "io_mm", io.id);
    setLocal(c, "texit.visited", []);
    return undefined;
  }),
  // release_task drops the exited task's pid: where a binding keyed by the pid ends.
  step("release_task", (c) => {
    const io = processOf(c);
    const others = (mmOf(c).tasks ?? []).filter((t) => !t.exited).map((t) => t.name);
    c.rec.say(
      `Task ${taskOf(c)} exits: ${processName(io)} (PASID ${io.fields.pasid}) was bound to its pid, so the binding goes with it${others.length > 0 ? ` — though ${others.join(", ")} still use${others.length === 1 ? "s" : ""} the same mm` : ""}.`,
    );
    return undefined;
  }),
  lock(),
  step("iommu_process_get_locked", (c) => {
    const io = processOf(c);
    if (!ioMmGetLocked(c, io)) {
      c.rec.say(`${processName(io)}'s kref is 0: someone else is already freeing it.`);
      dropLocal(c, "texit.visited");
      return "texit.fail";
    }
    c.rec.say(`${processName(io)} kref ${io.refs}: each of its contexts (one per domain) is freed.`);
    return undefined;
  }),
  control("texit.head", (c) => {
    const visited = required(c, "texit.visited");
    const next = bondsOf(c.w, processOf(c)).find((b) => !visited.includes(b.id));
    if (!next) {
      // The walk is over: its record of the contexts visited is spent.
      dropLocal(c, "texit.visited");
      return "texit.done";
    }
    setLocal(c, "bond", next.id);
    setLocal(c, "texit.visited", [...visited, next.id]);
    return undefined;
  }),
  step("domain->ops->process_exit", (c) => {
    const bond = contextOf(c);
    lifecycle(c, bond, "obj.use");
    // What the checker reads: this binding ended because a task exited, not by unbind or exit_mmap.
    bond.fields.ended = "task-exit";
    c.rec.say(
      `The SMMU driver is told to stop using PASID ${bond.fields.pasid} for ${bond.device}: it clears the CD and invalidates as a detach does (the next steps). ${bond.device}'s driver is not told; it still hands the PASID to the process's other tasks.`,
    );
    return undefined;
  }),
  step("iommu_context_free", (c) => {
    const bond = contextOf(c);
    if (!putRef(c, bond)) {
      c.rec.say(`An unbind is waiting to free ${contextName(bond)}: leave it to unbind.`);
      return undefined;
    }
    c.rec.say(`iommu_context_free: ${contextName(bond)} goes, with the reference it held on the process.`);
    return call("drv:io_mm_detach");
  }),
  control("texit.next", () => "texit.head"),
  ioMmPutLocked("texit.done"),
  unlock(),
  control("texit.end", () => RETURN),
  unlock("texit.fail"),
].map(rfcV2);

export const iommuProcess2017: Driver = {
  ...ioMm2018,
  name: "iommu-process-2017",
  era: "2017 RFCv2 (J-P Brucker): iommu_process bound to a task's pid, its PASID living as long as that task",
  bind: bind as Driver["bind"],
  unbind: renamed(ioMm2018.unbind),
  invalidate: renamed(ioMm2018.invalidate),
  release: renamed(ioMm2018.release),
  taskExit,
  programs: {
    "drv:io_mm_detach": renamed(ioMmDetach),
    "drv:io_mm_release": renamed(ioMmRelease),
  },
};
