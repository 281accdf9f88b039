/**
 * The guest kernel of a VM: its own SMMUv3 driver on the virtual SMMU, doing SVA for its own
 * processes in the manner of the 6.10+ `sva-domain` design (a PASID per mm, an ASID per SVA
 * domain, CDs written in two steps), with every command going through the VMM and the host
 * (vsmmu.ts). The guest's tables live in guest RAM and hold IPAs.
 *
 *   bind:    PASID and ASID from the guest's allocators → [2-level CD table, no leaf for the
 *            PASID yet: a 64 KiB leaf, its L1 descriptor, CFGI_CD with LEAF=0 + SYNC, as
 *            arm_smmu_alloc_cd_ptr does ("An invalid L1CD can be cached")] → the CD's upper
 *            qwords, CFGI_CD+SYNC → qword 0 with V=1, CFGI_CD+SYNC
 *   unbind:  the CD cleared by the hitless writer (two stages, CFGI_CD+SYNC each) → ATC_INV for
 *            the PASID+SYNC → TLBI_NH_ASID+SYNC (the SVA domain's free) → ASID freed; the PASID
 *            stays with the mm until its __mmdrop (mm_pasid_drop)
 *   munmap:  PTEs cleared → the notifier's invalidation for each binding: TLBI_NH_VA… and
 *            ATC_INV, one SYNC → the pages go back to the guest's free RAM
 *   exit:    arm_smmu_mm_release for each binding: the *valid* release CD (EPD0, S=R=0) in two
 *            stages with CFGI_CD+SYNC each → TLBI_NH_ASID+SYNC → ATC_INV+SYNC, separate batches
 *            → pages and page tables freed. The bindings keep their PASID and ASID (and the mm
 *            its pgd: the SVA domain holds mm_count) until unbind.
 *
 * What the model leaves out of the guest: its own locks and refcounts (one vCPU thread per
 * op), and its mm notifiers are implicit.
 */

import { getField } from "../engine/bits.ts";
import { makeL1Cd } from "../engine/cd.ts";
import { ownDevice, ownVm } from "../engine/clone.ts";
import { atcInvCmd, type Cmd } from "../engine/commands.ts";
import { PAGE_SIZE, type Pa, va as toVa, vaEnd } from "../engine/ids.ts";
import { mappings, PTE, TABLE_ENTRIES, unmapPage, unmapRange } from "../engine/pgtable.ts";
import { guestAllocRun, guestFree, guestSpace } from "../engine/stage2.ts";
import { cdL1DescAddr, cdL1Index, leafCdAddr, linearCdAddr, needsCdLeaf } from "../engine/tables.ts";
import type { DeviceState, Draft, MmState, VmState } from "../engine/world.ts";
import { findDevice, findVm } from "../engine/world.ts";
import type { GuestCmdName, Op } from "../scenario/types.ts";
import { bindingKey, guestBindings } from "./guest-bindings.ts";
import { guestCdWrites } from "./guest-cd.ts";
import { mmFor, mmOf, pasidOfMm } from "./mm.ts";
import { mmEvent } from "./objects.ts";
import { type Ctx, call, locals, type Program, RETURN, step } from "./program.ts";
import { lowestFree, svaCd, tlbiAsid, tlbiRange } from "./smmu-ops.ts";
import { GUEST_CD_LEAF_PAGES, vsidOf, writeGuestWords } from "./vm.ts";
import { guestCommands } from "./vsmmu.ts";

type OpOf<N extends Op["op"]> = Extract<Op, { op: N }>;

/** What the guest kernel's bind and unbind keep between their steps. */
interface GuestLocals {
  /** The binding's PASID and the SVA domain's ASID, both the guest's. */
  pasid?: number;
  asid?: number;
  /** The CD's qword 0 (hex), written last with V=1. */
  cd0?: string;
  /** munmap: the pages it unmapped (IPAs), freed once the invalidation is done. */
  freed?: readonly number[];
}

const { required, setLocal } = locals<GuestLocals>();

