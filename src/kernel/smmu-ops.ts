/**
 * Driver helpers shared by the designs: where a master's CD lives, writing CD words, the
 * commands the invalidation helpers build, and the ASID/PASID allocators (reference §1.2,
 * §3.3, §5).
 */

import { CD_LAYOUT, makeL1Cd, makeSvaCd } from "../engine/cd.ts";
import { ownDevice, ownMm } from "../engine/clone.ts";
import { atcInvCmd, type Cmd, tlbiRangeCmds } from "../engine/commands.ts";
import { PAGE_SIZE, type Pa, asid as toAsid } from "../engine/ids.ts";
import { allocContiguous, readWords, writeWord, writeWords } from "../engine/memory.ts";
import { CD_LEAF_BYTES, cdL1DescAddr, cdL1Index, locateCd, needsCdLeaf } from "../engine/tables.ts";
import type { DeviceState, Draft, KObject, MmState, World } from "../engine/world.ts";
import { designOf, releaseHas } from "../scenario/releases.ts";
import { type CmdqLocals, issueCommands } from "./cmdq.ts";
import { mmdrop } from "./mm.ts";
import { free } from "./objects.ts";
import { type Ctx, type KernelCtx, locals, type MicroStep, step } from "./program.ts";

interface SmmuOpsLocals extends Pick<CmdqLocals, "cmdq.cut"> {
  /** cdLeafSteps allocated a CD leaf: its L1 descriptor must be synced. */
  "l1.new"?: boolean;
}

const { local, setLocal } = locals<SmmuOpsLocals>();

/** MAIR_EL1 as arm64 Linux sets it: NORMAL, NORMAL_TAGGED, NORMAL_NC, DEVICE_nGnRnE, DEVICE_nGnRE. */
export const CPU_MAIR = 0x0000_0004_0044_f0ffn;
/** The CPU's PARange, 48 bits (IPS encoding 5). */
export const CPU_IPS = 5;
/** CMDQ_MAX_TLBI_OPS with 4 KiB pages: above this many pages, invalidate the whole ASID. */
export const CMDQ_MAX_TLBI_OPS = 512;

/** CD[ssid] of the device's table; allocates the 2-level leaf if `alloc` (arm_smmu_get_cd_ptr). */
export function cdAddr(w: World, dev: DeviceState, ssid: number): Pa | null {
  const r = locateCd(w, dev.cdTable, ssid);
  return r.ok ? r.addr : null;
}

/** Allocates the 64 KiB leaf of 1024 CDs and writes its L1 descriptor. */
export function allocCdLeaf(w: World, dev: DeviceState, ssid: number): Pa {
  const leaf = allocContiguous(w.mem, CD_LEAF_BYTES / PAGE_SIZE, {
    kind: "cdtable",
    device: dev.name,
    level: 2,
  });
  ownDevice(w, dev).cdTable.leaves[cdL1Index(ssid)] = leaf;
  writeWord(w.mem, cdL1DescAddr(dev.cdTable, ssid), makeL1Cd(leaf));
  return leaf;
}

export function readCd(w: World, dev: DeviceState, ssid: number): bigint[] {
  const addr = cdAddr(w, dev, ssid);
  return addr === null ? new Array(8).fill(0n) : readWords(w.mem, addr, 8);
}

/** Writes words [from, to) of CD[ssid] (the driver writes a CD in stages). */
export function writeCdWords(
  w: World,
  dev: DeviceState,
  ssid: number,
  cd: readonly bigint[],
  from = 0,
  to = 8,
): void {
  const addr = cdAddr(w, dev, ssid);
  if (addr === null) throw new Error(`CD ${dev.name}:${ssid} has no leaf`);
  writeWords(w.mem, addr + from * 8, cd.slice(from, to));
}

/**
 * A stall-enabled master (reference §4.2): the SMMU can stall and the device has no PRI of
 * its own ("dma-can-stall"); its CDs set S and its STE leaves S1STALLD clear.
 */
