/**
 * The `sva-domain` design (Linux 6.10+): the core allocates an IOMMU_DOMAIN_SVA per {device, mm}
 * (drivers/iommu/iommu-sva.c), and the SMMU driver makes it a normal arm_smmu_domain with its
 * own ASID from arm_smmu_asid_xa (no CPU ASID pinning, ASET=1) and an embedded MMU notifier
 * (arm-smmu-v3-sva.c). The PASID belongs to the mm and is freed only with it (reference §5.3).
 *
 *   bind:    iommu_sva_lock → handle lookup → iommu_alloc_mm_data (global PASID) →
 *            arm_smmu_sva_domain_alloc (ASID, mmu_notifier_register) →
 *            arm_smmu_sva_set_dev_pasid: mmget_not_zero (an exiting mm cannot be bound, and
 *            release cannot run during the attach), CD written by arm_smmu_write_entry (0 → valid:
 *            2 syncs), ATC_INV for the PASID, mmput
 *   unbind:  iommu_sva_lock → handle put → arm_smmu_remove_dev_pasid: CD cleared (2 syncs),
 *            ATC_INV → last user: arm_smmu_sva_domain_free: TLBI_NH_ASID+SYNC *before* the ASID
 *            is erased, mmu_notifier_put (freed after an SRCU grace period)
 *   release: devices_lock → release CD for each attached master (hitless, 2 syncs) →
 *            TLBI_NH_ASID+SYNC → ATC_INV+SYNC. No `cleared` flag.
 *   invalidate (arch_invalidate_secondary_tlbs): TLBI_NH_VA… +SYNC (always: a private ASID
 *            is never matched by broadcast TLBIs), ATC_INV+SYNC
 */

