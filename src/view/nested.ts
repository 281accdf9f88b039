/**
 * Nested translation as the page reads it: a VM's tables (its CD tables, its processes' page
 * tables, its vSMMU command queue) live in guest RAM and hold IPAs, so every read goes through
 * the VM's stage 2 (s2Lookup from S2TTB). These helpers give the diagrams the physical address
 * behind an IPA, the words of a guest CD, and a process's mapping of a VA, whichever side of
 * the VM boundary the owner is on.
 */

import type { DeviceState, MmState, Pa, TableSpace, Va, VmState, World } from "../engine/index.ts";
import { guestSpace, locateCd, lookup, readWords, s2Lookup } from "../engine/index.ts";
import { hexNum } from "./format.ts";

/** The VM a device or a process is assigned to, if any. */
export function vmOf(w: World, owner: { readonly vm?: string }): VmState | undefined {
  return owner.vm === undefined ? undefined : w.vms?.find((v) => v.name === owner.vm);
}

/** The table space of a process's or a device's tables: stage 2 for a VM's, none for the host's. */
export function spaceOf(w: World, owner: { readonly vm?: string }): TableSpace | undefined {
  const vm = vmOf(w, owner);
  return vm ? guestSpace(w, vm) : undefined;
}

/** The physical address behind `addr` in `owner`'s address space (itself on the host). */
export function toPa(w: World, owner: { readonly vm?: string }, addr: number): number | null {
  const vm = vmOf(w, owner);
  return vm ? s2Lookup(w.mem, vm.s2ttb, addr) : addr;
}

/** "IPA 0x40002000 → PA 0x4012c000" (a VM's address), or "0x4012c000". */
export function ipaText(w: World, owner: { readonly vm?: string }, addr: number): string {
  const vm = vmOf(w, owner);
  if (!vm) return hexNum(addr);
  const pa = s2Lookup(w.mem, vm.s2ttb, addr);
  return `IPA ${hexNum(addr)} → PA ${pa === null ? "none (stage 2 maps nothing)" : hexNum(pa)}`;
}

/**
 * Where CD `ssid` of `dev`'s table is, as a physical address (through stage 2 for a VM's
 * device), and its address as the table holds it (an IPA in a VM).
 */
export function locateCdPa(
  w: World,
  dev: DeviceState,
  ssid: number,
): { ok: true; pa: number; addr: number } | { ok: false; why: string } {
  const space = spaceOf(w, dev);
  const where = locateCd(w, dev.cdTable, ssid, space);
  if (!where.ok) return where;
  const pa = space ? space.toPa(where.addr) : where.addr;
  if (pa === null) return { ok: false, why: `stage 2 maps no page at the CD's IPA ${hexNum(where.addr)}` };
  return { ok: true, pa, addr: where.addr };
}

/** The eight words of CD `ssid` of `dev` in memory (zeros where there is none). */
export function cdWords(w: World, dev: DeviceState, ssid: number): bigint[] {
  const where = locateCdPa(w, dev, ssid);
  return where.ok ? readWords(w.mem, where.pa, 8) : new Array<bigint>(8).fill(0n);
}

/** What `mm`'s page table maps `va` to, as a physical address (a guest's through stage 2). */
export function mmLookupPa(w: World, mm: MmState, va: number): number | null {
  const vm = vmOf(w, mm);
  if (!vm) return lookup(w.mem, mm.pgd, va as Va);
  const ipa = lookup(w.mem, mm.pgd, va as Va, guestSpace(w, vm));
  return ipa === null ? null : s2Lookup(w.mem, vm.s2ttb, ipa);
}

/** A process whose pgd is `ttb0` in the address space of `dev` (a VM's pgd is an IPA). */
export function pgdOwner(w: World, dev: DeviceState, ttb0: number): MmState | undefined {
  return w.mms.find((m) => m.pgd === (ttb0 as Pa) && m.vm === dev.vm);
}
