/**
 * View model of the translation caches: the SMMU's IOTLB and each device's ATC. An entry is
 * stale when the page table it came from no longer maps that VA to that PA (CONTRACT §3's
 * "stale"): the CPU page table of the process it belongs to, or the device's DMA domain.
 *
 * IOTLB entries are matched to a process by ASID, through the driver's notifier objects
 * (`fields.asid`) or the mm's CPU ASID; ATC entries by PASID, through the PASID allocator or
 * what the device was told (`device.pasids`).
 */

import type { DeviceState, MmState, Pa, Va, World } from "../engine/index.ts";
import { lookup } from "../engine/index.ts";
import { guestAsidProcess } from "../kernel/index.ts";
import { hexNum } from "./format.ts";
import { mmLookupPa } from "./nested.ts";

export interface CacheEntryView {
  readonly id: string;
  /** "ASID 5 VMID 0" or "PASID 1". */
  readonly tag: string;
  readonly va: string;
  readonly pa: string;
  readonly writable: boolean;
  /** Whose translation this is: a process, a DMA domain, or "?" when nobody owns the tag. */
  readonly owner: string;
  readonly stale: boolean;
  readonly why: string;
}

export interface TlbView {
  readonly iotlb: readonly CacheEntryView[];
  readonly atcs: readonly { readonly device: string; readonly entries: readonly CacheEntryView[] }[];
}

type Source = { readonly name: string; readonly pgd: Pa | null; readonly mm?: MmState } | null;

function mmSource(mm: MmState | undefined): Source {
  if (!mm) return null;
  return { name: mm.process, pgd: mm.state === "freed" ? null : mm.pgd, mm };
}

/** A guest's entry (VMID ≠ 0): its ASID is the guest kernel's, in the VM's own allocator. */
function guestAsidSource(w: World, vmid: number, asid: number): Source {
  const vm = w.vms?.find((v) => v.vmid === vmid);
  const owner = vm ? guestAsidProcess(w, vm, asid) : undefined;
  return mmSource(w.mms.find((m) => m.vm === vm?.name && m.process === owner));
}

function asidSource(w: World, asid: number): Source {
  const dev = w.devices.find((d) => d.dmaAsid === asid);
  if (dev) return { name: `${dev.name} DMA`, pgd: dev.dmaPgd };
  const obj = Object.values(w.kernel.objects).find((o) => o.kind === "notifier" && o.fields.asid === asid);
  const process = obj?.process ?? w.mms.find((m) => m.cpuAsid === asid)?.process;
  return mmSource(w.mms.find((m) => m.process === process));
}

/**
 * The process whose address space `pasid` names on `dev`. PASIDs are reused once freed, and a
 * device's driver keeps the PASID of every process it served: the allocator (the guest's, for
 * a device assigned to a VM) says whose it is now; a freed one, the last process the device
 * served with it.
 */
export function pasidOwner(w: World, dev: DeviceState, pasid: number): MmState | undefined {
  const vm = dev.vm === undefined ? undefined : w.vms?.find((v) => v.name === dev.vm);
  const served = Object.entries(dev.pasids).filter(([, p]) => p === pasid);
  const process = (vm ? vm.pasids : w.kernel.pasids)[pasid]?.owner ?? served[served.length - 1]?.[0];
  return w.mms.find((m) => m.process === process && m.vm === vm?.name);
}

function pasidSource(w: World, dev: DeviceState, pasid: number | null): Source {
  if (pasid === null || pasid === 0) return { name: `${dev.name} DMA`, pgd: dev.dmaPgd };
  return mmSource(pasidOwner(w, dev, pasid));
}

function judge(
  w: World,
  src: Source,
  va: number,
  pa: number,
): { owner: string; stale: boolean; why: string } {
  if (src === null) return { owner: "?", stale: true, why: "no address space owns this tag any more" };
  if (src.pgd === null) return { owner: src.name, stale: true, why: `${src.name}'s mm has been freed` };
  // A guest's table holds IPAs: what it maps, through stage 2, is what the entry must match.
  const now = src.mm ? mmLookupPa(w, src.mm, va) : lookup(w.mem, src.pgd, va as Va);
  if (now === pa) return { owner: src.name, stale: false, why: `${src.name}'s page table maps it` };
  const why =
    now === null
      ? `${src.name}'s page table no longer maps ${hexNum(va)}`
      : `${src.name}'s page table now maps ${hexNum(va)} to ${hexNum(now)}`;
  return { owner: src.name, stale: true, why };
}

export function tlbVm(w: World): TlbView {
  const iotlb = w.smmu.iotlb.map((e, i) => ({
    id: `iotlb:${e.asid}:${e.vmid}:${hexNum(e.va)}:${i}`,
    tag: `ASID ${e.asid} VMID ${e.vmid}`,
    va: hexNum(e.va),
    pa: hexNum(e.pa),
    writable: e.writable,
    ...judge(w, e.vmid !== 0 ? guestAsidSource(w, e.vmid, e.asid) : asidSource(w, e.asid), e.va, e.pa),
  }));
  const atcs = w.devices.map((dev) => ({
    device: dev.name,
    entries: dev.atc.map((e, i) => ({
      id: `atc:${dev.name}:${e.pasid ?? "none"}:${hexNum(e.va)}:${i}`,
      tag: e.pasid === null ? "no PASID" : `PASID ${e.pasid}`,
      va: hexNum(e.va),
      pa: hexNum(e.pa),
      writable: e.writable,
      ...judge(w, pasidSource(w, dev, e.pasid), e.va, e.pa),
    })),
  }));
  return { iotlb, atcs };
}
