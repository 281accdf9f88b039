/**
 * The `io-mm-2018` design: Jean-Philippe Brucker's 2018 SVA RFC (drivers/iommu/iommu-sva.c with
 * the SMMUv3 mm_alloc/mm_attach/mm_detach/mm_invalidate ops; reference §5.1). One `io_mm` per mm
 * (PASID, CD, embedded mmu_notifier, kref) in the IDR `iommu_pasid_idr`; one `iommu_bond` per
 * {device, io_mm}; one spinlock, `iommu_sva_lock`; the device driver's `mm_exit` callback stops
 * its DMA when the process exits; the io_mm is freed after an SRCU grace period.
 *
 *   bind:    get_task_mm → spin_lock → IDR scan, io_mm_get_locked (kref_get_unless_zero) →
 *            spin_unlock → [io_mm_alloc: mm_alloc (pin the CPU ASID, shared CD) → mmgrab →
 *            idr_alloc (kref 0: invisible) → mmu_notifier_register → kref_init] →
 *            io_mm_attach: spin_lock → mm_attach (CD dw1–3, CFGI_CD+SYNC, dw0 V=1,
 *            CFGI_CD+SYNC) → bond on the lists → spin_unlock → mmput
 *   unbind:  iopf_queue_flush_dev (RFC v1: iommu_fault_queue_flush) → spin_lock → find the
 *            bond → io_mm_detach_locked(wait): wait while mm_exit_active → list_del → mm_detach
 *            (CD dw0=0, CFGI_CD+SYNC, ATC_INV+SYNC; no TLBI: "TODO: Invalidate all mappings if
 *            last and not DVM") → io_mm_put_locked → kfree(bond) → spin_unlock
 *   release: iommu_notifier_release → spin_lock → io_mm_get_locked (fails: return) → for each
 *            bond: mm_exit_active, spin_unlock, mm_exit, iopf_queue_flush_dev, spin_lock,
 *            wake_up_all, io_mm_detach_locked(no wait) → spin_unlock → io_mm_put
 *   io_mm_release (last kref): idr_remove → mmu_notifier_unregister_no_release →
 *            mmu_notifier_call_srcu(io_mm_free: unpin the ASID, kfree, mmdrop)
 *   invalidate_range: spin_lock → per bond mm_invalidate: ATC_INV+SYNC only → spin_unlock. The
 *            series assumed BTM (DVM): the TLBI was left as "TODO: Invalidate mapping if not
 *            DVM", and the ATC invalidation came with a follow-up patch, modelled here.
 *   fault worker (PRI): iommu_sva_find (mmget_not_zero) → handle_mm_fault → mmput →
 *            page response; a last mmput there runs exit_mmap and mm_exit in the worker, whose
 *            iopf_queue_flush_dev waits for the worker itself (iopf.ts).
 *
 * ASID sharing is modelled as the RFC had it: mm_alloc takes the CPU's ASID, and when a private
 * CD already holds it arm_smmu_share_asid returns -EEXIST and the bind fails (the RFC could not
 * move the private CD to another ASID yet; v5.11's arm_smmu_share_asid does, arm-smmu-v3-sva.ts).
 *
 * Left out: the IOPF queue itself (the flushes find nothing pending), private io_mms
 * (iommu_sva_alloc_pasid), the bind flags, several devices sharing one domain's CD table
 * (here every device has its own, so mm_attach/mm_detach always write the CD).
 */

import { kernelPart, ownDevice, ownKObject, ownMm } from "../../engine/clone.ts";
import { own } from "../../engine/dict.ts";
import type { DeviceState, Draft, KObject, MmState, World } from "../../engine/world.ts";
import { findDevice } from "../../engine/world.ts";
import { checkPasidClean } from "../checks.ts";
import { hasFault, issueCommands } from "../cmdq.ts";
import type { BindOp, Driver, UnbindOp } from "../driver.ts";
import { flushFaultsStep, pendingFaultsOf } from "../iopf.ts";
import { type LockSpec, mutexLock, mutexUnlock } from "../locks.ts";
import { mmdrop, mmFor, mmputStep, type NotifierLocals } from "../mm.ts";
import {
  asKind,
  callSrcu,
  createObject,
  findObject,
  free,
  get,
  kobject,
  lifecycle,
  lockWait,
  mmEvent,
  mmgrab,
  objectName,
  putRef,
  releaseLock,
  takeLock,
} from "../objects.ts";
import {
  type Ctx,
  call,
  control,
  type KernelCtx,
  locals,
  type MicroStep,
  type Program,
  RETURN,
  step,
} from "../program.ts";
import { atcInv, atsEnabled, cdLeafSteps, cfgiCd, lowestFree, svaCd, writeCdWords } from "../smmu-ops.ts";

