/**
 * View model of the detail view: the selected entry's words read from memory at the cursor,
 * every field decoded from its layout (name, bits hi:lo, value) and the raw 64-bit words.
 */

import type { Pa, World } from "../engine/index.ts";
import {
  CD_LAYOUT,
  cdKey,
  cmdFields,
  type DecodedField,
  decode,
  describeOwner,
  eventFields,
  frameAt,
  locateSte,
  PRIQ_LAYOUT,
  PTE,
  readWords,
  STE_LAYOUT,
  slotAddr,
} from "../engine/index.ts";
import type { StepRecord, TraceJson } from "../kernel/index.ts";
import { hexNum, hexWord, sameWords } from "./format.ts";
import { ipaText, locateCdPa } from "./nested.ts";
import type { Selection } from "./selection.ts";
import { vcmdDetail } from "./vcmdq.ts";

export interface FieldRow {
  readonly name: string;
  readonly word: number;
  readonly bits: string;
  readonly hi: number;
  readonly lo: number;
  readonly text: string;
  readonly nonzero: boolean;
  readonly doc: string;
}

export interface DetailView {
  readonly title: string;
  /** Where it lives, and notes such as the config cache holding another copy. */
  readonly notes: readonly string[];
  readonly words: readonly bigint[];
  readonly hexWords: readonly string[];
  readonly fields: readonly FieldRow[];
}

const rows = (fields: readonly DecodedField[]): FieldRow[] =>
  fields.map((f) => ({
    name: f.name,
    word: f.word,
    bits: f.hi === f.lo ? `${f.hi}` : `${f.hi}:${f.lo}`,
    hi: f.hi,
    lo: f.lo,
    text: f.text,
    nonzero: f.value !== 0n,
    doc: f.doc ?? "",
  }));

function view(title: string, notes: string[], words: bigint[], fields: DecodedField[]): DetailView {
  return { title, notes, words, hexWords: words.map(hexWord), fields: rows(fields) };
}

function cacheNote(cached: readonly bigint[] | undefined, words: readonly bigint[]): string {
  if (!cached) return "Not in the SMMU's configuration cache.";
  if (sameWords(cached, words)) return "The SMMU's configuration cache holds this entry.";
  return `The configuration cache holds an older copy (${cached.map(hexWord).join(" ")}) until a CFGI command.`;
}

/** The run up to the cursor: what a guest command's detail says the host made of it. */
export interface RunSoFar {
  readonly steps: readonly StepRecord[];
  readonly cursor: number;
}

export function detailVm(
  w: World,
  trace: TraceJson,
  sel: Selection,
  run: RunSoFar = { steps: [], cursor: 0 },
): DetailView | string {
  switch (sel.kind) {
    case "ste": {
      const where = locateSte(w, w.smmu.strtab, sel.sid);
      if (!where.ok) return where.why;
      const words = readWords(w.mem, where.addr, 8);
      const dev = w.devices.find((d) => d.sid === sel.sid);
      return view(
        `STE ${sel.sid}${dev ? ` (${dev.name})` : ""}`,
        [`At ${hexNum(where.addr)} in the stream table.`, cacheNote(w.smmu.cfg.ste[sel.sid], words)],
        words,
        decode(STE_LAYOUT, words),
      );
    }
    case "cd": {
      const dev = w.devices.find((d) => d.sid === sel.sid);
      if (!dev) return `No device has StreamID ${sel.sid}.`;
      const where = locateCdPa(w, dev, sel.ssid);
      if (!where.ok) return where.why;
      const words = readWords(w.mem, where.pa, 8);
      return view(
        `CD ${sel.ssid} of ${dev.name} (SSID ${sel.ssid})`,
        [
          `At ${ipaText(w, dev, where.addr)} in ${dev.name}'s CD table${dev.vm ? ` (in ${dev.vm}'s RAM, read through stage 2)` : ""}.`,
          cacheNote(w.smmu.cfg.cd[cdKey(sel.sid, sel.ssid)], words),
        ],
        words,
        decode(CD_LAYOUT, words),
      );
    }
    case "cmd": {
      const q = w.smmu.cmdq;
      const addr = slotAddr(q, sel.slot);
      const words = readWords(w.mem, addr, 2);
      return view(`CMDQ slot ${sel.slot}`, [`At ${hexNum(addr)}.`], words, cmdFields(words));
    }
    case "vcmd": {
      const d = vcmdDetail(w, run.steps, run.cursor, sel.vm, sel.slot);
      return typeof d === "string"
        ? d
        : view(d.title, d.notes, d.words, cmdFields(d.words as [bigint, bigint]));
    }
    case "cmdlog": {
      const c = trace.commands[sel.index];
      if (!c) return "No such command in this run.";
      const words = c.words.map((s) => BigInt(s));
      const consumed = c.consumedAt === null ? "never consumed" : `consumed at step ${c.consumedAt + 1}`;
      return view(
        `Command ${sel.index + 1}: ${c.op}`,
        [`Queued at step ${c.step + 1}, ${consumed}.`],
        words,
        cmdFields(words),
      );
    }
    case "evt":
    case "pri": {
      const q = sel.kind === "evt" ? w.smmu.evtq : w.smmu.priq;
      const size = 2 ** q.log2size;
      if (sel.slot >= size) return `The ${q.name.toUpperCase()} has ${size} slots.`;
      const addr = slotAddr(q, sel.slot);
      const words = readWords(w.mem, addr, q.entryBytes / 8);
      const name = sel.kind === "evt" ? "Event record" : "PRI queue entry";
      const written = q.produced > sel.slot;
      return view(
        `${name}, ${q.name.toUpperCase()} slot ${sel.slot}`,
        [
          `At ${hexNum(addr)}, ${q.entryBytes} bytes.`,
          written
            ? `Written by the SMMU; ${q.consumed > sel.slot ? "consumed by the kernel" : "not consumed yet"}.`
            : "Not written yet.",
        ],
        words,
        sel.kind === "evt" ? eventFields(words) : decode(PRIQ_LAYOUT, words),
      );
    }
    case "pte": {
      const words = readWords(w.mem, sel.addr, 1);
      const frame = frameAt(w.mem, sel.addr as Pa);
      const owner = frame ? describeOwner(frame.owner) : "no frame";
      return view(`Descriptor at ${hexNum(sel.addr)}`, [`In ${owner}.`], words, decode(PTE, words));
    }
    default: {
      const exhaustive: never = sel;
      return exhaustive;
    }
  }
}