export function stallEnabled(w: World, dev: DeviceState): boolean {
  // master->stall_enabled came with "iommu/arm-smmu-v3: Add stall support for platform devices"
  // (v5.14): before it the STE sets S1STALLD and faults terminate.
  const rel = w.kernel.release;
  if (designOf(rel) !== "io-mm-2018" && !releaseHas(rel, "sva-without-iopf")) return false;
  return w.smmu.features.stall && !dev.pri;
}

/**
 * An SVA CD for `dev`: the CPU's tables of `mm` (or the release CD when `mm` is null), `asid`,
 * MAIR; ASET=0 when the ASID is shared with the CPU (≤6.9) — arm_smmu_alloc_shared_cd /
 * arm_smmu_make_sva_cd.
 */
export function svaCd(w: World, dev: DeviceState, mm: MmState | null, asid: number, aset: boolean): bigint[] {
  return makeSvaCd({
    asid: toAsid(asid),
    ttb0: mm ? mm.pgd : null,
    ips: CPU_IPS,
    mair: CPU_MAIR,
    aset,
    stall: stallEnabled(w, dev),
  });
}

export const cdValid = (cd: readonly bigint[]): boolean => (cd[0]! & CD_LAYOUT.fields.V.mask) !== 0n;

/** CFGI_CD for every StreamID of the master (arm_smmu_sync_cd); one SID per device here. */
export function cfgiCd(dev: DeviceState, ssid: number, leaf = true): Cmd[] {
  return [{ op: "CFGI_CD", sid: dev.sid, ssid, leaf }];
}

export function tlbiAsid(asid: number): Cmd[] {
  return [{ op: "TLBI_NH_ASID", asid, vmid: 0 }];
}

/**
 * arm_smmu_tlb_inv_range_asid for [start, end): TLBI_NH_VA per page, or with RIL the range
 * encoding; a range of CMDQ_MAX_TLBI_OPS pages or more becomes one TLBI_NH_ASID.
 */
export function tlbiRange(w: World, asid: number, start: number, end: number): Cmd[] {
  const size = end - start;
  if (!w.smmu.features.ril && size >= CMDQ_MAX_TLBI_OPS * PAGE_SIZE) return tlbiAsid(asid);
  return tlbiRangeCmds({
    op: "TLBI_NH_VA",
    asid,
    vmid: 0,
    iova: start,
    size,
    granule: PAGE_SIZE,
    // The notifier cannot know whether tables were freed: always non-leaf, which also drops
    // walk-cache entries. The fault leaf-only-tlbi sends LEAF=1 as a DMA-domain unmap would.
    leaf: w.kernel.faults.includes("leaf-only-tlbi"),
    ril: w.smmu.features.ril,
  });
}

/**
 * The model's bound on one call of __arm_smmu_tlb_inv_range without RIL: 2^16 TLBI_NH_VA (256
 * MiB of 4 KiB pages) queued in one notifier call with no pause. The kernel's soft-lockup
 * watchdog fires after 20 s in such a loop (the report behind d5afb4b47e13 unmapped far more);
 * the model cannot queue that many commands, so it cuts the loop here and calls it a livelock.
 */
export const SOFT_LOCKUP_TLBI_CMDS = 1 << 16;

/**
 * arm_smmu_tlb_inv_range_asid for [start, start + size) as the world's release builds it
 * (__arm_smmu_tlb_inv_range): non-leaf, TTL from the granule before v6.5 ("Set TTL invalidation
 * hint better" leaves non-leaf TTL 0), NUM=SCALE=0 chunks rounded up from v6.6 ("Avoid
 * constructing invalid range commands"). Two loops the kernel could not leave are cut and
 * reported as a livelock: a size that is not a multiple of the granule with RIL (≤v5.17's
 * end − start + 1: `while (iova < end)` adds 0 bytes once num_pages is 0), and a per-page loop
 * longer than SOFT_LOCKUP_TLBI_CMDS.
 */
