/**
 * The `sva-domain` design (Linux v6.10 …): the SMMU driver's SVA domain is a normal
 * arm_smmu_domain with its own ASID from arm_smmu_asid_xa (no CPU ASID pinning, ASET=1) and an
 * embedded MMU notifier (arm-smmu-v3-sva.c); the core (iommu-sva.c) keeps, per mm, one
 * `struct iommu_mm_data` (mm->iommu_mm: the mm's PASID and its list of SVA domains) and tries
 * every domain of that list before allocating a new one, so the devices behind one SMMU share
 * one domain, one ASID and one notifier. The PASID belongs to the mm: mm_pasid_drop frees it
 * with iommu_mm_data at __mmdrop.
 *
 *   bind:    (the caller holds mm_users) mutex_lock(iommu_sva_lock) → iommu_alloc_mm_data →
 *            the device's handle (v6.10: mm->iommu_mm->sva_handles; v6.11+:
 *            iommu_attach_handle_get) → an SVA domain of the mm, or iommu_sva_domain_alloc
 *            (arm_smmu_sva_domain_alloc: ASID, mmu_notifier_register; mmgrab) →
 *            iommu_attach_device_pasid → arm_smmu_sva_set_dev_pasid: mmget_not_zero →
 *            arm_smmu_alloc_cd_ptr → mutex_lock(arm_smmu_asid_lock) → arm_smmu_attach_prepare
 *            (the master_domain joins smmu_domain->devices under devices_lock, before any CD is
 *            written) → arm_smmu_write_cd_entry (0 → valid: 2 syncs) → arm_smmu_attach_commit
 *            (ATC_INV of the PASID) → mutex_unlock → mmput → domain->users++ / list_add
 *   unbind:  mutex_lock(iommu_sva_lock) → refcount_dec_and_test(handle->users) →
 *            iommu_detach_device_pasid → arm_smmu_remove_dev_pasid (v6.14+:
 *            arm_smmu_blocking_set_dev_pasid): under arm_smmu_asid_lock, arm_smmu_clear_cd
 *            (valid → 0: 2 syncs), ATC_INV of the PASID, arm_smmu_remove_master_domain (under
 *            devices_lock) → --domain->users == 0: iommu_domain_free (mmdrop, then
 *            arm_smmu_sva_domain_free: TLBI_NH_ASID+SYNC *before* the ASID is erased,
 *            mmu_notifier_put; the domain is kfreed after an SRCU grace period) → kfree(handle).
 *            A device that is not the domain's last sends no TLBI.
 *   release: arm_smmu_mm_release: under devices_lock, the release CD (arm_smmu_make_sva_cd(NULL):
 *            valid, EPD0, no TTB0, S/R clear) for every master_domain, through the hitless writer
 *            (2 syncs); then TLBI_NH_ASID+SYNC and arm_smmu_atc_inv_domain (ATC_INV for each
 *            master_domain still listed: after the last detach, none). No `cleared` flag.
 *   invalidate (arch_invalidate_secondary_tlbs): size = end - start; at or above
 *            CMDQ_MAX_TLBI_OPS pages without RIL size becomes 0: TLBI_NH_ASID and ATC_INV of the
 *            whole PASID; otherwise TLBI_NH_VA… and ATC_INV of the range, each with a SYNC.
 *
 * Left out: arm_smmu_update_ste (the model's masters always have a CD-table STE for their DMA
 * domain), iopf enabling for stall masters, several SMMUs (every device shares the one SMMU).
 */

