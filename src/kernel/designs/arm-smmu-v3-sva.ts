/**
 * The `arm-smmu-v3-sva` design (Linux v5.11–v6.9, drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3-sva.c):
 * a bond per {device, mm} with a refcount, an `arm_smmu_mmu_notifier` per {domain, mm}, a CD
 * shared with the CPU (the CPU's pinned ASID, ASET=0, TTB0 = the mm's pgd), `sva_lock`
 * serialising bind, unbind and release, and the `cleared` flag so that unbind after release
 * skips the invalidations release already did (reference §5.2, §5.4).
 *
 *   bind:    sva_lock → bond lookup → iommu_sva_alloc_pasid → arm_smmu_mmu_notifier_get
 *            (arm_smmu_alloc_shared_cd: mmgrab, pin ASID; arm_smmu_share_asid under
 *            arm_smmu_asid_lock: a private DMA domain holding the CPU's ASID moves to a fresh
 *            one, CD 0 rewritten + CFGI_CD+SYNC, TLBI_NH_ASID+SYNC of the old ASID;
 *            mmu_notifier_register) →
 *            arm_smmu_write_ctx_desc (dw1–3, CFGI_CD+SYNC, dw0 with V, CFGI_CD+SYNC) → bond
 *   unbind:  sva_lock → bond put → notifier put: CD dw0=0 + CFGI_CD+SYNC; unless cleared
 *            TLBI_NH_ASID+SYNC, ATC_INV+SYNC; mmu_notifier_put (SRCU); free shared CD →
 *            iommu_sva_free_pasid
 *   release: sva_lock → unless cleared: quiet CD (EPD0) + CFGI_CD+SYNC, TLBI_NH_ASID+SYNC,
 *            ATC_INV+SYNC, cleared = true
 *   invalidate_range: TLBI_NH_VA… +SYNC unless BTM, ATC_INV+SYNC
 *
 * What changes by release (scenario/releases.ts; the steps carry `since` / `until`):
 *   ≤v5.13 no master can enable SVA (arm_smmu_master_sva_supported demands IOPF, which
 *   arm_smmu_iopf_supported never grants: every bind fails; v5.11 also demanded BTM); ≤v5.17 the notifier's size is end − start + 1
 *   and unbind frees the PASID (mm->pasid = 0); ≤v5.18 the shared CD takes no mmgrab; v6.2–v6.9
 *   the core's SVA domain wraps the driver (iommu_attach_device_pasid → arm_smmu_sva_set_dev_pasid
 *   → __arm_smmu_sva_bind); v6.6+ the notifier is arch_invalidate_secondary_tlbs with the TLBI
 *   threshold; v6.8 the quiet CD clears S and R; v6.9 release writes arm_smmu_make_sva_cd(NULL).
 *
 * The shared CD (`struct arm_smmu_ctx_desc`) is a kernel object with its refcount (cd->refs, one
 * per notifier sharing it) and its kfree in arm_smmu_free_shared_cd: release and the notifier
 * read `smmu_mn->cd->asid`, and after the last unbind that is a read of freed memory.
 *
 * Left out: E2H (TLBI_EL2_*); several SIDs per master; the core's iommu_sva_lock (v6.2+).
 */

import { withField } from "../../engine/bits.ts";
import { CD_LAYOUT, cdUsedBits, makeQuietCd } from "../../engine/cd.ts";
import { kernelPart, ownDevice } from "../../engine/clone.ts";
import { PAGE_SIZE } from "../../engine/ids.ts";
import type { DeviceState, Draft, KObject, World } from "../../engine/world.ts";
import { findDevice } from "../../engine/world.ts";
import { type ChangeId, releaseHas } from "../../scenario/releases.ts";
import { checkAsidClean, checkCdOwner, checkPasidClean, checkPasidFreed } from "../checks.ts";
import { hasFault, issueCommands } from "../cmdq.ts";
import type { BindOp, Driver, UnbindOp } from "../driver.ts";
import { writeEntrySteps } from "../entry.ts";
import { flushFaultsStep } from "../iopf.ts";
import { type LockSpec, mutexLock, mutexUnlock } from "../locks.ts";
import { callerMmget, callerMmput, mmdrop, mmFor, mmOf, type NotifierLocals, pasidOfMm } from "../mm.ts";
import {
  asKind,
  callSrcu,
  createObject,
  free,
  get,
  kobject,
  lifecycle,
  mmEvent,
  mmgrab,
  objectAt,
  objectName,
  putRef,
} from "../objects.ts";
import {
  type Ctx,
  FP,
  type KernelCtx,
  locals,
  type MicroStep,
  NO_FP,
  type Program,
  step,
} from "../program.ts";
import {
  atcInv,
  atsEnabled,
  CMDQ_MAX_TLBI_OPS,
  cdLeafSteps,
  cdValid,
  cfgiCd,
  freeNotifierAndMm,
  lowestFree,
  readCd,
  svaCd,
  tlbiAsid,
  tlbiRangeAsid,
  writeCdWords,
} from "../smmu-ops.ts";