const hexa = (v: number) => `0x${v.toString(16)}`;
/** The VM the op's process runs in: every op of the guest kernel has one. */
const vmName = (c: Ctx): string => {
  const mm = mmOf(c);
  if (mm.vm === undefined) throw new Error(`${mm.process} does not run in a VM`);
  return mm.vm;
};
/** The process's VM, to be changed (clone.ts): the guest's allocators live in it. */
const vmOf = (c: Ctx): Draft<VmState> => ownVm(c.w, findVm(c.w, vmName(c)));
const devOf = (c: Ctx): DeviceState => findDevice(c.w, (c.op as { device: string }).device);

/** The IPA of CD[ssid] in the guest's table (arm_smmu_get_cd_ptr): linear, or in its leaf. */
function cdIpa(dev: DeviceState, ssid: number): number {
  const t = dev.cdTable;
  if (t.fmt === "linear") return linearCdAddr(t, ssid);
  const leaf = t.leaves[cdL1Index(ssid)];
  if (leaf === undefined) throw new Error(`${dev.name}: CD ${ssid} has no leaf`);
  return leafCdAddr(leaf, ssid);
}

const bind: Program<OpOf<"bind">> = [
  step("iommu_sva_bind_device (guest)", (c) => {
    const vm = vmOf(c);
    const mm = mmFor(c);
    const dev = devOf(c);
    const key = bindingKey(mm.process, dev.name);
    const bound = Object.values(vm.asids).find((a) => a.owner === key);
    if (bound) {
      bound.refs += 1;
      c.rec.say(
        `${dev.name} is already bound to ${mm.process} in ${vm.name}: the handle's users go to ${bound.refs}.`,
      );
      return RETURN;
    }
    const max = 2 ** dev.cdTable.s1cdmax - 1;
    const pasid = mm.pasid ?? lowestFree(vm.pasids, vm.pasidBase ?? 1, max);
    const asid = lowestFree(vm.asids, 1, 2 ** c.w.smmu.asidBits - 1);
    if (pasid === null || asid === null || pasid > max) {
      c.rec.say(
        `The guest has no free ${pasid === null || pasid > max ? "PASID" : "ASID"} for ${mm.process}: -ENOSPC.`,
      );
      return RETURN;
    }
    // arm_smmu_alloc_cd_ptr: a PASID beyond the leaves there are needs a new 64 KiB leaf.
    let leaf: number | null = null;
    if (needsCdLeaf(dev.cdTable, pasid)) {
      leaf = guestAllocRun(c.w, vm, GUEST_CD_LEAF_PAGES, { kind: "cdtable", device: dev.name, level: 2 });
      if (leaf === null) {
        c.rec.say(
          `The guest has no 64 KiB of contiguous free RAM for the CD leaf of PASID ${pasid}: arm_smmu_alloc_cd_ptr fails, -ENOMEM.`,
        );
        return RETURN;
      }
    }
    if (mm.pasid === null) vm.pasids[pasid] = { owner: mm.process, refs: 0 };
    vm.pasids[pasid]!.refs += 1;
    mm.pasid = pasid;
    vm.asids[asid] = { owner: key, refs: 1 };
    setLocal(c, "pasid", pasid);
    setLocal(c, "asid", asid);
    c.rec.say(
      `The guest kernel binds ${mm.process} to ${dev.name} (virtual StreamID ${dev.vsid}): PASID ${pasid}, and ASID ${asid} for the SVA domain, both from the guest's own allocators; the host sees neither.${leaf === null ? "" : ` Its 2-level CD table has no leaf for PASID ${pasid} yet: arm_smmu_alloc_cd_ptr allocates one, 1024 CDs at IPA ${hexa(leaf)}.`}`,
    );
    if (leaf === null) return undefined;
    // Taken now (the guest's group mutex, left out, would keep a second bind from racing for it).
    ownDevice(c.w, dev).cdTable.leaves[cdL1Index(pasid)] = leaf as Pa;
    return call("guest:arm_smmu_alloc_cd_ptr");
  }),
  step("arm_smmu_write_cd_entry (guest)", (c) => {
    const dev = devOf(c);
    const cd = svaCd(c.w, dev, mmOf(c), required(c, "asid"), true);
    const pasid = required(c, "pasid");
    writeGuestWords(c.w, vmOf(c), cdIpa(dev, pasid) + 8, cd.slice(1));
    setLocal(c, "cd0", `0x${cd[0]!.toString(16)}`);
    c.rec.say(
      `The guest writes CD ${pasid} of ${dev.name}'s CD table (IPA ${hexa(cdIpa(dev, pasid))}) without its valid bit: TTB0 = the guest pgd's IPA ${hexa(mmOf(c).pgd)}.`,
    );
    return undefined;
  }),
  ...guestCommands("arm_smmu_sync_cd (guest)", vmName, (c) => [
    { op: "CFGI_CD", sid: vsidOf(devOf(c)), ssid: required(c, "pasid"), leaf: true },
  ]),
  step("arm_smmu_write_cd_entry: V=1 (guest)", (c) => {
    const dev = devOf(c);
    const pasid = required(c, "pasid");
    writeGuestWords(c.w, vmOf(c), cdIpa(dev, pasid), [BigInt(required(c, "cd0"))]);
    ownDevice(c.w, dev).pasids[mmOf(c).process] = pasid;
    c.rec.say(
      `The guest sets CD ${pasid}'s qword 0 with V=1: the context is live once the SMMU forgets the old CD.`,
    );
    return undefined;
  }),
  ...guestCommands("arm_smmu_sync_cd (guest)", vmName, (c) => [
    { op: "CFGI_CD", sid: vsidOf(devOf(c)), ssid: required(c, "pasid"), leaf: true },
  ]),
];

