/**
 * View model of the translation path of the last DMA at the cursor, as the trace recorded it
 * (the DMA event's `path`, engine/xlate-path.ts): the tables the SMMU read, in order, with
 * their addresses and the words it used — STE[sid] (through the L1 descriptor for a 2-level
 * stream table) → CD[ssid] (through the L1 CD descriptor for a 2-level CD table) → then either
 * the IOTLB entry that served it, or the page-table levels it walked down to the frame. A DMA
 * the device's ATC served never reached the SMMU, and says so. Nothing is recomputed here: the
 * world just after the DMA's step only says whose each frame was then.
 */

import type { DmaOutcome, Pa, TableRead, TraceEvent, TranslationPath, World } from "../engine/index.ts";
import {
  CD_L1_DESC,
  CD_LAYOUT,
  describeOwner,
  frameAddr,
  frameAt,
  frameIndex,
  getField,
  PTE,
  S2PTE,
  STE_LAYOUT,
  STRTAB_L1_DESC,
} from "../engine/index.ts";
import type { RunResult, StepRecord } from "../kernel/index.ts";
// Taking a step again with paths (and xlate-path.ts behind it) loads with this view.
import { dmaPathOf } from "../kernel/on-demand.ts";
import { hexNum, hexWord } from "./format.ts";
import type { Selection } from "./selection.ts";
import { ttbOwner } from "./stream.ts";
import { pasidOwner } from "./tlb.ts";

export type BoxTone = "ok" | "bad" | "muted" | "cache";

export interface Strip {
  /** Entries in the table. */
  readonly count: number;
  /** The entry used. */
  readonly index: number;
}

export interface PathBox {
  /** Stable across steps (the transitions key on it). */
  readonly id: string;
  readonly title: string;
  /** Where the entry is: "STE 16 at 0x40010400 = base + 16 × 64". */
  readonly where: string;
  readonly lines: readonly string[];
  readonly tone: BoxTone;
  /** The table drawn as laid out: its slots, the one used marked. */
  readonly strip?: Strip;
  /** What the detail view opens on click. */
  readonly select?: Selection;
  /** The glossary entry of what the box is. */
  readonly term: string;
}

export interface PathVm {
  /** The DMA's step index. */
  readonly step: number;
  readonly headline: string;
  readonly boxes: readonly PathBox[];
  /** The diagram entries on the path, for the other diagrams' overlays ("ste:16", "cd:16:1"). */
  readonly ids: readonly string[];
  /** Page-table pages the walk visited, and the VA: the page-table tree highlights them. */
  readonly tables: readonly number[];
  readonly va: number;
  readonly process: string | null;
}

const yes = (b: boolean): string => (b ? "1" : "0");

/** The steps of a run that did a DMA, ascending (cached per run: a long run is scanned once). */
const dmaSteps = new WeakMap<readonly StepRecord[], number[]>();
function dmaStepsOf(steps: readonly StepRecord[]): number[] {
  let out = dmaSteps.get(steps);
  if (!out) {
    out = steps.filter((s) => s.events.some((e) => e.type === "dev.dma")).map((s) => s.index);
    dmaSteps.set(steps, out);
  }
  return out;
}

/** The last step before `cursor` that did a DMA, with its (last) outcome. */
export function lastDma(
  steps: readonly StepRecord[],
  cursor: number,
): { step: StepRecord; dma: DmaOutcome; path: TranslationPath | null } | null {
  const all = dmaStepsOf(steps);
  let lo = 0;
  let hi = all.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (all[mid]! < cursor) lo = mid + 1;
    else hi = mid;
  }
  const index = all[lo - 1];
  if (index === undefined) return null;
  const step = steps[index]!;
  let last: DmaEvent | null = null;
  for (const e of step.events) if (e.type === "dev.dma") last = e;
  return last ? { step, dma: last.dma, path: last.path ?? null } : null;
}

type DmaEvent = Extract<TraceEvent, { type: "dev.dma" }>;
type Read<T extends TableRead["table"]> = Extract<TableRead, { table: T }>;

const VIA: Record<string, string> = {
  atc: "served by the device's ATC: the SMMU did not look anything up",
  iotlb: "served by the SMMU's IOTLB: no table walk",
  walk: "translated by an SMMU table walk",
};

