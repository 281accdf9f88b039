/**
 * Stage 2: the host's translation of a guest's intermediate physical addresses (IPA) to
 * physical addresses, in io-pgtable's ARM_64_LPAE_S2 format (reference §10, stage-2 leaf:
 * S2AP read bit 6, write bit 7; MemAttr 5:2). The nesting-parent domain of a VM maps all of the
 * guest's RAM; the SMMU walks it for every guest table read and for the output of the guest's
 * stage 1 (nested translation, STE Config=7).
 *
 * The model's stage 2: 4 KiB granule, 48-bit IPA (S2T0SZ 16), four levels starting at level 0
 * (S2SL0 2, the 4 KiB encoding), so one pgd page and no concatenated tables.
 */

import { defineLayout, getField, getPa, prepareWord } from "./bits.ts";
import { ownVm } from "./clone.ts";
import { inFrame, PAGE_SIZE, type Pa } from "./ids.ts";
import { claim, frameForWrite, frameIndex, type Memory, readWord, writeWord } from "./memory.ts";
import {
  type DescRead,
  LEVELS,
  LPAE_DESC,
  PTE,
  pgtableIndex,
  ptep,
  regionOf,
  type TableSpace,
} from "./pgtable.ts";
import { VTCR_S2TG, type VtcrFields } from "./ste.ts";
import type { Draft, VmState, World } from "./world.ts";

export const S2PTE = defineLayout("S2PTE", 1, [
  LPAE_DESC.VALID,
  LPAE_DESC.TYPE,
  {
    name: "MEMATTR",
    word: 0,
    hi: 5,
    lo: 2,
    values: { 1: "device", 5: "normal NC", 15: "normal WB" },
    doc: "Stage-2 memory attributes",
  },
  { name: "S2AP_R", word: 0, hi: 6, lo: 6, doc: "S2AP[0]: reads allowed (ARM_LPAE_PTE_HAP_READ)" },
  { name: "S2AP_W", word: 0, hi: 7, lo: 7, doc: "S2AP[1]: writes allowed (ARM_LPAE_PTE_HAP_WRITE)" },
  LPAE_DESC.SH,
  LPAE_DESC.AF,
  LPAE_DESC.OA,
  { name: "XN", word: 0, hi: 54, lo: 53, doc: "Execute-never" },
]);

/** A VM's IPA space starts where QEMU's `virt` machine puts RAM. */
export const GUEST_RAM_BASE = 0x4000_0000;

/** The VTCR of the model's stage 2, as io-pgtable computes it for a 48-bit IPA. */
export const S2_VTCR: VtcrFields = {
  tsz: 16,
  sl: 2,
  irgn: 1,
  orgn: 1,
  sh: 3,
  tg: VTCR_S2TG["4K"],
  ps: 5,
};

/** A stage-2 page descriptor as io-pgtable writes it for IOMMU_READ | IOMMU_WRITE, cacheable. */
export function s2PageDesc(page: Pa, writable: boolean): bigint {
  return prepareWord(S2PTE, {
    VALID: 1,
    TYPE: 1,
    MEMATTR: 15,
    S2AP_R: 1,
    S2AP_W: writable ? 1 : 0,
    SH: 3,
    AF: 1,
    OA: page,
  });
}

/** Maps one guest page: IPA → PA (iommufd IOMMU_IOAS_MAP of guest RAM into the S2 domain). */
export function mapS2Page(mem: Memory, s2ttb: Pa, ipa: number, page: Pa, owner: string): void {
  writeWord(mem, ptep(mem, s2ttb, ipa as never, owner, true)!, s2PageDesc(page, true), regionOf(ipa, 3), 3);
}

export type S2Walk =
  | { readonly ok: true; readonly pa: Pa; readonly writable: boolean; readonly tables: readonly Pa[] }
  | {
      readonly ok: false;
      readonly fault: "F_TRANSLATION" | "F_ACCESS" | "F_PERMISSION";
      readonly level: number;
    };

