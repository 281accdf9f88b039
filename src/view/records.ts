/**
 * View model of the event queue and the PRI queue as the rings they are (reference §1.1,
 * §4.1, §4.3): the SMMU produces (PROD), the kernel consumes (CONS); each slot's record read
 * from memory and decoded by name. Same shape for both, so one diagram draws either.
 */

import type { World } from "../engine/index.ts";
import {
  consReg,
  decodeEvent,
  decodePriEntry,
  prodReg,
  queueSize,
  readWords,
  slotAddr,
} from "../engine/index.ts";
import { hexNum } from "./format.ts";
import { perWorld } from "./per-world.ts";
import { pointer, type RingPointer, ringByCount, type SlotState } from "./ring.ts";
import { shareEqual } from "./same.ts";

export interface RecordSlot {
  readonly slot: number;
  readonly state: SlotState;
  /** Event type, or "PRG n". */
  readonly name: string;
  readonly summary: string;
}

export interface RecordQueueVm {
  readonly queue: "evtq" | "priq";
  readonly title: string;
  readonly size: number;
  readonly entryBytes: number;
  readonly base: string;
  readonly prod: RingPointer;
  readonly cons: RingPointer;
  readonly pending: number;
  readonly produced: number;
  /** The slots drawn: every slot that was ever written, and a few empty ones after PROD. */
  readonly slots: readonly RecordSlot[];
  /** State of every slot of the ring, for the overview ring. */
  readonly ring: readonly SlotState[];
}

/** One line for an event record: "F_TRANSLATION sid 16 ssid 1 0x10000 read STALL STAG 2". */
export function eventSummary(words: readonly bigint[]): { name: string; summary: string } {
  const e = decodeEvent(words);
  if (e.type === "UNKNOWN")
    return { name: `0x${e.code.toString(16)}`, summary: `unknown event 0x${e.code.toString(16)}` };
  const parts = [
    e.type,
    `sid ${e.sid}`,
    e.ssid === undefined ? "no ssid" : `ssid ${e.ssid}`,
    hexNum(e.addr),
    e.rnw ? "read" : "write",
    e.stall ? `STALL STAG ${e.stag ?? 0}` : "",
  ];
  return { name: e.type, summary: parts.filter(Boolean).join(" ") };
}

/** One line for a page request: "PRG 0 sid 24 ssid 1 0x40000 W LAST". */
export function priSummary(words: readonly bigint[]): { name: string; summary: string } {
  const p = decodePriEntry(words);
  const perm = `${p.read ? "R" : ""}${p.write ? "W" : ""}${p.exec ? "X" : ""}${p.priv ? "P" : ""}` || "-";
  const parts = [
    `PRG ${p.grpid}`,
    `sid ${p.sid}`,
    p.ssid === undefined ? "no ssid" : `ssid ${p.ssid}`,
    hexNum(p.addr),
    perm,
    p.last ? "LAST" : "",
  ];
  return { name: `PRG ${p.grpid}`, summary: parts.filter(Boolean).join(" ") };
}

/** Empty slots drawn after the last written one, so PROD has somewhere to point. */
const TAIL = 2;
const MIN_SLOTS = 6;

export function recordQueueVm(w: World, which: "evtq" | "priq"): RecordQueueVm {
  const q = which === "evtq" ? w.smmu.evtq : w.smmu.priq;
  const size = queueSize(q);
  const words = q.entryBytes / 8;
  const ring = ringByCount(q);
  const last = Math.min(size, Math.max(MIN_SLOTS, Math.min(q.produced, size) + TAIL));
  const slots: RecordSlot[] = [];
  for (let slot = 0; slot < last; slot++) {
    const state = ring[slot]!;
    if (state === "empty") {
      slots.push({ slot, state, name: "", summary: "empty" });
      continue;
    }
    const rec = readWords(w.mem, slotAddr(q, slot), words);
    const s = which === "evtq" ? eventSummary(rec) : priSummary(rec);
    slots.push({ slot, state, ...s });
  }
  return {
    queue: which,
    title: which === "evtq" ? "Event queue (EVTQ)" : "PRI queue (PRIQ)",
    size,
    entryBytes: q.entryBytes,
    base: hexNum(q.base),
    prod: pointer(q, prodReg(q)),
    cons: pointer(q, consReg(q)),
    pending: q.produced - q.consumed,
    produced: q.produced,
    slots,
    ring,
  };
}

/** Cached per world (not warmed: the event and PRI queues are a panel's second and third tab). */
export const evtqOf = /* @__PURE__ */ perWorld((w: World) => recordQueueVm(w, "evtq"), {
  parts: (w) => [w.smmu.evtq, w.mem.words],
  share: shareEqual,
});
export const priqOf = /* @__PURE__ */ perWorld((w: World) => recordQueueVm(w, "priq"), {
  parts: (w) => [w.smmu.priq, w.mem.words],
  share: shareEqual,
});
