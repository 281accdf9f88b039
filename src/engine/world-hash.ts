/**
 * A world's state hash, fast: bit for bit `hashState({ ...w, clock: 0 })`, but composed from
 * the hashes of its parts, each kept by identity until it is handed out to be changed
 * (`hashCache`): the memory frame by frame and its word map (memory.ts), the SMMU, the kernel
 * and each device, mm, thread and VM (clone.ts's accessors). Copies of a world share what
 * neither changed (copy on write), so after a step only the parts it wrote are hashed again:
 * the explorer hashes every state it meets.
 *
 * @example
 * hashWorldInto(w, out); // out[0], out[1]: the lanes of worldHash(w)
 */

import { owns } from "./clone.ts";
import { ElementMix, EntrySum, hashInto, keyInto, mix } from "./hash.ts";
import { type Frame, framesHash, hashCache, liveCache, type Memory } from "./memory.ts";
import { type Queue, slotAddr } from "./queue.ts";
import type { ThreadState, World } from "./world.ts";

const out2 = new Int32Array(2);
const keyLanes = new Map<string, Int32Array>();
const world = new EntrySum();
const memory = new EntrySum();
const frames = new ElementMix();

function keyOf(k: string): Int32Array {
  let l = keyLanes.get(k);
  if (!l) {
    l = new Int32Array(2);
    keyInto(k, l);
    keyLanes.set(k, l);
  }
  return l;
}

function cached(o: object): Int32Array {
  let l = hashCache.get(o);
  if (!l) {
    l = new Int32Array(2);
    hashInto(o, l);
    hashCache.set(o, l);
  }
  return l;
}

/** The frame list's hash (or fingerprint: `live`), kept per memory until a frame changes. */
function frameList(mem: Memory, live: boolean): Int32Array {
  let l = live ? framesHash.getLive(mem) : framesHash.get(mem);
  if (!l) {
    frames.start(mem.frames.length);
    for (const f of mem.frames) {
      const fl = live ? liveFrame(f) : cached(f);
      frames.add(fl[0]!, fl[1]!);
    }
    l = new Int32Array(2);
    frames.finish(l);
    if (live) framesHash.setLive(mem, l);
    else framesHash.set(mem, l);
  }
  return l;
}

function memoryInto(mem: Memory, out: Int32Array): void {
  for (const k in mem) {
    const v = (mem as unknown as Record<string, unknown>)[k];
    const kl = keyOf(k);
    let l: Int32Array;
    if (k === "frames") l = frameList(mem, false);
    else if (k === "words") l = cached(mem.words);
    else {
      hashInto(v, out2);
      l = out2;
    }
    memory.add(kl[0]!, kl[1]!, l[0]!, l[1]!);
  }
  memory.finish(out);
}

/*
 * The explorer's fingerprint (`hashLiveWorldInto`) is the state hash without what no step will
 * read again, so that states that differ only there are one state:
 *   - the SMMU queues' slots outside [CONS, PROD). Every producer (the driver's cmdq insert, the
 *     SMMU's event and PRI records, the IRQ thread's CMD_RESUME) writes a whole slot at PROD and
 *     moves PROD in the same micro-step, every consumer reads at CONS: a slot behind CONS is
 *     written again before anything reads it. Kept, such slots remember in which order earlier
 *     commands went through the ring, and the three-thread bind/exit/munmap race had 1.3 M
 *     states instead of 17 k.
 *   - a queue frame's count of non-zero words (`used`): it only makes zeroing a freed frame
 *     cheap, and queue memory is never freed.
 *   - where in its ring a queue is: each queue is taken relative to its CONS (PROD − CONS, and
 *     its live slots by their distance from CONS), and a thread's CMD_SYNC wait (`cmdq.wait`,
 *     the PROD after its SYNC) as its distance past the command queue's CONS, 0 once CONS has
 *     reached it. No step reads more of the totals than that: full, empty and free space come
 *     from PROD − CONS (queue.ts: the registers are the totals modulo 2^(n+1)), the SMMU and
 *     the handlers read the slot at CONS, the producers write at PROD, a waiter compares its
 *     PROD with CONS, and CONS never goes back, so a wait CONS has passed stays passed (only
 *     trace texts and records name the totals). Two states that differ only by where their
 *     queues stand step alike, one step for one step, and stay so. Kept, the totals count how
 *     many commands and events went before: paths whose `when`s issued one batch more or less
 *     never met again, and the sva-domain 3-thread race had 18,345 states instead of 11,999.
 * The guest's queues (a VM's vcmdq in its RAM) are hashed whole: the guest may write ahead.
 */