import { getField } from "../../engine/bits.ts";
import { CD_LAYOUT, cdUsedBits } from "../../engine/cd.ts";
import { kernelPart, ownDevice, ownKObject } from "../../engine/clone.ts";
import { PAGE_SIZE } from "../../engine/ids.ts";
import type { DeviceState, Draft, KObject, World } from "../../engine/world.ts";
import { findDevice } from "../../engine/world.ts";
import { checkAsidClean, checkPasidClean } from "../checks.ts";
import { hasFault, issueCommands } from "../cmdq.ts";
import type { BindOp, Driver, UnbindOp } from "../driver.ts";
import { writeEntrySteps } from "../entry.ts";
import { flushFaultsStep } from "../iopf.ts";
import { type LockSpec, mutexLock, mutexUnlock } from "../locks.ts";
import { mmdrop, mmFor, mmOf, mmputStep, type NotifierLocals, pasidOfMm } from "../mm.ts";
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
} from "../objects.ts";
import {
  type Ctx,
  call,
  control,
  FP,
  type KernelCtx,
  locals,
  NO_FP,
  type Program,
  RETURN,
  step,
} from "../program.ts";
import {
  atcInv,
  atsEnabled,
  CMDQ_MAX_TLBI_OPS,
  cdLeafSteps,
  cfgiCd,
  freeNotifierAndMm,
  lowestFree,
  readCd,
  svaCd,
  tlbiAsid,
  tlbiRange,
  writeCdWords,
} from "../smmu-ops.ts";

const SVA_LOCK: LockSpec = { name: "iommu_sva_lock", fault: "no-sva-lock" };
const ASID_LOCK: LockSpec = { name: "arm_smmu_asid_lock" };
const DEVICES_LOCK: LockSpec = { name: "smmu_domain->devices_lock", fault: "no-sva-lock", spin: true };

// The design's objects as the model keeps them (KObject.fields, in this order); this design
// takes them to be changed (clone.ts) wherever it looks them up.
/** struct iommu_mm_data (mm->iommu_mm): the mm's PASID. */
interface IommuMmData {
  pasid: number;
}
/**
 * The SVA arm_smmu_domain: its ASID and PASID, smmu_domain->devices, whether it is on
 * mm->iommu_mm->sva_domains, and its notifier (set once registered).
 */
interface SvaDomain {
  asid: number;
  pasid: number;
  devices: readonly string[];
  listed: boolean;
  mn?: number;
}
/** The domain's embedded mmu_notifier. */
interface DomainMn {
  domain: number;
  asid: number;
  pasid: number;
}
/** struct iommu_sva: the device's attach handle for the mm. */
interface Handle {
  domain: number;
  pasid: number;
}

/** What bind, unbind, release and invalidate keep between their steps. */
interface DomainLocals extends NotifierLocals {
  /** The SVA domain the path works on; null: none of the mm's domains fits (bind allocates one). */
  domain?: number | null;
  /** The bind found the mm's domain and attaches to it. */
  existing?: boolean;
  handle?: number;
  /** get_task_mm took an mm_users reference to drop at the end of the bind. */
  "bind.mm"?: boolean;
  /** release's walk of smmu_domain->devices: the list as read, the next, its device. */
  "rel.list"?: readonly string[];
  "rel.i"?: number;
  dev?: string;
}

const { local, required, setLocal, dropLocal } = locals<DomainLocals>();

const domainOf = (c: Ctx): Draft<KObject<SvaDomain>> =>
  kobject<SvaDomain>(c.w, required(c, "domain"), "domain");
const mnOf = (c: Ctx): Draft<KObject<DomainMn>> => kobject<DomainMn>(c.w, required(c, "mn"), "notifier");
/** The device the op names (bind, unbind), or the master_domain being walked (release). */
const devOf = (c: Ctx): DeviceState => {
  const op = c.op;
  return findDevice(c.w, op.op === "bind" || op.op === "unbind" ? op.device : required(c, "dev"));
};
const opDevice = (c: Ctx): string => (c.op as { device: string }).device;
const pasidOf = (c: Ctx): number => domainOf(c).fields.pasid;
const asidOf = (c: Ctx): number => domainOf(c).fields.asid;
/** smmu_domain->devices: the masters attached at the domain's PASID. */
const devicesOf = (d: KObject<SvaDomain>): readonly string[] => d.fields.devices;

const live = (o: KObject<unknown>): boolean => o.state === "live";

/** mm->iommu_mm. */
function iommuMmOf(w: World, process: string): Draft<KObject<IommuMmData>> | undefined {
  const data = findObject(w, (o) => o.kind === "mm_data" && o.process === process && live(o));
  return data && kobject<IommuMmData>(w, data.id, "mm_data");
}

