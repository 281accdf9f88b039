/**
 * What a TLBI reaches, against SMMUv3 §4.4.1.1 (the TTL table and its note on TTL=0b10 with
 * Leaf=0) and §3.17 (ASET=1 entries take no part in broadcast invalidation by ASID or VA), and
 * the SMMU's side of the CPU's broadcast TLBIs (BTM).
 */

import { describe, expect, it } from "vitest";
import { boot } from "../kernel/boot.ts";
import { scenario } from "../kernel/testing.ts";
import walkCacheJson from "../scenario/library/walk-cache.json";
import { ownSmmu } from "./clone.ts";
import { smmuBroadcastTlbi, vaScope } from "./tlb.ts";
import { Recorder } from "./trace.ts";
import type { World } from "./world.ts";

describe("vaScope (SMMUv3 §4.4.1.1)", () => {
  it("TG=0: TTL is not used; LEAF=0 reaches leaves and table entries, LEAF=1 leaves only", () => {
    expect(vaScope({ leaf: false, tg: 0, ttl: 0 })).toEqual({ leaves: true, tables: true });
    expect(vaScope({ leaf: true, tg: 0, ttl: 0 })).toEqual({ leaves: true, tables: false });
  });

  it("TTL=0b11, LEAF=0: level-3 leaves and the table entries of levels 0–2 (the L2 pointer to the L3 table)", () => {
    expect(vaScope({ leaf: false, tg: 1, ttl: 3 })).toEqual({ leaves: true, tables: true });
  });

  it("TTL=0b10, LEAF=0: 'not required to invalidate level 3 entries, level 2 table entries' (the spec's note)", () => {
    expect(vaScope({ leaf: false, tg: 1, ttl: 2 })).toEqual({ leaves: false, tables: false });
    expect(vaScope({ leaf: false, tg: 1, ttl: 1 })).toEqual({ leaves: false, tables: false });
  });
});

/** A booted world with one IOTLB and one walk-cache entry per (ASID, ASET) pair given. */
function worldWith(btm: boolean, entries: { asid: number; shared: boolean }[]): World {
  const s = scenario(walkCacheJson);
  const w = boot({ ...s, smmu: { ...s.smmu, features: btm ? ["btm"] : [] } });
  for (const { asid, shared } of entries) {
    ownSmmu(w).iotlb.push({
      asid,
      vmid: 0,
      va: 0x201000,
      pa: 0x5000_0000,
      writable: true,
      shared,
      sid: 8,
      ssid: 1,
    });
    ownSmmu(w).walkCache.push({ asid, vmid: 0, va: 0x200000, table: 0x4002_3000, generation: 1, shared });
  }
  return w;
}

const summary = (w: World) => ({
  iotlb: w.smmu.iotlb.map((e) => `${e.asid}${e.shared ? "" : "p"}`),
  walk: w.smmu.walkCache.map((e) => `${e.asid}${e.shared ? "" : "p"}`),
});

describe("smmuBroadcastTlbi (BTM)", () => {
  const entries = [
    { asid: 5, shared: true },
    { asid: 5, shared: false },
    { asid: 6, shared: true },
  ];

  it("TLBI VAE1IS (non-leaf) drops the page's IOTLB entry and the walk-cache entry over it, of that ASID, ASET=0 only", () => {
    const w = worldWith(true, entries);
    const d = smmuBroadcastTlbi(w, new Recorder(), {
      kind: "va",
      asid: 5,
      va: 0x200000,
      size: 0x4000,
      leaf: false,
    });
    expect(d).toEqual({ iotlb: 1, walkCache: 1 });
    expect(summary(w)).toEqual({ iotlb: ["5p", "6"], walk: ["5p", "6"] });
  });

  it("TLBI VALE1IS (leaf) keeps the walk-cache entry", () => {
    const w = worldWith(true, entries);
    const d = smmuBroadcastTlbi(w, new Recorder(), { kind: "va", asid: 5, va: 0x201000, leaf: true });
    expect(d).toEqual({ iotlb: 1, walkCache: 0 });
    expect(summary(w).walk).toEqual(["5", "5p", "6"]);
  });

  it("a page outside the range is kept; the walk-cache entry of its 2 MiB region is not", () => {
    const w = worldWith(true, entries);
    expect(smmuBroadcastTlbi(w, new Recorder(), { kind: "va", asid: 5, va: 0x200000, leaf: false })).toEqual({
      iotlb: 0,
      walkCache: 1,
    });
  });

  it("TLBI ASIDE1IS drops every ASET=0 entry of the ASID", () => {
    const w = worldWith(true, entries);
    const rec = new Recorder();
    expect(smmuBroadcastTlbi(w, rec, { kind: "asid", asid: 5 })).toEqual({ iotlb: 1, walkCache: 1 });
    expect(summary(w)).toEqual({ iotlb: ["5p", "6"], walk: ["5p", "6"] });
    expect(rec.events).toEqual([
      { type: "smmu.tlbi.broadcast", tlbi: "ASIDE1IS", asid: 5, iotlb: 1, walkCache: 1 },
    ]);
  });

  it("without BTM the SMMU takes no part: nothing changes", () => {
    const w = worldWith(false, entries);
    expect(smmuBroadcastTlbi(w, new Recorder(), { kind: "asid", asid: 5 })).toEqual({
      iotlb: 0,
      walkCache: 0,
    });
    expect(summary(w)).toEqual({ iotlb: ["5", "5p", "6"], walk: ["5", "5p", "6"] });
  });
});
