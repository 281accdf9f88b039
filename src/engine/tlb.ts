/**
 * What a TLB invalidation removes from the SMMU's IOTLB and walk cache, whether it comes as a
 * command (consume.ts) or as a broadcast TLBI from a CPU (BTM, `smmuBroadcastTlbi`).
 *
 * The model's caches hold two kinds of entry: IOTLB entries (level-3 leaves, one 4 KiB page)
 * and walk-cache entries (the level-2 table descriptor that points at a level-3 table). A TLBI
 * removes the minimum the architecture requires (SMMUv3 §4.4.1.1), so that what a too-narrow
 * invalidation leaves behind stays visible:
 *   - by ASID: every entry of the ASID (and VMID);
 *   - by VA, LEAF = 1: last-level entries only; walk-cache entries stay;
 *   - by VA, LEAF = 0: last-level entries and the table descriptors above the leaf level; with a
 *     TTL hint of level L, leaves at level L and table descriptors at levels before L. So TTL=3
 *     (or 0, or TG=0) drops both kinds; TTL=2 or 1 needs neither (their leaves are blocks, which
 *     4 KiB mappings never make).
 *
 * BTM (§3.17, reference §2): an SMMU that takes part in broadcast TLB maintenance (IDR0.BTM and
 * CR2.PTM = 0 — mainline Linux always sets PTM) applies the CPU's TLBI VAE1IS / VALE1IS /
 * ASIDE1IS to its own entries of that ASID and VMID: only those filled through a CD with
 * ASET = 0, since ASET = 1 entries do not take part in broadcast invalidation by ASID or VA.
 */

import { type Shell, smmuShell } from "./clone.ts";
import { PAGE_SIZE } from "./ids.ts";
import { L3_SPAN } from "./pgtable.ts";
import type { Recorder } from "./trace.ts";
import type { SmmuState, World } from "./world.ts";

/** The entries a TLBI by VA reaches (SMMUv3 §4.4.1.1, as the file comment explains). */
export function vaScope(o: { leaf: boolean; tg?: number; ttl?: number }): {
  leaves: boolean;
  tables: boolean;
} {
  const ttl = o.tg === undefined || o.tg === 0 ? 0 : (o.ttl ?? 0);
  const leaves = ttl === 0 || ttl === 3;
  return { leaves, tables: !o.leaf && leaves };
}

export interface Dropped {
  readonly iotlb: number;
  readonly walkCache: number;
}

interface Match {
  readonly vmid: number;
  /** Absent: every ASID (TLBI_NH_VAA). */
  readonly asid?: number;
  /** Only entries filled through an ASET=0 CD (a broadcast TLBI). */
  readonly sharedOnly?: boolean;
}

const tagged = (m: Match) => (e: { asid: number; vmid: number; shared: boolean }) =>
  e.vmid === m.vmid && (m.asid === undefined || e.asid === m.asid) && (!m.sharedOnly || e.shared);

/** Drops every IOTLB and walk-cache entry of the ASID (TLBI_NH_ASID, ASIDE1IS). */
export function invalidateAsid(s: Shell<SmmuState>, m: Match & { readonly asid: number }): Dropped {
  const hit = tagged(m);
  const before = [s.iotlb.length, s.walkCache.length] as const;
  s.iotlb = s.iotlb.filter((e) => !hit(e));
  s.walkCache = s.walkCache.filter((e) => !hit(e));
  return { iotlb: before[0] - s.iotlb.length, walkCache: before[1] - s.walkCache.length };
}

/** Drops what a TLBI by VA of `count` pages from `first` reaches (TLBI_NH_VA/VAA, VA{L}E1IS). */
export function invalidateVa(
  s: Shell<SmmuState>,
  m: Match,
  first: number,
  count: number,
  scope: { leaves: boolean; tables: boolean },
): Dropped {
  const hit = tagged(m);
  const end = first + count * PAGE_SIZE;
  const before = [s.iotlb.length, s.walkCache.length] as const;
  if (scope.leaves) s.iotlb = s.iotlb.filter((e) => !(hit(e) && e.va >= first && e.va < end));
  if (scope.tables) {
    s.walkCache = s.walkCache.filter((e) => !(hit(e) && e.va < end && e.va + L3_SPAN > first));
  }
  return { iotlb: before[0] - s.iotlb.length, walkCache: before[1] - s.walkCache.length };
}

/** A CPU's broadcast TLBI as the interconnect delivers it (DVM). */
export type BroadcastTlbi =
  | {
      /** TLBI VAE1IS (leaf = false) or VALE1IS (leaf = true), one per page of the range. */
      readonly kind: "va";
      readonly asid: number;
      readonly va: number;
      /** Bytes from `va` (default one page): arm64's __flush_tlb_range loops over them. */
      readonly size?: number;
      readonly leaf: boolean;
      readonly vmid?: number;
    }
  | { readonly kind: "asid"; readonly asid: number; readonly vmid?: number };

/**
 * The SMMU receiving a CPU's broadcast TLB invalidation. Without BTM it takes no part and
 * nothing changes; with BTM it drops its ASET=0 entries of that ASID (and VMID, 0 for the host)
 * that the TLBI reaches: by VA the pages of the range, and with a non-leaf TLBI the walk-cache
 * entries over them; by ASID everything. Returns what it dropped.
 *
 * @example
 *   // free_pgtables freed a level-3 table: arm64's tlb_flush sends VAE1IS (non-leaf).
 *   smmuBroadcastTlbi(w, rec, { kind: "va", asid: 5, va: 0x200000, size: 0x4000, leaf: false });
 *   // → { iotlb: 1, walkCache: 1 }
 */
export function smmuBroadcastTlbi(w: World, rec: Recorder, b: BroadcastTlbi): Dropped {
  if (!w.smmu.features.btm) return { iotlb: 0, walkCache: 0 };
  const m = { asid: b.asid, vmid: b.vmid ?? 0, sharedOnly: true };
  let dropped: Dropped;
  if (b.kind === "asid") dropped = invalidateAsid(smmuShell(w), m);
  else {
    const first = Math.floor(b.va / PAGE_SIZE) * PAGE_SIZE;
    const count = Math.max(1, Math.ceil((b.va + (b.size ?? PAGE_SIZE) - first) / PAGE_SIZE));
    dropped = invalidateVa(smmuShell(w), m, first, count, { leaves: true, tables: !b.leaf });
  }
  rec.record({
    type: "smmu.tlbi.broadcast",
    tlbi: b.kind === "asid" ? "ASIDE1IS" : b.leaf ? "VALE1IS" : "VAE1IS",
    asid: b.asid,
    ...(b.kind === "va" ? { va: b.va, size: b.size ?? PAGE_SIZE } : {}),
    iotlb: dropped.iotlb,
    walkCache: dropped.walkCache,
  });
  return dropped;
}