/**
 * The rest of the guest's arm_smmu_alloc_cd_ptr for a new leaf (called from bind): the L1
 * descriptor pointing at it, then arm_smmu_sync_cd(master, ssid, false), a CFGI_CD with LEAF=0,
 * because the SMMU may have cached the invalid descriptor it replaces.
 */
const allocCdPtr: Program<OpOf<"bind">> = [
  step("arm_smmu_write_cd_l1_desc (guest)", (c) => {
    const dev = devOf(c);
    const pasid = required(c, "pasid");
    const index = cdL1Index(pasid);
    const leaf = dev.cdTable.leaves[index]!;
    const desc = cdL1DescAddr(dev.cdTable, pasid);
    writeGuestWords(c.w, vmOf(c), desc, [makeL1Cd(leaf)]);
    c.rec.say(
      `The guest writes L1 descriptor ${index} of ${dev.name}'s CD table (IPA ${hexa(desc)}): V=1, L2Ptr = ${hexa(leaf)}. The SMMU may still hold the invalid descriptor it replaces.`,
    );
    return undefined;
  }),
  ...guestCommands("arm_smmu_sync_cd (guest)", vmName, (c) => [
    { op: "CFGI_CD", sid: vsidOf(devOf(c)), ssid: required(c, "pasid"), leaf: false },
  ]),
];

/**
 * Frees the guest's ASID of one binding (arm_smmu_sva_domain_free). The PASID is the mm's
 * (6.10+): it goes only with the mm itself, once it exited and its last binding is gone.
 */
function releaseBinding(vm: Draft<VmState>, mm: Draft<MmState>, asid: number): void {
  delete vm.asids[asid];
  const pasid = mm.pasid;
  if (pasid === null) return;
  const p = vm.pasids[pasid];
  if (p) p.refs -= 1;
  if (p && p.refs <= 0 && mm.state === "exited") {
    delete vm.pasids[pasid];
    mm.pasid = null;
  }
}

