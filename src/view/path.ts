/**
 * View model of the translation path of the last DMA at the cursor: the tables the SMMU read,
 * in order, as they are laid out in memory. STE[sid] (through the L1 descriptor for a 2-level
 * stream table) → CD[ssid] (through the L1 CD descriptor for a 2-level CD table) → then either
 * the IOTLB entry that served it, or the four page-table levels its `smmu.walk` event names,
 * from CD.TTB0 down to the frame. A DMA the device's ATC served never reached the SMMU, and
 * says so. Values are read from the world just after the DMA's step (what the SMMU used: its
 * cached STE and CD when it had them).
 */

import type { DmaOutcome, Pa, TraceEvent, Va, World } from "../engine/index.ts";
import {
  CD_L1_DESC,
  CD_LAYOUT,
  CTXDESC_L2_ENTRIES,
  describeOwner,
  frameAt,
  getField,
  PTE,
  pgtableIndex,
  readWord,
  readWords,
  STE_LAYOUT,
  STRTAB_L1_DESC,
} from "../engine/index.ts";
import type { StepRecord } from "../kernel/index.ts";
import { hexNum, hexWord, sameWords } from "./format.ts";
import { ipaText, toPa } from "./nested.ts";
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
): { step: StepRecord; dma: DmaOutcome } | null {
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
  let dma: DmaOutcome | null = null;
  for (const e of step.events) if (e.type === "dev.dma") dma = e.dma;
  return dma ? { step, dma } : null;
}

type WalkEvent = Extract<TraceEvent, { type: "smmu.walk" }>;

const VIA: Record<string, string> = {
  atc: "served by the device's ATC: the SMMU did not look anything up",
  iotlb: "served by the SMMU's IOTLB: no table walk",
  walk: "translated by an SMMU table walk",
};

function cacheNote(fetched: boolean, cached: readonly bigint[] | undefined, mem: readonly bigint[]): string {
  if (fetched) return "read from memory: config cache miss";
  if (cached && !sameWords(cached, mem)) return "config cache copy: STALE, memory differs";
  return "from the config cache";
}

function steBoxes(w: World, sid: number, fetched: boolean): { boxes: PathBox[]; ste: bigint[] } {
  const st = w.smmu.strtab;
  const boxes: PathBox[] = [];
  let addr: number | null = null;
  if (st.fmt === "linear") {
    addr = st.base + sid * 64;
  } else {
    const i = Math.floor(sid / 2 ** st.split);
    const at = st.base + i * 8;
    const l1 = [readWord(w.mem, at)];
    const span = Number(getField(l1, STRTAB_L1_DESC.fields.SPAN));
    const l2 = Number(getField(l1, STRTAB_L1_DESC.fields.L2PTR));
    boxes.push({
      id: "path:strtab-l1",
      title: `Stream table L1 (2-level, SPLIT ${st.split})`,
      where: `descriptor ${i} = SID ${sid} >> ${st.split}, at ${hexNum(at)}`,
      lines: [
        `SPAN ${span}${span === 0 ? " (invalid)" : ""} · L2Ptr ${hexNum(l2)}`,
        `word ${hexWord(l1[0]!)}`,
      ],
      tone: span === 0 ? "bad" : fetched ? "ok" : "muted",
      strip: { count: 2 ** (st.log2size - st.split), index: i },
      term: "stream-table",
    });
    if (span !== 0) addr = l2 + (sid % 2 ** st.split) * 64;
  }
  const mem = addr === null ? new Array<bigint>(8).fill(0n) : readWords(w.mem, addr, 8);
  const cached = w.smmu.cfg.ste[sid];
  const ste = cached ?? mem;
  const f = STE_LAYOUT.fields;
  const name = (field: (typeof f)[keyof typeof f]): string => {
    const v = getField(ste, field);
    return field.values?.[Number(v)] ?? String(v);
  };
  const v = getField(ste, f.V) === 1n;
  const ctx = Number(getField(ste, f.S1CTXPTR));
  const dev = w.devices.find((d) => d.sid === sid);
  // A nested STE: S1ContextPtr is an IPA, which stage 2 (S2TTB, tagged S2VMID) turns into a PA.
  const nested = name(f.CONFIG) === "NESTED" && dev?.vm !== undefined;
  const ctxLines = nested
    ? [
        `S1ContextPtr ${ipaText(w, dev, ctx)}`,
        `stage 2 of ${dev.vm}: S2VMID ${getField(ste, f.S2VMID)} · S2TTB ${hexNum(getField(ste, f.S2TTB))}`,
      ]
    : [`S1ContextPtr ${hexNum(ctx)}`];
  boxes.push({
    id: "path:ste",
    title:
      st.fmt === "linear" ? `Stream table (linear, ${2 ** st.log2size} STEs)` : "L2 stream table (256 STEs)",
    where:
      addr === null
        ? "no L2 table: C_BAD_STREAMID"
        : st.fmt === "linear"
          ? `STE ${sid} at ${hexNum(addr)} = base + ${sid} × 64`
          : `STE ${sid}: entry ${sid % 2 ** st.split} at ${hexNum(addr)} = L2Ptr + ${sid % 2 ** st.split} × 64`,
    lines: [
      `V ${yes(v)} · Config ${name(f.CONFIG)} · EATS ${name(f.EATS)}`,
      `S1Fmt ${name(f.S1FMT)} · S1CDMax ${name(f.S1CDMAX)} · S1DSS ${name(f.S1DSS)}`,
      ...ctxLines,
      cacheNote(fetched, cached, mem),
    ],
    tone: !v ? "bad" : fetched ? "ok" : "cache",
    strip: {
      count: st.fmt === "linear" ? 2 ** st.log2size : 2 ** st.split,
      index: st.fmt === "linear" ? sid : sid % 2 ** st.split,
    },
    select: { kind: "ste", sid },
    term: "ste",
  });
  return { boxes, ste };
}

