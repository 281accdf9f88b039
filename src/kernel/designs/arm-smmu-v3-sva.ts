/**
 * The `arm-smmu-v3-sva` design (Linux ≈5.11–6.1, drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3-sva.c):
 * a bond per {device, mm} with a refcount, an `arm_smmu_mmu_notifier` per {domain, mm}, a CD
 * shared with the CPU (the CPU's pinned ASID, ASET=0, TTB0 = the mm's pgd), `sva_lock`
 * serialising bind, unbind and release, and the `cleared` flag so that unbind after release
 * skips the invalidations release already did (reference §5.2, §5.4).
 *
 *   bind:    sva_lock → bond lookup → iommu_sva_alloc_pasid → arm_smmu_mmu_notifier_get
 *            (arm_smmu_alloc_shared_cd: mmgrab, pin ASID; mmu_notifier_register) →
 *            arm_smmu_write_ctx_desc (dw1–3, CFGI_CD+SYNC, dw0 with V, CFGI_CD+SYNC) → bond
 *   unbind:  sva_lock → bond put → notifier put: CD dw0=0 + CFGI_CD+SYNC; unless cleared
 *            TLBI_NH_ASID+SYNC, ATC_INV+SYNC; mmu_notifier_put (SRCU); free shared CD →
 *            iommu_sva_free_pasid
 *   release: sva_lock → unless cleared: quiet CD (EPD0) + CFGI_CD+SYNC, TLBI_NH_ASID+SYNC,
 *            ATC_INV+SYNC, cleared = true
 *   invalidate_range: TLBI_NH_VA… +SYNC unless BTM, ATC_INV+SYNC
 *
 * Left out: ASID sharing with a private domain (arm_smmu_share_asid reassigning the domain's
 * ASID) is reported but not performed; stall/IOPF; E2H (TLBI_EL2_*).
 */

import { withField } from "../../engine/bits.ts";
import { CD_LAYOUT, makeQuietCd } from "../../engine/cd.ts";
import type { DeviceState, KObject, World } from "../../engine/world.ts";
import { findDevice } from "../../engine/world.ts";
import { checkAsidClean, checkPasidClean } from "../checks.ts";
import { hasFault, issueCommands } from "../cmdq.ts";
import type { BindOp, Driver, UnbindOp } from "../driver.ts";
import { flushFaultsStep } from "../iopf.ts";
import { type LockSpec, mutexLock, mutexUnlock } from "../locks.ts";
import { mmdrop, mmOf } from "../mm.ts";
import { callSrcu, createObject, free, get, lifecycle, mmgrab, objectName, putRef } from "../objects.ts";
import { type Ctx, local, type MicroStep, type Program, setLocal, step } from "../program.ts";
import {
  atcInv,
  atsEnabled,
  cdLeafSteps,
  cdValid,
  cfgiCd,
  freeNotifierAndMm,
  lowestFree,
  readCd,
  svaCd,
  tlbiAsid,
  tlbiRange,
  writeCdWords,
} from "../smmu-ops.ts";

const SVA_LOCK: LockSpec = { name: "sva_lock", fault: "no-sva-lock" };
const ASID_LOCK: LockSpec = { name: "arm_smmu_asid_lock" };

const devOf = (c: Ctx): DeviceState => {
  const op = c.op as { device?: string };
  if (op.device) return findDevice(c.w, op.device);
  return findDevice(c.w, mnOf(c).device!);
};
const obj = (c: Ctx, name: string): KObject => c.w.kernel.objects[local<number>(c, name)]!;
const mnOf = (c: Ctx): KObject => obj(c, "mn");
const pasidOf = (c: Ctx): number => local<number>(c, "pasid") ?? (mnOf(c).fields.pasid as number);

const lockSva = (): MicroStep => mutexLock(SVA_LOCK);
const unlockSva = (label: string, before?: (c: Ctx) => void): MicroStep =>
  mutexUnlock(SVA_LOCK, label, before);

/** The live bond of {device, mm} on the master's list, if any. */
function findBond(w: World, process: string, device: string): KObject | undefined {
  return Object.values(w.kernel.objects).find(
    (o) => o.kind === "bond" && o.process === process && o.device === device && o.state === "live",
  );
}

function findNotifier(w: World, process: string, device: string): KObject | undefined {
  return Object.values(w.kernel.objects).find(
    (o) =>
      o.kind === "notifier" &&
      o.process === process &&
      o.device === device &&
      (o.state === "registered" || o.state === "released"),
  );
}