const unbind: Program<OpOf<"unbind">> = [
  step("iommu_sva_unbind_device (guest)", (c) => {
    const vm = vmOf(c);
    const mm = mmFor(c);
    const dev = devOf(c);
    const binding = guestBindings(c.w, vm, mm.process).find((b) => b.device === dev);
    if (!binding || mm.pasid === null) {
      c.rec.say(`${mm.process} is not bound to ${dev.name}: nothing to do.`);
      return RETURN;
    }
    const a = vm.asids[binding.asid]!;
    if (--a.refs > 0) {
      c.rec.say(`${dev.name}'s handle for ${mm.process} still has ${a.refs} user(s).`);
      return RETURN;
    }
    setLocal(c, "pasid", mm.pasid);
    setLocal(c, "asid", binding.asid);
    c.rec.say(`The guest's last user of ${dev.name}'s PASID ${mm.pasid} is gone: its CD is cleared.`);
    return undefined;
  }),
  ...guestCdWrites(
    "gclear",
    "arm_smmu_clear_cd (guest)",
    vmOf,
    vmName,
    (c) => {
      const pasid = required(c, "pasid");
      return [{ device: devOf(c), pasid, ipa: cdIpa(devOf(c), pasid), target: new Array(8).fill(0n) }];
    },
    (_c, device, pasid, i, n) =>
      `The guest clears CD ${pasid} of ${device}, stage ${i} of ${n}${i === 1 ? "" : " (the rest of the entry)"}.`,
  ),
  ...guestCommands(
    "arm_smmu_atc_inv_master (guest)",
    vmName,
    (c) => [atcInvCmd(vsidOf(devOf(c)), required(c, "pasid"), 0, 0)],
    { when: (c) => devOf(c).ats && c.w.smmu.features.ats },
  ),
  ...guestCommands("arm_smmu_sva_domain_free (guest)", vmName, (c) => tlbiAsid(required(c, "asid"))),
  step("iommu_sva_unbind_device: free (guest)", (c) => {
    const mm = mmFor(c);
    const vm = vmOf(c);
    releaseBinding(vm, mm, required(c, "asid"));
    const last = mm.state === "exited" && guestBindings(c.w, vm, mm.process).length === 0;
    if (last) {
      guestFree(c.w, vm, mm.pgd);
      mmEvent(c, mm, "mm.mmdrop_last");
    }
    c.rec.say(
      `The guest frees ASID ${required(c, "asid")}${last ? `; ${mm.process}'s mm had exited and this was its last SVA domain: __mmdrop frees its pgd, and mm_pasid_drop PASID ${required(c, "pasid")}` : mm.pasid === null ? "" : `; PASID ${mm.pasid} stays with ${mm.process}'s mm`}.`,
    );
    return undefined;
  }),
];

const munmap: Program<OpOf<"munmap">> = [
  step("zap_pte_range (guest)", (c) => {
    const mm = mmFor(c);
    const vm = vmOf(c);
    const space = guestSpace(c.w, vm);
    const end = c.op.start + c.op.pages * PAGE_SIZE;
    const freed = unmapRange(c.w.mem, mm.pgd, toVa(c.op.start), vaEnd(end), space);
    mm.vmas = mm.vmas.flatMap((v) => {
      const vEnd = v.start + v.pages * PAGE_SIZE;
      if (vEnd <= c.op.start || v.start >= end) return [v];
      const out = [];
      if (v.start < c.op.start) out.push({ ...v, pages: (c.op.start - v.start) / PAGE_SIZE });
      if (vEnd > end) out.push({ ...v, start: end, pages: (vEnd - end) / PAGE_SIZE });
      return out;
    });
    setLocal(c, "freed", freed);
    c.rec.say(
      `The guest kernel clears ${freed.length} PTE(s) of ${mm.process} in [${hexa(c.op.start)}, ${hexa(end)}); the pages wait for the invalidation before going back to the guest's free RAM.`,
    );
    return undefined;
  }),
  ...guestCommands(
    "arm_smmu_mm_arch_invalidate_secondary_tlbs (guest)",
    vmName,
    (c) => {
      const mm = mmOf(c);
      const { start, pages } = c.op as OpOf<"munmap">;
      const end = start + pages * PAGE_SIZE;
      return guestBindings(c.w, vmOf(c), mm.process).flatMap(({ device, asid }) => [
        ...tlbiRange(c.w, asid, start, end),
        ...(device.ats && c.w.smmu.features.ats && mm.pasid !== null
          ? [atcInvCmd(vsidOf(device), mm.pasid, start, end - start)]
          : []),
      ]);
    },
    { when: (c) => guestBindings(c.w, vmOf(c), mmOf(c).process).length > 0 },
  ),
  step("tlb_finish_mmu (guest)", (c) => {
    const vm = vmOf(c);
    const freed = required(c, "freed");
    for (const ipa of freed) guestFree(c.w, vm, ipa);
    c.rec.say(`The guest frees ${freed.length} page(s): back in ${vm.name}'s free RAM, to be reused first.`);
    return undefined;
  }),
];

