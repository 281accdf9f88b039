/**
 * The SMMU's circular queues (CMDQ, EVTQ, PRIQ) as the architecture defines them: 2^n entries,
 * PROD and CONS registers whose low n bits are the index and bit n the wrap bit; the queue is
 * empty when index and wrap are equal, full when the index is equal and the wrap differs
 * (reference §1.1).
 *
 * The model also keeps two running totals (entries ever produced / consumed), which is what the
 * registers are modulo 2^(n+1): a CMD_SYNC waiter compares totals, not wrapped indices.
 */

export interface Queue {
  readonly name: "cmdq" | "evtq" | "priq";
  /** Physical address of entry 0. */
  readonly base: number;
  readonly log2size: number;
  /** Bytes per entry: 16 (command), 32 (event), 16 (PRI request). */
  readonly entryBytes: number;
  produced: number;
  consumed: number;
}

export function createQueue(name: Queue["name"], base: number, log2size: number, entryBytes: number): Queue {
  return { name, base, log2size, entryBytes, produced: 0, consumed: 0 };
}

export const queueSize = (q: Queue): number => 2 ** q.log2size;

/** The PROD register value: index in the low log2size bits, wrap bit above. */
export const prodReg = (q: Queue): number => q.produced % (2 * queueSize(q));
export const consReg = (q: Queue): number => q.consumed % (2 * queueSize(q));

export const regIndex = (q: Queue, reg: number): number => reg % queueSize(q);
export const regWrap = (q: Queue, reg: number): number => Math.floor(reg / queueSize(q)) & 1;

/** Empty ⇔ PROD and CONS have the same index and the same wrap bit. */
export function queueEmpty(q: Queue): boolean {
  return prodReg(q) === consReg(q);
}

/** Full ⇔ same index, different wrap bit. */
export function queueFull(q: Queue): boolean {
  const p = prodReg(q);
  const c = consReg(q);
  return regIndex(q, p) === regIndex(q, c) && regWrap(q, p) !== regWrap(q, c);
}

/** Free slots, computed from the registers as queue_has_space() does. */
export function queueSpace(q: Queue): number {
  const p = prodReg(q);
  const c = consReg(q);
  const size = queueSize(q);
  return regWrap(q, p) === regWrap(q, c)
    ? size - (regIndex(q, p) - regIndex(q, c))
    : regIndex(q, c) - regIndex(q, p);
}

/** Physical address of the slot the entry with running number `seq` occupies. */
export function slotAddr(q: Queue, seq: number): number {
  return q.base + (seq % queueSize(q)) * q.entryBytes;
}