const SVA_LOCK: LockSpec = { name: "sva_lock", fault: "no-sva-lock" };
const ASID_LOCK: LockSpec = { name: "arm_smmu_asid_lock" };

const devOf = (c: Ctx): DeviceState => {
  const op = c.op as { device?: string };
  if (op.device) return findDevice(c.w, op.device);
  return findDevice(c.w, mnOf(c).device!);
};

// The design's objects as the model keeps them (KObject.fields, in this order).
/** struct arm_smmu_ctx_desc, the CD shared with the CPU: its ASID; whether it holds an mm_count. */
interface SharedCd {
  asid: number;
  grab: boolean;
}
/** struct arm_smmu_mmu_notifier: the shared CD's ASID, the PASID, the CD, release's `cleared`. */
interface SmmuMn {
  asid: number;
  pasid: number;
  cd: number;
  cleared: boolean;
}
/** struct arm_smmu_bond: its notifier and the PASID the device was given. */
interface Bond {
  mn: number;
  pasid: number | null;
}

/** What bind, unbind, release and invalidate keep between their steps. */
interface SvaLocals extends NotifierLocals {
  /** The PASID the path works on: mm->pasid, or the bond's. */
  pasid?: number | null;
  bond?: number;
  /** The shared CD, and whether arm_smmu_alloc_shared_cd took an mm_count for it. */
  cd?: number;
  "cd.grab"?: boolean;
  /** The CD's word 0 (hex) that unbind reads back. */
  "cd.val"?: string;
  /** arm_smmu_share_asid: the device whose DMA domain moved off the CPU's ASID, and that ASID. */
  "share.dev"?: string | null;
  "share.old"?: number;
  /** The invalidation's size (0: the whole address space). */
  "inv.size"?: number;
}

const { local, required, setLocal } = locals<SvaLocals>();

const mnOf = (c: Ctx): KObject<SmmuMn> => objectAt<SmmuMn>(c.w, required(c, "mn"), "notifier");
/** The same notifier, to be changed (the kernel taken for writing, clone.ts). */
const mnFor = (c: Ctx): Draft<KObject<SmmuMn>> => kobject<SmmuMn>(c.w, required(c, "mn"), "notifier");
const pasidOf = (c: Ctx): number => local(c, "pasid") ?? mnOf(c).fields.pasid;

const has = (c: Ctx, id: ChangeId): boolean => releaseHas(c.w.kernel.release, id);
/** The shared CD the notifier points at (smmu_mn->cd). */
const cdOf = (c: Ctx): KObject<SharedCd> => objectAt<SharedCd>(c.w, mnOf(c).fields.cd, "cd");
/** smmu_mn->cd->asid: a read of the shared CD, which may have been kfree'd. */
const cdAsid = (c: Ctx, fn: string): number => {
  const cd = cdOf(c);
  if (cd.state === "freed") {
    c.rec.violation(
      "use-after-free",
      `${c.t.name}'s ${fn} reads smmu_mn->cd->asid, but ${objectName(cd)} was kfree'd by arm_smmu_free_shared_cd.`,
    );
  } else lifecycle(c, kobject(c.w, cd.id), "obj.use");
  return cd.fields.asid;
};

const lockSva = (): MicroStep => mutexLock(SVA_LOCK);
const unlockSva = (label: string, before?: (c: Ctx) => void): MicroStep =>
  mutexUnlock(SVA_LOCK, label, before);

/** The live bond of {device, mm} on the master's list, if any. */
function findBond(w: World, process: string, device: string): KObject<Bond> | undefined {
  const bond = Object.values(w.kernel.objects).find(
    (o) => o.kind === "bond" && o.process === process && o.device === device && o.state === "live",
  );
  return bond && asKind<Bond>(bond, "bond");
}

function findNotifier(w: World, process: string, device: string): KObject<SmmuMn> | undefined {
  const mn = Object.values(w.kernel.objects).find(
    (o) =>
      o.kind === "notifier" &&
      o.process === process &&
      o.device === device &&
      (o.state === "registered" || o.state === "released"),
  );
  return mn && asKind<SmmuMn>(mn, "notifier");
}