const exit: Program<OpOf<"exit">> = [
  step("exit_mmap: release (guest)", (c) => {
    const mm = mmFor(c);
    const bindings = guestBindings(c.w, vmOf(c), mm.process);
    mmEvent(c, mm, "mm.mmput_last");
    c.rec.say(
      bindings.length === 0
        ? `${mm.process} exits; it has no SVA binding in the guest.`
        : `${mm.process} exits: the guest's arm_smmu_mm_release writes the release CD (valid, EPD0) at PASID ${mm.pasid} on ${bindings.map((b) => b.device.name).join(", ")}; the PASID and the ASIDs stay until unbind.`,
    );
    return undefined;
  }),
  ...guestCdWrites(
    "grelease",
    "arm_smmu_write_cd_entry (guest)",
    vmOf,
    vmName,
    (c) => {
      const mm = mmOf(c);
      const pasid = mm.pasid;
      if (pasid === null) return [];
      return guestBindings(c.w, vmOf(c), mm.process).map(({ device, asid }) => ({
        device,
        pasid,
        ipa: cdIpa(device, pasid),
        target: svaCd(c.w, device, null, asid, true),
      }));
    },
    (_c, device, pasid, i, n) =>
      `arm_smmu_make_sva_cd(NULL) for ${device}'s PASID ${pasid} (guest), stage ${i} of ${n}${i === 1 ? ": EPD0=1, S=R=0, still valid" : ": TTB0 cleared"}.`,
  ),
  ...guestCommands(
    "arm_smmu_tlb_inv_asid (guest)",
    vmName,
    (c) => guestBindings(c.w, vmOf(c), mmOf(c).process).flatMap(({ asid }) => tlbiAsid(asid)),
    { when: (c) => mmOf(c).pasid !== null && guestBindings(c.w, vmOf(c), mmOf(c).process).length > 0 },
  ),
  ...guestCommands(
    "arm_smmu_atc_inv_domain (guest)",
    vmName,
    (c) =>
      guestBindings(c.w, vmOf(c), mmOf(c).process)
        .filter(({ device }) => device.ats && c.w.smmu.features.ats)
        .map(({ device }) => atcInvCmd(vsidOf(device), pasidOfMm(mmOf(c)), 0, 0)),
    {
      when: (c) =>
        mmOf(c).pasid !== null &&
        c.w.smmu.features.ats &&
        guestBindings(c.w, vmOf(c), mmOf(c).process).some(({ device }) => device.ats),
    },
  ),
  step("exit_mmap: free (guest)", (c) => {
    const mm = mmFor(c);
    const vm = vmOf(c);
    const bound = guestBindings(c.w, vm, mm.process).length > 0;
    const space = guestSpace(c.w, vm);
    const pages = mappings(c.w.mem, mm.pgd, space);
    for (const m of pages) {
      unmapPage(c.w.mem, mm.pgd, m.va, space);
      guestFree(c.w, vm, m.pa);
    }
    // The page-table pages, deepest first, then the pgd.
    const tables: number[] = [];
    const collect = (table: number, level: number): void => {
      if (level < 3) {
        const at = space.toPa(table)!;
        for (let i = 0; i < TABLE_ENTRIES; i++) {
          const d = c.w.mem.words.get(at + i * 8);
          if (d !== undefined && getField([d], PTE.fields.VALID) === 1n)
            collect(Number(getField([d], PTE.fields.OA)), level + 1);
        }
      }
      tables.push(table);
    };
    collect(mm.pgd, 0);
    // The pgd goes with the mm_struct (__mmdrop): an SVA domain still holds mm_count.
    for (const t of tables) if (t !== mm.pgd || !bound) guestFree(c.w, vm, t);
    mm.vmas = [];
    mmEvent(c, mm, "mm.exit_mmap_done");
    if (!bound) {
      mmEvent(c, mm, "mm.mmdrop_last");
      if (mm.pasid !== null) {
        delete vm.pasids[mm.pasid];
        mm.pasid = null;
      }
    }
    c.rec.say(
      bound
        ? `The guest frees ${pages.length} page(s) and ${tables.length - 1} page-table page(s) of ${mm.process}; its SVA domains keep the mm_struct, its pgd and its PASID until they are unbound.`
        : `The guest frees ${pages.length} page(s) and ${tables.length} page-table page(s) of ${mm.process}: its mm is gone.`,
    );
    return undefined;
  }),
];

