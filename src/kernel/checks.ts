/**
 * Invariants checked where the kernel hands out an identifier: a PASID or an ASID given to a
 * new owner must carry nothing of its previous owner — no valid CD, no cached CD, no ATC entry
 * for the PASID; no IOTLB entry tagged with the ASID — and where it takes one back: a freed
 * PASID has no valid CD left (stale-cd). A CD write names the SSID its binding owns
 * (foreign-cd-write). (The other invariants are checked where they can break: DMA in
 * engine/device.ts, lifetimes in objects.ts, the end in run.ts.)
 */

import { getField } from "../engine/bits.ts";
import { CD_LAYOUT } from "../engine/cd.ts";
import { cdKey } from "../engine/tables.ts";
import type { DeviceState, World } from "../engine/world.ts";
import type { Ctx, KernelCtx } from "./program.ts";
import { readCd } from "./smmu-ops.ts";

const valid = (cd: readonly bigint[]): boolean => getField(cd, CD_LAYOUT.fields.V) === 1n;

/** Called when `pasid` is allocated for `owner`. */
export function checkPasidClean(c: Ctx, pasid: number, owner: string): void {
  const left: string[] = [];
  for (const dev of c.w.devices) {
    if (pasid >= 2 ** dev.cdTable.s1cdmax) continue;
    if (valid(readCd(c.w, dev, pasid))) left.push(`${dev.name}'s CD ${pasid} is still valid`);
    const cached = c.w.smmu.cfg.cd[cdKey(dev.sid, pasid)];
    if (cached && valid(cached))
      left.push(`the SMMU's configuration cache still holds ${dev.name}'s valid CD ${pasid}`);
    const atc = dev.atc.filter((e) => e.pasid === pasid).length;
    if (atc > 0) left.push(`${dev.name}'s ATC still holds ${atc} translation(s) for PASID ${pasid}`);
    const prgs = dev.prgs.filter((p) => p.pasid === pasid && p.response === null).length;
    if (prgs > 0) left.push(`${dev.name} still waits on ${prgs} page request(s) for PASID ${pasid}`);
  }
  const stalls = c.w.smmu.stalls.filter(
    (s) => s.ssid === pasid && (s.state === "stalled" || s.state === "handling"),
  ).length;
  if (stalls > 0) left.push(`the SMMU still holds ${stalls} stalled access(es) with PASID ${pasid}`);
  if (left.length > 0) {
    c.rec.violation("pasid-reuse", `PASID ${pasid} is handed to ${owner}, but ${left.join("; ")}.`);
  }
}

/** Called when the SMMU driver takes `asid` for a new address space. */
export function checkAsidClean(c: Ctx, asid: number, owner: string): void {
  const left = c.w.smmu.iotlb.filter((e) => e.asid === asid).length;
  if (left > 0) {
    c.rec.violation(
      "asid-conflict",
      `ASID ${asid} is handed to ${owner}, but the IOTLB still holds ${left} entr${left === 1 ? "y" : "ies"} tagged with it from its previous owner.`,
    );
  }
}

/**
 * The valid CDs, and valid cached CDs, still at `pasid` in host devices' tables: what must be
 * gone once the PASID is free (stale-cd). A device assigned to a VM holds guest CDs, indexed by
 * the guest's PASIDs, so it is not looked at.
 */
export function validCdsAt(w: World, pasid: number): string[] {
  const left: string[] = [];
  for (const dev of w.devices) {
    if (dev.vm !== undefined || pasid >= 2 ** dev.cdTable.s1cdmax) continue;
    if (valid(readCd(w, dev, pasid))) left.push(`${dev.name}'s CD ${pasid} is still valid`);
    const cached = w.smmu.cfg.cd[cdKey(dev.sid, pasid)];
    if (cached && valid(cached))
      left.push(`the SMMU's configuration cache still holds ${dev.name}'s valid CD ${pasid}`);
  }
  return left;
}

/** Called where the kernel frees `pasid` (iommu_sva_free_pasid ≤v5.17, mm_pasid_drop v5.18+). */
export function checkPasidFreed(c: KernelCtx, pasid: number, fn: string): void {
  const left = validCdsAt(c.w, pasid);
  if (left.length > 0) {
    c.rec.violation("stale-cd", `${fn} frees PASID ${pasid}, but ${left.join("; ")}.`);
  }
}

/**
 * At the end of a run: every PASID a device's driver was given and that is free now (no
 * longer in the allocator) must have no valid CD or cached CD left. Only the PASIDs devices
 * were told and the configuration cache's keys are looked at: no scan of whole CD tables.
 */
export function staleCdsAtEnd(w: World): string[] {
  const pasids = new Set<number>();
  for (const dev of w.devices) {
    if (dev.vm !== undefined) continue;
    for (const p of Object.values(dev.pasids)) pasids.add(p);
  }
  for (const key of Object.keys(w.smmu.cfg.cd)) {
    const ssid = Number(key.slice(key.indexOf(":") + 1));
    if (ssid !== 0) pasids.add(ssid);
  }
  const out: string[] = [];
  for (const pasid of [...pasids].sort((a, b) => a - b)) {
    if (pasid in w.kernel.pasids) continue;
    for (const what of validCdsAt(w, pasid)) out.push(`PASID ${pasid} is free, but ${what}`);
  }
  return out;
}

/**
 * A path writes CD[ssid] of `dev` on behalf of a binding that owns `owned` (its PASID): any
 * other SSID belongs to someone else — SSID 0 to the device's DMA-API domain, another PASID to
 * another binding (foreign-cd-write).
 */
export function checkCdOwner(c: Ctx, dev: DeviceState, ssid: number, owned: number, who: string): void {
  if (ssid === owned) return;
  const whose = ssid === 0 ? `SSID 0, ${dev.name}'s DMA-API context` : `SSID ${ssid}, not its PASID`;
  c.rec.violation(
    "foreign-cd-write",
    `${who} writes ${dev.name}'s CD ${ssid} on behalf of a binding that owns PASID ${owned}: it touches ${whose}.`,
  );
}

/**
 * Called when a DMA with the PASID of `process`'s binding faulted: if the mm is live, the
 * process never unbound the device, and the binding was torn down by a task's exit (the 2017
 * RFC's binding belonged to the task that made it), a still-running task lost its device.
 */
export function checkLostBinding(c: Ctx, device: string, process: string, pasid: number): void {
  const mm = c.w.mms.find((m) => m.process === process);
  if (mm?.state !== "live" || mm.users === 0) return;
  const bond = Object.values(c.w.kernel.objects).find(
    (o) =>
      o.kind === "bond" &&
      o.process === process &&
      o.device === device &&
      o.fields.pasid === pasid &&
      o.fields.ended === "task-exit",
  );
  if (!bond) return;
  const live = (mm.tasks ?? []).filter((t) => !t.exited).map((t) => t.name);
  c.rec.violation(
    "lost-binding",
    `${c.t.name}'s DMA for ${process} faulted on PASID ${pasid}: ${process}'s mm is live (mm_users ${mm.users}${live.length > 0 ? `, task${live.length > 1 ? "s" : ""} ${live.join(", ")}` : ""}) and never unbound ${device}, but the exit of the task that bound it tore the binding down.`,
  );
}