/**
 * iommu_sva_alloc_pasid: ≤v5.17 (iommu-sva-lib.c) an ioasid refcounted per bond (ioasid_get for
 * an mm that has one); v5.18+ the mm keeps one PASID for its life, taken without a reference.
 * In ≤v6.1 __arm_smmu_sva_bind calls it under sva_lock; in v6.2+ the core calls it first.
 */
function allocPasid(c: Ctx): string | undefined {
  const mm = mmFor(c);
  const dev = devOf(c);
  const max = 2 ** dev.cdTable.s1cdmax - 1;
  const refcounted = !has(c, "pasid-mm-lifetime");
  if (mm.pasid !== null) {
    if (refcounted) kernelPart(c.w, "pasids")[mm.pasid]!.refs += 1;
    c.rec.say(
      refcounted
        ? `${mm.process} already has PASID ${mm.pasid} (mm->pasid): ioasid_get.`
        : `${mm.process} already has PASID ${mm.pasid} (mm->pasid); it stays until the mm is freed.`,
    );
  } else {
    const pasid = lowestFree(c.w.kernel.pasids, c.w.kernel.pasidBase, max);
    if (pasid === null) {
      c.rec.say(`No free PASID in [${c.w.kernel.pasidBase}, ${max}]: bind fails with -ENOSPC.`);
      return "unlock";
    }
    checkPasidClean(c, pasid, mm.process);
    kernelPart(c.w, "pasids")[pasid] = { owner: mm.process, refs: 1 };
    mm.pasid = pasid;
    c.rec.say(
      `PASID ${pasid} is allocated for ${mm.process} (ioasid_alloc in [${c.w.kernel.pasidBase}, ${max}]) and kept in mm->pasid${refcounted ? "" : " until __mmdrop"}.`,
    );
  }
  setLocal(c, "pasid", mm.pasid);
  return undefined;
}