const guestCmd: Program<OpOf<"guest-cmd">> = [
  ...guestCommands("guest-cmd: arm_smmu_cmdq_issue_cmdlist (guest)", vmName, (c) => {
    const op = c.op as OpOf<"guest-cmd">;
    return (typeof op.cmd === "string" ? [op.cmd] : op.cmd).map((name) => guestCmdOf(c, op, name));
  }),
];

/** A command a `guest-cmd` op names, with the guest's own identifiers filled in. */
function guestCmdOf(c: Ctx, op: OpOf<"guest-cmd">, name: GuestCmdName): Cmd {
  const vm = vmOf(c);
  const mm = mmOf(c);
  const dev = findDevice(c.w, op.device ?? Object.values(vm.vdevs)[0]!);
  const sid = vsidOf(dev);
  const ssid = mm.pasid ?? 0;
  const asid = guestBindings(c.w, vm, mm.process).find((b) => b.device === dev)?.asid ?? 0;
  // arm_smmu_cmdq_build_cmd stores `addr & CMDQ_TLBI_1_VA_MASK` (or _IPA_MASK): bits 11:0 of
  // an unaligned address are dropped, not refused.
  const va = Math.floor((op.va ?? mm.vmas[0]?.start ?? 0) / PAGE_SIZE) * PAGE_SIZE;
  const one = { num: 0, scale: 0, tg: 0, ttl: 0, leaf: false };
  switch (name) {
    case "CFGI_CD":
      return { op: "CFGI_CD", sid, ssid, leaf: true };
    case "CFGI_CD_ALL":
      return { op: "CFGI_CD_ALL", sid };
    case "CFGI_STE":
      return { op: "CFGI_STE", sid, leaf: true };
    case "CFGI_ALL":
      return { op: "CFGI_ALL" };
    case "TLBI_NH_VA":
      return { op: "TLBI_NH_VA", asid, vmid: 0, addr: va, ...one };
    case "TLBI_NH_VAA":
      return { op: "TLBI_NH_VAA", vmid: 0, addr: va, ...one };
    case "TLBI_NH_ASID":
      return { op: "TLBI_NH_ASID", asid, vmid: 0 };
    case "TLBI_NH_ALL":
      return { op: "TLBI_NH_ALL", vmid: 0 };
    case "TLBI_NSNH_ALL":
      return { op: "TLBI_NSNH_ALL" };
    case "ATC_INV":
      return atcInvCmd(sid, ssid, 0, 0);
    case "TLBI_S12_VMALL":
      return { op: "TLBI_S12_VMALL", vmid: 0 };
    case "TLBI_S2_IPA":
      return { op: "TLBI_S2_IPA", vmid: 0, addr: va, ...one };
    default: {
      const exhaustive: never = name;
      throw new Error(`no guest command ${String(exhaustive)}`);
    }
  }
}

/** The guest's programs for the ops of a process in a VM ("guest:<op>"). */
export const guestPrograms: Readonly<Record<string, Program>> = {
  "guest:bind": bind as Program,
  "guest:unbind": unbind as Program,
  "guest:munmap": munmap as Program,
  "guest:exit": exit as Program,
  "guest:guest-cmd": guestCmd as Program,
  "guest:arm_smmu_alloc_cd_ptr": allocCdPtr as Program,
};