const liveSum = new EntrySum();
/** Where a finished sum goes when only its saved state is wanted. */
const discard = new Int32Array(3);
const liveOut = new Int32Array(2);

function inRing(addr: number, rings: readonly Readonly<Queue>[]): boolean {
  for (const q of rings) if (addr >= q.base && addr < q.base + 2 ** q.log2size * q.entryBytes) return true;
  return false;
}

function liveWords(words: Memory["words"], rings: readonly Readonly<Queue>[]): Int32Array {
  // The sum over the words outside every ring, kept with the map (dropped when it changes).
  let outside = liveCache.get(words);
  if (!outside) {
    for (const [a, v] of words) if (!inRing(a, rings)) liveSum.addEntry(a, v);
    outside = new Int32Array(3);
    liveSum.save(outside);
    liveSum.finish(discard);
    liveCache.set(words, outside);
  }
  liveSum.resume(outside);
  for (const q of rings) {
    for (let seq = q.consumed; seq < q.produced; seq++) {
      const at = slotAddr(q, seq);
      // Keyed by its distance from CONS (an address in the ring, which the sum above leaves out).
      const key = q.base + (seq - q.consumed) * q.entryBytes;
      for (let o = 0; o < q.entryBytes; o += 8) {
        const v = words.get(at + o);
        if (v !== undefined) liveSum.addEntry(key + o, v);
      }
    }
  }
  liveSum.finish(liveOut);
  return liveOut;
}

function liveFrame(f: Frame): Int32Array {
  if (f.owner.kind !== "queue") return cached(f);
  let l = liveCache.get(f);
  if (!l) {
    l = new Int32Array(2);
    hashInto({ ...f, used: 0 }, l);
    liveCache.set(f, l);
  }
  return l;
}

const parts = new ElementMix();
const shellSum = new EntrySum();
const tableSum = new EntrySum();
const lanes = new Int32Array(2);

/** A record of parts (the kernel's objects): its entries' hashes from the cache. */
function tableOf(table: object): Int32Array {
  let l = hashCache.get(table);
  if (!l) {
    for (const k in table) {
      const kl = keyOf(k);
      const vl = cached((table as Record<string, object>)[k]!);
      tableSum.add(kl[0]!, kl[1]!, vl[0]!, vl[1]!);
    }
    l = new Int32Array(2);
    tableSum.finish(l);
    hashCache.set(table, l);
  }
  return l;
}

const RINGS = new Set(["cmdq", "evtq", "priq"]);

/**
 * The SMMU or the kernel: a shell whose fields are parts of their own (clone.ts). `live`: the
 * SMMU's fingerprint, its queues relative to their CONS (above).
 */
function shellOf(p: object, live = false): Int32Array {
  let l = live ? liveCache.get(p) : hashCache.get(p);
  if (!l) {
    for (const k in p) {
      const kl = keyOf(k);
      const v = (p as Record<string, unknown>)[k];
      let vl: Int32Array;
      if (k === "objects") vl = tableOf(v as object);
      else if (live && RINGS.has(k)) {
        const q = v as Queue;
        hashInto({ ...q, produced: q.produced - q.consumed, consumed: 0 }, lanes);
        vl = lanes;
      } else if (typeof v === "object" && v !== null) vl = cached(v);
      else {
        hashInto(v, lanes);
        vl = lanes;
      }
      shellSum.add(kl[0]!, kl[1]!, vl[0]!, vl[1]!);
    }
    l = new Int32Array(2);
    shellSum.finish(l);
    if (live) liveCache.set(p, l);
    else hashCache.set(p, l);
  }
  return l;
}

const WAIT = "cmdq.wait";

/**
 * A thread's fingerprint without its CMD_SYNC wait (`cmdq.wait`), which the fingerprint takes
 * as its distance past CONS, 0 once CONS has reached it (above); kept with the thread.
 */