// --- pure helpers ----------------------------------------------------------------------------

const SVA_LOCK: LockSpec = { name: "iommu_sva_lock", fault: "no-sva-lock", spin: true };
const lockOff = (w: World): boolean => hasFault(w, "no-sva-lock");

// The design's objects as the model keeps them (KObject.fields, in this order); this design
// takes them to be changed (clone.ts) wherever it looks them up.
/**
 * struct io_mm: the CPU's ASID it pinned, its PASID and whether iommu_pasid_idr holds it (from
 * idr_alloc on), its embedded notifier (once registered). The 2017 RFC's iommu_process also
 * keeps the pid of the task it was bound for.
 */
export interface IoMm {
  asid: number;
  pasid: number | null;
  idr: boolean;
  mn: number | null;
  pid?: string;
}
/** The io_mm's embedded mmu_notifier. */
export interface IoMmNotifier {
  io_mm: number;
  pasid: number;
  asid: number;
}
/**
 * struct iommu_bond: its io_mm and PASID, whether it is on the lists, mm_exit_active; the 2017
 * RFC marks the one its task's exit ended.
 */
export interface IommuBond {
  io_mm: number;
  pasid: number;
  linked: boolean;
  mm_exit_active: boolean;
  ended?: string;
}

/** What bind, unbind, release and invalidate keep between their steps. */
export interface IoMmLocals extends NotifierLocals {
  /** The io_mm the path works on; null: the lookup found none. */
  io_mm?: number | null;
  bond?: number;
  /** bind: the lookup found a live io_mm; its PASID allocation failed. */
  found?: boolean;
  err?: boolean;
  /** unbind: this caller frees the bond; it waits for a running mm_exit first. */
  do_detach?: boolean;
  waiting?: boolean;
  /** The bonds release and invalidate have visited (the list may change while unlocked). */
  "rel.visited"?: readonly number[];
  "inv.visited"?: readonly number[];
}

const { local, required, setLocal, dropLocal } = locals<IoMmLocals>();

const ioMmOf = (c: Ctx): Draft<KObject<IoMm>> => kobject<IoMm>(c.w, required(c, "io_mm"), "io_mm");
const bondOf = (c: Ctx): Draft<KObject<IommuBond>> => kobject<IommuBond>(c.w, required(c, "bond"), "bond");
const mnOf = (c: Ctx): Draft<KObject<IoMmNotifier>> =>
  kobject<IoMmNotifier>(c.w, required(c, "mn"), "notifier");
/** The io_mm's PASID, once idr_alloc gave it one. */
const pasidOf = (c: Ctx): number => {
  const io = ioMmOf(c);
  if (io.fields.pasid === null) throw new Error(`${objectName(io)} has no PASID yet`);
  return io.fields.pasid;
};
const asidOf = (c: Ctx): number => ioMmOf(c).fields.asid;
/** The device of the bond being worked on (unbind, release, invalidate, detach). */
const bondDev = (c: Ctx): DeviceState => findDevice(c.w, bondOf(c).device!);
/** The device the bind op names. */
const opDev = (c: Ctx): DeviceState => findDevice(c.w, (c.op as BindOp).device);

function mmOfObject(w: World, o: KObject<unknown>): Draft<MmState> | undefined {
  const mm = w.mms.find((m) => m.process === o.process);
  return mm && ownMm(w, mm);
}

/** io_mms in iommu_pasid_idr, by PASID (idr_for_each_entry). */
export function idrEntries(w: World): Draft<KObject<IoMm>>[] {
  return Object.values(w.kernel.objects)
    .filter((o) => o.kind === "io_mm" && o.fields.idr === true)
    .map((o) => kobject<IoMm>(w, o.id, "io_mm"))
    .sort((a, b) => (a.fields.pasid ?? 0) - (b.fields.pasid ?? 0));
}

/** The io_mm's embedded notifier, once mmu_notifier_register has run. */
function notifierOf(w: World, io: KObject<IoMm>): Draft<KObject> | undefined {
  return typeof io.fields.mn === "number" ? ownKObject(w, io.fields.mn) : undefined;
}

