/**
 * A per-release oracle for the arm-smmu-v3-sva design: for v5.11, v5.15, v6.1, v6.6 and v6.9,
 * the commands every lesson of the design queues (opcode, key fields, order, CMD_SYNCs) are
 * checked against what that release's code sends. The expectations are written from reading
 * the code (drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3-sva.c and arm-smmu-v3.c,
 * include/asm-generic/tlb.h, mm/mmu_notifier.c, arch/arm64/include/asm/tlbflush.h of each
 * release; docs/kernels.md lists the trees read), not from the model's output: each helper
 * below names the kernel function that sends the commands, and re-derives the encodings
 * (__arm_smmu_tlb_inv_range, arm_smmu_atc_inv_to_cmd) from the code.
 */
import { describe, expect, it } from "vitest";
import { scenarioToJson } from "../../scenario/json-form.ts";
import { LIBRARY } from "../../scenario/library/index.ts";
import { mainlineIndex } from "../../scenario/releases.ts";
import { parseScenario } from "../../scenario/schema.ts";
import type { Scenario } from "../../scenario/types.ts";
import { type TraceCommand, toTraceJson } from "../report.ts";
import { runScenario } from "../run.ts";

const RELEASES = ["v5.11", "v5.15", "v6.1", "v6.6", "v6.9"] as const;
type Release = (typeof RELEASES)[number];
const at = (r: Release, tag: string): boolean => mainlineIndex(r) >= mainlineIndex(tag);

const PAGE = 0x1000;
const SYNC = "CMD_SYNC";
const hex = (v: number): string => `0x${v.toString(16)}`;

/** The hardware and the process of a lesson, as the oracle needs them. */
interface Setup {
  readonly sid: number;
  readonly btm: boolean;
  readonly ats: boolean;
  readonly ril: boolean;
  readonly pasid: number;
  /** The SMMU ASID of the shared CD: the mm's pinned CPU ASID (arm64_mm_context_get). */
  readonly asid: number;
}

const cfgiCd = (ssid: number, leaf = true): string => `CFGI_CD ssid=${ssid}${leaf ? "" : " leaf=0"}`;
const tlbiAsid = (asid: number): string => `TLBI_NH_ASID asid=${asid}`;
const tlbiVa = (asid: number, addr: number, num: number, scale: number, tg: number, ttl: number): string =>
  `TLBI_NH_VA asid=${asid} addr=${hex(addr)} num=${num} scale=${scale} tg=${tg} ttl=${ttl} leaf=0`;

/** arm_smmu_atc_inv_to_cmd: size 0 is everything (SIZE 52); otherwise the span of the pages. */
function atcInv(ssid: number, iova: number, size: number): string {
  const ssv = ssid !== 0 ? "ssv" : "nossv";
  if (size === 0) return `ATC_INV ssid=${ssid} ${ssv} addr=0x0 size=52`;
  const startPage = Math.floor(iova / PAGE);
  const endPage = Math.floor((iova + size - 1) / PAGE);
  const diff = startPage ^ endPage;
  const span = diff === 0 ? 0 : Math.floor(Math.log2(diff)) + 1;
  const first = Math.floor(startPage / 2 ** span) * 2 ** span;
  return `ATC_INV ssid=${ssid} ${ssv} addr=${hex(first * PAGE)} size=${span}`;
}

/**
 * __arm_smmu_tlb_inv_range for the SVA notifier (granule PAGE_SIZE, leaf false):
 * without RIL one command per page, TG = TTL = NUM = SCALE = 0; with RIL TG = 1 (4 KiB),
 * TTL = 3 before v6.5 (from the granule, even non-leaf) and 0 from v6.5, NUM/SCALE from the
 * lowest set bit of the remaining pages; from v6.6 a page count ending in NUM=SCALE=0 is
 * bumped by one page.
 */