const bind: Program<BindOp> = [
  callerMmget("iommu_sva_bind_device"),
  step(
    "arm_smmu_master_sva_supported",
    (c) => {
      c.rec.say(
        'Before v5.14 arm_smmu_master_sva_supported requires I/O page faults ("SSID and IOPF support are mandatory for the moment") and arm_smmu_iopf_supported always says no: the device driver could not enable IOMMU_DEV_FEAT_SVA, master->sva_enabled is false, and __arm_smmu_sva_bind fails with -ENODEV. No SMMUv3 master can bind an mm in this release.',
      );
      return "unlock.caller";
    },
    { until: "sva-without-iopf" },
  ),
  step("iommu_sva_alloc_pasid", (c) => (allocPasid(c) === undefined ? undefined : "unlock.caller"), {
    since: "sva-domain-core",
  }),
  step(
    "iommu_attach_device_pasid",
    (c) => {
      c.rec.say(
        `iommu_sva_domain_alloc makes an IOMMU_DOMAIN_SVA domain for {${c.op.device}, ${c.op.process}}; iommu_attach_device_pasid calls the driver's set_dev_pasid, arm_smmu_sva_set_dev_pasid, which takes sva_lock and calls __arm_smmu_sva_bind.`,
      );
      return undefined;
    },
    { since: "sva-domain-core", local: true },
  ),
  step(
    "arm_smmu_sva_bind",
    (c) => {
      c.rec.say(`iommu_sva_bind_device calls the driver's sva_bind op: arm_smmu_sva_bind takes sva_lock.`);
      return undefined;
    },
    { until: "sva-domain-core", local: true },
  ),
  lockSva(),
  step("__arm_smmu_sva_bind", (c) => {
    const mm = mmOf(c);
    const bond = findBond(c.w, mm.process, c.op.device);
    if (bond) {
      get(c, kobject(c.w, bond.id));
      c.rec.say(`${objectName(bond)} already exists: its refcount goes to ${bond.refs}.`);
      return "unlock";
    }
    c.rec.say(`No bond for {${c.op.device}, ${mm.process}} yet: a new one is prepared.`);
    return undefined;
  }),
  step("iommu_sva_alloc_pasid", (c) => allocPasid(c), { until: "sva-domain-core" }),
  step("arm_smmu_mmu_notifier_get", (c) => {
    const mm = mmOf(c);
    const found = findNotifier(c.w, mm.process, c.op.device);
    const mn = found && kobject(c.w, found.id);
    if (mn) {
      mn.refs += 1;
      lifecycle(c, mn, "mn.get");
      setLocal(c, "mn", mn.id);
      c.rec.say(`${objectName(mn)} exists for this domain and mm: refs ${mn.refs}.`);
      return "bond";
    }
    c.rec.say(
      `No notifier for {${c.op.device}'s domain, ${mm.process}} yet: the shared CD and a notifier are created.`,
    );
    return undefined;
  }),
  step("arm_smmu_alloc_shared_cd", (c) => {
    const mm = mmFor(c);
    const grab = has(c, "shared-cd-mmgrab");
    if (grab) mmgrab(c, mm);
    mm.asidPins += 1;
    setLocal(c, "cd.grab", grab);
    c.rec.say(
      `${grab ? `mmgrab(${mm.process}) ("Don't free the mm until we release the ASID"); ` : "No mmgrab: the CD will reach the mm through cd->mm without holding it (before v5.19); "}arm64_mm_context_get pins the CPU ASID ${mm.cpuAsid} so it survives rollover: the SMMU will tag this PASID's TLB entries with the same ASID.`,
    );
    return undefined;
  }),
  mutexLock(ASID_LOCK),
  step("arm_smmu_share_asid", (c) => {
    const mm = mmFor(c);
    const asid = mm.cpuAsid;
    const slot = c.w.kernel.asids[asid];
    setLocal(c, "share.dev", null);
    if (!slot) {
      c.rec.say(`ASID ${asid} is not in arm_smmu_asid_xa: nothing to share.`);
      return undefined;
    }
    if (slot.owner === `mm:${mm.process}`) {
      const cd = kobject<SharedCd>(c.w, slot.cd!, "cd");
      get(c, cd);
      setLocal(c, "cd", cd.id);
      // The caller's fresh CD is kfree'd, its pin and its mmgrab undone (out_free_cd).
      mm.asidPins -= 1;
      if (required(c, "cd.grab")) mmdrop(c, mm);
      c.rec.say(
        `ASID ${asid} is already ${objectName(cd)}: all devices bound to this mm share it, refcount ${cd.refs}; the CD just allocated is freed again.`,
      );
      return "asid.unlock";
    }
    const dev = c.w.devices.find((d) => slot.owner === `dma:${d.name}`);
    if (!dev) {
      c.rec.say(`ASID ${asid} belongs to ${slot.owner}: -EINVAL.`);
      return "asid.unlock";
    }
    const fresh = lowestFree(c.w.kernel.asids, 1, 2 ** c.w.smmu.asidBits - 1)!;
    kernelPart(c.w, "asids")[fresh] = { owner: slot.owner, refs: 1 };
    ownDevice(c.w, dev).dmaAsid = fresh;
    setLocal(c, "share.dev", dev.name);
    setLocal(c, "share.old", asid);
    c.rec.say(
      `ASID ${asid} is taken by ${dev.name}'s private DMA domain: it moves to ASID ${fresh}, so that the SMMU can use the CPU's ASID for ${mm.process}. Until the TLBI below, both ASIDs may tag the domain's traffic.`,
    );
    return undefined;
  }),
  step(
    "arm_smmu_write_ctx_desc",
    (c) => {
      const dev = findDevice(c.w, required(c, "share.dev"));
      const cd0 = readCd(c.w, dev, 0);
      writeCdWords(c.w, dev, 0, withField(cd0, CD_LAYOUT.fields.ASID, dev.dmaAsid), 0, 1);
      c.rec.say(
        `CD 0 of ${dev.name} (its DMA domain) gets ASID ${dev.dmaAsid} in place: one 64-bit write, hitless.`,
      );
      return undefined;
    },
    { when: (c) => local(c, "share.dev") !== null },
  ),
  ...issueCommands("arm_smmu_sync_cd", (c) => cfgiCd(findDevice(c.w, required(c, "share.dev")), 0), {
    when: (c) => local(c, "share.dev") !== null,
    fp: NO_FP,
  }),
  ...issueCommands("arm_smmu_tlb_inv_asid", (c) => tlbiAsid(required(c, "share.old")), {
    when: (c) => local(c, "share.dev") !== null && !hasFault(c.w, "skip-tlbi"),
    fp: NO_FP,
  }),
  step("xa_insert(&arm_smmu_asid_xa)", (c) => {
    const mm = mmOf(c);
    checkAsidClean(c, mm.cpuAsid, `${mm.process}'s shared CD`);
    const cd = createObject<SharedCd>(c.w, "cd", "arm_smmu_ctx_desc", mm.process, null, {
      asid: mm.cpuAsid,
      grab: required(c, "cd.grab"),
    });
    kernelPart(c.w, "asids")[mm.cpuAsid] = { owner: `mm:${mm.process}`, refs: 1, cd: cd.id };
    setLocal(c, "cd", cd.id);
    c.rec.say(
      `${objectName(cd)} (refs 1) is kept in arm_smmu_asid_xa at ASID ${mm.cpuAsid}: TTB0 = ${mm.process}'s pgd, MAIR_EL1, cd->mm = ${mm.process}.`,
    );
    return undefined;
  }),
  mutexUnlock(ASID_LOCK, "asid.unlock"),
  step("mmu_notifier_register", (c) => {
    const mm = mmFor(c);
    const mn = createObject<SmmuMn>(c.w, "notifier", "arm_smmu_mmu_notifier", mm.process, c.op.device, {
      asid: mm.cpuAsid,
      pasid: required(c, "pasid"),
      cd: required(c, "cd"),
      cleared: false,
    });
    mm.notifiers.push(mn.id);
    mmgrab(c, mm);
    setLocal(c, "mn", mn.id);
    c.rec.say(
      `${objectName(mn)} is registered on ${mm.process}'s mm (with its own mmgrab): from now on munmap and exit call it.`,
    );
    return undefined;
  }),
  ...cdLeafSteps(devOf, pasidOf),
  step("arm_smmu_write_ctx_desc", (c) => {
    const mm = mmOf(c);
    const cd = svaCd(c.w, devOf(c), mm, mm.cpuAsid, false);
    writeCdWords(c.w, devOf(c), pasidOf(c), cd, 1, 8);
    c.rec.say(
      `CD ${pasidOf(c)} of ${devOf(c).name}: TTB0 = ${mm.process}'s pgd (0x${mm.pgd.toString(16)}) and MAIR are written first, V still 0: the SMMU may read the CD's words in any order.`,
    );
    return undefined;
  }),
  ...issueCommands("arm_smmu_sync_cd", (c) => cfgiCd(devOf(c), pasidOf(c))),
  step("arm_smmu_write_ctx_desc", (c) => {
    const mm = mmOf(c);
    writeCdWords(c.w, devOf(c), pasidOf(c), svaCd(c.w, devOf(c), mm, mm.cpuAsid, false), 0, 1);
    c.rec.say(`Word 0 with V=1, ASID ${mm.cpuAsid}, ASET=0 (shared with the CPU): the CD goes live.`);
    return undefined;
  }),
  ...issueCommands("arm_smmu_sync_cd", (c) => cfgiCd(devOf(c), pasidOf(c))),
  step(
    "list_add(&bond->list, &master->bonds)",
    (c) => {
      const mm = mmOf(c);
      const bond = createObject<Bond>(c.w, "bond", "arm_smmu_bond", mm.process, c.op.device, {
        mn: required(c, "mn"),
        pasid: mm.pasid,
      });
      ownDevice(c.w, devOf(c)).pasids[mm.process] = pasidOfMm(mm);
      c.rec.say(
        `${objectName(bond)} is on the master's list; the device driver now programs PASID ${mm.pasid}.`,
      );
      return undefined;
    },
    { label: "bond" },
  ),
  unlockSva("unlock"),
  { ...callerMmput(), label: "unlock.caller" },
];