/** The entries of one table the path read. */
function reads<T extends TableRead["table"]>(path: TranslationPath, table: T): Read<T>[] {
  return path.entries.filter((e): e is Read<T> => "table" in e && e.table === table);
}

/**
 * Where stage 2 put a nested STE's S1ContextPtr: the PA of the first CD-table read the path made
 * (L1CD or CD, in the same page as the pointer), or null when the walk read none there.
 */
function contextPa(path: TranslationPath, ctx: number): number | null {
  const first = [...reads(path, "L1CD"), ...reads(path, "CD")].find(
    (e) => e.addr !== null && e.ipa !== undefined && Math.floor(e.ipa / 4096) === Math.floor(ctx / 4096),
  );
  return first?.addr == null || first.ipa === undefined ? null : first.addr - (first.ipa - ctx);
}

/** "IPA 0x40002040 → PA 0x40102040" for a guest's structure (the path's stage-2 walk), else the PA. */
function at(e: { readonly addr: number | null; readonly ipa?: number }): string {
  const pa = e.addr === null ? "none (stage 2 maps nothing)" : hexNum(e.addr);
  return e.ipa === undefined ? pa : `IPA ${hexNum(e.ipa)} → PA ${pa}`;
}

function cacheNote(e: Pick<TableRead, "from" | "memory">): string {
  if (e.from === "memory") return "read from memory: config cache miss";
  if (e.memory) return "config cache copy: STALE, memory differs";
  return "from the config cache";
}

const slotOf = (e: { readonly index?: number; readonly entries?: number }): Strip | undefined =>
  e.index === undefined || e.entries === undefined ? undefined : { count: e.entries, index: e.index };

function steBoxes(w: World, path: TranslationPath): { boxes: PathBox[]; ste: readonly bigint[] | null } {
  const st = w.smmu.strtab;
  const boxes: PathBox[] = [];
  const sid = path.sid;
  for (const l1 of reads(path, "L1STD")) {
    const desc = l1.words;
    const span = Number(getField(desc, STRTAB_L1_DESC.fields.SPAN));
    const l2 = Number(getField(desc, STRTAB_L1_DESC.fields.L2PTR));
    boxes.push({
      id: "path:strtab-l1",
      title: `Stream table L1 (2-level, SPLIT ${st.split})`,
      where: `descriptor ${l1.index} = SID ${sid} >> ${st.split}, at ${at(l1)}`,
      lines: [
        `SPAN ${span}${span === 0 ? " (invalid)" : ""} · L2Ptr ${hexNum(l2)}`,
        `word ${hexWord(desc[0]!)}`,
      ],
      tone: span === 0 ? "bad" : "ok",
      ...(slotOf(l1) ? { strip: slotOf(l1)! } : {}),
      term: "stream-table",
    });
  }
  const ste = reads(path, "STE")[0];
  if (!ste) {
    if (boxes.length > 0)
      boxes.push({
        id: "path:ste",
        title: "L2 stream table",
        where: "no L2 table: C_BAD_STREAMID",
        lines: [],
        tone: "bad",
        select: { kind: "ste", sid },
        term: "ste",
      });
    return { boxes, ste: null };
  }
  const f = STE_LAYOUT.fields;
  const words = ste.words;
  const name = (field: (typeof f)[keyof typeof f]): string => {
    const v = getField(words, field);
    return field.values?.[Number(v)] ?? String(v);
  };
  const v = getField(words, f.V) === 1n;
  const ctx = Number(getField(words, f.S1CTXPTR));
  const dev = w.devices.find((d) => d.sid === sid);
  // A nested STE: S1ContextPtr is an IPA, which stage 2 (S2TTB, tagged S2VMID) turns into a PA.
  const nested = name(f.CONFIG) === "NESTED" && dev?.vm !== undefined;
  const ctxLines = nested
    ? [
        `S1ContextPtr ${contextPa(path, ctx) === null ? `IPA ${hexNum(ctx)}` : at({ addr: contextPa(path, ctx), ipa: ctx })}`,
        `stage 2 of ${dev.vm}: S2VMID ${getField(words, f.S2VMID)} · S2TTB ${hexNum(getField(words, f.S2TTB))}`,
      ]
    : [`S1ContextPtr ${hexNum(ctx)}`];
  const linear = st.fmt === "linear";
  boxes.push({
    id: "path:ste",
    title: linear
      ? `Stream table (linear, ${ste.entries ?? "?"} STEs)`
      : `L2 stream table (${ste.entries ?? "?"} STEs)`,
    where:
      ste.addr === null
        ? "not in memory"
        : linear
          ? `STE ${sid} at ${hexNum(ste.addr)} = base + ${sid} × 64`
          : `STE ${sid}: entry ${ste.index} at ${hexNum(ste.addr)} = L2Ptr + ${ste.index} × 64`,
    lines: [
      `V ${yes(v)} · Config ${name(f.CONFIG)} · EATS ${name(f.EATS)}`,
      `S1Fmt ${name(f.S1FMT)} · S1CDMax ${name(f.S1CDMAX)} · S1DSS ${name(f.S1DSS)}`,
      ...ctxLines,
      cacheNote(ste),
    ],
    tone: !v ? "bad" : ste.from === "memory" ? "ok" : "cache",
    ...(slotOf(ste) ? { strip: slotOf(ste)! } : {}),
    select: { kind: "ste", sid },
    term: "ste",
  });
  return { boxes, ste: words };
}