/** The bonds on io_mm->devices. */
export function bondsOf(w: World, io: KObject<unknown>): Draft<KObject<IommuBond>>[] {
  return Object.values(w.kernel.objects)
    .filter((o) => o.kind === "bond" && o.fields.io_mm === io.id && o.fields.linked === true)
    .map((o) => kobject<IommuBond>(w, o.id, "bond"));
}

/**
 * io_mm_get_locked: kref_get_unless_zero (a kref of 0 means "being freed, or not yet
 * initialised: treat as absent"). With the fault `kref-get`, plain kref_get: it revives a kref
 * that already reached zero, which the object statechart refuses (dying: refcount; freed:
 * use-after-free).
 */
export function ioMmGetLocked(c: Ctx, io: Draft<KObject<unknown>>): boolean {
  if (hasFault(c.w, "kref-get")) {
    if (io.state === "live" && io.refs === 0) {
      c.rec.violation(
        "refcount",
        `${c.t.name} did kref_get on ${objectName(io)}, whose kref is still 0 (allocated, not yet kref_init): refcount_t: increment on 0; use-after-free.`,
      );
    }
    get(c, io);
    return true;
  }
  // Reading the kref is itself an access to the io_mm.
  if (!lifecycle(c, io, "obj.use")) return false;
  if (io.refs === 0) return false;
  get(c, io);
  return true;
}

/** arm_smmu_mm_free → arm_smmu_free_shared_cd: drop the ASID from the ASID IDR, mm_context_put. */
function freeSharedCd(c: KernelCtx, io: KObject<IoMm>, mm: Draft<MmState> | undefined): void {
  const asid = io.fields.asid;
  const slot = kernelPart(c.w, "asids")[asid];
  if (slot) {
    slot.refs -= 1;
    if (slot.refs <= 0) delete kernelPart(c.w, "asids")[asid];
  }
  if (mm) mm.asidPins -= 1;
}

/**
 * io_mm_free, the SRCU callback (the Driver's freeNotifier; `mn` is the io_mm's embedded
 * notifier): the driver's release (unpin the ASID), kfree of the io_mm with its notifier, then
 * mmdrop for io_mm_alloc's mmgrab.
 */
function ioMmFree(c: KernelCtx, obj: Draft<KObject<unknown>>): void {
  const io =
    obj.kind === "io_mm"
      ? kobject<IoMm>(c.w, obj.id, "io_mm")
      : kobject<IoMm>(c.w, asKind<IoMmNotifier>(obj, "notifier").fields.io_mm, "io_mm");
  const mn = notifierOf(c.w, io);
  const mm = mmOfObject(c.w, io);
  lifecycle(c, io, "obj.use");
  c.rec.say(
    `io_mm_free: arm_smmu_mm_free unpins ASID ${io.fields.asid} (mm_context_put); ${objectName(io)} and its notifier are freed; mmdrop.`,
  );
  freeSharedCd(c, io, mm);
  free(c, io);
  if (mn) free(c, mn);
  if (mm) mmdrop(c, mm);
}

// --- shared steps and sub-programs -----------------------------------------------------------

export const lock = (label?: string): MicroStep => {
  const s = mutexLock(SVA_LOCK);
  return label ? { ...s, label } : s;
};
export const unlock = (label?: string, before?: (c: Ctx) => void): MicroStep =>
  mutexUnlock(SVA_LOCK, label, before);

/** io_mm_put_locked: kref_put(&io_mm->kref, io_mm_release). */
export function ioMmPutLocked(label?: string): MicroStep {
  return step(
    "io_mm_put_locked",
    (c) => {
      const io = ioMmOf(c);
      if (!putRef(c, io)) {
        c.rec.say(`${objectName(io)} keeps ${io.refs} reference(s).`);
        return undefined;
      }
      c.rec.say(`The last reference to ${objectName(io)} is gone: io_mm_release.`);
      return call("drv:io_mm_release");
    },
    label ? { label } : {},
  );
}

