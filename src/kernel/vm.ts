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
 * The model's guest keeps its CD tables linear and allocates its page-table pages, data pages
 * and CD tables from its own RAM; none of this is a step.
 */

import { CTXDESC_LINEAR_CDMAX, makeS1DmaCd } from "../engine/cd.ts";
import { type Asid, PAGE_SIZE, type Pa, type Va } from "../engine/ids.ts";
import { allocContiguous, allocFrame, type FrameOwner, writeWords } from "../engine/memory.ts";
import { mapPage } from "../engine/pgtable.ts";
import { createQueue } from "../engine/queue.ts";
import { GUEST_RAM_BASE, guestAlloc, guestSpace, mapS2Page, S2_VTCR, s2Lookup } from "../engine/stage2.ts";
import { makeCdTableSte, makeNestedSte } from "../engine/ste.ts";
import { locateSte } from "../engine/tables.ts";
import type { DeviceState, VmState, World } from "../engine/world.ts";
import type { DeviceSpec, VmSpec } from "../scenario/types.ts";
import { lowestFree } from "./smmu-ops.ts";

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

/** Writes words at a guest IPA (the guest's CPU stores through its own stage 2). */
export function writeGuestWords(w: World, vm: VmState, ipa: number, words: readonly bigint[]): void {
  writeWords(w.mem, s2Lookup(w.mem, vm.s2ttb, ipa)!, words);
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
  };
  const strtab = guestAlloc(w, vm, { kind: "strtab", level: 1 });
  const vcmdq = guestAlloc(w, vm, { kind: "queue", queue: "vcmdq" });
  return { ...vm, strtab, vcmdq: createQueue("cmdq", vcmdq, VCMDQ_LOG2, 16) };
}

/**
 * A device given to a VM: the guest's driver probes it on the vSMMU (CD table, DMA domain at
 * SSID 0, vSTE), and the host attaches the nested domain made from that vSTE.
 */
export function assignDevice(w: World, vm: VmState, spec: DeviceSpec): DeviceState {
  const vsid = Number(Object.entries(vm.vdevs).find(([, d]) => d === spec.name)![0]);
  const s1cdmax = Math.min(w.smmu.ssidBits, spec.pasidBits, CTXDESC_LINEAR_CDMAX);
  const cdPages = Math.max(1, (2 ** s1cdmax * 64) / PAGE_SIZE);
  const cdTable = guestAllocContiguous(w, vm, cdPages, { kind: "cdtable", device: spec.name, level: 1 });
  const space = guestSpace(w, vm);
  const dmaAsid = lowestFree(vm.asids, 1, 2 ** w.smmu.asidBits - 1)!;
  vm.asids[dmaAsid] = { owner: `dma:${spec.name}`, refs: 1 };
  const owner = `dma:${spec.name}`;
  const dmaPgd = guestAlloc(w, vm, { kind: "pgtable", process: owner, level: 0 });
  const buffer = guestAlloc(w, vm, { kind: "data", process: owner, va: GUEST_DMA_IOVA });
  mapPage(w.mem, dmaPgd as Pa, GUEST_DMA_IOVA as Va, buffer as Pa, true, owner, space);
  const ats = spec.ats && w.smmu.features.ats;
  writeGuestWords(
    w,
    vm,
    cdTable,
    makeS1DmaCd({ asid: dmaAsid as Asid, ttb0: dmaPgd as Pa, mair: GUEST_MAIR, ips: GUEST_IPS }),
  );
  const vste = makeCdTableSte({ cdTable: cdTable as Pa, s1fmt: "linear", s1cdmax, s1dss: "SSID0", ats });
  writeGuestWords(w, vm, vm.strtab + vsid * 64, vste);
  const ste = makeNestedSte(vste, { vmid: vm.vmid as never, s2ttb: vm.s2ttb, vtcr: S2_VTCR, ats });
  const where = locateSte(w, w.smmu.strtab, spec.sid);
  if (!where.ok) throw new Error(where.why);
  writeWords(w.mem, where.addr, ste);
  return {
    name: spec.name,
    sid: spec.sid,
    ats: spec.ats,
    pri: spec.pri,
    cdTable: { fmt: "linear", base: cdTable as Pa, s1cdmax, leaves: {} },
    dmaAsid,
    dmaPgd: dmaPgd as Pa,
    atc: [],
    prgs: [],
    nextPrg: 0,
    pasids: {},
    stopped: [],
    vm: vm.name,
    vsid,
  };
}