function threadLive(t: ThreadState): Int32Array {
  if (typeof t.locals[WAIT] !== "number") return cached(t);
  let l = liveCache.get(t);
  if (!l) {
    const { [WAIT]: _, ...rest } = t.locals;
    l = new Int32Array(2);
    hashInto({ ...t, locals: rest }, l);
    liveCache.set(t, l);
  }
  return l;
}

/** The two lanes of `worldHash(w)` into `out`. */
export function hashWorldInto(w: World, out: Int32Array): void {
  worldInto(w, out);
  if (checking) check(w, out);
}

/**
 * What a fingerprint took from each part of a world, by position (the SMMU, the kernel, then
 * each device, mm, thread and VM): the part and its lanes, and whether the part was shared
 * then. A shared part is never written again (clone.ts), so a world that holds the same part
 * at the same position has the same lanes there: the explorer hands a state's `PartLanes` to
 * the fingerprints of its successors, which then look up only the parts a step copied. A part
 * the world owned may since have been written in place: it is looked up again. A thread's
 * lanes leave out its CMD_SYNC wait, kept beside them (`waits`, -1 for none): its distance past
 * CONS is taken afresh.
 */
export class PartLanes {
  parts: (object | undefined)[] = [];
  lanes = new Int32Array(32);
  shared = new Uint8Array(16);
  waits = new Float64Array(16);
}

function reserve(into: PartLanes, n: number): void {
  if (into.shared.length >= n) return;
  const lanes = new Int32Array(4 * n);
  lanes.set(into.lanes);
  into.lanes = lanes;
  const shared = new Uint8Array(2 * n);
  shared.set(into.shared);
  into.shared = shared;
  const waits = new Float64Array(2 * n);
  waits.set(into.waits);
  into.waits = waits;
}

/** How `partAt` takes a part's lanes: a shell (the SMMU's live, the kernel's), a thread, any other. */
const As = { SmmuShell: 0, KernelShell: 1, Thread: 2, Part: 3 } as const;
type As = (typeof As)[keyof typeof As];

function lanesOf(p: object, as: As): Int32Array {
  switch (as) {
    case As.SmmuShell:
      return shellOf(p, true);
    case As.KernelShell:
      return shellOf(p);
    case As.Thread:
      return threadLive(p as ThreadState);
    default:
      return cached(p);
  }
}

/** Part `p` at position `i` into `into` (from `from` when it holds the same shared part). */
function partAt(w: World, p: object, i: number, as: As, from: PartLanes | null, into: PartLanes): void {
  if (from !== null && from.parts[i] === p && from.shared[i] === 1) {
    // Still shared: a part is owned only by the world that copied it, when it copied it.
    if (from === into) return;
    into.lanes[2 * i] = from.lanes[2 * i]!;
    into.lanes[2 * i + 1] = from.lanes[2 * i + 1]!;
    into.shared[i] = 1;
    into.waits[i] = from.waits[i]!;
  } else {
    const l = lanesOf(p, as);
    into.lanes[2 * i] = l[0]!;
    into.lanes[2 * i + 1] = l[1]!;
    into.shared[i] = owns(w, p) ? 0 : 1;
    const wait = as === As.Thread ? (p as ThreadState).locals[WAIT] : undefined;
    into.waits[i] = typeof wait === "number" ? wait : -1;
  }
  into.parts[i] = p;
}

const scratch = new PartLanes();

/**
 * The explorer's fingerprint of `w` into `out`: the same parts as its hash without the SMMU
 * queues' dead slots (above), from the same cached part hashes, but mixed in a fixed order of
 * the world's fields rather than summed by key (walking the world's and the memory's keys, and
 * looking up every part's cached hash, was most of a fingerprint's cost). With `into`, the
 * parts' lanes are left there, and taken from `from` where it holds the same shared part
 * (`PartLanes`). Two worlds with the same fingerprint step alike from here on.
 * `FINGERPRINTED` lists the world's fields it covers (the clock is left out).
 */