/** The device's iommu_sva handle for the mm (the PASID's attach handle). */
function handleOf(w: World, process: string, device: string): Draft<KObject<Handle>> | undefined {
  const handle = findObject(
    w,
    (o) => o.kind === "bond" && o.process === process && o.device === device && live(o),
  );
  return handle && kobject<Handle>(w, handle.id, "bond");
}

/** mm->iommu_mm->sva_domains, oldest first. */
function svaDomainsOf(w: World, process: string): Draft<KObject<SvaDomain>>[] {
  return Object.values(w.kernel.objects)
    .filter((o) => o.kind === "domain" && o.process === process && o.fields.listed === true && live(o))
    .map((o) => kobject<SvaDomain>(w, o.id, "domain"));
}

const sync = (c: Ctx) => cfgiCd(devOf(c), pasidOf(c));
const holdsMmUsers = "bind.mm";

/** The handle lookup, as v6.10 (sva_handles) and v6.11+ (attach handle) both do it. */
function findHandle(c: Ctx<BindOp>, how: string): string | undefined {
  const handle = handleOf(c.w, c.op.process, c.op.device);
  if (handle) {
    get(c, handle);
    c.rec.say(
      `${how}: ${c.op.device} is already bound to ${c.op.process}: ${objectName(handle)}'s users go to ${handle.refs}.`,
    );
    return "unlock";
  }
  const domains = svaDomainsOf(c.w, c.op.process);
  const first = domains[0];
  setLocal(c, "domain", first ? first.id : null);
  setLocal(c, "existing", first !== undefined);
  c.rec.say(
    first
      ? `${how}: no handle for ${c.op.device} yet. ${c.op.process} already has ${objectName(first)} (ASID ${first.fields.asid}): iommu_attach_device_pasid tries it first, so this device will share its ASID and notifier.`
      : `${how}: no handle for ${c.op.device}, and mm->iommu_mm->sva_domains is empty: a new SVA domain is allocated.`,
  );
  return first ? "attach" : undefined;
}

