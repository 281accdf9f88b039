/**
 * The translation path the trace records for each DMA (engine/xlate-path.ts), checked against
 * the walk as the architecture defines it, with the masks of Linux's arm-smmu-v3.h and the
 * arm64 page-table format — not against the engine's own locate functions:
 *   - linear stream table: STE[sid] at STRTAB_BASE + 64·sid; 2-level (STRTAB_SPLIT 8): the L1
 *     descriptor at STRTAB_BASE + 8·(sid >> 8), L2Ptr = desc[51:6], STE at L2Ptr + 64·(sid & 0xff);
 *   - CD table: S1ContextPtr = STE[51:6], S1Fmt = STE[5:4], S1CDMax = STE[63:59]; linear CD at
 *     S1ContextPtr + 64·ssid; 2-level with 64 KiB leaves (CTXDESC_L2_ENTRIES 1024): L1 at
 *     S1ContextPtr + 8·(ssid >> 10), L2Ptr = desc[51:12], CD at L2Ptr + 64·(ssid & 0x3ff);
 *   - stage 1: TTB0 = CD dw1[51:4], the level-n index VA[47−9n : 39−9n], the descriptor at
 *     table + 8·index, the next table desc[47:12]; the IOTLB tagged with CD.ASID = dw0[63:48];
 *   - nested: every address above is an IPA, each turned into a PA by the stage-2 walk from
 *     S2TTB = STE dw3[51:4], of the same four-level shape.
 */

import { describe, expect, it } from "vitest";
import type { Va } from "../engine/ids.ts";
import { readWord, readWords } from "../engine/memory.ts";
import { translateTraced } from "../engine/smmu.ts";
import { Recorder, SilentRecorder } from "../engine/trace.ts";
import type { World } from "../engine/world.ts";
import type { S2Read, TableRead, TranslationPath } from "../engine/xlate-path.ts";
import { pathLog } from "../engine/xlate-path.ts";
import { LIBRARY } from "../scenario/library/index.ts";
import { clone, runScenario } from "./run.ts";

const GENMASK = (h: number, l: number) => ((1n << BigInt(h - l + 1)) - 1n) << BigInt(l);
const bits = (w: bigint, h: number, l: number) => Number((w & GENMASK(h, l)) >> BigInt(l));
const word = (w: World, pa: number): bigint => readWord(w.mem, pa);
const words = (w: World, pa: number, n: number): bigint[] => readWords(w.mem, pa, n);
const levelIndex = (va: number, level: number) => bits(BigInt(va), 47 - 9 * level, 39 - 9 * level);

/** The four-level stage-2 walk of `ipa` from S2TTB, as the architecture reads it. */
function s2Walk(w: World, s2ttb: number, ipa: number): { pa: number | null; descs: [number, bigint][] } {
  let table = s2ttb;
  const descs: [number, bigint][] = [];
  for (let level = 0; level < 4; level++) {
    const at = table + 8 * levelIndex(ipa, level);
    const d = word(w, at);
    descs.push([at, d]);
    if ((d & 3n) !== 3n) return { pa: null, descs };
    table = bits(d, 47, 12) * 4096;
  }
  return { pa: table + (ipa % 4096), descs };
}

interface Case {
  readonly lesson: string;
  readonly step: number;
  readonly path: TranslationPath;
  readonly world: World;
}

/** Every DMA's path in the library, with the world just after its step. */
function allPaths(): Case[] {
  const out: Case[] = [];
  // Each lesson as written, and with the safeguard it shows switched off (stale IOTLB hits).
  const runs = LIBRARY.flatMap((l) => [
    { id: l.id, s: l.scenario },
    ...(l.fault ? [{ id: `${l.id}+${l.fault.name}`, s: { ...l.scenario, faults: [l.fault.name] } }] : []),
  ]);
  for (const l of runs) {
    const r = runScenario(l.s, { snapshots: true, paths: pathLog });
    r.steps.forEach((s, i) => {
      for (const e of s.events)
        if (e.type === "dev.dma" && e.path)
          out.push({ lesson: l.id, step: i, path: e.path, world: r.snapshots[i + 1]! });
    });
  }
  return out;
}

const tablesOf = <T extends TableRead["table"]>(p: TranslationPath, t: T) =>
  p.entries.filter((e): e is Extract<TableRead, { table: T }> => "table" in e && e.table === t);