/**
 * arm_smmu_mmu_notifier_put's invalidations (and release's): TLBI by ASID, ATC_INV of the PASID.
 * `skipReads`: what `skip` reads (their `when`s read no more, but the constant faults and ATS).
 */
function invalidateAll(skip: (c: Ctx) => boolean, fn: string, skipReads: number): MicroStep[] {
  const fp = { r: skipReads, w: 0 };
  return [
    ...issueCommands("arm_smmu_tlb_inv_asid", (c) => tlbiAsid(cdAsid(c, fn)), {
      when: (c) => !skip(c) && !hasFault(c.w, "skip-tlbi"),
      fp,
    }),
    ...issueCommands("arm_smmu_atc_inv_domain", (c) => atcInv(devOf(c), pasidOf(c), 0, 0), {
      when: (c) => !skip(c) && atsEnabled(c.w, devOf(c)) && !hasFault(c.w, "skip-atc-inv"),
      fp,
    }),
  ];
}

const cleared = (c: Ctx): boolean => mnOf(c).fields.cleared === true;

const unbind: Program<UnbindOp> = [
  // The device driver has stopped the device; faults it sent before must be handled first.
  flushFaultsStep(),
  step(
    "iommu_detach_device_pasid",
    (c) => {
      c.rec.say(
        "iommu_sva_unbind_device detaches the SVA domain: iommu_detach_device_pasid calls arm_smmu_remove_dev_pasid, then arm_smmu_sva_remove_dev_pasid, which takes sva_lock.",
      );
      return undefined;
    },
    { since: "sva-domain-core", local: true },
  ),
  lockSva(),
  step("arm_smmu_sva_unbind", (c) => {
    const found = findBond(c.w, c.op.process, c.op.device);
    const bond = found && kobject<Bond>(c.w, found.id, "bond");
    if (!bond) {
      c.rec.say(`${c.op.process} is not bound to ${c.op.device}: nothing to unbind.`);
      return "unlock";
    }
    setLocal(c, "bond", bond.id);
    setLocal(c, "mn", bond.fields.mn);
    setLocal(c, "pasid", bond.fields.pasid);
    if (!putRef(c, bond)) {
      c.rec.say(`${objectName(bond)} still has ${bond.refs} reference(s).`);
      return "unlock";
    }
    c.rec.say(`The last reference to ${objectName(bond)} is gone: list_del, then the notifier is put.`);
    return undefined;
  }),
  step("arm_smmu_mmu_notifier_put", (c) => {
    const mn = mnFor(c);
    lifecycle(c, mn, "mn.use");
    if (!putRef(c, mn)) {
      c.rec.say(`${objectName(mn)} still has ${mn.refs} user(s).`);
      return "free_pasid";
    }
    c.rec.say(
      `${objectName(mn)} has no users left: the CD is cleared${cleared(c) ? "; release already invalidated the TLB and ATC (cleared), so those are skipped" : ", then the ASID and the PASID's ATC entries are invalidated"}.`,
    );
    return undefined;
  }),
  step("arm_smmu_write_ctx_desc", (c) => {
    writeCdWords(c.w, devOf(c), pasidOf(c), [0n], 0, 1);
    c.rec.say(`CD ${pasidOf(c)} word 0 is set to 0 (V=0): DMA on this PASID now raises C_BAD_CD.`);
    return undefined;
  }),
  ...issueCommands("arm_smmu_sync_cd", (c) => cfgiCd(devOf(c), pasidOf(c))),
  ...invalidateAll(cleared, "arm_smmu_mmu_notifier_put", FP.CLEARED),
  step("mmu_notifier_put", (c) => {
    const mn = mnFor(c);
    const mm = mmFor(c);
    lifecycle(c, mn, "mn.put");
    mm.notifiers = mm.notifiers.filter((id) => id !== mn.id);
    if (hasFault(c.w, "free-notifier-now")) {
      freeNotifier(c, mn);
      c.rec.say(`Fault free-notifier-now: ${objectName(mn)} is freed at once, SRCU readers or not.`);
    } else {
      callSrcu(c.w, mn.id, "arm_smmu_mmu_notifier_free");
      c.rec.say(
        `${objectName(mn)} is unhooked; call_srcu defers its kfree until every SRCU reader has left.`,
      );
    }
    return undefined;
  }),
  // From here on unbind touches no notifier list, no SRCU, no `cleared` (rest: NO_FP): the
  // shared CD, the ASID and PASID tables, the mm's counts, the bond, sva_lock.
  step(
    "arm_smmu_free_shared_cd",
    (c) => {
      const mm = mmFor(c);
      // The bond's notifier may be freed already (the SRCU callback ran): the CD pointer was
      // read into a local before mmu_notifier_put, as the kernel does.
      const cd = kobject<SharedCd>(c.w, mnOf(c).fields.cd, "cd");
      if (!putRef(c, cd)) {
        c.rec.say(`${objectName(cd)} is still shared by ${cd.refs} notifier(s).`);
        return undefined;
      }
      delete kernelPart(c.w, "asids")[cd.fields.asid];
      c.rec.say(
        `ASID ${cd.fields.asid} leaves arm_smmu_asid_xa; arm64_mm_context_put(cd->mm) unpins it${cd.fields.grab === true ? "; mmdrop" : " (no mm_count of its own before v5.19)"}; ${objectName(cd)} is kfree'd.`,
      );
      // arm64_mm_context_put(cd->mm): a touch of the mm, which only the v5.19 mmgrab keeps alive.
      if (mmEvent(c, mm, "mm.use")) mm.asidPins -= 1;
      if (cd.fields.grab === true) mmdrop(c, mm);
      free(c, cd);
      return undefined;
    },
    { rest: NO_FP },
  ),
  step(
    "iommu_sva_free_pasid",
    (c) => {
      const mm = mmFor(c);
      const pasid = required(c, "pasid");
      const slot = kernelPart(c.w, "pasids")[pasid];
      if (slot) {
        slot.refs -= 1;
        if (slot.refs <= 0) {
          checkPasidFreed(c, pasid, "iommu_sva_free_pasid");
          delete kernelPart(c.w, "pasids")[pasid];
          if (mm.pasid === pasid) mm.pasid = null;
          c.rec.say(`PASID ${pasid} is freed (ioasid_put) and mm->pasid set to 0.`);
        } else c.rec.say(`PASID ${pasid} keeps ${slot.refs} reference(s).`);
      }
      return undefined;
    },
    { label: "free_pasid", until: "pasid-mm-lifetime", rest: NO_FP },
  ),
  step(
    "kfree(bond)",
    (c) => {
      const bond = kobject<Bond>(c.w, required(c, "bond"), "bond");
      free(c, bond);
      c.rec.say(`${objectName(bond)} is kfree'd.`);
      return undefined;
    },
    { rest: NO_FP },
  ),
  { ...unlockSva("unlock"), rest: NO_FP },
];