const bind: Program<BindOp> = [
  // Not in iommu-sva.c: callers of iommu_sva_bind_device hold an mm_users reference for the
  // whole bind (__mmu_notifier_register BUG_ONs on mm_users == 0), so exit_mmap cannot start
  // inside a bind.
  step("get_task_mm", (c) => {
    const mm = mmFor(c);
    if (mm.state !== "live" || mm.users === 0) {
      c.rec.say(`${mm.process} is exiting: the device driver gets no mm to bind (-ESRCH).`);
      return RETURN;
    }
    mmEvent(c, mm, "mm.mmget");
    mm.users += 1;
    setLocal(c, holdsMmUsers, true);
    c.rec.say(
      `The device driver binds on behalf of ${mm.process} and holds its mm_users across the bind (mm_users ${mm.users}).`,
    );
    return undefined;
  }),
  mutexLock(SVA_LOCK),
  step("iommu_alloc_mm_data", (c) => {
    const mm = mmFor(c);
    const max = 2 ** devOf(c).cdTable.s1cdmax - 1;
    const iommuMm = iommuMmOf(c.w, mm.process);
    if (iommuMm) {
      lifecycle(c, iommuMm, "obj.use");
      const pasid = iommuMm.fields.pasid;
      if (pasid > max) {
        c.rec.say(`${mm.process}'s PASID ${pasid} is beyond ${c.op.device}'s ${max}: -EOVERFLOW.`);
        return "unlock";
      }
      c.rec.say(`mm->iommu_mm already holds PASID ${pasid} for ${mm.process}: every device uses it.`);
      return undefined;
    }
    const pasid = lowestFree(c.w.kernel.pasids, c.w.kernel.pasidBase, max);
    if (pasid === null) {
      c.rec.say(`No free PASID in [${c.w.kernel.pasidBase}, ${max}]: -ENOSPC.`);
      return "unlock";
    }
    checkPasidClean(c, pasid, mm.process);
    kernelPart(c.w, "pasids")[pasid] = { owner: mm.process, refs: 1 };
    mm.pasid = pasid;
    const data = createObject<IommuMmData>(c.w, "mm_data", "iommu_mm_data", mm.process, null, { pasid });
    c.rec.say(
      `${objectName(data)}: iommu_alloc_global_pasid gives PASID ${pasid} to ${mm.process}, published in mm->iommu_mm (smp_store_release). It stays the mm's until mm_pasid_drop at __mmdrop.`,
    );
    return undefined;
  }),
  step("iommu_sva_bind_device", (c) => findHandle(c, "mm->iommu_mm->sva_handles"), {
    until: "sva-handle-list-removed",
  }),
  step("iommu_attach_handle_get", (c) => findHandle(c, "iommu_attach_handle_get"), {
    since: "sva-handle-list-removed",
  }),
  step("arm_smmu_sva_domain_alloc", (c) => {
    const mm = mmFor(c);
    const asid = lowestFree(c.w.kernel.asids, 1, 2 ** c.w.smmu.asidBits - 1);
    if (asid === null) {
      c.rec.say("arm_smmu_asid_xa is full: -ENOSPC.");
      return "unlock";
    }
    checkAsidClean(c, asid, `the SVA domain of ${mm.process}`);
    kernelPart(c.w, "asids")[asid] = { owner: `sva:${mm.process}`, refs: 1 };
    const domain = createObject<SvaDomain>(c.w, "domain", "arm_smmu_domain", mm.process, null, {
      asid,
      pasid: pasidOfMm(mm),
      devices: [],
      listed: false,
    });
    setLocal(c, "domain", domain.id);
    setLocal(c, "existing", false);
    c.rec.say(
      `${objectName(domain)} (IOMMU_DOMAIN_SVA) gets its own ASID ${asid} from arm_smmu_asid_xa, not the CPU's ${mm.cpuAsid}: no pinning, no sharing.`,
    );
    return undefined;
  }),
  step("mmu_notifier_register", (c) => {
    const mm = mmFor(c);
    const d = domainOf(c);
    const mn = createObject<DomainMn>(c.w, "notifier", "mmu_notifier", mm.process, null, {
      domain: d.id,
      asid: d.fields.asid,
      pasid: d.fields.pasid,
    });
    d.fields.mn = mn.id;
    mm.notifiers.push(mn.id);
    mmgrab(c, mm);
    c.rec.say(`The domain's embedded notifier is registered on ${mm.process}'s mm (mmgrab).`);
    return undefined;
  }),
  step("iommu_sva_domain_alloc", (c) => {
    mmgrab(c, mmFor(c));
    c.rec.say("The core sets domain->mm with mmgrab, and the SVA page-fault handler.");
    return undefined;
  }),
  step(
    "iommu_attach_device_pasid",
    (c) => {
      const d = domainOf(c);
      lifecycle(c, d, "obj.use");
      c.rec.say(`set_dev_pasid: ${objectName(d)} on ${c.op.device} at PASID ${pasidOf(c)}.`);
      return undefined;
    },
    { label: "attach" },
  ),
  step("arm_smmu_sva_set_dev_pasid", (c) => {
    const mm = mmFor(c);
    if (mm.users === 0) {
      c.rec.say(`mmget_not_zero fails: ${mm.process} is exiting. The attach is refused (-EINVAL).`);
      return "attach_fail";
    }
    mm.users += 1;
    c.rec.say(
      `mmget_not_zero: ${mm.process}'s mm_users goes to ${mm.users}; arm_smmu_mm_release cannot run during the attach.`,
    );
    return undefined;
  }),
  // arm_smmu_set_pasid: the CD slot (and a 2-level table's leaf) before arm_smmu_asid_lock.
  ...cdLeafSteps(devOf, pasidOf, "arm_smmu_alloc_cd_ptr"),
  mutexLock(ASID_LOCK),
  step(
    "arm_smmu_attach_prepare",
    (c) => {
      const d = domainOf(c);
      d.fields.devices = [...devicesOf(d), opDevice(c)];
      c.rec.say(
        `Under devices_lock, {${c.op.device}, PASID ${pasidOf(c)}} joins smmu_domain->devices before any CD is written: from now on the domain's invalidations and its release reach this master.`,
      );
      return undefined;
    },
    { wait: (c) => (hasFault(c.w, "no-sva-lock") ? null : lockWait(c.w, DEVICES_LOCK.name, c.t.name)) },
  ),
  ...writeEntrySteps("cd", "arm_smmu_write_cd_entry", "arm_smmu_sync_cd", {
    current: (c) => readCd(c.w, devOf(c), pasidOf(c)),
    target: (c) => svaCd(c.w, devOf(c), mmOf(c), asidOf(c), true),
    used: cdUsedBits,
    write: (c, words) => writeCdWords(c.w, devOf(c), pasidOf(c), words),
    sync,
    say: (c, i, n) =>
      `arm_smmu_write_entry, stage ${i} of ${n}: CD ${pasidOf(c)} of ${opDevice(c)} ${i < n ? "gets its fields with V=0" : `goes live (V=1, ASID ${asidOf(c)}, ASET=1)`}.`,
  }),
  step("arm_smmu_attach_commit", (c) => {
    c.rec.say(
      atsEnabled(c.w, devOf(c))
        ? `ATS is already on for ${c.op.device}: its ATC is invalidated for PASID ${pasidOf(c)}.`
        : `${c.op.device} has no ATS: nothing to invalidate.`,
    );
    return undefined;
  }),
  ...issueCommands("arm_smmu_atc_inv_master", (c) => atcInv(devOf(c), pasidOf(c), 0, 0), {
    when: (c) => atsEnabled(c.w, devOf(c)) && !hasFault(c.w, "skip-atc-inv"),
    fp: NO_FP,
  }),
  mutexUnlock(ASID_LOCK),
  mmputStep(),
  step("iommu_sva_bind_device", (c) => {
    const mm = mmFor(c);
    const d = domainOf(c);
    if (local(c, "existing")) get(c, d);
    else d.fields.listed = true;
    const handle = createObject<Handle>(c.w, "bond", "iommu_sva", mm.process, c.op.device, {
      domain: d.id,
      pasid: pasidOf(c),
    });
    ownDevice(c.w, devOf(c)).pasids[mm.process] = pasidOf(c);
    c.rec.say(
      `${local(c, "existing") ? `domain->users goes to ${d.refs}` : "domain->users = 1 and the domain joins mm->iommu_mm->sva_domains"}; ${objectName(handle)}: the device driver now programs PASID ${pasidOf(c)}.`,
    );
    return "unlock";
  }),
  step("iommu_domain_free", (c) => (local(c, "existing") ? "unlock" : call("drv:domain_free")), {
    label: "attach_fail",
  }),
  mutexUnlock(SVA_LOCK, "unlock"),
  { ...mmputStep(), when: (c: Ctx) => local(c, holdsMmUsers) === true },
];