/** io_mm_release, under iommu_sva_lock. */
export const ioMmRelease: Program = [
  step("idr_remove(&iommu_pasid_idr)", (c) => {
    const io = ioMmOf(c);
    io.fields.idr = false;
    delete kernelPart(c.w, "pasids")[pasidOf(c)];
    c.rec.say(`PASID ${pasidOf(c)} leaves iommu_pasid_idr: it can now be allocated to another mm.`);
    return undefined;
  }),
  step("mmu_notifier_unregister_no_release", (c) => {
    const io = ioMmOf(c);
    const mn = notifierOf(c.w, io);
    const mm = mmOfObject(c.w, io)!;
    if (!mn) {
      // Only reachable after a broken kref: a lookup revived the io_mm before it was complete.
      c.rec.say(`${objectName(io)} never got its notifier registered: nothing to unhook.`);
      return undefined;
    }
    lifecycle(c, mn, "mn.put");
    const hooked = mm.notifiers.includes(mn.id);
    mm.notifiers = mm.notifiers.filter((id) => id !== mn.id);
    c.rec.say(
      `${hooked ? "The io_mm's notifier is unhooked from the mm" : "exit_mmap already unhooked the notifier"} without calling ->release (the bonds are gone); mmdrop for mmu_notifier_register's mmgrab.`,
    );
    mmdrop(c, mm);
    return undefined;
  }),
  step("mmu_notifier_call_srcu", (c) => {
    const io = ioMmOf(c);
    const mn = notifierOf(c.w, io);
    if (hasFault(c.w, "free-notifier-now")) {
      c.rec.say(`Fault free-notifier-now: io_mm_free runs at once, SRCU readers or not.`);
      ioMmFree(c, io);
      return undefined;
    }
    callSrcu(c.w, (mn ?? io).id, "io_mm_free");
    c.rec.say(
      `io_mm_free is deferred until every SRCU reader has left: __mmu_notifier_release may still hold the notifier, and ->release may be about to try kref_get_unless_zero on the io_mm.`,
    );
    return undefined;
  }),
];

/** The end of io_mm_detach_locked, once the caller decided to free the bond (locals bond, io_mm). */
export const ioMmDetach: Program = [
  step("list_del(&bond->mm_head)", (c) => {
    const bond = bondOf(c);
    lifecycle(c, bond, "obj.use");
    bond.fields.linked = false;
    c.rec.say(`${objectName(bond)} leaves io_mm->devices, the domain's and the device's lists.`);
    return undefined;
  }),
  step("arm_smmu_mm_detach", (c) => {
    lifecycle(c, ioMmOf(c), "obj.use");
    writeCdWords(c.w, bondDev(c), pasidOf(c), [0n], 0, 1);
    c.rec.say(
      `clear_entry → arm_smmu_write_ctx_desc(NULL): CD ${pasidOf(c)} word 0 is set to 0 (V=0); DMA with this PASID now raises C_BAD_CD.`,
    );
    return undefined;
  }),
  ...issueCommands("arm_smmu_sync_cd", (c) => cfgiCd(bondDev(c), pasidOf(c))),
  // No TLBI: the series left "TODO: Invalidate all mappings if last and not DVM" — it relied on
  // the CPU's broadcast TLB maintenance (BTM) reaching the SMMU for the shared ASID.
  ...issueCommands("arm_smmu_atc_inv_master_all", (c) => atcInv(bondDev(c), pasidOf(c), 0, 0), {
    when: (c) => atsEnabled(c.w, bondDev(c)) && !hasFault(c.w, "skip-atc-inv"),
  }),
  ioMmPutLocked(),
  step("kfree(bond)", (c) => {
    const bond = bondOf(c);
    // Unbind frees the bond whatever its refs: the extra references were the waiters'.
    if (bond.state === "live") {
      bond.refs = 0;
      lifecycle(c, bond, "obj.put_last");
    }
    free(c, bond);
    c.rec.say(`${objectName(bond)} is freed: the device is no longer bound to this io_mm.`);
    return undefined;
  }),
];

// --- bind ------------------------------------------------------------------------------------