const bind: Program<BindOp> = [
  lockSva(),
  step("__arm_smmu_sva_bind", (c) => {
    const mm = mmOf(c);
    const bond = findBond(c.w, mm.process, c.op.device);
    if (bond) {
      get(c, bond);
      c.rec.say(`${objectName(bond)} already exists: its refcount goes to ${bond.refs}.`);
      return "unlock";
    }
    if (mm.state !== "live") {
      c.rec.say(`${mm.process} is exiting: there is no mm to bind (-ESRCH).`);
      return "unlock";
    }
    c.rec.say(`No bond for {${c.op.device}, ${mm.process}} yet: a new one is prepared.`);
    return undefined;
  }),
  step("iommu_sva_alloc_pasid", (c) => {
    const mm = mmOf(c);
    const dev = devOf(c);
    const max = 2 ** dev.cdTable.s1cdmax - 1;
    if (mm.pasid !== null) {
      c.w.kernel.pasids[mm.pasid]!.refs += 1;
      c.rec.say(`${mm.process} already has PASID ${mm.pasid} (mm->pasid): ioasid_get.`);
    } else {
      const pasid = lowestFree(c.w.kernel.pasids, c.w.kernel.pasidBase, max);
      if (pasid === null) {
        c.rec.say(`No free PASID in [${c.w.kernel.pasidBase}, ${max}]: bind fails with -ENOSPC.`);
        return "unlock";
      }
      checkPasidClean(c, pasid, mm.process);
      c.w.kernel.pasids[pasid] = { owner: mm.process, refs: 1 };
      mm.pasid = pasid;
      c.rec.say(
        `PASID ${pasid} is allocated for ${mm.process} (ioasid_alloc in [${c.w.kernel.pasidBase}, ${max}]) and kept in mm->pasid.`,
      );
    }
    setLocal(c, "pasid", mm.pasid);
    return undefined;
  }),
  step("arm_smmu_mmu_notifier_get", (c) => {
    const mm = mmOf(c);
    const mn = findNotifier(c.w, mm.process, c.op.device);
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
    const mm = mmOf(c);
    mmgrab(c, mm);
    mm.asidPins += 1;
    c.rec.say(
      `mmgrab(${mm.process}); arm64_mm_context_get pins the CPU ASID ${mm.cpuAsid} so it survives rollover: the SMMU will tag this PASID's TLB entries with the same ASID.`,
    );
    return undefined;
  }),
  mutexLock(ASID_LOCK),
  step("arm_smmu_share_asid", (c) => {
    const mm = mmOf(c);
    const asid = mm.cpuAsid;
    const slot = c.w.kernel.asids[asid];
    setLocal(c, "share.dev", null);
    if (!slot) {
      c.rec.say(`ASID ${asid} is not in arm_smmu_asid_xa: nothing to share.`);
      return undefined;
    }
    if (slot.owner === `mm:${mm.process}`) {
      slot.refs += 1;
      c.rec.say(`ASID ${asid} is already ${mm.process}'s shared CD: refcount ${slot.refs}.`);
      return "asid.unlock";
    }
    const dev = c.w.devices.find((d) => slot.owner === `dma:${d.name}`);
    if (!dev) {
      c.rec.say(`ASID ${asid} belongs to ${slot.owner}: -EINVAL.`);
      return "asid.unlock";
    }
    const fresh = lowestFree(c.w.kernel.asids, 1, 2 ** c.w.smmu.asidBits - 1)!;
    c.w.kernel.asids[fresh] = { owner: slot.owner, refs: 1 };
    dev.dmaAsid = fresh;
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
      const dev = findDevice(c.w, local<string>(c, "share.dev"));
      const cd0 = readCd(c.w, dev, 0);
      writeCdWords(c.w, dev, 0, withField(cd0, CD_LAYOUT.fields.ASID, dev.dmaAsid), 0, 1);
      c.rec.say(
        `CD 0 of ${dev.name} (its DMA domain) gets ASID ${dev.dmaAsid} in place: one 64-bit write, hitless.`,
      );
      return undefined;
    },
    { when: (c) => local<string | null>(c, "share.dev") !== null },
  ),
  ...issueCommands("arm_smmu_sync_cd", (c) => cfgiCd(findDevice(c.w, local<string>(c, "share.dev")), 0), {
    when: (c) => local<string | null>(c, "share.dev") !== null,
  }),
  ...issueCommands("arm_smmu_tlb_inv_asid", (c) => tlbiAsid(local<number>(c, "share.old")), {
    when: (c) => local<string | null>(c, "share.dev") !== null && !hasFault(c.w, "skip-tlbi"),
  }),
  step("xa_insert(&arm_smmu_asid_xa)", (c) => {
    const mm = mmOf(c);
    checkAsidClean(c, mm.cpuAsid, `${mm.process}'s shared CD`);
    c.w.kernel.asids[mm.cpuAsid] = { owner: `mm:${mm.process}`, refs: 1 };
    c.rec.say(`ASID ${mm.cpuAsid} now names ${mm.process}'s address space in arm_smmu_asid_xa.`);
    return undefined;
  }),
  mutexUnlock(ASID_LOCK, "asid.unlock"),
  step("mmu_notifier_register", (c) => {
    const mm = mmOf(c);
    const mn = createObject(c.w, "notifier", "arm_smmu_mmu_notifier", mm.process, c.op.device, {
      asid: mm.cpuAsid,
      pasid: local<number>(c, "pasid"),
      cleared: false,
    });
    mm.notifiers.push(mn.id);
    mmgrab(c, mm);
    setLocal(c, "mn", mn.id);
    c.rec.say(`${objectName(mn)} is registered on ${mm.process}'s mm: from now on munmap and exit call it.`);
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
      const bond = createObject(c.w, "bond", "arm_smmu_bond", mm.process, c.op.device, {
        mn: local<number>(c, "mn"),
        pasid: mm.pasid,
      });
      devOf(c).pasids[mm.process] = mm.pasid!;
      c.rec.say(
        `${objectName(bond)} is on the master's list; the device driver now programs PASID ${mm.pasid}.`,
      );
      return undefined;
    },
    { label: "bond" },
  ),
  unlockSva("unlock"),
];