const unbind: Program<UnbindOp> = [
  // The device driver has stopped the device; faults it sent before must be handled first.
  flushFaultsStep(),
  mutexLock(SVA_LOCK),
  step("iommu_sva_unbind_device", (c) => {
    const handle = handleOf(c.w, c.op.process, c.op.device);
    if (!handle) {
      c.rec.say(`${c.op.process} is not bound to ${c.op.device}: nothing to unbind.`);
      return "unlock";
    }
    setLocal(c, "handle", handle.id);
    setLocal(c, "domain", handle.fields.domain);
    const d = domainOf(c);
    lifecycle(c, d, "obj.use");
    setLocal(c, "mn", d.fields.mn!);
    if (!putRef(c, handle)) {
      c.rec.say(`${objectName(handle)} still has ${handle.refs} user(s).`);
      return "unlock";
    }
    const iommuMm = iommuMmOf(c.w, c.op.process);
    if (iommuMm) lifecycle(c, iommuMm, "obj.use");
    c.rec.say(
      `The handle's last user: iommu_detach_device_pasid(domain, ${c.op.device}, domain->mm->iommu_mm->pasid = ${pasidOf(c)}).`,
    );
    return undefined;
  }),
  step(
    "arm_smmu_remove_dev_pasid",
    (c) => {
      c.rec.say(
        `The driver's remove_dev_pasid op takes ${c.op.device}'s PASID ${pasidOf(c)} off the domain.`,
      );
      return undefined;
    },
    { until: "blocked-domain-pasid", local: true },
  ),
  step(
    "arm_smmu_blocking_set_dev_pasid",
    (c) => {
      c.rec.say(
        `The blocked domain is set on ${c.op.device}'s PASID ${pasidOf(c)}: the SVA domain comes off it.`,
      );
      return undefined;
    },
    { since: "blocked-domain-pasid", local: true },
  ),
  mutexLock(ASID_LOCK),
  // Under arm_smmu_asid_lock only: arm_smmu_mm_release, under devices_lock, can write its
  // release CD into the same entry meanwhile (a finding of the model, not confirmed upstream).
  ...writeEntrySteps("clear", "arm_smmu_clear_cd", "arm_smmu_sync_cd", {
    current: (c) => readCd(c.w, devOf(c), pasidOf(c)),
    target: () => new Array(8).fill(0n),
    used: cdUsedBits,
    write: (c, words) => writeCdWords(c.w, devOf(c), pasidOf(c), words),
    sync,
    say: (c, i, n) =>
      `arm_smmu_clear_cd, stage ${i} of ${n}: CD ${pasidOf(c)} of ${opDevice(c)} ${i === 1 ? "becomes invalid (qword 0 = 0, V=0)" : "is zeroed"}.`,
  }),
  ...issueCommands("arm_smmu_atc_inv_master", (c) => atcInv(devOf(c), pasidOf(c), 0, 0), {
    when: (c) => atsEnabled(c.w, devOf(c)) && !hasFault(c.w, "skip-atc-inv"),
    fp: NO_FP,
  }),
  step(
    "arm_smmu_remove_master_domain",
    (c) => {
      const d = domainOf(c);
      lifecycle(c, d, "obj.use");
      d.fields.devices = devicesOf(d).filter((n) => n !== opDevice(c));
      c.rec.say(
        `Under devices_lock, {${c.op.device}, PASID ${pasidOf(c)}} leaves smmu_domain->devices (${devicesOf(d).length} left).`,
      );
      return undefined;
    },
    { wait: (c) => (hasFault(c.w, "no-sva-lock") ? null : lockWait(c.w, DEVICES_LOCK.name, c.t.name)) },
  ),
  mutexUnlock(ASID_LOCK),
  step("iommu_sva_unbind_device", (c) => {
    const d = domainOf(c);
    if (!putRef(c, d)) {
      c.rec.say(
        `domain->users drops to ${d.refs}: another device still uses the SVA domain, so no TLBI (the ASID stays live).`,
      );
      return undefined;
    }
    d.fields.listed = false;
    c.rec.say("domain->users drops to 0: list_del from sva_domains, iommu_domain_free.");
    return call("drv:domain_free");
  }),
  mutexUnlock(SVA_LOCK),
  step("kfree(handle)", (c) => {
    free(c, kobject<Handle>(c.w, required(c, "handle"), "bond"));
    c.rec.say("The iommu_sva handle is freed. The PASID stays with the mm until the mm is freed.");
    return RETURN;
  }),
  mutexUnlock(SVA_LOCK, "unlock"),
];