function cdBoxes(
  w: World,
  sid: number,
  ssid: number,
  ste: readonly bigint[],
  fetched: boolean,
  /** The DMA's step read the L1 CD descriptor from memory (a config cache miss). */
  l1Fetched = false,
): { boxes: PathBox[]; cd: bigint[] } {
  const dev = w.devices.find((d) => d.sid === sid);
  // A VM's CD table holds IPAs: each read goes through stage 2.
  const pa = (a: number): number | null => (dev ? toPa(w, dev, a) : a);
  const at8 = (a: number): string => (dev ? ipaText(w, dev, a) : hexNum(a));
  const base = Number(getField(ste, STE_LAYOUT.fields.S1CTXPTR));
  const cdmax = Number(getField(ste, STE_LAYOUT.fields.S1CDMAX));
  const boxes: PathBox[] = [];
  let addr: number | null = null;
  const twoLevel = dev?.cdTable.fmt === "2lvl";
  if (!twoLevel) {
    addr = base + ssid * 64;
  } else {
    const i = Math.floor(ssid / CTXDESC_L2_ENTRIES);
    const at = base + i * 8;
    const l1Pa = pa(at);
    const memL1 = l1Pa === null ? 0n : readWord(w.mem, l1Pa);
    // The SMMU goes through its cached copy when it has one, stale or not.
    const cachedL1 = w.smmu.cfg.l1cd?.[`${sid}:${i}`];
    const l1 = [cachedL1 ?? memL1];
    const valid = getField(l1, CD_L1_DESC.fields.V) === 1n;
    const l2 = Number(getField(l1, CD_L1_DESC.fields.L2PTR));
    const stale = cachedL1 !== undefined && cachedL1 !== memL1;
    boxes.push({
      id: "path:cd-l1",
      title: "CD table L1 (2-level)",
      where: `descriptor ${i} = SSID ${ssid} / 1024, at ${at8(at)}`,
      lines: [
        `V ${yes(valid)} · L2Ptr ${hexNum(l2)}`,
        `word ${hexWord(l1[0]!)}`,
        ...(cachedL1 === undefined
          ? []
          : [
              l1Fetched
                ? "read from memory: config cache miss"
                : stale
                  ? `config cache copy: STALE, memory holds ${hexWord(memL1)}`
                  : "from the config cache",
            ]),
      ],
      tone: !valid || stale ? "bad" : fetched || l1Fetched ? "ok" : "muted",
      strip: { count: Math.max(1, Math.ceil(2 ** cdmax / CTXDESC_L2_ENTRIES)), index: i },
      term: "cd-table",
    });
    if (valid) addr = l2 + (ssid % CTXDESC_L2_ENTRIES) * 64;
  }
  const cdPa = addr === null ? null : pa(addr);
  const mem = cdPa === null ? new Array<bigint>(8).fill(0n) : readWords(w.mem, cdPa, 8);
  const cached = w.smmu.cfg.cd[`${sid}:${ssid}`];
  const cd = cached ?? mem;
  const f = CD_LAYOUT.fields;
  const v = getField(cd, f.V) === 1n;
  const epd0 = getField(cd, f.EPD0) === 1n;
  const ttb0 = Number(getField(cd, f.TTB0));
  const owner = dev ? ttbOwner(w, dev, ttb0) : (w.mms.find((m) => m.pgd === ttb0)?.process ?? "");
  const leafIndex = twoLevel ? ssid % CTXDESC_L2_ENTRIES : ssid;
  boxes.push({
    id: "path:cd",
    title: twoLevel ? "CD leaf (1024 CDs)" : `CD table (linear, ${2 ** cdmax} CDs)`,
    where:
      addr === null
        ? "no leaf: the L1 descriptor is invalid"
        : twoLevel
          ? `CD ${ssid}: entry ${leafIndex} at ${at8(addr)} = L2Ptr + ${leafIndex} × 64`
          : `CD ${ssid} at ${at8(addr)} = S1ContextPtr + ${ssid} × 64`,
    lines: [
      `V ${yes(v)} · EPD0 ${yes(epd0)} · ASET ${getField(cd, f.ASET)} · R ${getField(cd, f.R)} · S ${getField(cd, f.S)}`,
      `ASID ${getField(cd, f.ASID)}`,
      `TTB0 ${ipaText(w, dev ?? {}, ttb0)}${owner ? ` (${owner}'s pgd)` : ""}`,
      cacheNote(fetched, cached, mem),
    ],
    tone: !v || epd0 ? "bad" : fetched ? "ok" : "cache",
    strip: { count: twoLevel ? CTXDESC_L2_ENTRIES : 2 ** cdmax, index: leafIndex },
    select: { kind: "cd", sid, ssid },
    term: "cd",
  });
  return { boxes, cd };
}

const LEVEL_BITS = ["47:39", "38:30", "29:21", "20:12"];

function walkBoxes(w: World, walk: WalkEvent, va: number, process: string | null): PathBox[] {
  const start = 4 - walk.tables.length;
  // A guest's tables (the walk lists their PAs) hold IPAs: say so, and where stage 2 puts them.
  const guest = w.mms.find((m) => m.process === process && m.vm !== undefined);
  const addr = (a: number): string => (guest ? ipaText(w, guest, a) : hexNum(a));
  return walk.tables.map((table, i) => {
    const level = start + i;
    const index = pgtableIndex(va as Va, level);
    const at = table + index * 8;
    const desc = [readWord(w.mem, at)];
    const valid = getField(desc, PTE.fields.VALID) === 1n;
    const next = Number(getField(desc, PTE.fields.OA));
    const frame = frameAt(w.mem, table as Pa);
    const isTable = frame?.owner.kind === "pgtable" && (process === null || frame.owner.process === process);
    const lines = [
      `index ${index} = VA[${LEVEL_BITS[level]}] · entry at ${hexNum(at)}`,
      `desc ${hexWord(desc[0]!)}`,
    ];
    if (!valid) lines.push("invalid: the walk stops here (F_TRANSLATION)");
    else if (level < 3) lines.push(`table → L${level + 1} at ${addr(next)}`);
    else {
      const ro = getField(desc, PTE.fields.AP_RDONLY) === 1n;
      lines.push(
        `page ${addr(next)} · ${ro ? "read-only" : "read-write"} · AF ${getField(desc, PTE.fields.AF)}`,
      );
    }
    if (!isTable) lines.push(`this frame is now ${frame ? describeOwner(frame.owner) : "not memory"}!`);
    return {
      id: `path:l${level}`,
      title: `${level === 0 ? "L0 (pgd)" : `L${level}`} table at ${hexNum(table)}`,
      where:
        i === 0 && start === 3
          ? "the walk cache gave this level-3 table: L0–L2 skipped"
          : `level ${level} of 4`,
      lines,
      tone: !valid || !isTable ? "bad" : "ok",
      strip: { count: 512, index },
      select: { kind: "pte", addr: at },
      term: i === 0 && start === 3 ? "walk-cache" : "page-table",
    };
  });
}

function frameBox(w: World, dma: DmaOutcome): PathBox {
  const pa = dma.pa ?? 0;
  const frame = frameAt(w.mem, pa as Pa);
  return {
    id: "path:frame",
    title: `Frame ${hexNum(pa - (pa % 4096))}`,
    where: `PA ${hexNum(pa)}`,
    lines: [
      frame ? describeOwner(frame.owner) : "no memory",
      dma.stale ? "STALE: the CPU's page table no longer maps this" : "what the CPU's page table maps",
    ],
    tone: dma.stale ? "bad" : "ok",
    term: dma.stale ? "stale-translation" : "page-table",
  };
}

export function pathVm(steps: readonly StepRecord[], cursor: number, w: World): PathVm | null {
  const found = lastDma(steps, cursor);
  if (!found) return null;
  const { step, dma } = found;
  const walks = step.events.filter((e): e is WalkEvent => e.type === "smmu.walk");
  const walk = walks[walks.length - 1];
  const fetches = step.events.filter((e) => e.type === "smmu.cfg.fetch");
  const dev = w.devices.find((d) => d.name === dma.device);
  const process = dev && dma.pasid !== null ? (pasidOwner(w, dev, dma.pasid)?.process ?? null) : null;
  const what = `${dma.device} ${dma.access} ${hexNum(dma.va)}${dma.pasid === null ? " without PASID" : ` with PASID ${dma.pasid}`}`;
  const outcome =
    dma.result === "ok"
      ? `→ ${hexNum(dma.pa ?? 0)}, ${walk || dma.via !== "walk" ? VIA[dma.via ?? "walk"] : "passed through (bypass)"}`
      : dma.result === "fault"
        ? `→ fault ${dma.fault ?? ""}`
        : dma.result === "pri"
          ? `→ ATS translation failed (${dma.fault ?? ""}): page request PRG ${dma.prg ?? "?"}`
          : `→ stalled (${dma.fault ?? ""}), STAG ${dma.stag ?? "?"}`;
  const headline = `Step ${step.index + 1}: ${what} ${outcome}`;
  const boxes: PathBox[] = [];
  const ids: string[] = [];

  if (dma.via === "atc" && dma.result === "ok") {
    boxes.push({
      id: "path:atc",
      title: `${dma.device}'s ATC`,
      where: `PASID ${dma.pasid ?? "none"} · VA ${hexNum(dma.va - (dma.va % 4096))}`,
      lines: ["hit: the device sent a translated transaction", "the SMMU let it through (STE.EATS = 1)"],
      tone: dma.stale ? "bad" : "cache",
      term: "atc",
    });
    boxes.push(frameBox(w, dma));
    return { step: step.index, headline, boxes, ids, tables: [], va: dma.va, process };
  }

  const steFetched = fetches.some((e) => e.type === "smmu.cfg.fetch" && e.what === "STE");
  const { boxes: sb, ste } = steBoxes(w, dma.sid, steFetched);
  boxes.push(...sb);
  ids.push(`ste:${dma.sid}`);
  const ssid =
    walk?.ssid ??
    fetches.find(
      (e): e is Extract<TraceEvent, { type: "smmu.cfg.fetch" }> =>
        e.type === "smmu.cfg.fetch" && e.what === "CD",
    )?.ssid ??
    dma.pasid;
  const configFault =
    dma.fault === "C_BAD_STE" || dma.fault === "C_BAD_STREAMID" || dma.fault === "F_BAD_ATS_TREQ";
  if (ssid !== null && ssid !== undefined && !configFault && getField(ste, STE_LAYOUT.fields.V) === 1n) {
    const cdFetched = fetches.some((e) => e.type === "smmu.cfg.fetch" && e.what === "CD");
    const l1Fetched = fetches.some((e) => e.type === "smmu.cfg.fetch" && e.what === "L1CD");
    const { boxes: cb } = cdBoxes(w, dma.sid, ssid, ste, cdFetched, l1Fetched);
    boxes.push(...cb);
    ids.push(`cd:${dma.sid}:${ssid}`);
  }
  if (walk) {
    boxes.push(...walkBoxes(w, walk, dma.va, process));
  } else if (dma.via === "iotlb" && dma.result === "ok") {
    boxes.push({
      id: "path:iotlb",
      title: "SMMU IOTLB",
      where: `page ${hexNum(dma.va - (dma.va % 4096))}, tagged with the CD's ASID`,
      lines: ["hit: no walk", "its entry outlives the PTE until a TLBI"],
      tone: dma.stale ? "bad" : "cache",
      term: "iotlb",
    });
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
    tables: walk ? [...walk.tables] : [],
    va: dma.va,
    process,
  };
}