function tlbiRange(r: Release, s: Setup, start: number, size: number): string[] {
  const out: string[] = [];
  if (!s.ril) {
    for (let iova = start; iova < start + size; iova += PAGE) out.push(tlbiVa(s.asid, iova, 0, 0, 0, 0));
    return out;
  }
  const ttl = at(r, "v6.5") ? 0 : 3;
  // A size that is not a multiple of the granule (≤v5.17's end - start + 1): the whole pages
  // are covered, then each turn adds 0 bytes and `while (iova < end)` never ends (DEAD_LOOP).
  let pages = Math.floor(size / PAGE);
  if (at(r, "v6.6") && (pages & 31) === 1) pages += 1;
  let iova = start;
  while (pages > 0) {
    let scale = 0;
    while (((pages >> scale) & 1) === 0) scale++;
    const n = (pages >> scale) & 31;
    out.push(tlbiVa(s.asid, iova, n - 1, scale, 1, ttl));
    iova += n * 2 ** scale * PAGE;
    pages -= n * 2 ** scale;
  }
  if (size % PAGE !== 0) out.push(DEAD_LOOP);
  return out;
}

/** The kernel loops for ever here; the run stops at the livelock, nothing more is sent. */
const DEAD_LOOP = "(dead loop)";

/**
 * One call of the notifier for [start, end): arm_smmu_mm_invalidate_range (≤v6.5) /
 * arm_smmu_mm_arch_invalidate_secondary_tlbs (v6.6+). size = end - start + 1 before v5.18;
 * from v6.6, without RIL and at CMDQ_MAX_TLBI_OPS (512) pages or more, size = 0: TLBI by
 * ASID (arm_smmu_tlb_inv_asid) and the whole PASID for the ATC. Without BTM the TLBIs and
 * their SYNC (arm_smmu_cmdq_batch_submit), then arm_smmu_atc_inv_domain and its SYNC.
 */
function notifierCall(r: Release, s: Setup, start: number, end: number): string[] {
  let size = at(r, "v5.18") ? end - start : end - start + 1;
  if (at(r, "v6.6") && !s.ril && size >= 512 * PAGE) size = 0;
  const out: string[] = [];
  if (!s.btm) out.push(...(size === 0 ? [tlbiAsid(s.asid)] : tlbiRange(r, s, start, size)), SYNC);
  if (s.ats) out.push(atcInv(s.pasid, start, size), SYNC);
  return out;
}

/** What each op of a lesson sends, in the release's code. */
type Event =
  /** __arm_smmu_sva_bind → arm_smmu_write_ctx_desc (≤v6.8) / the v6.9 writer: two CFGI_CD + SYNC. */
  | { readonly k: "bind"; readonly shareAsidOf?: number }
  /** munmap of `pages` pages at `start`; `tables`: free_pgtables frees the region's L3 table. */
  | { readonly k: "munmap"; readonly start: number; readonly pages: number; readonly tables?: boolean }
  /** Unbind of a live, not cleared notifier; `cleared`: release ran first. */
  | { readonly k: "unbind"; readonly cleared?: boolean }
  /** arm_smmu_mm_release; `afterUnbind`: behind the last unbind (the CD already cleared). */
  | { readonly k: "release"; readonly afterUnbind?: boolean }
  /** arm_smmu_page_response for a stalled access: CMD_RESUME, no SYNC. */
  | { readonly k: "resume"; readonly resp: "RETRY" | "ABORT" };

function expand(r: Release, s: Setup, events: readonly Event[]): string[] {
  const out = expandAll(r, s, events);
  const cut = out.indexOf(DEAD_LOOP);
  return cut < 0 ? out : out.slice(0, cut);
}