/**
 * iommu_domain_free: the core's mmdrop for domain->mm first, then arm_smmu_sva_domain_free —
 * the ASID is invalidated before it can be reused, and the kfree waits for SRCU.
 */
const domainFree: Program = [
  step("iommu_domain_free", (c) => {
    mmdrop(c, mmFor(c));
    c.rec.say("iommu_domain_free drops the domain's mm reference (mmdrop), then calls the driver's free.");
    return undefined;
  }),
  ...issueCommands("arm_smmu_tlb_inv_asid", (c) => tlbiAsid(asidOf(c)), {
    when: (c) => !hasFault(c.w, "skip-tlbi"),
    fp: NO_FP,
  }),
  step("arm_smmu_sva_domain_free", (c) => {
    const d = domainOf(c);
    delete kernelPart(c.w, "asids")[asidOf(c)];
    if (live(d)) putRef(c, d); // a failed first attach: its only reference
    c.rec.say(`ASID ${asidOf(c)} is clean in the IOTLB and leaves arm_smmu_asid_xa (xa_erase).`);
    return undefined;
  }),
  step("mmu_notifier_put", (c) => {
    const mn = kobject<DomainMn>(c.w, domainOf(c).fields.mn!, "notifier");
    const mm = mmFor(c);
    lifecycle(c, mn, "mn.put");
    mm.notifiers = mm.notifiers.filter((id) => id !== mn.id);
    if (hasFault(c.w, "free-notifier-now")) {
      freeNotifier(c, mn);
      c.rec.say(
        "Fault free-notifier-now: the domain and its notifier are freed at once, SRCU readers or not.",
      );
    } else {
      callSrcu(c.w, mn.id, "arm_smmu_mmu_notifier_free");
      c.rec.say("mmu_notifier_put: the domain (with its notifier) is kfreed after an SRCU grace period.");
    }
    return undefined;
  }),
];