const bind: Program<BindOp> = [
  // Not in iommu-sva.c: its callers (VFIO, the RFC's test drivers) hold mm_users across the
  // bind, which mmu_notifier_register requires. Without it exit could run mid-bind.
  step("get_task_mm", (c) => {
    const mm = mmFor(c);
    if (mm.state !== "live" || mm.users === 0) {
      c.rec.say(`${mm.process} is exiting: the device driver gets no mm to bind (-ESRCH).`);
      return RETURN;
    }
    mmEvent(c, mm, "mm.mmget");
    mm.users += 1;
    c.rec.say(
      `The device driver's caller (VFIO_IOMMU_BIND_PROCESS and the like) holds ${mm.process}'s mm_users across the bind: mm_users ${mm.users}, so exit_mmap cannot start meanwhile.`,
    );
    return undefined;
  }),
  lock(),
  step("__iommu_sva_bind_device", (c) => {
    const mm = mmFor(c);
    setLocal(c, "io_mm", null);
    setLocal(c, "found", false);
    for (const io of idrEntries(c.w)) {
      if (io.process !== mm.process || !ioMmGetLocked(c, io)) continue;
      setLocal(c, "io_mm", io.id);
      setLocal(c, "found", true);
      if (bondsOf(c.w, io).some((b) => b.device === c.op.device)) {
        c.rec.say(`${c.op.device} is already bound to ${objectName(io)}: -EEXIST.`);
        return "bind.put";
      }
      c.rec.say(`${objectName(io)} (PASID ${io.fields.pasid}) is in iommu_pasid_idr: kref now ${io.refs}.`);
      return undefined;
    }
    c.rec.say(`No live io_mm for ${mm.process} in iommu_pasid_idr: a new one is allocated.`);
    return undefined;
  }),
  unlock(),
  control("bind.found", (c) => (local(c, "found") ? "attach" : undefined)),
  step("arm_smmu_mm_alloc", (c) => {
    const mm = mmFor(c);
    mm.asidPins += 1;
    const asid = mm.cpuAsid;
    const slot = kernelPart(c.w, "asids")[asid];
    if (slot && slot.owner !== `mm:${mm.process}`) {
      // The RFC's arm_smmu_share_asid could not take an ASID from a private CD yet ("TODO:
      // seize it"): an error return, the bind fails cleanly.
      mm.asidPins -= 1;
      c.rec.say(
        `ASID ${asid} is already used by ${slot.owner}: arm_smmu_share_asid returns -EEXIST (the RFC cannot seize it yet); mm_context_put, and the bind fails.`,
      );
      return "out";
    }
    if (slot && slot.owner === `mm:${mm.process}`) slot.refs += 1;
    else kernelPart(c.w, "asids")[asid] = { owner: `mm:${mm.process}`, refs: 1 };
    const io = createObject<IoMm>(c.w, "io_mm", "io_mm", mm.process, null, {
      asid,
      pasid: null,
      idr: false,
      mn: null,
    });
    io.refs = 0;
    setLocal(c, "io_mm", io.id);
    c.rec.say(
      `io_mm_alloc → mm_alloc → arm_smmu_alloc_shared_cd: mm_context_get pins the CPU ASID ${asid}; the CD gets TTB0 = ${mm.process}'s pgd, MAIR_EL1 and the CPU's TCR. ${objectName(io)} has kref 0.`,
    );
    return undefined;
  }),
  step("mmgrab", (c) => {
    mmgrab(c, mmFor(c));
    c.rec.say("The mm_struct must outlive the io_mm (the driver needs it to unpin the ASID).");
    return undefined;
  }),
  // The RFC took the lowest free PASID in [min_pasid, max_pasid] (idr_alloc under the lock,
  // preloaded with idr_preload); min_pasid is 1 on the SMMU, PASID 0 being the DMA domain's.
  lock(),
  step("idr_alloc(&iommu_pasid_idr)", (c) => {
    const mm = mmFor(c);
    const io = ioMmOf(c);
    const max = 2 ** opDev(c).cdTable.s1cdmax - 1;
    const pasid = lowestFree(c.w.kernel.pasids, c.w.kernel.pasidBase, max);
    setLocal(c, "err", pasid === null);
    if (pasid === null) {
      c.rec.say(`No free PASID in [${c.w.kernel.pasidBase}, ${max}]: -ENOSPC.`);
      return undefined;
    }
    checkPasidClean(c, pasid, mm.process);
    kernelPart(c.w, "pasids")[pasid] = { owner: mm.process, refs: 1 };
    io.fields.pasid = pasid;
    io.fields.idr = true;
    c.rec.say(
      `PASID ${pasid} → ${objectName(io)} in iommu_pasid_idr. Its kref is still 0: a concurrent lookup must treat it as absent.`,
    );
    return undefined;
  }),
  unlock(),
  control("bind.alloc_failed", (c) => (local(c, "err") ? "alloc.err" : undefined)),
  step("mmu_notifier_register", (c) => {
    const mm = mmFor(c);
    const io = ioMmOf(c);
    lifecycle(c, io, "obj.use");
    const mn = createObject<IoMmNotifier>(c.w, "notifier", "io_mm->notifier", mm.process, null, {
      io_mm: io.id,
      pasid: pasidOf(c),
      asid: io.fields.asid,
    });
    io.fields.mn = mn.id;
    mm.notifiers.push(mn.id);
    mmgrab(c, mm);
    c.rec.say(`The io_mm's embedded notifier is registered on ${mm.process}'s mm (mmgrab).`);
    return undefined;
  }),
  step("kref_init", (c) => {
    const io = ioMmOf(c);
    if (lifecycle(c, io, "obj.use") && io.refs > 0) {
      c.rec.violation(
        "refcount",
        `kref_init sets the kref of ${objectName(io)} to 1, overwriting the ${io.refs} reference(s) a lookup took before the io_mm was complete.`,
      );
    }
    io.refs = 1;
    c.rec.say(`smp_wmb(); kref_init: ${objectName(io)} is complete and now visible to lookups.`);
    return "attach";
  }),
  step(
    "arm_smmu_mm_free",
    (c) => {
      const io = ioMmOf(c);
      const mm = mmFor(c);
      freeSharedCd(c, io, mm);
      lifecycle(c, io, "obj.put_last");
      free(c, io);
      mmdrop(c, mm);
      c.rec.say("io_mm_alloc failed: the driver releases the CD and unpins the ASID; mmdrop.");
      return "out";
    },
    { label: "alloc.err" },
  ),
  step(
    "io_mm_attach",
    (c) => {
      const max = 2 ** opDev(c).cdTable.s1cdmax - 1;
      if (pasidOf(c) > max) {
        c.rec.say(`PASID ${pasidOf(c)} is beyond ${c.op.device}'s max_pasid ${max}: -ERANGE.`);
        return "attach.err";
      }
      c.rec.say(`A bond {${c.op.device}, ${objectName(ioMmOf(c))}} is allocated with refs 1.`);
      return undefined;
    },
    { label: "attach" },
  ),
  lock(),
  ...cdLeafSteps(opDev, pasidOf),
  step("arm_smmu_mm_attach", (c) => {
    const mm = mmFor(c);
    writeCdWords(c.w, opDev(c), pasidOf(c), svaCd(c.w, opDev(c), mm, asidOf(c), false), 1, 8);
    c.rec.say(
      `set_entry → arm_smmu_write_ctx_desc: CD ${pasidOf(c)} of ${c.op.device} gets TTB0, TCR and MAIR first, V still 0.`,
    );
    return undefined;
  }),
  ...issueCommands("arm_smmu_sync_cd", (c) => cfgiCd(opDev(c), pasidOf(c))),
  step("arm_smmu_write_ctx_desc", (c) => {
    const mm = mmFor(c);
    writeCdWords(c.w, opDev(c), pasidOf(c), svaCd(c.w, opDev(c), mm, asidOf(c), false), 0, 1);
    c.rec.say(`Word 0 with V=1, ASID ${asidOf(c)}, ASET=0 (shared with the CPU): the CD goes live.`);
    return undefined;
  }),
  ...issueCommands("arm_smmu_sync_cd", (c) => cfgiCd(opDev(c), pasidOf(c))),
  step("list_add(&bond->mm_head, &io_mm->devices)", (c) => {
    const mm = mmFor(c);
    const io = ioMmOf(c);
    const dev = ownDevice(c.w, opDev(c));
    const bond = createObject<IommuBond>(c.w, "bond", "iommu_bond", mm.process, dev.name, {
      io_mm: io.id,
      pasid: pasidOf(c),
      linked: true,
      mm_exit_active: false,
    });
    dev.pasids[mm.process] = pasidOf(c);
    dev.stopped = dev.stopped.filter((p) => p !== pasidOf(c));
    c.rec.say(
      `${objectName(bond)} is on the lists; *pasid = ${pasidOf(c)}: the device driver now programs it.`,
    );
    return undefined;
  }),
  unlock(),
  control("bind.done", () => "out"),
  lock("attach.err"),
  ioMmPutLocked("bind.put"),
  unlock(),
  { ...mmputStep(), label: "out" },
];