/** The quiet CD of ≤v6.8: the live word 0 read, then written back with EPD0 (v6.8: S, R cleared). */
const quietCdSteps: Program = [
  step(
    "arm_smmu_write_ctx_desc",
    (c) => {
      const dw0 = readCd(c.w, devOf(c), pasidOf(c))[0]!;
      setLocal(c, "cd.val", `0x${dw0.toString(16)}`);
      c.rec.say(`val = CD ${pasidOf(c)} word 0 (0x${dw0.toString(16)}); the quiet CD is val | EPD0.`);
      return undefined;
    },
    { until: "make-sva-cd", when: (c) => !hasFault(c.w, "no-quiet-cd") },
  ),
  step(
    "WRITE_ONCE(cdptr[0], val)",
    (c) => {
      const val = BigInt(required(c, "cd.val"));
      const era = has(c, "quiet-cd-no-stall") ? "clear-s-r" : "keep-r";
      const quiet = makeQuietCd([val], era)[0]!;
      checkCdOwner(c, devOf(c), pasidOf(c), mnOf(c).fields.pasid, "arm_smmu_mm_release");
      writeCdWords(c.w, devOf(c), pasidOf(c), [quiet], 0, 1);
      c.rec.say(
        cdValid([quiet])
          ? `CD ${pasidOf(c)} gets EPD0=1 (quiet_cd): V stays 1, ${era === "keep-r" ? "R stays 1, so stray DMA takes a recorded F_TRANSLATION" : "S and R are cleared (v6.8), so stray DMA is terminated silently"}.`
          : `CD ${pasidOf(c)} was not valid: EPD0 is set on an invalid CD.`,
      );
      return undefined;
    },
    { until: "make-sva-cd", when: (c) => !hasFault(c.w, "no-quiet-cd") },
  ),
  ...issueCommands("arm_smmu_sync_cd", (c) => cfgiCd(devOf(c), pasidOf(c)), {
    when: (c) => !has(c, "make-sva-cd") && !hasFault(c.w, "no-quiet-cd"),
  }),
];

