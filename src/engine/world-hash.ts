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

import { ElementMix, EntrySum, hashInto, keyInto } from "./hash.ts";
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

/** `rings`: the SMMU's queues, for the explorer's fingerprint (below); null for the state hash. */
function memoryInto(mem: Memory, out: Int32Array, rings: readonly Readonly<Queue>[] | null): void {
  for (const k in mem) {
    const v = (mem as unknown as Record<string, unknown>)[k];
    const kl = keyOf(k);
    let l: Int32Array;
    if (k === "frames") l = frameList(mem, rings !== null);
    else if (k === "words") l = rings ? liveWords(mem.words, rings) : cached(mem.words);
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
const waitLanes = new Int32Array(2);

/**
 * A thread's fingerprint: its hash, but with its CMD_SYNC wait (`cmdq.wait`) as its distance
 * past CONS, 0 once CONS has reached it (above); the rest is kept with the thread.
 */
function threadLive(t: ThreadState, cons: number): Int32Array {
  const wait = t.locals[WAIT];
  if (typeof wait !== "number") return cached(t);
  let l = liveCache.get(t);
  if (!l) {
    const { [WAIT]: _, ...rest } = t.locals;
    l = new Int32Array(2);
    hashInto({ ...t, locals: rest }, l);
    liveCache.set(t, l);
  }
  hashInto([l[0], l[1], Math.max(0, wait - cons)], waitLanes);
  return waitLanes;
}

/** The two lanes of `worldHash(w)` into `out`. */
export function hashWorldInto(w: World, out: Int32Array): void {
  worldInto(w, out, null);
  if (checking) check(w, out);
}

/**
 * The explorer's fingerprint of `w` into `out`: its hash without the SMMU queues' dead slots
 * (above). Two worlds with the same fingerprint step alike from here on.
 */
export function hashLiveWorldInto(w: World, out: Int32Array): void {
  worldInto(w, out, [w.smmu.cmdq, w.smmu.evtq, w.smmu.priq]);
}

function worldInto(w: World, out: Int32Array, rings: readonly Readonly<Queue>[] | null): void {
  for (const k in w) {
    const kl = keyOf(k);
    const v = (w as unknown as Record<string, unknown>)[k];
    if (k === "mem") memoryInto(w.mem, out2, rings);
    else if (k === "clock") hashInto(0, out2);
    else if (Array.isArray(v)) {
      // devices, mms, threads, vms: an array of parts.
      const threads = rings !== null && k === "threads";
      parts.start(v.length);
      for (const p of v) {
        const l = threads ? threadLive(p, w.smmu.cmdq.consumed) : cached(p);
        parts.add(l[0]!, l[1]!);
      }
      parts.finish(out2);
    } else if (typeof v === "object" && v !== null) {
      const l = k === "smmu" || k === "kernel" ? shellOf(v, rings !== null && k === "smmu") : cached(v);
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
