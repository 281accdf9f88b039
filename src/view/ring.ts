/**
 * One model of a queue as the ring it is, for the three SMMU queues (CMDQ, EVTQ, PRIQ) and a
 * VM's virtual command queue (reference §1.1): 2^n slots, each pending (between CONS and
 * PROD), done (consumed, its words still in the slot) or empty (never written); the PROD and
 * CONS registers, each an index with a wrap bit above it. cmdq.ts, records.ts and vcmdq.ts
 * build their slot lists on it; d3/ring.ts draws it.
 */

import type { Queue } from "../engine/index.ts";
import { queueSize, regIndex, regWrap } from "../engine/index.ts";

export type SlotState = "pending" | "done" | "empty";

/** A PROD or CONS register: its value, index and wrap bit. */
export interface RingPointer {
  readonly reg: number;
  readonly index: number;
  readonly wrap: number;
}

export const pointer = (q: Queue, reg: number): RingPointer => ({
  reg,
  index: regIndex(q, reg),
  wrap: regWrap(q, reg),
});

/**
 * Each slot's state from the producer's and consumer's counts: the last `size` records
 * produced are pending or done, the rest never written (the record queues, whose slots are
 * only ever written by producing; a vSMMU's command queue).
 */
export function ringByCount(q: Queue): SlotState[] {
  const size = queueSize(q);
  const ring = new Array<SlotState>(size).fill("empty");
  for (let seq = Math.max(0, q.produced - size); seq < q.produced; seq++)
    ring[seq % size] = seq >= q.consumed ? "pending" : "done";
  return ring;
}

/**
 * Each slot's state from memory: done where the slot holds words, pending between CONS and
 * PROD (the command queue, whose slots the kernel may write before PROD moves). It probes the
 * ring's words when the ring is smaller than the sparse word map, else walks the map, so
 * neither a 2^19-entry ring nor a 16k-page world costs much.
 */
export function ringByMemory(q: Queue, mem: { readonly words: ReadonlyMap<number, bigint> }): SlotState[] {
  const size = queueSize(q);
  const ring = new Array<SlotState>(size).fill("empty");
  const end = q.base + size * q.entryBytes;
  const words = mem.words;
  if ((size * q.entryBytes) / 8 < words.size) {
    for (let addr = q.base; addr < end; addr += 8)
      if (words.has(addr)) ring[Math.floor((addr - q.base) / q.entryBytes)] = "done";
  } else {
    for (const addr of words.keys()) {
      if (addr >= q.base && addr < end) ring[Math.floor((addr - q.base) / q.entryBytes)] = "done";
    }
  }
  for (let seq = Math.max(q.consumed, q.produced - size); seq < q.produced; seq++)
    ring[seq % size] = "pending";
  return ring;
}

/** A ring drawn in at most this many segments. */
export const RING_SEGMENTS = 256;

/** The ring in at most RING_SEGMENTS segments, each pending if any slot in it is, else done if any is. */
export function ringSegments(ring: readonly SlotState[], n = RING_SEGMENTS): readonly SlotState[] {
  if (ring.length <= n) return ring;
  const per = ring.length / n;
  return Array.from({ length: n }, (_, i) => {
    const part = ring.slice(Math.floor(i * per), Math.floor((i + 1) * per));
    return part.includes("pending") ? "pending" : part.includes("done") ? "done" : "empty";
  });
}

/** "◀ CONS w0 PROD w1" after the slot the registers point at, or "". */
export function pointerMarks(
  slot: number,
  cons: { readonly index: number; readonly wrap: number },
  prod: { readonly index: number; readonly wrap: number },
): string {
  const names = [
    slot === cons.index ? `CONS w${cons.wrap}` : "",
    slot === prod.index ? `PROD w${prod.wrap}` : "",
  ].filter(Boolean);
  return names.length === 0 ? "" : `◀ ${names.join(" ")}`;
}