/** arm_smmu_mmu_notifier_put's invalidations, shared by unbind and release. */
function invalidateAll(skip: (c: Ctx) => boolean): MicroStep[] {
  return [
    ...issueCommands("arm_smmu_tlb_inv_asid", (c) => tlbiAsid(mnOf(c).fields.asid as number), {
      when: (c) => !skip(c) && !hasFault(c.w, "skip-tlbi"),
    }),
    ...issueCommands(
      "arm_smmu_atc_inv_domain",
      (c) => atcInv(devOf(c), mnOf(c).fields.pasid as number, 0, 0),
      {
        when: (c) => !skip(c) && atsEnabled(c.w, devOf(c)) && !hasFault(c.w, "skip-atc-inv"),
      },
    ),
  ];
}

const cleared = (c: Ctx): boolean => mnOf(c).fields.cleared === true;

const unbind: Program<UnbindOp> = [
  // The device driver has stopped the device; faults it sent before must be handled first.
  flushFaultsStep(),
  lockSva(),
  step("arm_smmu_sva_unbind", (c) => {
    const bond = findBond(c.w, c.op.process, c.op.device);
    if (!bond) {
      c.rec.say(`${c.op.process} is not bound to ${c.op.device}: nothing to unbind.`);
      return "unlock";
    }
    setLocal(c, "bond", bond.id);
    setLocal(c, "mn", bond.fields.mn as number);
    setLocal(c, "pasid", bond.fields.pasid as number);
    if (!putRef(c, bond)) {
      c.rec.say(`${objectName(bond)} still has ${bond.refs} reference(s).`);
      return "unlock";
    }
    c.rec.say(`The last reference to ${objectName(bond)} is gone: list_del, then the notifier is put.`);
    return undefined;
  }),
  step("arm_smmu_mmu_notifier_put", (c) => {
    const mn = mnOf(c);
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
  ...invalidateAll(cleared),
  step("mmu_notifier_put", (c) => {
    const mn = mnOf(c);
    const mm = mmOf(c);
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
  step("arm_smmu_free_shared_cd", (c) => {
    const mm = mmOf(c);
    const asid = mnOf(c).fields.asid as number;
    const slot = c.w.kernel.asids[asid];
    if (slot) {
      slot.refs -= 1;
      if (slot.refs <= 0) delete c.w.kernel.asids[asid];
    }
    mm.asidPins -= 1;
    mmdrop(c, mm);
    c.rec.say(`ASID ${asid} leaves arm_smmu_asid_xa; arm64_mm_context_put unpins it; mmdrop.`);
    return undefined;
  }),
  step(
    "iommu_sva_free_pasid",
    (c) => {
      const mm = mmOf(c);
      const pasid = local<number>(c, "pasid");
      const slot = c.w.kernel.pasids[pasid];
      if (slot) {
        slot.refs -= 1;
        if (slot.refs <= 0) {
          delete c.w.kernel.pasids[pasid];
          if (mm.pasid === pasid) mm.pasid = null;
          c.rec.say(`PASID ${pasid} is freed (ioasid_put) and mm->pasid cleared.`);
        } else c.rec.say(`PASID ${pasid} keeps ${slot.refs} reference(s).`);
      }
      const bond = obj(c, "bond");
      free(c, bond);
      return undefined;
    },
    { label: "free_pasid" },
  ),
  unlockSva("unlock"),
];

const release: Program = [
  lockSva(),
  step("arm_smmu_mm_release", (c) => {
    const mn = mnOf(c);
    lifecycle(c, mn, "mn.use");
    if (mn.fields.cleared === true) {
      c.rec.say(`${objectName(mn)} is already cleared: nothing to do.`);
      return "rel.unlock";
    }
    // The kernel reads mm->pasid here, not a copy kept in the notifier.
    const pasid = mmOf(c).pasid ?? 0;
    setLocal(c, "pasid", pasid);
    c.rec.say(
      pasid === 0
        ? "mm->pasid is already 0 (unbind freed the PASID): the quiet CD lands on SSID 0, the device's DMA context."
        : "DMA may still be running: keep the CD valid to avoid C_BAD_CD events, but disable translation (the quiet CD).",
    );
    return undefined;
  }),
  step(
    "arm_smmu_write_ctx_desc",
    (c) => {
      const dw0 = readCd(c.w, devOf(c), pasidOf(c))[0]!;
      setLocal(c, "cd.val", `0x${dw0.toString(16)}`);
      c.rec.say(`val = CD ${pasidOf(c)} word 0 (0x${dw0.toString(16)}); the quiet CD is val | EPD0.`);
      return undefined;
    },
    { when: (c) => !hasFault(c.w, "no-quiet-cd") },
  ),
  step(
    "WRITE_ONCE(cdptr[0], val)",
    (c) => {
      const val = BigInt(local<string>(c, "cd.val"));
      const quiet = makeQuietCd([val], "keep-r")[0]!;
      writeCdWords(c.w, devOf(c), pasidOf(c), [quiet], 0, 1);
      c.rec.say(
        cdValid([quiet])
          ? `CD ${pasidOf(c)} gets EPD0=1 (quiet_cd): V stays 1, R stays 1, so stray DMA takes a recorded F_TRANSLATION.`
          : `CD ${pasidOf(c)} was already invalid: EPD0 is set on an invalid CD.`,
      );
      return undefined;
    },
    { when: (c) => !hasFault(c.w, "no-quiet-cd") },
  ),
  ...issueCommands("arm_smmu_sync_cd", (c) => cfgiCd(devOf(c), pasidOf(c)), {
    when: (c) => !hasFault(c.w, "no-quiet-cd"),
  }),
  ...invalidateAll(() => false),
  unlockSva("rel.unlock", (c) => {
    const mn = mnOf(c);
    mn.fields.cleared = true;
    lifecycle(c, mn, "mn.release");
  }),
];

const invalidate: Program = [
  step("arm_smmu_mm_invalidate_range", (c) => {
    const mn = mnOf(c);
    lifecycle(c, mn, "mn.invalidate");
    const start = local<number>(c, "inv.start");
    const end = local<number>(c, "inv.end");
    const btm = c.w.smmu.features.btm;
    c.rec.say(
      `${objectName(mn)}: [0x${start.toString(16)}, 0x${end.toString(16)}) changed. ${btm ? "The SMMU has BTM: the CPU's broadcast TLBI already reached it, so no TLBI command." : "No BTM: the driver must send TLBI commands."}`,
    );
    return undefined;
  }),
  ...issueCommands(
    "arm_smmu_tlb_inv_range_asid",
    (c) => tlbiRange(c.w, mnOf(c).fields.asid as number, local(c, "inv.start"), local(c, "inv.end")),
    { when: (c) => !c.w.smmu.features.btm && !hasFault(c.w, "skip-tlbi") },
  ),
  ...issueCommands(
    "arm_smmu_atc_inv_domain",
    (c) =>
      atcInv(
        devOf(c),
        mnOf(c).fields.pasid as number,
        local<number>(c, "inv.start"),
        local<number>(c, "inv.end") - local<number>(c, "inv.start"),
      ),
    { when: (c) => atsEnabled(c.w, devOf(c)) && !hasFault(c.w, "skip-atc-inv") },
  ),
];

/** arm_smmu_mmu_notifier_free via mmu_notifier_free_rcu: kfree and the notifier's mmdrop. */
const freeNotifier = (c: Ctx, mn: KObject): void => freeNotifierAndMm(c, mn);

export const armSmmuV3Sva: Driver = {
  name: "arm-smmu-v3-sva",
  era: "Linux ≈5.11–6.1: shared CD, arm_smmu_mmu_notifier, quiet CD, cleared flag",
  servicesPri: false,
  bind,
  unbind,
  invalidate,
  release,
  freeNotifier,
};