/** v6.9: arm_smmu_make_sva_cd(NULL) with smmu_mn->cd->asid, written by the hitless writer. */
const releaseCdSteps: Program = writeEntrySteps("rel", "arm_smmu_write_cd_entry", "arm_smmu_sync_cd", {
  current: (c) => readCd(c.w, devOf(c), pasidOf(c)),
  target: (c) => {
    if (!has(c, "make-sva-cd") || hasFault(c.w, "no-quiet-cd")) return readCd(c.w, devOf(c), pasidOf(c));
    checkCdOwner(c, devOf(c), pasidOf(c), mnOf(c).fields.pasid, "arm_smmu_mm_release");
    return svaCd(c.w, devOf(c), null, cdAsid(c, "arm_smmu_make_sva_cd"), false);
  },
  used: cdUsedBits,
  write: (c, words) => writeCdWords(c.w, devOf(c), pasidOf(c), words),
  sync: (c) => cfgiCd(devOf(c), pasidOf(c)),
  say: (c, i, n) =>
    `Release CD (arm_smmu_make_sva_cd with no mm) for PASID ${pasidOf(c)}, stage ${i} of ${n}: valid, EPD0=1, no TTB0.`,
});

const release: Program = [
  lockSva(),
  step("arm_smmu_mm_release", (c) => {
    const mn = mnFor(c);
    lifecycle(c, mn, "mn.use");
    if (mn.fields.cleared === true) {
      c.rec.say(`${objectName(mn)} is already cleared: nothing to do.`);
      return "rel.unlock";
    }
    // The kernel reads mm->pasid here, not a copy kept in the notifier.
    const pasid = mmOf(c).pasid ?? 0;
    setLocal(c, "pasid", pasid);
    const own = mn.fields.pasid;
    c.rec.say(
      pasid === 0
        ? `mm->pasid is already 0 (unbind freed PASID ${own}): the quiet CD lands on SSID 0, the device's DMA-API context, and the ATC_INV goes out with SSV=0.`
        : `cleared is false: DMA may still be running, so keep the CD valid to avoid C_BAD_CD events, but disable translation (the quiet CD).`,
    );
    return undefined;
  }),
  ...quietCdSteps,
  ...releaseCdSteps,
  ...invalidateAll(() => false, "arm_smmu_mm_release", 0),
  unlockSva("rel.unlock", (c) => {
    const mn = mnFor(c);
    mn.fields.cleared = true;
    lifecycle(c, mn, "mn.release");
  }),
];