import { cdUsedBits } from "../../engine/cd.ts";
import type { DeviceState, KObject, World } from "../../engine/world.ts";
import { findDevice } from "../../engine/world.ts";
import { checkAsidClean, checkPasidClean } from "../checks.ts";
import { hasFault, issueCommands } from "../cmdq.ts";
import type { BindOp, Driver, UnbindOp } from "../driver.ts";
import { writeEntrySteps } from "../entry.ts";
import { flushFaultsStep } from "../iopf.ts";
import { type LockSpec, mutexLock, mutexUnlock } from "../locks.ts";
import { mmdrop, mmOf, mmputStep } from "../mm.ts";
import { callSrcu, createObject, free, get, lifecycle, mmgrab, objectName, putRef } from "../objects.ts";
import { type Ctx, call, local, type Program, setLocal, step } from "../program.ts";
import {
  atcInv,
  atsEnabled,
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

const obj = (c: Ctx, name: string): KObject => c.w.kernel.objects[local<number>(c, name)]!;
const domainOf = (c: Ctx): KObject => obj(c, "domain");
const mnOf = (c: Ctx): KObject => obj(c, "mn");
const devOf = (c: Ctx): DeviceState => {
  const op = c.op as { device?: string };
  return findDevice(c.w, op.device ?? domainOf(c).device!);
};
const pasidOf = (c: Ctx): number => domainOf(c).fields.pasid as number;
const asidOf = (c: Ctx): number => domainOf(c).fields.asid as number;

function findLive(w: World, kind: KObject["kind"], process: string, device: string): KObject | undefined {
  return Object.values(w.kernel.objects).find(
    (o) => o.kind === kind && o.process === process && o.device === device && o.state === "live",
  );
}

const sync = (c: Ctx) => cfgiCd(devOf(c), pasidOf(c));

const bind: Program<BindOp> = [
  mutexLock(SVA_LOCK),
  step("iommu_sva_bind_device", (c) => {
    const handle = findLive(c.w, "bond", c.op.process, c.op.device);
    if (handle) {
      get(c, handle);
      c.rec.say(
        `${c.op.device} is already bound to ${c.op.process}: the iommu_sva handle's users go to ${handle.refs}.`,
      );
      return "unlock";
    }
    c.rec.say(
      `${c.op.device} has no iommu_sva handle for ${c.op.process} yet: a new SVA domain will be attached.`,
    );
    return undefined;
  }),
  step("iommu_alloc_mm_data", (c) => {
    const mm = mmOf(c);
    const max = 2 ** devOf(c).cdTable.s1cdmax - 1;
    if (mm.pasid !== null) {
      if (mm.pasid > max) {
        c.rec.say(`${mm.process}'s PASID ${mm.pasid} is beyond ${c.op.device}'s ${max}: -EOVERFLOW.`);
        return "unlock";
      }
      c.rec.say(`${mm.process} already owns PASID ${mm.pasid} (mm->iommu_mm): every device uses it.`);
      return undefined;
    }
    const pasid = lowestFree(c.w.kernel.pasids, c.w.kernel.pasidBase, max);
    if (pasid === null) {
      c.rec.say(`No free PASID in [${c.w.kernel.pasidBase}, ${max}]: -ENOSPC.`);
      return "unlock";
    }
    checkPasidClean(c, pasid, mm.process);
    c.w.kernel.pasids[pasid] = { owner: mm.process, refs: 1 };
    mm.pasid = pasid;
    c.rec.say(
      `iommu_alloc_global_pasid gives PASID ${pasid} to ${mm.process}; it stays the mm's until the mm is freed (mm_pasid_drop).`,
    );
    return undefined;
  }),
  step("arm_smmu_sva_domain_alloc", (c) => {
    const mm = mmOf(c);
    const asid = lowestFree(c.w.kernel.asids, 1, 2 ** c.w.smmu.asidBits - 1);
    if (asid === null) {
      c.rec.say("arm_smmu_asid_xa is full: -ENOSPC.");
      return "unlock";
    }
    checkAsidClean(c, asid, `the SVA domain of {${c.op.device}, ${mm.process}}`);
    c.w.kernel.asids[asid] = { owner: `sva:${mm.process}:${c.op.device}`, refs: 1 };
    mmgrab(c, mm);
    const domain = createObject(c.w, "domain", "arm_smmu_domain", mm.process, c.op.device, {
      asid,
      pasid: mm.pasid,
      attached: false,
    });
    setLocal(c, "domain", domain.id);
    c.rec.say(
      `A new IOMMU_DOMAIN_SVA for {${c.op.device}, ${mm.process}} with its own ASID ${asid} (not the CPU's ${mm.cpuAsid}: no pinning, no sharing); mmgrab.`,
    );
    return undefined;
  }),
  step("mmu_notifier_register", (c) => {
    const mm = mmOf(c);
    const d = domainOf(c);
    const mn = createObject(c.w, "notifier", "mmu_notifier", mm.process, c.op.device, {
      domain: d.id,
      asid: d.fields.asid as number,
      pasid: d.fields.pasid as number,
    });
    d.fields.mn = mn.id;
    mm.notifiers.push(mn.id);
    mmgrab(c, mm);
    setLocal(c, "mn", mn.id);
    c.rec.say(`The domain's embedded notifier is registered on ${mm.process}'s mm.`);
    return undefined;
  }),
  step("arm_smmu_sva_set_dev_pasid", (c) => {
    const mm = mmOf(c);
    if (mm.users === 0) {
      c.rec.say(
        `mmget_not_zero fails: ${mm.process} is exiting. The attach is refused and the domain freed.`,
      );
      return "attach_fail";
    }
    mm.users += 1;
    c.rec.say(
      `mmget_not_zero: ${mm.process}'s mm_users goes to ${mm.users}; release cannot run until the attach is done.`,
    );
    return undefined;
  }),
  mutexLock(ASID_LOCK),
  ...cdLeafSteps(devOf, pasidOf),
  ...writeEntrySteps("cd", "arm_smmu_write_cd_entry", "arm_smmu_sync_cd", {
    current: (c) => readCd(c.w, devOf(c), pasidOf(c)),
    target: (c) => svaCd(c.w, devOf(c), mmOf(c), asidOf(c), true),
    used: cdUsedBits,
    write: (c, words) => writeCdWords(c.w, devOf(c), pasidOf(c), words),
    sync,
    say: (c, i, n) =>
      `arm_smmu_write_entry, stage ${i} of ${n}: CD ${pasidOf(c)} ${i < n ? "gets its fields with V=0" : `goes live (V=1, ASID ${asidOf(c)}, ASET=1)`}.`,
  }),
  step("arm_smmu_attach_commit", (c) => {
    domainOf(c).fields.attached = true;
    c.rec.say(`{${c.op.device}, PASID ${pasidOf(c)}} joins the domain's device list.`);
    return undefined;
  }),
  ...issueCommands("arm_smmu_atc_inv_master", (c) => atcInv(devOf(c), pasidOf(c), 0, 0), {
    when: (c) => atsEnabled(c.w, devOf(c)) && !hasFault(c.w, "skip-atc-inv"),
  }),
  mutexUnlock(ASID_LOCK),
  mmputStep(),
  step("iommu_sva_bind_device", (c) => {
    const mm = mmOf(c);
    const handle = createObject(c.w, "bond", "iommu_sva", mm.process, c.op.device, {
      domain: local<number>(c, "domain"),
      pasid: pasidOf(c),
    });
    devOf(c).pasids[mm.process] = pasidOf(c);
    c.rec.say(`${objectName(handle)}: the device driver now programs PASID ${pasidOf(c)}.`);
    return "unlock";
  }),
  step("iommu_domain_free", () => call("drv:domain_free"), { label: "attach_fail" }),
  mutexUnlock(SVA_LOCK, "unlock"),
];

const unbind: Program<UnbindOp> = [
  // The device driver has stopped the device; faults it sent before must be handled first.
  flushFaultsStep(),
  mutexLock(SVA_LOCK),
  step("iommu_sva_unbind_device", (c) => {
    const handle = findLive(c.w, "bond", c.op.process, c.op.device);
    if (!handle) {
      c.rec.say(`${c.op.process} is not bound to ${c.op.device}: nothing to unbind.`);
      return "unlock";
    }
    setLocal(c, "handle", handle.id);
    setLocal(c, "domain", handle.fields.domain as number);
    setLocal(c, "mn", domainOf(c).fields.mn as number);
    if (!putRef(c, handle)) {
      c.rec.say(`The handle still has ${handle.refs} user(s).`);
      return "unlock";
    }
    c.rec.say("The last user of the handle: iommu_detach_device_pasid.");
    return undefined;
  }),
  mutexLock(ASID_LOCK),
  ...writeEntrySteps("clear", "arm_smmu_clear_cd", "arm_smmu_sync_cd", {
    current: (c) => readCd(c.w, devOf(c), pasidOf(c)),
    target: () => new Array(8).fill(0n),
    used: cdUsedBits,
    write: (c, words) => writeCdWords(c.w, devOf(c), pasidOf(c), words),
    sync,
    say: (c, i, n) =>
      `arm_smmu_clear_cd, stage ${i} of ${n}: CD ${pasidOf(c)} ${i === 1 ? "becomes invalid (V=0)" : "is zeroed"}.`,
  }),
  ...issueCommands("arm_smmu_atc_inv_master", (c) => atcInv(devOf(c), pasidOf(c), 0, 0), {
    when: (c) => atsEnabled(c.w, devOf(c)) && !hasFault(c.w, "skip-atc-inv"),
  }),
  mutexLock(DEVICES_LOCK),
  step("arm_smmu_remove_master_domain", (c) => {
    domainOf(c).fields.attached = false;
    c.rec.say(`{${c.op.device}, PASID ${pasidOf(c)}} leaves the domain's device list.`);
    return undefined;
  }),
  mutexUnlock(DEVICES_LOCK),
  mutexUnlock(ASID_LOCK),
  step("iommu_detach_device_pasid", (c) => {
    const d = domainOf(c);
    if (!putRef(c, d)) {
      c.rec.say(`The SVA domain still has ${d.refs} user(s).`);
      return undefined;
    }
    c.rec.say("The SVA domain's last user is gone: iommu_domain_free.");
    return call("drv:domain_free");
  }),
  step("iommu_sva_unbind_device", (c) => {
    free(c, obj(c, "handle"));
    c.rec.say("The iommu_sva handle is freed. The PASID stays with the mm until the mm is freed.");
    return undefined;
  }),
  mutexUnlock(SVA_LOCK, "unlock"),
];

/** arm_smmu_sva_domain_free: the ASID is invalidated before it can be reused. */
const domainFree: Program = [
  ...issueCommands("arm_smmu_tlb_inv_asid", (c) => tlbiAsid(asidOf(c)), {
    when: (c) => !hasFault(c.w, "skip-tlbi"),
  }),
  step("arm_smmu_sva_domain_free", (c) => {
    const d = domainOf(c);
    const mm = mmOf(c);
    delete c.w.kernel.asids[asidOf(c)];
    mmdrop(c, mm);
    if (d.state === "live") putRef(c, d); // the failed attach's only reference
    c.rec.say(
      `ASID ${asidOf(c)} is clean in the IOTLB and leaves arm_smmu_asid_xa; iommu_domain_free drops the domain's mm.`,
    );
    return undefined;
  }),
  step("mmu_notifier_put", (c) => {
    const mn = mnOf(c);
    const mm = mmOf(c);
    lifecycle(c, mn, "mn.put");
    mm.notifiers = mm.notifiers.filter((id) => id !== mn.id);
    if (hasFault(c.w, "free-notifier-now")) {
      freeNotifier(c, mn);
      c.rec.say(
        `Fault free-notifier-now: the domain and its notifier are freed at once, SRCU readers or not.`,
      );
    } else {
      callSrcu(c.w, mn.id, "arm_smmu_mmu_notifier_free");
      c.rec.say("mmu_notifier_put: the domain (with its notifier) is freed after an SRCU grace period.");
    }
    return undefined;
  }),
];

const mnDomain = (c: Ctx): KObject => c.w.kernel.objects[mnOf(c).fields.domain as number]!;

const release: Program = [
  step("arm_smmu_mm_release", (c) => {
    const mn = mnOf(c);
    lifecycle(c, mn, "mn.use");
    setLocal(c, "domain", mn.fields.domain as number);
    lifecycle(c, mnDomain(c), "obj.use");
    c.rec.say(
      "DMA may still be running: each attached PASID gets the release CD (valid, EPD0, faults silent).",
    );
    return undefined;
  }),
  mutexLock(DEVICES_LOCK),
  ...writeEntrySteps("rel", "arm_smmu_write_cd_entry", "arm_smmu_sync_cd", {
    current: (c) => readCd(c.w, devOf(c), pasidOf(c)),
    target: (c) => {
      const current = readCd(c.w, devOf(c), pasidOf(c));
      const attached = domainOf(c).fields.attached === true && !hasFault(c.w, "no-quiet-cd");
      return attached ? svaCd(c.w, devOf(c), null, asidOf(c), true) : current;
    },
    used: cdUsedBits,
    write: (c, words) => writeCdWords(c.w, devOf(c), pasidOf(c), words),
    sync,
    say: (c, i, n) =>
      `Release CD for PASID ${pasidOf(c)}, stage ${i} of ${n}${i === 1 ? ": EPD0=1, R=0" : ": TTB0 cleared"}.`,
  }),
  mutexUnlock(DEVICES_LOCK),
  ...issueCommands("arm_smmu_tlb_inv_asid", (c) => tlbiAsid(asidOf(c)), {
    when: (c) => !hasFault(c.w, "skip-tlbi"),
  }),
  ...issueCommands("arm_smmu_atc_inv_domain", (c) => atcInv(devOf(c), pasidOf(c), 0, 0), {
    when: (c) => atsEnabled(c.w, devOf(c)) && !hasFault(c.w, "skip-atc-inv"),
  }),
];

const invalidate: Program = [
  step("arm_smmu_mm_arch_invalidate_secondary_tlbs", (c) => {
    lifecycle(c, mnOf(c), "mn.invalidate");
    setLocal(c, "domain", mnOf(c).fields.domain as number);
    c.rec.say(
      `[0x${local<number>(c, "inv.start").toString(16)}, 0x${local<number>(c, "inv.end").toString(16)}) changed: the SVA domain's private ASID ${asidOf(c)} must be invalidated by command.`,
    );
    return undefined;
  }),
  ...issueCommands(
    "arm_smmu_tlb_inv_range_asid",
    (c) => tlbiRange(c.w, asidOf(c), local(c, "inv.start"), local(c, "inv.end")),
    { when: (c) => !hasFault(c.w, "skip-tlbi") },
  ),
  ...issueCommands(
    "arm_smmu_atc_inv_domain",
    (c) =>
      atcInv(
        devOf(c),
        pasidOf(c),
        local<number>(c, "inv.start"),
        local<number>(c, "inv.end") - local<number>(c, "inv.start"),
      ),
    { when: (c) => atsEnabled(c.w, devOf(c)) && !hasFault(c.w, "skip-atc-inv") },
  ),
];

/** arm_smmu_mmu_notifier_free: kfree of the domain with its notifier, and the notifier's mmdrop. */
const freeNotifier = (c: Ctx, mn: KObject): void =>
  freeNotifierAndMm(c, mn, [c.w.kernel.objects[mn.fields.domain as number]]);

export const svaDomain: Driver = {
  name: "sva-domain",
  era: "Linux 6.10+: IOMMU_DOMAIN_SVA per device with its own ASID, set_dev_pasid / remove_dev_pasid",
  servicesPri: false,
  bind,
  unbind,
  invalidate,
  release,
  freeNotifier,
  programs: { "drv:domain_free": domainFree },
};