function cdBoxes(w: World, path: TranslationPath): { boxes: PathBox[]; ssid: number | null } {
  const boxes: PathBox[] = [];
  const dev = w.devices.find((d) => d.sid === path.sid);
  for (const l1 of reads(path, "L1CD")) {
    const desc = l1.words;
    const valid = getField(desc, CD_L1_DESC.fields.V) === 1n;
    const l2 = Number(getField(desc, CD_L1_DESC.fields.L2PTR));
    const stale = l1.memory !== undefined;
    boxes.push({
      id: "path:cd-l1",
      title: "CD table L1 (2-level)",
      where: `descriptor ${l1.index} = SSID ${l1.ssid} / 1024, at ${at(l1)}`,
      lines: [
        `V ${yes(valid)} · L2Ptr ${hexNum(l2)}`,
        `word ${hexWord(desc[0]!)}`,
        l1.from === "memory"
          ? "read from memory: config cache miss"
          : stale
            ? `config cache copy: STALE, memory holds ${hexWord(l1.memory![0]!)}`
            : "from the config cache",
      ],
      tone: !valid || stale ? "bad" : l1.from === "memory" ? "ok" : "muted",
      ...(slotOf(l1) ? { strip: slotOf(l1)! } : {}),
      term: "cd-table",
    });
  }
  const cd = reads(path, "CD")[0];
  if (!cd) {
    if (boxes.length > 0) {
      const ssid = reads(path, "L1CD")[0]!.ssid;
      boxes.push({
        id: "path:cd",
        title: "CD leaf (1024 CDs)",
        where: "no leaf: the L1 descriptor is invalid",
        lines: [],
        tone: "bad",
        select: { kind: "cd", sid: path.sid, ssid },
        term: "cd",
      });
      return { boxes, ssid };
    }
    return { boxes, ssid: null };
  }
  const f = CD_LAYOUT.fields;
  const words = cd.words;
  const v = getField(words, f.V) === 1n;
  const epd0 = getField(words, f.EPD0) === 1n;
  const ttb0 = Number(getField(words, f.TTB0));
  const owner = dev ? ttbOwner(w, dev, ttb0) : (w.mms.find((m) => m.pgd === ttb0)?.process ?? "");
  const twoLevel = boxes.length > 0;
  // TTB0 is an IPA in a guest's CD: where stage 2 put it is the first table the walk read.
  const pgd = reads(path, "PTE").find((p) => p.level === 0 && p.ipa === ttb0);
  const ttbText = pgd
    ? at({ addr: pgd.tableAddr, ipa: ttb0 })
    : cd.ipa !== undefined
      ? `IPA ${hexNum(ttb0)}`
      : hexNum(ttb0);
  boxes.push({
    id: "path:cd",
    title: twoLevel ? `CD leaf (${cd.entries ?? "?"} CDs)` : `CD table (linear, ${cd.entries ?? "?"} CDs)`,
    where:
      cd.addr === null
        ? "not in memory"
        : twoLevel
          ? `CD ${cd.ssid}: entry ${cd.index} at ${at(cd)} = L2Ptr + ${cd.index} × 64`
          : `CD ${cd.ssid} at ${at(cd)} = S1ContextPtr + ${cd.ssid} × 64`,
    lines: [
      `V ${yes(v)} · EPD0 ${yes(epd0)} · ASET ${getField(words, f.ASET)} · R ${getField(words, f.R)} · S ${getField(words, f.S)}`,
      `ASID ${getField(words, f.ASID)}`,
      `TTB0 ${ttbText}${owner ? ` (${owner}'s pgd)` : ""}`,
      cacheNote(cd),
    ],
    tone: !v || epd0 ? "bad" : cd.from === "memory" ? "ok" : "cache",
    ...(slotOf(cd) ? { strip: slotOf(cd)! } : {}),
    select: { kind: "cd", sid: path.sid, ssid: cd.ssid },
    term: "cd",
  });
  return { boxes, ssid: cd.ssid };
}

const LEVEL_BITS = ["47:39", "38:30", "29:21", "20:12"];

/** " → PA 0x…": the page stage 2 maps the output IPA to (its level-3 descriptor's OA). */
function outputPage(path: TranslationPath): string {
  const leaf = path.output?.descs.at(-1);
  if (!path.output || !leaf) return "";
  if (path.output.pa === null) return " → PA none (stage 2 maps nothing)";
  return ` → PA ${hexNum(Number(getField([leaf.word], S2PTE.fields.OA)))}`;
}

function walkBoxes(w: World, path: TranslationPath, process: string | null): PathBox[] {
  const ptes = reads(path, "PTE");
  const fromWalkCache = path.entries.some((e) => "cache" in e && e.cache === "walk-cache");
  return ptes.map((p, i) => {
    const desc = p.words;
    const valid = getField(desc, PTE.fields.VALID) === 1n;
    const next = Number(getField(desc, PTE.fields.OA));
    const frame = frameAt(w.mem, p.tableAddr as Pa);
    const isTable = frame?.owner.kind === "pgtable" && (process === null || frame.owner.process === process);
    // A guest's descriptors hold IPAs: where stage 2 put the next table is the next read's, and
    // the page's is the output's stage-2 walk.
    const below = ptes[i + 1];
    const nextText =
      p.ipa === undefined
        ? hexNum(next)
        : p.level < 3
          ? below
            ? at({ addr: below.tableAddr, ipa: next })
            : `IPA ${hexNum(next)}`
          : `IPA ${hexNum(next)}${outputPage(path)}`;
    const lines = [
      `index ${p.index} = VA[${LEVEL_BITS[p.level]}] · entry at ${hexNum(p.addr ?? 0)}`,
      `desc ${hexWord(desc[0]!)}`,
    ];
    if (!valid) lines.push("invalid: the walk stops here (F_TRANSLATION)");
    else if (p.level < 3) lines.push(`table → L${p.level + 1} at ${nextText}`);
    else {
      const ro = getField(desc, PTE.fields.AP_RDONLY) === 1n;
      lines.push(
        `page ${nextText} · ${ro ? "read-only" : "read-write"} · AF ${getField(desc, PTE.fields.AF)}`,
      );
    }
    if (!isTable) lines.push(`this frame is now ${frame ? describeOwner(frame.owner) : "not memory"}!`);
    const cached = i === 0 && fromWalkCache;
    return {
      id: `path:l${p.level}`,
      title: `${p.level === 0 ? "L0 (pgd)" : `L${p.level}`} table at ${hexNum(p.tableAddr)}`,
      where: cached ? "the walk cache gave this level-3 table: L0–L2 skipped" : `level ${p.level} of 4`,
      lines,
      tone: !valid || !isTable ? "bad" : "ok",
      ...(slotOf(p) ? { strip: slotOf(p)! } : {}),
      select: { kind: "pte", addr: p.addr ?? 0 },
      term: cached ? "walk-cache" : "page-table",
    };
  });
}

function frameBox(w: World, dma: DmaOutcome): PathBox {
  const pa = dma.pa ?? 0;
  const frame = frameAt(w.mem, pa as Pa);
  return {
    id: "path:frame",
    title: `Frame ${hexNum(frameAddr(w.mem, frameIndex(w.mem, pa as Pa)))}`,
    where: `PA ${hexNum(pa)}`,
    lines: [
      frame ? describeOwner(frame.owner) : "no memory",
      dma.stale ? "STALE: the CPU's page table no longer maps this" : "what the CPU's page table maps",
    ],
    tone: dma.stale ? "bad" : "ok",
    term: dma.stale ? "stale-translation" : "page-table",
  };
}

/**
 * The path view of the last DMA before `cursor`, `w` the world just after its step. A run that
 * did not record paths (the page's) gives `run`: the DMA's step is taken again to record it.
 */
export function pathVm(
  steps: readonly StepRecord[],
  cursor: number,
  w: World,
  run?: RunResult,
): PathVm | null {
  const found = lastDma(steps, cursor);
  if (!found) return null;
  const { step, dma } = found;
  const path = found.path ?? (run ? dmaPathOf(run, step.index) : null);
  const dev = w.devices.find((d) => d.name === dma.device);
  const process = dev && dma.pasid !== null ? (pasidOwner(w, dev, dma.pasid)?.process ?? null) : null;
  const what = `${dma.device} ${dma.access} ${hexNum(dma.va)}${dma.pasid === null ? " without PASID" : ` with PASID ${dma.pasid}`}`;
  const walked = path ? reads(path, "PTE").length > 0 : false;
  const outcome =
    dma.result === "ok"
      ? `→ ${hexNum(dma.pa ?? 0)}, ${walked || dma.via !== "walk" ? VIA[dma.via ?? "walk"] : "passed through (bypass)"}`
      : dma.result === "fault"
        ? `→ fault ${dma.fault ?? ""}`
        : dma.result === "pri"
          ? `→ ATS translation failed (${dma.fault ?? ""}): page request PRG ${dma.prg ?? "?"}`
          : `→ stalled (${dma.fault ?? ""}), STAG ${dma.stag ?? "?"}`;
  const headline = `Step ${step.index + 1}: ${what} ${outcome}`;
  const boxes: PathBox[] = [];
  const ids: string[] = [];
  const atc = path?.entries.find((e) => "cache" in e && e.cache === "ATC");

  if (atc && dma.result === "ok") {
    boxes.push({
      id: "path:atc",
      title: `${dma.device}'s ATC`,
      where: `PASID ${dma.pasid ?? "none"} · VA ${hexNum(atc.va)}`,
      lines: ["hit: the device sent a translated transaction", "the SMMU let it through (STE.EATS = 1)"],
      tone: dma.stale ? "bad" : "cache",
      term: "atc",
    });
    boxes.push(frameBox(w, dma));
    return { step: step.index, headline, boxes, ids, tables: [], va: dma.va, process };
  }

  if (path) {
    const { boxes: sb, ste } = steBoxes(w, path);
    boxes.push(...sb);
    if (ste) ids.push(`ste:${dma.sid}`);
    const { boxes: cb, ssid } = cdBoxes(w, path);
    boxes.push(...cb);
    if (ssid !== null) ids.push(`cd:${dma.sid}:${ssid}`);
    boxes.push(...walkBoxes(w, path, process));
    const iotlb = path.entries.find((e) => "cache" in e && e.cache === "IOTLB");
    if (iotlb && dma.result === "ok") {
      boxes.push({
        id: "path:iotlb",
        title: "SMMU IOTLB",
        where: `page ${hexNum(iotlb.va)}, tagged with the CD's ASID`,
        lines: ["hit: no walk", "its entry outlives the PTE until a TLBI"],
        tone: dma.stale ? "bad" : "cache",
        term: "iotlb",
      });
    }
  }
  if (dma.result === "ok") boxes.push(frameBox(w, dma));
  else {
    boxes.push({
      id: "path:fault",
      title: `Fault ${dma.fault ?? ""}`,
      where:
        dma.result === "pri"
          ? `the device asks for the page: PRG ${dma.prg ?? "?"} in the PRI queue`
          : dma.result === "stall"
            ? `held in the SMMU until CMD_RESUME (STAG ${dma.stag ?? "?"})`
            : "the access is refused",
      lines: [],
      tone: "bad",
      term: dma.result === "pri" ? "pri" : dma.result === "stall" ? "stall" : "fault-events",
    });
  }
  return {
    step: step.index,
    headline,
    boxes,
    ids,
    tables: path ? reads(path, "PTE").map((p) => p.tableAddr) : [],
    va: dma.va,
    process,
  };
}