// --- unbind ----------------------------------------------------------------------------------

const unbind: Program<UnbindOp> = [
  // "Caller stopped the device from issuing PASIDs, now make sure they are out of the fault
  // queue": iopf_queue_flush_dev (RFC v1 called the same flush iommu_fault_queue_flush).
  flushFaultsStep("iopf_queue_flush_dev"),
  lock(),
  step("__iommu_sva_unbind_device", (c) => {
    const pasid = own(findDevice(c.w, c.op.device).pasids, c.op.process);
    const bond = findObject(
      c.w,
      (o) =>
        o.kind === "bond" && o.device === c.op.device && o.fields.linked === true && o.fields.pasid === pasid,
    );
    if (!bond) {
      c.rec.say(
        `No bond of ${c.op.device} with PASID ${pasid ?? "?"}: -ESRCH (mm exit already detached it).`,
      );
      return "unbind.unlock";
    }
    setLocal(c, "bond", bond.id);
    setLocal(c, "io_mm", asKind<IommuBond>(bond, "bond").fields.io_mm);
    c.rec.say(`${objectName(bond)} carries PASID ${pasid}: io_mm_detach_locked(bond, wait=true).`);
    return undefined;
  }),
  // wait=true: refs > 1 means another unbind already waits and will free the bond.
  step("io_mm_detach_locked", (c) => {
    const bond = bondOf(c);
    const doDetach = bond.refs <= 1;
    setLocal(c, "do_detach", doDetach);
    get(c, bond);
    const active = bond.fields.mm_exit_active === true;
    setLocal(c, "waiting", active);
    if (active && !lockOff(c.w)) releaseLock(c.w, SVA_LOCK.name);
    c.rec.say(
      `${objectName(bond)} refs ${bond.refs}${doDetach ? "" : ": another unbind is already waiting, this one only waits"}. ${active ? "mm_exit is running for it: sleep on mm_exit_wq, dropping iommu_sva_lock." : "No mm_exit in progress."}`,
    );
    return undefined;
  }),
  step(
    "wait_event_lock_irq(bond->mm_exit_wq)",
    (c) => {
      if (!lockOff(c.w)) takeLock(c.w, SVA_LOCK.name, c.t.name);
      setLocal(c, "waiting", false);
      lifecycle(c, bondOf(c), "obj.use");
      c.rec.say("Woken: mm_exit_active is clear and iommu_sva_lock is taken again.");
      return undefined;
    },
    {
      when: (c) => local(c, "waiting") === true,
      wait: (c) =>
        bondOf(c).fields.mm_exit_active === true
          ? "waiting on mm_exit_wq until the mm_exit callback returns"
          : lockOff(c.w)
            ? null
            : lockWait(c.w, SVA_LOCK.name, c.t.name),
    },
  ),
  control("unbind.detach", (c) => (local(c, "do_detach") ? call("drv:io_mm_detach") : undefined)),
  unlock("unbind.unlock"),
];