function expandAll(r: Release, s: Setup, events: readonly Event[]): string[] {
  // Before v5.14 arm_smmu_master_sva_supported demands IOPF, which arm_smmu_iopf_supported never
  // grants: no bind succeeds and no master stalls, so nothing is sent.
  if (!at(r, "v5.14")) return [];
  const out: string[] = [];
  for (const e of events) {
    switch (e.k) {
      case "bind":
        if (e.shareAsidOf !== undefined) {
          // arm_smmu_share_asid: the private domain's CD 0 gets a new ASID
          // (arm_smmu_write_ctx_desc(smmu_domain, 0, cd) → arm_smmu_sync_cd), then
          // arm_smmu_tlb_inv_asid(smmu, old asid).
          out.push(cfgiCd(0), SYNC, tlbiAsid(e.shareAsidOf), SYNC);
        }
        // arm_smmu_write_ctx_desc case (2): words 1–3, arm_smmu_sync_cd, word 0 with V, sync.
        out.push(cfgiCd(s.pasid), SYNC, cfgiCd(s.pasid), SYNC);
        break;
      case "munmap": {
        const end = e.start + e.pages * PAGE;
        // ≤v6.5: tlb_flush_mmu_tlbonly's mmu_notifier_invalidate_range, then
        // mmu_notifier_invalidate_range_end's invalidate_range; v6.6+: __flush_tlb_range's
        // arch_invalidate_secondary_tlbs only.
        out.push(...notifierCall(r, s, e.start, end));
        if (!at(r, "v6.6")) out.push(...notifierCall(r, s, e.start, end));
        if (e.tables) {
          // tlb_finish_mmu → tlb_flush_mmu_tlbonly for pte_free_tlb's [addr, addr + PAGE_SIZE).
          const lo = Math.floor(e.start / 0x200000) * 0x200000;
          out.push(...notifierCall(r, s, lo, lo + PAGE));
        }
        break;
      }
      case "unbind":
        // arm_smmu_mmu_notifier_put (≤v6.7; v6.8 arm_smmu_sva_remove_dev_pasid clears the CD):
        // CD word 0 = 0 and sync; unless cleared, arm_smmu_tlb_inv_asid and arm_smmu_atc_inv_domain.
        out.push(cfgiCd(s.pasid), SYNC);
        if (!e.cleared) {
          out.push(tlbiAsid(s.asid), SYNC);
          if (s.ats) out.push(atcInv(s.pasid, 0, 0), SYNC);
        }
        break;
      case "release": {
        // mm->pasid: 0 once unbind's iommu_sva_free_pasid freed it (≤v5.17).
        const ssid = e.afterUnbind && !at(r, "v5.18") ? 0 : s.pasid;
        // ≤v6.8 the quiet CD: word 0 | EPD0 and arm_smmu_sync_cd; v6.9 arm_smmu_make_sva_cd(NULL)
        // through arm_smmu_write_cd_entry: two stages, each with its sync.
        out.push(cfgiCd(ssid), SYNC);
        if (at(r, "v6.9")) out.push(cfgiCd(ssid), SYNC);
        out.push(tlbiAsid(s.asid), SYNC);
        if (s.ats) out.push(atcInv(ssid, 0, 0), SYNC);
        break;
      }
      case "resume":
        out.push(`RESUME resp=${e.resp}`);
        break;
      default: {
        const never: never = e;
        throw new Error(`unreachable ${String(never)}`);
      }
    }
  }
  return out;
}

/** The lessons of the design, with what each sends in order (their default schedules). */
const ORACLE: Readonly<Record<string, readonly Event[]>> = {
  lifecycle: [{ k: "bind" }, { k: "munmap", start: 0x10000, pages: 1 }, { k: "unbind" }],
  "munmap-no-btm": [{ k: "bind" }, { k: "munmap", start: 0x10000, pages: 1 }],
  "munmap-btm": [{ k: "bind" }, { k: "munmap", start: 0x10000, pages: 1 }],
  "cmd-sync": [{ k: "bind" }, { k: "munmap", start: 0x10000, pages: 1, tables: true }],
  "exit-while-bound": [{ k: "bind" }, { k: "release" }, { k: "unbind", cleared: true }],
  "unbind-vs-exit": [{ k: "bind" }, { k: "unbind" }, { k: "release", afterUnbind: true }],
  "walk-cache": [{ k: "bind" }, { k: "munmap", start: 0x200000, pages: 4, tables: true }],
  "range-invalidation": [{ k: "bind" }, { k: "munmap", start: 0x200000, pages: 512, tables: true }],
  "asid-sharing": [{ k: "bind", shareAsidOf: 1 }],
  stall: [{ k: "bind" }, { k: "resume", resp: "RETRY" }, { k: "resume", resp: "ABORT" }, { k: "unbind" }],
  "museum-mm-use-after-free": [{ k: "bind" }, { k: "release" }, { k: "unbind", cleared: true }],
  // In the threads' default order (their own schedule, the explorer's witness, is dropped: see
  // onRelease) T0's unbind runs whole before T1's exit: release finds no notifier.
  "museum-release-freed-cd": [{ k: "bind" }, { k: "unbind" }],
  "museum-release-ssid0": [{ k: "bind" }, { k: "unbind" }],
};

