/**
 * A VM with devices assigned through iommufd, as the host and the guest have set it up before
 * the scenario's first step (reference §7):
 *
 *   host:  IOMMU_HWPT_ALLOC of the nesting-parent S2 domain (its VMID) → IOMMU_IOAS_MAP of the
 *          guest's RAM into it → IOMMU_VIOMMU_ALLOC (arm_vsmmu_init: the vIOMMU takes the S2
 *          domain's VMID) → IOMMU_VDEVICE_ALLOC per device (vSID → device)
 *   guest: its arm-smmu-v3 driver probes the virtual SMMU: a stream table and a command queue
 *          in guest RAM, and per device a CD table with the guest's DMA domain at SSID 0 and a
 *          vSTE pointing at it
 *   host:  the VMM reads each vSTE (on the guest's CFGI_STE) and allocates a nested domain from
 *          it (IOMMU_HWPT_ALLOC with IOMMU_HWPT_DATA_ARM_SMMUV3); attaching it writes the
 *          physical STE: Config=nested, the guest's S1 fields, the parent's stage 2, MEV=1.
 *
 * The guest allocates its page-table pages, data pages and CD tables from its own RAM; none of
 * this is a step. Its CD tables are linear (at most 2^10 CDs) or, when the VM says
 * `"cdTable": "2lvl"`, 2-level: an L1 table of ceil(2^S1CDMax / 1024) descriptors and 64 KiB
 * leaves, leaf 0 allocated here for CD 0 and the others when a PASID needs them (guest.ts). Its
 * vSTE's S1DSS is the VM's `s1dss`: with "bypass" or "terminate" the guest has no DMA domain
 * and no CD 0. The nested-v1-2023 host built the physical STE from the vSTE's S1Fmt, S1CDMax
 * and S1ContextPtr only: its arm_smmu_write_strtab_ent wrote S1DSS = SSID0 whatever the guest
 * chose (Robin Murphy's review, March 2023: "yet not S1DSS?").
 */

import { withField } from "../engine/bits.ts";
import { CTXDESC_LINEAR_CDMAX, makeL1Cd, makeS1DmaCd } from "../engine/cd.ts";
import { ownVm } from "../engine/clone.ts";
import { dict } from "../engine/dict.ts";
import { PAGE_SIZE, type Pa, asid as toAsid, va as toVa, vmid as toVmid } from "../engine/ids.ts";
import { allocContiguous, allocFrame, type FrameOwner, writeWords } from "../engine/memory.ts";
import { mapPage } from "../engine/pgtable.ts";
import { createQueue } from "../engine/queue.ts";
import { GUEST_RAM_BASE, guestAlloc, guestPa, guestSpace, mapS2Page, S2_VTCR } from "../engine/stage2.ts";
import { makeCdTableSte, makeNestedSte, type S1Dss, STE_LAYOUT, STRTAB_STE_1_S1DSS } from "../engine/ste.ts";
import { CD_LEAF_BYTES, cdTableBytes, linearSteAddr, locateSte } from "../engine/tables.ts";
import type { DeviceState, VmState, World } from "../engine/world.ts";
import type { DeviceSpec, GuestS1Dss, VmSpec } from "../scenario/types.ts";
import { lowestFree } from "./smmu-ops.ts";
import { hostConversion } from "./vsmmu.ts";

/** Where a guest's DMA-API buffer sits in its DMA domain, as on the host. */
const GUEST_DMA_IOVA = 0x10000;
/** The guest's MAIR and output size, as the guest's io-pgtable sets them. */
const GUEST_MAIR = 0xf404_ff44n;
const GUEST_IPS = 5;
/** The vSMMU's command queue: 256 entries, one page of guest RAM. */
const VCMDQ_LOG2 = 8;

/** `n` guest pages contiguous in IPA space (boot time: the free list is still in order). */
function guestAllocContiguous(w: World, vm: VmState, n: number, owner: FrameOwner): number {
  const first = guestAlloc(w, vm, owner);
  for (let i = 1; i < n; i++) {
    const next = guestAlloc(w, vm, owner);
    if (next !== first + i * PAGE_SIZE) throw new Error(`${vm.name}: guest RAM is not contiguous`);
  }
  return first;
}

/** The virtual StreamID the guest calls a device assigned to its VM by (a host device has none: throws). */
export function vsidOf(dev: DeviceState): number {
  if (dev.vsid === undefined) throw new Error(`${dev.name} is not assigned to a VM`);
  return dev.vsid;
}

/** Writes words at a guest IPA (the guest's CPU stores through its own stage 2). */
export function writeGuestWords(w: World, vm: VmState, ipa: number, words: readonly bigint[]): void {
  writeWords(w.mem, guestPa(w, vm, ipa), words);
}

/** The host's side and the guest's vSMMU: stage 2 with all guest RAM mapped, the vIOMMU. */
export function bootVm(w: World, spec: VmSpec, index: number): VmState {
  const vmid = index + 1; // arm_smmu_vmid ida: VMID 0 stays for stage-1-only STEs
  const s2ttb = allocFrame(w.mem, { kind: "pgtable", process: `${spec.name} stage 2`, level: 0 });
  const ram = allocContiguous(w.mem, spec.pages, { kind: "guest", vm: spec.name });
  for (let i = 0; i < spec.pages; i++) {
    mapS2Page(
      w.mem,
      s2ttb,
      GUEST_RAM_BASE + i * PAGE_SIZE,
      (ram + i * PAGE_SIZE) as Pa,
      `${spec.name} stage 2`,
    );
  }
  const free = Array.from(
    { length: spec.pages },
    (_, i) => GUEST_RAM_BASE + (spec.pages - 1 - i) * PAGE_SIZE,
  );
  const vm: VmState = {
    name: spec.name,
    vmid,
    s2ttb,
    pages: spec.pages,
    free,
    strtab: 0,
    vcmdq: createQueue("cmdq", 0, VCMDQ_LOG2, 16),
    cerror: 0,
    vdevs: Object.fromEntries(spec.devices.map((d) => [d.vsid, d.device])),
    pasids: {},
    asids: {},
    ...(spec.pasidBase === undefined ? {} : { pasidBase: spec.pasidBase }),
  };
  const strtab = guestAlloc(w, vm, { kind: "strtab", level: 1 });
  const vcmdq = guestAlloc(w, vm, { kind: "queue", queue: "vcmdq" });
  return { ...vm, strtab, vcmdq: createQueue("cmdq", vcmdq, VCMDQ_LOG2, 16) };
}