/**
 * The notifier's size for [start, end): ≤v5.17 `end - start + 1` (the notifier's end taken as
 * inclusive); v6.6+ 0 (everything) at CMDQ_MAX_TLBI_OPS pages or more without RIL.
 */
function notifierSize(c: Ctx, start: number, end: number): number {
  let size = has(c, "invalidate-size-exclusive") ? end - start : end - start + 1;
  if (has(c, "tlbi-threshold") && !c.w.smmu.features.ril && size >= CMDQ_MAX_TLBI_OPS * PAGE_SIZE) size = 0;
  return size;
}

const invName = (c: Ctx): string =>
  has(c, "secondary-tlb-arch")
    ? "arm_smmu_mm_arch_invalidate_secondary_tlbs"
    : "arm_smmu_mm_invalidate_range";

/** The notifier's entry: the range, its size, what the SMMU needs (shared by both names). */
const invalidateEntry = (c: Ctx): undefined => {
  const mn = mnFor(c);
  lifecycle(c, mn, "mn.invalidate");
  const start = required(c, "inv.start");
  const end = required(c, "inv.end");
  const size = notifierSize(c, start, end);
  setLocal(c, "inv.size", size);
  setLocal(c, "pasid", mmOf(c).pasid ?? 0);
  const btm = c.w.smmu.features.btm;
  c.rec.say(
    `${invName(c)} for ${objectName(mn)}: [0x${start.toString(16)}, 0x${end.toString(16)}) changed, size ${size === 0 ? "0 (the whole address space: too many pages for one TLBI each)" : `0x${size.toString(16)}${has(c, "invalidate-size-exclusive") ? "" : " (end − start + 1: one byte more than the range)"}`}. ${btm ? "The SMMU has BTM: the CPU's broadcast TLBI already reached it, so no TLBI command." : "No BTM: the driver must send TLBI commands."}`,
  );
  return undefined;
};

const invalidate: Program = [
  // ≤v6.5 the notifier op is invalidate_range; v6.6 renamed it (6bbd42e2df8f).
  step("arm_smmu_mm_invalidate_range", invalidateEntry, { until: "secondary-tlb-arch" }),
  step("arm_smmu_mm_arch_invalidate_secondary_tlbs", invalidateEntry, { since: "secondary-tlb-arch" }),
  ...issueCommands(
    "arm_smmu_tlb_inv_range_asid",
    (c) => {
      const start = required(c, "inv.start");
      return tlbiRangeAsid(c, cdAsid(c, invName(c)), start, required(c, "inv.size"));
    },
    {
      when: (c) => !c.w.smmu.features.btm && required(c, "inv.size") !== 0 && !hasFault(c.w, "skip-tlbi"),
      fp: NO_FP,
    },
  ),
  ...issueCommands("arm_smmu_tlb_inv_asid", (c) => tlbiAsid(cdAsid(c, invName(c))), {
    when: (c) => !c.w.smmu.features.btm && required(c, "inv.size") === 0 && !hasFault(c.w, "skip-tlbi"),
    fp: NO_FP,
  }),
  ...issueCommands(
    "arm_smmu_atc_inv_domain",
    (c) => atcInv(devOf(c), pasidOf(c), required(c, "inv.start"), required(c, "inv.size")),
    { when: (c) => atsEnabled(c.w, devOf(c)) && !hasFault(c.w, "skip-atc-inv"), fp: NO_FP },
  ),
];

/** arm_smmu_mmu_notifier_free via mmu_notifier_free_rcu: kfree and the notifier's mmdrop. */
const freeNotifier = (c: KernelCtx, mn: Draft<KObject<unknown>>): void => freeNotifierAndMm(c, mn);

export const armSmmuV3Sva: Driver = {
  name: "arm-smmu-v3-sva",
  era: "Linux v5.11–v6.9: shared CD, arm_smmu_mmu_notifier, quiet CD, cleared flag",
  servicesPri: false,
  bind,
  unbind,
  invalidate,
  release,
  freeNotifier,
};