export function tlbiRangeAsid(c: Ctx, asid: number, start: number, size: number): Cmd[] {
  const ril = c.w.smmu.features.ril;
  const rel = c.w.kernel.release;
  const leaf = c.w.kernel.faults.includes("leaf-only-tlbi");
  const range = (bytes: number) =>
    tlbiRangeCmds({
      op: "TLBI_NH_VA",
      asid,
      vmid: 0,
      iova: start,
      size: bytes,
      granule: PAGE_SIZE,
      leaf,
      ril,
      ttlNonLeaf: !releaseHas(rel, "ttl-leaf-only"),
      bumpNonLeaf: releaseHas(rel, "range-no-zero-num"),
    });
  if (ril && size % PAGE_SIZE !== 0) {
    const whole = range(size - (size % PAGE_SIZE));
    // The loop never reaches arm_smmu_cmdq_batch_submit: no CMD_SYNC follows.
    setLocal(c, "cmdq.cut", true);
    c.rec.violation(
      "livelock",
      `__arm_smmu_tlb_inv_range: size 0x${size.toString(16)} is not a multiple of the 4 KiB granule. After ${whole.length} range command(s) cover the whole pages, num_pages is 0, each further command covers 0 bytes and iova never reaches the end: the loop never ends (the model stops it here, ${whole.length} command(s) queued).`,
    );
    return whole;
  }
  if (!ril && size / PAGE_SIZE > SOFT_LOCKUP_TLBI_CMDS) {
    c.rec.violation(
      "livelock",
      `__arm_smmu_tlb_inv_range would queue ${size / PAGE_SIZE} TLBI_NH_VA, one per page (no RIL), in one call with no pause: a soft lockup ("watchdog: BUG: soft lockup"). The model stops the loop at its bound of ${SOFT_LOCKUP_TLBI_CMDS} commands; none of them is queued.`,
    );
    return [];
  }
  return range(size);
}

/** arm_smmu_atc_inv_domain: one ATC_INV per ATS-enabled SID; size 0 = everything. */
export function atcInv(dev: DeviceState, ssid: number, start: number, size: number): Cmd[] {
  return [atcInvCmd(dev.sid, ssid, start, size)];
}

export function atsEnabled(w: World, dev: DeviceState): boolean {
  return dev.ats && w.smmu.features.ats;
}

/** Lowest free id in [min, max] of an allocator map (ida / xarray with XA_FLAGS_ALLOC1). */
export function lowestFree(used: Record<number, unknown>, min: number, max: number): number | null {
  for (let id = min; id <= max; id++) if (!(id in used)) return id;
  return null;
}

/**
 * arm_smmu_get_cd_ptr for a 2-level CD table: when the PASID's leaf does not exist yet, allocate
 * it, write its L1 descriptor, and sync with CFGI_CD leaf=0 (the SMMU may have cached the
 * invalid L1 descriptor). Nothing happens when the leaf is there.
 */
export function cdLeafSteps(
  dev: (c: Ctx) => DeviceState,
  ssid: (c: Ctx) => number,
  fn = "arm_smmu_get_cd_ptr",
): MicroStep[] {
  return [
    step(
      fn,
      (c) => {
        const leaf = allocCdLeaf(c.w, dev(c), ssid(c));
        setLocal(c, "l1.new", true);
        c.rec.say(`A new leaf of 1024 CDs at 0x${leaf.toString(16)} and its L1 descriptor are written.`);
        return undefined;
      },
      { when: (c) => needsCdLeaf(dev(c).cdTable, ssid(c)) },
    ),
    ...issueCommands("arm_smmu_sync_cd", (c) => cfgiCd(dev(c), ssid(c), false), {
      when: (c) => local(c, "l1.new") === true,
    }),
  ];
}

/**
 * The SRCU callback that frees an SMMU notifier (mmu_notifier_free_rcu → free_notifier): kfree
 * of the notifier and what is embedded with it, and the notifier's mmdrop.
 */
export function freeNotifierAndMm(
  c: KernelCtx,
  mn: Draft<KObject<unknown>>,
  alsoFree: readonly (Draft<KObject<unknown>> | undefined)[] = [],
): void {
  free(c, mn);
  for (const o of alsoFree) if (o) free(c, o);
  const mm = c.w.mms.find((m) => m.process === mn.process);
  if (mm) mmdrop(c, ownMm(c.w, mm));
}