export function hashLiveWorldInto(
  w: World,
  out: Int32Array,
  from: PartLanes | null = null,
  into: PartLanes = scratch,
): void {
  const rings = liveRings;
  rings[0] = w.smmu.cmdq;
  rings[1] = w.smmu.evtq;
  rings[2] = w.smmu.priq;
  let a = 0x1b873593;
  let b = 0x2c1b3c6d;
  const mem = w.mem;
  a = mix(a, mem.base, 0x9e3779b1);
  b = mix(b, mem.free.length, 0xc2b2ae3d);
  for (const i of mem.free) {
    a = mix(a, i, 0x9e3779b1);
    b = mix(b, i, 0xc2b2ae3d);
  }
  let l = frameList(mem, true);
  a = mix(a, l[0]!, 0x85ebca77);
  b = mix(b, l[1]!, 0x27d4eb2f);
  l = liveWords(mem.words, rings);
  a = mix(a, l[0]!, 0x85ebca77);
  b = mix(b, l[1]!, 0x27d4eb2f);
  const { devices, mms, threads, vms } = w;
  const n = 2 + devices.length + mms.length + threads.length + (vms?.length ?? 0);
  reserve(into, n);
  partAt(w, w.smmu, 0, As.SmmuShell, from, into);
  partAt(w, w.kernel, 1, As.KernelShell, from, into);
  let i = 2;
  for (const list of [devices, mms, threads, vms]) {
    // Each list's length first, so that no two lists' parts can be taken for one another's.
    const len = list === undefined ? -1 : list.length;
    a = mix(a, len, 0x85ebca77);
    b = mix(b, len, 0x27d4eb2f);
    const as = list === threads ? As.Thread : As.Part;
    if (list !== undefined) for (const p of list) partAt(w, p, i++, as, from, into);
  }
  into.parts.length = n;
  const { lanes, waits } = into;
  const cons = w.smmu.cmdq.consumed;
  for (let j = 0; j < n; j++) {
    a = mix(a, lanes[2 * j]!, 0x9e3779b1);
    b = mix(b, lanes[2 * j + 1]!, 0xc2b2ae3d);
    const wait = waits[j]!;
    if (wait >= 0) {
      // A CMD_SYNC wait: how far past CONS (1 + distance; a part without one mixes nothing).
      const d = 1 + Math.max(0, wait - cons);
      a = mix(a, d, 0x85ebca77);
      b = mix(b, d, 0x27d4eb2f);
    }
  }
  out[0] = a;
  out[1] = b;
}

const liveRings: Readonly<Queue>[] = [];

/** The world's fields a fingerprint covers: every field but the clock. */
export const FINGERPRINTED: readonly (keyof World)[] = [
  "mem",
  "smmu",
  "devices",
  "mms",
  "kernel",
  "threads",
  "vms",
];

function worldInto(w: World, out: Int32Array): void {
  for (const k in w) {
    const kl = keyOf(k);
    const v = (w as unknown as Record<string, unknown>)[k];
    if (k === "mem") memoryInto(w.mem, out2);
    else if (k === "clock") hashInto(0, out2);
    else if (Array.isArray(v)) {
      // devices, mms, threads, vms: an array of parts.
      parts.start(v.length);
      for (const p of v) {
        const l = cached(p);
        parts.add(l[0]!, l[1]!);
      }
      parts.finish(out2);
    } else if (typeof v === "object" && v !== null) {
      const l = k === "smmu" || k === "kernel" ? shellOf(v) : cached(v);
      out2[0] = l[0]!;
      out2[1] = l[1]!;
    } else hashInto(v, out2);
    world.add(kl[0]!, kl[1]!, out2[0]!, out2[1]!);
  }
  world.finish(out);
}

/*
 * The test mode that proves the cached hashes are current (every write to a part went through
 * an accessor, none through a reference kept from before the last hash): with checking on,
 * every hash is compared with the whole world hashed afresh, and a difference throws.
 */
let checking = false;

/** Turns the hash check on or off; returns what it was. */
export function checkHashes(on: boolean): boolean {
  const was = checking;
  checking = on;
  return was;
}

const fresh = new Int32Array(2);

function check(w: World, out: Int32Array): void {
  hashInto({ ...w, clock: 0 }, fresh);
  if (fresh[0] !== out[0] || fresh[1] !== out[1]) {
    throw new Error("a cached part hash is stale: a part was written without its accessor");
  }
}