/** The S2 walk the path recorded for an IPA equals the architecture's. */
function checkS2(w: World, s2ttb: number, read: S2Read | undefined, ipa: number): number | null {
  const want = s2Walk(w, s2ttb, ipa);
  expect(read?.ipa).toBe(ipa);
  expect(read?.pa).toBe(want.pa);
  expect(read?.descs.map((d) => [d.addr, d.word])).toEqual(want.descs);
  return want.pa;
}

describe("the translation path of every DMA in the library", () => {
  const cases = allPaths();

  it("has DMAs through every structure and cache", () => {
    const kinds = new Set(
      cases.flatMap((c) =>
        c.path.entries.map((e) => ("table" in e ? `${e.table}:${e.from}` : `cache:${e.cache}`)),
      ),
    );
    for (const k of [
      "L1STD:memory",
      "STE:memory",
      "STE:config-cache",
      "L1CD:memory",
      "CD:memory",
      "CD:config-cache",
      "PTE:memory",
      "cache:IOTLB",
      "cache:walk-cache",
      "cache:ATC",
    ])
      expect(kinds, k).toContain(k);
    expect(cases.some((c) => tablesOf(c.path, "PTE").some((e) => e.s2))).toBe(true);
  });

  it("STE[sid]: STRTAB_BASE + 64·sid, or through the L1 descriptor (SPLIT 8, L2Ptr 51:6)", () => {
    for (const { path, world: w, lesson, step } of cases) {
      const [ste] = tablesOf(path, "STE");
      if (!ste) continue;
      const where = `${lesson} step ${step}`;
      const st = w.smmu.strtab;
      if (st.fmt === "linear") {
        expect(ste.addr, where).toBe(st.base + 64 * path.sid);
        expect(tablesOf(path, "L1STD"), where).toEqual([]);
      } else if (ste.from === "memory") {
        const [l1] = tablesOf(path, "L1STD");
        const at = st.base + 8 * (path.sid >> 8);
        expect(l1?.addr, where).toBe(at);
        expect(l1?.words, where).toEqual([word(w, at)]);
        expect(ste.addr, where).toBe(bits(word(w, at), 51, 6) * 64 + 64 * (path.sid & 0xff));
      }
      if (ste.from === "memory") expect(ste.words, where).toEqual(words(w, ste.addr!, 8));
      else expect(ste.words, where).toEqual(w.smmu.cfg.ste[path.sid]);
      if (ste.memory) expect(ste.memory, where).toEqual(words(w, ste.addr!, 8));
    }
  });

  it("CD[ssid]: S1ContextPtr + 64·ssid, or through the L1 CD descriptor (1024 per leaf, L2Ptr 51:12)", () => {
    let checked = 0;
    for (const { path, world: w, lesson, step } of cases) {
      const [ste] = tablesOf(path, "STE");
      const [cd] = tablesOf(path, "CD");
      if (!ste || !cd || cd.from !== "memory") continue;
      const where = `${lesson} step ${step}`;
      const ssid = cd.ssid;
      const ctx = bits(ste.words[0]!, 51, 6) * 64;
      const fmt = bits(ste.words[0]!, 5, 4);
      const nested = bits(ste.words[0]!, 3, 1) === 7;
      const s2ttb = bits(ste.words[3]!, 51, 4) * 16;
      const pa = (ipa: number, read: S2Read | undefined) => (nested ? checkS2(w, s2ttb, read, ipa) : ipa);
      let cdAddr: number;
      if (fmt === 0) {
        cdAddr = ctx + 64 * ssid;
      } else {
        expect(fmt, where).toBe(2);
        const [l1] = tablesOf(path, "L1CD");
        const at = ctx + 8 * (ssid >> 10);
        expect(nested ? l1?.ipa : l1?.addr, where).toBe(at);
        const l1Pa = l1?.from === "memory" ? pa(at, l1.s2) : l1?.addr;
        expect(l1?.addr, where).toBe(l1Pa);
        const desc = l1!.words[0]!;
        if (l1!.from === "memory") expect(desc, where).toBe(word(w, l1Pa!));
        expect(bits(desc, 0, 0), where).toBe(1);
        cdAddr = bits(desc, 51, 12) * 4096 + 64 * (ssid & 0x3ff);
        expect(cd.index, where).toBe(ssid & 0x3ff);
      }
      expect(nested ? cd.ipa : cd.addr, where).toBe(cdAddr);
      expect(cd.addr, where).toBe(pa(cdAddr, cd.s2));
      expect(cd.words, where).toEqual(words(w, cd.addr!, 8));
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });

  it("stage 1: TTB0 (CD dw1 51:4), index VA[47−9n:39−9n], entry at table + 8·index, next table desc[47:12]", () => {
    let checked = 0;
    for (const { path, world: w, lesson, step } of cases) {
      const ptes = tablesOf(path, "PTE");
      const [cd] = tablesOf(path, "CD");
      const [ste] = tablesOf(path, "STE");
      if (ptes.length === 0 || !cd || !ste) continue;
      const where = `${lesson} step ${step}`;
      const nested = bits(ste.words[0]!, 3, 1) === 7;
      const s2ttb = bits(ste.words[3]!, 51, 4) * 16;
      const walkCache = path.entries.find((e) => "cache" in e && e.cache === "walk-cache");
      if (walkCache && "cache" in walkCache && walkCache.cache === "walk-cache")
        expect(walkCache.va, where).toBe(path.va - (path.va % 2 ** 21));
      let table = walkCache?.cache === "walk-cache" ? walkCache.tableAddr : bits(cd.words[1]!, 51, 4) * 16;
      const first = walkCache ? 3 : 0;
      expect(
        ptes.map((p) => p.level),
        where,
      ).toEqual([0, 1, 2, 3].slice(first, first + ptes.length));
      for (const p of ptes) {
        const index = levelIndex(path.va, p.level);
        const tablePa = nested ? checkS2(w, s2ttb, p.s2, table) : table;
        if (nested) expect(p.ipa, where).toBe(table);
        expect(p.tableAddr, where).toBe(tablePa);
        expect(p.index, where).toBe(index);
        expect(p.addr, where).toBe(tablePa! + 8 * index);
        expect(p.words, where).toEqual([word(w, p.addr!)]);
        table = bits(p.words[0]!, 47, 12) * 4096;
      }
      const last = ptes.at(-1)!;
      if (path.status === "success" && last.level === 3) {
        const ipaOut = bits(last.words[0]!, 47, 12) * 4096 + (path.va % 4096);
        const out = nested ? checkS2(w, s2ttb, path.output, ipaOut) : ipaOut;
        expect(path.pa, where).toBe(out);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });

  it("an IOTLB hit reads no table and is the entry tagged with the CD's ASID (dw0 63:48)", () => {
    for (const { path, world: w, lesson, step } of cases) {
      const hit = path.entries.find((e) => "cache" in e && e.cache === "IOTLB");
      if (!hit || !("asid" in hit) || hit.cache !== "IOTLB") continue;
      const where = `${lesson} step ${step}`;
      expect(tablesOf(path, "PTE"), where).toEqual([]);
      const [cd] = tablesOf(path, "CD");
      if (cd) expect(hit.asid, where).toBe(bits(cd.words[0]!, 63, 48));
      if (path.status === "success") expect(path.pa, where).toBe(hit.pa + (path.va % 4096));
      expect(
        w.smmu.iotlb.some((e) => e.asid === hit.asid && e.vmid === hit.vmid && e.va === hit.va),
        where,
      ).toBe(true);
    }
  });

  it("an ATC hit never reaches the SMMU: the path is the device's ATC entry alone", () => {
    const atc = cases.filter((c) => c.path.via === "atc");
    expect(atc.length).toBeGreaterThan(0);
    for (const { path } of atc) {
      expect(path.entries).toHaveLength(1);
      expect(path.entries[0]).toMatchObject({ cache: "ATC", va: path.va - (path.va % 4096) });
    }
  });
});

describe("a recorder that does not ask for paths", () => {
  it("gets none: only `rec.paths` makes the SMMU build one, for the same translation", () => {
    const l = LIBRARY.find((x) => x.id === "lifecycle")!;
    const r = runScenario(l.scenario, { snapshots: true });
    const i = r.steps.findIndex((s) => s.events.some((e) => e.type === "dev.dma"));
    const dma = r.steps[i]!.events.find((e) => e.type === "dev.dma");
    if (dma?.type !== "dev.dma") throw new Error("no DMA");
    expect(dma.path).toBeUndefined();
    const req = { sid: dma.dma.sid, ssid: dma.dma.pasid, va: dma.dma.va as Va, write: false, ats: false };
    expect(translateTraced(clone(r.snapshots[i]!), req, new SilentRecorder()).path).toBeNull();
    expect(translateTraced(clone(r.snapshots[i]!), req, new Recorder()).path).toBeNull();
    const asked = new Recorder();
    asked.paths = pathLog;
    expect(translateTraced(clone(r.snapshots[i]!), req, asked).path?.entries.length).toBeGreaterThan(2);
  });
});