// --- release ---------------------------------------------------------------------------------

const release: Program = [
  step("iommu_notifier_release", (c) => {
    const mn = mnOf(c);
    lifecycle(c, mn, "mn.release");
    setLocal(c, "io_mm", mn.fields.io_mm);
    setLocal(c, "rel.visited", []);
    c.rec.say(`${mn.process}'s mm exits while devices may still be bound to its io_mm.`);
    return undefined;
  }),
  lock(),
  step("io_mm_get_locked", (c) => {
    const io = ioMmOf(c);
    if (!ioMmGetLocked(c, io)) {
      c.rec.say(`${objectName(io)}'s kref is 0: someone else is already freeing it. Return.`);
      return "rel.fail";
    }
    c.rec.say(
      hasFault(c.w, "kref-get")
        ? `Fault kref-get: plain kref_get on ${objectName(io)}, whatever its kref (now ${io.refs}).`
        : `${objectName(io)} kref ${io.refs}: each bond's device is told to stop.`,
    );
    return undefined;
  }),
  control("rel.head", (c) => {
    const visited = required(c, "rel.visited");
    const next = bondsOf(c.w, ioMmOf(c)).find((b) => !visited.includes(b.id));
    if (!next) return "rel.done";
    setLocal(c, "bond", next.id);
    setLocal(c, "rel.visited", [...visited, next.id]);
    return undefined;
  }),
  unlock(undefined, (c) => {
    bondOf(c).fields.mm_exit_active = true;
  }),
  step("iommu_signal_mm_exit", (c) => {
    const dev = ownDevice(c.w, bondDev(c));
    lifecycle(c, bondOf(c), "obj.use");
    if (!dev.stopped.includes(pasidOf(c))) dev.stopped = [...dev.stopped, pasidOf(c)];
    c.rec.say(
      `${dev.name}'s driver's mm_exit(dev, ${pasidOf(c)}, drvdata): the device stops issuing DMA with PASID ${pasidOf(c)}.`,
    );
    return undefined;
  }),
  step(
    "iopf_queue_flush_dev",
    (c) => {
      c.rec.say(`No page request for PASID ${pasidOf(c)} is left in ${bondDev(c).name}'s fault queue.`);
      return undefined;
    },
    {
      wait: (c) => {
        const n = pendingFaultsOf(c.w, bondDev(c));
        return n > 0
          ? `waiting for the fault worker to finish ${n} page request(s) of ${bondDev(c).name}`
          : null;
      },
    },
  ),
  lock(),
  step("wake_up_all(&bond->mm_exit_wq)", (c) => {
    const bond = bondOf(c);
    bond.fields.mm_exit_active = false;
    c.rec.say(`mm_exit_active = false: an unbind waiting on ${objectName(bond)} may go on.`);
    return undefined;
  }),
  step("io_mm_detach_locked", (c) => {
    const bond = bondOf(c);
    if (!putRef(c, bond)) {
      c.rec.say(`unbind() is waiting to free ${objectName(bond)}: leave it to unbind.`);
      return undefined;
    }
    return call("drv:io_mm_detach");
  }),
  control("rel.next", () => "rel.head"),
  unlock("rel.done", (c) => dropLocal(c, "rel.visited")),
  lock(),
  ioMmPutLocked(),
  unlock(),
  control("rel.end", () => RETURN),
  unlock("rel.fail", (c) => dropLocal(c, "rel.visited")),
];