/** The SMMU's stage-2 walk of `ipa` from S2TTB; `seen` is told of each descriptor read. */
export function walkS2(
  mem: Memory,
  s2ttb: Pa,
  ipa: number,
  write: boolean,
  seen?: (d: DescRead) => void,
): S2Walk {
  const tables: Pa[] = [];
  let table = s2ttb;
  for (let level = 0; level < LEVELS; level++) {
    tables.push(table);
    const index = pgtableIndex(ipa as never, level);
    const desc = [readWord(mem, table + index * 8)];
    seen?.({ level, table, index, addr: table + index * 8, word: desc[0]! });
    if (getField(desc, S2PTE.fields.VALID) === 0n || getField(desc, S2PTE.fields.TYPE) === 0n)
      return { ok: false, fault: "F_TRANSLATION", level };
    const next = getPa(desc, PTE.fields.OA);
    if (level < LEVELS - 1) {
      table = next;
      continue;
    }
    if (getField(desc, S2PTE.fields.AF) === 0n) return { ok: false, fault: "F_ACCESS", level };
    const writable = getField(desc, S2PTE.fields.S2AP_W) === 1n;
    if (getField(desc, S2PTE.fields.S2AP_R) === 0n || (write && !writable))
      return { ok: false, fault: "F_PERMISSION", level };
    return { ok: true, pa: inFrame(next, ipa), writable, tables };
  }
  // The stage-2 walk ends at level 3.
  throw new Error("unreachable");
}

/** IPA → PA through a stage 2, or null where it maps nothing. */
export function s2Lookup(mem: Memory, s2ttb: Pa, ipa: number): Pa | null {
  const r = walkS2(mem, s2ttb, ipa, false);
  return r.ok ? r.pa : null;
}

/**
 * The PA behind guest RAM at `ipa`, which the model knows stage 2 maps (the VMM maps all guest
 * RAM at boot and never unmaps it): an IPA outside it is a bug in the model, and throws.
 */
export function guestPa(w: World, vm: VmState, ipa: number): Pa {
  const pa = s2Lookup(w.mem, vm.s2ttb, ipa);
  if (pa === null) throw new Error(`${vm.name}: stage 2 maps no page at IPA 0x${ipa.toString(16)}`);
  return pa;
}

/** The guest's view of memory: its tables hold IPAs, read through the VM's stage 2. */
export function guestSpace(w: World, vm: VmState): TableSpace {
  return {
    toPa: (ipa) => s2Lookup(w.mem, vm.s2ttb, ipa),
    alloc: (owner) => guestAlloc(w, vm, owner),
  };
}

/**
 * The world's own copy of `vm` (clone.ts), found by name: a caller may hold the VM from before
 * an earlier allocation copied it, and only its fixed fields (name, stage 2, size) are read.
 */
function vmForWrite(w: World, vm: VmState): Draft<VmState> {
  const i = w.vms?.findIndex((v) => v.name === vm.name) ?? -1;
  return ownVm(w, i >= 0 ? i : vm);
}

/**
 * The guest kernel's page allocator over its RAM: last freed, first reused, like the host's.
 * The frame behind the IPA (pinned by the VMM for the VM's life) takes the guest owner.
 */
export function guestAlloc(w: World, vm: VmState, owner: Parameters<TableSpace["alloc"]>[0]): number {
  const ipa = vmForWrite(w, vm).free.pop();
  if (ipa === undefined) throw new Error(`${vm.name} is out of guest RAM (${vm.pages} pages)`);
  const pa = guestPa(w, vm, ipa);
  const content = owner.kind === "data" ? `${owner.process} 0x${owner.va.toString(16)}` : "";
  claim(w.mem, frameIndex(w.mem, pa), owner, content);
  return ipa;
}

/**
 * `n` guest pages contiguous in IPA space (dma_alloc_coherent of a 64 KiB CD leaf): the lowest
 * run of free IPAs long enough, or null when the guest's free RAM has none.
 */
export function guestAllocRun(
  w: World,
  vm: VmState,
  n: number,
  owner: Parameters<TableSpace["alloc"]>[0],
): number | null {
  const own = vmForWrite(w, vm);
  const free = new Set(own.free);
  const sorted = [...own.free].sort((a, b) => a - b);
  const first = sorted.find((ipa) => {
    for (let i = 1; i < n; i++) if (!free.has(ipa + i * PAGE_SIZE)) return false;
    return true;
  });
  if (first === undefined) return null;
  const run = new Set(Array.from({ length: n }, (_, i) => first + i * PAGE_SIZE));
  own.free = own.free.filter((ipa) => !run.has(ipa));
  for (const ipa of run) {
    const pa = guestPa(w, vm, ipa);
    claim(w.mem, frameIndex(w.mem, pa), owner, "");
  }
  return first;
}

/** Gives a guest page back to the guest's free list; the host frame stays the VM's. */
export function guestFree(w: World, vm: VmState, ipa: number): void {
  const frame = frameForWrite(w.mem, frameIndex(w.mem, guestPa(w, vm, ipa)))!;
  frame.previous = frame.owner;
  frame.owner = { kind: "guest", vm: vm.name };
  vmForWrite(w, vm).free.push(ipa);
}