const mnDomain = (c: Ctx): Draft<KObject<SvaDomain>> =>
  kobject<SvaDomain>(c.w, mnOf(c).fields.domain, "domain");

const release: Program = [
  step("arm_smmu_mm_release", (c) => {
    lifecycle(c, mnOf(c), "mn.use");
    setLocal(c, "domain", mnOf(c).fields.domain);
    lifecycle(c, mnDomain(c), "obj.use");
    c.rec.say(
      "DMA may still be running: every master_domain of the SVA domain gets the release CD (valid, EPD0: faults, silently).",
    );
    return undefined;
  }),
  mutexLock(DEVICES_LOCK),
  control(
    "rel.start",
    (c) => {
      setLocal(c, "rel.list", [...devicesOf(domainOf(c))]);
      setLocal(c, "rel.i", 0);
      return undefined;
    },
    { fp: { r: FP.DEVICES, w: 0 }, targets: ["+1"] },
  ),
  control(
    "rel.head",
    (c) => {
      const list = required(c, "rel.list");
      const i = required(c, "rel.i");
      if (i >= list.length) return "rel.done";
      setLocal(c, "dev", list[i]!);
      return undefined;
    },
    { fp: NO_FP, targets: ["+1", "rel.done"] },
  ),
  ...writeEntrySteps("relcd", "arm_smmu_write_cd_entry", "arm_smmu_sync_cd", {
    current: (c) => readCd(c.w, devOf(c), pasidOf(c)),
    target: (c) =>
      hasFault(c.w, "no-quiet-cd")
        ? readCd(c.w, devOf(c), pasidOf(c))
        : svaCd(c.w, devOf(c), null, asidOf(c), true),
    used: cdUsedBits,
    write: (c, words) => writeCdWords(c.w, devOf(c), pasidOf(c), words),
    sync,
    say: (c, i, n) => {
      const valid = getField(readCd(c.w, devOf(c), pasidOf(c)), CD_LAYOUT.fields.V) === 1n;
      return `arm_smmu_make_sva_cd(NULL) for ${devOf(c).name}'s PASID ${pasidOf(c)}, stage ${i} of ${n}: the CD is ${valid ? "valid with EPD0=1 and S=R=0 (every access faults, silently)" : "not valid yet (V=0)"}.`;
    },
  }),
  control(
    "rel.next",
    (c) => {
      setLocal(c, "rel.i", required(c, "rel.i") + 1);
      return "rel.head";
    },
    { fp: NO_FP, targets: ["rel.head"] },
  ),
  // The walk's copy of the device list is spent with the lock (the next release copies afresh).
  mutexUnlock(DEVICES_LOCK, "rel.done", (c) => {
    dropLocal(c, "rel.list");
    dropLocal(c, "rel.i");
  }),
  ...issueCommands("arm_smmu_tlb_inv_asid", (c) => tlbiAsid(asidOf(c)), {
    when: (c) => !hasFault(c.w, "skip-tlbi"),
    fp: NO_FP,
  }),
  ...issueCommands("arm_smmu_atc_inv_domain", (c) => atcInvDomain(c, 0, 0), {
    when: (c) => atsDevices(c).length > 0 && !hasFault(c.w, "skip-atc-inv"),
    fp: { r: FP.DEVICES, w: 0 },
  }),
];