// --- invalidate ------------------------------------------------------------------------------

const invalidate: Program = [
  step("iommu_notifier_invalidate_range", (c) => {
    const mn = mnOf(c);
    lifecycle(c, mn, "mn.invalidate");
    setLocal(c, "io_mm", mn.fields.io_mm);
    setLocal(c, "inv.visited", []);
    c.rec.say(
      `[0x${required(c, "inv.start").toString(16)}, 0x${required(c, "inv.end").toString(16)}) changed: mm_invalidate for every device bound to the io_mm.`,
    );
    return undefined;
  }),
  lock(),
  control("inv.head", (c) => {
    const visited = required(c, "inv.visited");
    const next = bondsOf(c.w, ioMmOf(c)).find((b) => !visited.includes(b.id));
    if (!next) return "inv.done";
    setLocal(c, "bond", next.id);
    setLocal(c, "inv.visited", [...visited, next.id]);
    return undefined;
  }),
  step("arm_smmu_mm_invalidate", (c) => {
    lifecycle(c, ioMmOf(c), "obj.use");
    c.rec.say(
      c.w.smmu.features.btm
        ? "The SMMU has BTM: the CPU's broadcast TLBI already reached it; the driver invalidates only the ATC."
        : `No BTM, yet the series sends no TLBI for ASID ${asidOf(c)}: it left "TODO: Invalidate mapping if not DVM" (it assumed BTM). Only the ATC is invalidated; the IOTLB keeps the old translation.`,
    );
    return undefined;
  }),
  ...issueCommands(
    "arm_smmu_atc_inv_master_range",
    (c) =>
      atcInv(
        bondDev(c),
        pasidOf(c),
        required(c, "inv.start"),
        required(c, "inv.end") - required(c, "inv.start"),
      ),
    { when: (c) => atsEnabled(c.w, bondDev(c)) && !hasFault(c.w, "skip-atc-inv") },
  ),
  control("inv.next", () => "inv.head"),
  // The walk's record of the bonds it visited is spent with the lock.
  unlock("inv.done", (c) => dropLocal(c, "inv.visited")),
];

export const ioMm2018: Driver = {
  name: "io-mm-2018",
  era: "2018 RFC (J-P Brucker): io_mm + kref in a PASID IDR, bonds, mm_exit callback, SRCU-deferred free",
  servicesPri: true,
  bind,
  unbind,
  invalidate,
  release,
  freeNotifier: ioMmFree,
  programs: { "drv:io_mm_detach": ioMmDetach, "drv:io_mm_release": ioMmRelease },
};