/** A command as the oracle writes it: opcode and the fields that matter. */
function show(c: TraceCommand): string {
  const f = c as unknown as Record<string, unknown>;
  switch (c.op) {
    case "CFGI_CD":
      return cfgiCd(f.ssid as number, f.leaf as boolean);
    case "TLBI_NH_ASID":
      return tlbiAsid(f.asid as number);
    case "TLBI_NH_VA":
      return `TLBI_NH_VA asid=${f.asid} addr=${f.addr} num=${f.num} scale=${f.scale} tg=${f.tg} ttl=${f.ttl} leaf=${f.leaf ? 1 : 0}`;
    case "ATC_INV":
      return `ATC_INV ssid=${f.ssid} ${f.ssv ? "ssv" : "nossv"} addr=${f.addr} size=${f.size}`;
    case "RESUME":
      return `RESUME resp=${f.resp}`;
    default:
      return c.op;
  }
}

/**
 * The lesson on release `r`. A museum lesson's schedule is the interleaving that shows its bug on
 * the buggy release; the oracle takes the threads' default order instead, on every release.
 */
function onRelease(s: Scenario, r: Release): Scenario {
  const museum = LIBRARY.some((l) => l.bug !== undefined && l.scenario === s);
  const { driver: _design, schedule, ...json } = scenarioToJson(s) as Record<string, unknown>;
  if (!museum && schedule !== undefined) json.schedule = schedule;
  const p = parseScenario({ ...json, kernel: r });
  if (!p.ok) throw new Error(p.error);
  return p.value;
}

const lessons = LIBRARY.filter((l) => l.id in ORACLE);

it("covers every lesson of the design that sends commands (the soft-lockup and dead-loop lessons are cut)", () => {
  const design = LIBRARY.filter(
    (l) => mainlineIndex(l.scenario.kernel) >= 0 && mainlineIndex(l.scenario.kernel) < mainlineIndex("v6.10"),
  ).map((l) => l.id);
  const cut = [
    "museum-soft-lockup",
    "museum-size-dead-loop",
    "cmd-sync-early-free",
    "sva-lock",
    "notifier-freed-early",
    // The design history's 2021 lesson: asid-sharing's scenario on v5.14.
    "history-2021-share-asid",
  ];
  expect(design.filter((id) => !(id in ORACLE) && !cut.includes(id))).toEqual([]);
});

describe.each(RELEASES)("%s", (r) => {
  it.each(lessons.map((l) => [l.id, l] as const))("%s sends what the release's code sends", (id, lesson) => {
    const s = onRelease(lesson.scenario, r);
    const t = toTraceJson(runScenario(s));
    const dev = s.devices[0]!;
    const setup: Setup = {
      sid: dev.sid,
      btm: s.smmu.features.includes("btm"),
      ats: s.smmu.features.includes("ats") && dev.ats,
      ril: s.smmu.features.includes("ril"),
      pasid: 1,
      asid: t.asids.app ?? -1,
    };
    expect(t.commands.map(show)).toEqual(expand(r, setup, ORACLE[id]!));
  });
});