/** The ATS masters on smmu_domain->devices, as arm_smmu_atc_inv_domain walks them. */
function atsDevices(c: Ctx): DeviceState[] {
  return devicesOf(domainOf(c))
    .map((n) => findDevice(c.w, n))
    .filter((d) => atsEnabled(c.w, d));
}

/** arm_smmu_atc_inv_domain: one ATC_INV per ATS master, with that master_domain's SSID. */
function atcInvDomain(c: Ctx, start: number, size: number) {
  return atsDevices(c).flatMap((d) => atcInv(d, pasidOf(c), start, size));
}

/**
 * arm_smmu_mm_arch_invalidate_secondary_tlbs's size: 0 (everything) at or above
 * CMDQ_MAX_TLBI_OPS pages without RIL (d5afb4b47e13), which makes the TLBI one TLBI_NH_ASID and
 * the ATC_INV one of the whole PASID.
 */
function invSize(c: Ctx): number {
  const size = required(c, "inv.end") - required(c, "inv.start");
  return !c.w.smmu.features.ril && size >= CMDQ_MAX_TLBI_OPS * PAGE_SIZE ? 0 : size;
}

const invalidate: Program = [
  step("arm_smmu_mm_arch_invalidate_secondary_tlbs", (c) => {
    lifecycle(c, mnOf(c), "mn.invalidate");
    setLocal(c, "domain", mnOf(c).fields.domain);
    lifecycle(c, domainOf(c), "obj.use");
    const start = required(c, "inv.start");
    const end = required(c, "inv.end");
    c.rec.say(
      `[0x${start.toString(16)}, 0x${end.toString(16)}) changed: the SVA domain's private ASID ${asidOf(c)} is invalidated by command${invSize(c) === 0 ? ` — ${(end - start) / PAGE_SIZE} pages is at or above CMDQ_MAX_TLBI_OPS (${CMDQ_MAX_TLBI_OPS}) without RIL, so the whole ASID and the whole PASID` : ""}.`,
    );
    return undefined;
  }),
  ...issueCommands(
    "arm_smmu_tlb_inv_range_asid",
    (c) => tlbiRange(c.w, asidOf(c), required(c, "inv.start"), required(c, "inv.end")),
    { when: (c) => !hasFault(c.w, "skip-tlbi"), fp: NO_FP },
  ),
  ...issueCommands(
    "arm_smmu_atc_inv_domain",
    (c) => atcInvDomain(c, invSize(c) === 0 ? 0 : required(c, "inv.start"), invSize(c)),
    { when: (c) => atsDevices(c).length > 0 && !hasFault(c.w, "skip-atc-inv") },
  ),
];

/** arm_smmu_mmu_notifier_free: kfree of the domain with its notifier, and the notifier's mmdrop. */
const freeNotifier = (c: KernelCtx, mn: Draft<KObject<unknown>>): void =>
  freeNotifierAndMm(c, mn, [ownKObject(c.w, asKind<DomainMn>(mn, "notifier").fields.domain)]);

export const svaDomain: Driver = {
  name: "sva-domain",
  era: "Linux v6.10+: one SVA domain per mm and SMMU, shared by its devices, with its own ASID; iommu_mm_data holds the mm's PASID",
  servicesPri: false,
  bind,
  unbind,
  invalidate,
  release,
  freeNotifier,
  programs: { "drv:domain_free": domainFree },
};