/** The vSTE's S1DSS for the VM's `s1dss`. */
const S1DSS_OF: Readonly<Record<GuestS1Dss, S1Dss>> = {
  ssid0: "SSID0",
  bypass: "BYPASS",
  terminate: "TERMINATE",
};

/** Guest pages of a 64 KiB CD leaf (1024 CDs). */
export const GUEST_CD_LEAF_PAGES = CD_LEAF_BYTES / PAGE_SIZE;

/**
 * A device given to a VM: the guest's driver probes it on the vSMMU (CD table, DMA domain at
 * SSID 0 unless its S1DSS says otherwise, vSTE), and the host attaches the nested domain made
 * from that vSTE.
 */
export function assignDevice(w: World, vm: VmState, spec: DeviceSpec, vmSpec?: VmSpec): DeviceState {
  const vsid = Number(Object.entries(vm.vdevs).find(([, d]) => d === spec.name)![0]);
  const twoLevel = vmSpec?.cdTable === "2lvl";
  const s1dss = vmSpec?.s1dss ?? "ssid0";
  // arm_smmu_alloc_cd_tables: at most 2^10 CDs in a linear table.
  const s1cdmax = Math.min(w.smmu.ssidBits, spec.pasidBits, twoLevel ? 20 : CTXDESC_LINEAR_CDMAX);
  const cdPages = Math.max(1, Math.ceil(cdTableBytes(twoLevel ? "2lvl" : "linear", s1cdmax) / PAGE_SIZE));
  const cdTable = guestAllocContiguous(w, vm, cdPages, { kind: "cdtable", device: spec.name, level: 1 });
  const leaves: Record<number, Pa> = {};
  const space = guestSpace(w, vm);
  const ats = spec.ats && w.smmu.features.ats;
  let dmaAsid = 0;
  let dmaPgd = 0;
  if (s1dss === "ssid0") {
    dmaAsid = lowestFree(vm.asids, 1, 2 ** w.smmu.asidBits - 1)!;
    ownVm(w, vm).asids[dmaAsid] = { owner: `dma:${spec.name}`, refs: 1 };
    const owner = `dma:${spec.name}`;
    dmaPgd = guestAlloc(w, vm, { kind: "pgtable", process: owner, level: 0 });
    const buffer = guestAlloc(w, vm, { kind: "data", process: owner, va: GUEST_DMA_IOVA });
    mapPage(w.mem, dmaPgd as Pa, toVa(GUEST_DMA_IOVA), buffer as Pa, true, owner, space);
    // CD 0 through arm_smmu_alloc_cd_ptr: with 2 levels, leaf 0 and its L1 descriptor first.
    let cd0 = cdTable;
    if (twoLevel) {
      cd0 = guestAllocContiguous(w, vm, GUEST_CD_LEAF_PAGES, {
        kind: "cdtable",
        device: spec.name,
        level: 2,
      });
      leaves[0] = cd0 as Pa;
      writeGuestWords(w, vm, cdTable, [makeL1Cd(cd0 as Pa)]);
    }
    writeGuestWords(
      w,
      vm,
      cd0,
      makeS1DmaCd({ asid: toAsid(dmaAsid), ttb0: dmaPgd as Pa, mair: GUEST_MAIR, ips: GUEST_IPS }),
    );
  }
  const vste = makeCdTableSte({
    cdTable: cdTable as Pa,
    s1fmt: twoLevel ? "64k_l2" : "linear",
    s1cdmax,
    s1dss: S1DSS_OF[s1dss],
    ats,
  });
  writeGuestWords(w, vm, linearSteAddr({ base: vm.strtab }, vsid), vste);
  let ste = makeNestedSte(vste, { vmid: toVmid(vm.vmid), s2ttb: vm.s2ttb, vtcr: S2_VTCR, ats });
  if (hostConversion(w) === "v1-2023") {
    ste = withField(ste, STE_LAYOUT.fields.S1DSS, STRTAB_STE_1_S1DSS.SSID0, STE_LAYOUT.name);
  }
  const where = locateSte(w, w.smmu.strtab, spec.sid);
  if (!where.ok) throw new Error(where.why);
  writeWords(w.mem, where.addr, ste);
  return {
    name: spec.name,
    sid: spec.sid,
    ats: spec.ats,
    pri: spec.pri,
    cdTable: { fmt: twoLevel ? "2lvl" : "linear", base: cdTable as Pa, s1cdmax, leaves },
    dmaAsid,
    dmaPgd: dmaPgd as Pa,
    atc: [],
    prgs: [],
    nextPrg: 0,
    pasids: dict(),
    stopped: [],
    vm: vm.name,
    vsid,
    ...(s1dss === "ssid0" ? {} : { guestS1dss: s1dss }),
  };
}
