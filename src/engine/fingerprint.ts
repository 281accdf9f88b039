/**
 * The explorer's fingerprint of a world: its state hash (world-hash.ts) without what no step
 * will read again, so that states that differ only there are one state, and taken from the
 * parts' lanes of the state it was stepped from (`PartLanes`). Only the explorer imports it.
 */

import { owns } from "./clone.ts";
import { EntrySum, hashInto, mix } from "./hash.ts";
import { type Frame, liveCache, type Memory } from "./memory.ts";
import { type Queue, slotAddr } from "./queue.ts";
import type { ThreadState, World } from "./world.ts";
import { cached, frameList, shellOf } from "./world-hash.ts";

/*
 * What the fingerprint (`hashLiveWorldInto`) leaves out of the state hash:
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

/**
 * The sum over the words outside every ring, kept with the map (dropped when it changes), and
 * after it the last result with the rings' positions it was taken at (`at`).
 */
const ringBounds = new Float64Array(6);
const SUM = 0;
const RESULT = 3;
const AT = 5;

function liveWords(words: Memory["words"], rings: readonly Readonly<Queue>[]): Int32Array {
  let kept = liveCache.get(words);
  if (!kept) {
    kept = new Int32Array(AT + 2 * rings.length).fill(-1);
    const bounds = ringBounds;
    for (let r = 0; r < rings.length; r++) {
      const q = rings[r]!;
      bounds[2 * r] = q.base;
      bounds[2 * r + 1] = q.base + 2 ** q.log2size * q.entryBytes;
    }
    const n = 2 * rings.length;
    words.forEach((v, a) => {
      for (let i = 0; i < n; i += 2) if (a >= bounds[i]! && a < bounds[i + 1]!) return;
      liveSum.addEntry(a, v);
    });
    liveSum.save(kept.subarray(SUM, SUM + 3));
    liveSum.finish(discard);
    liveCache.set(words, kept);
  }
  // The same map with the rings where they were: the same live words.
  let same = true;
  for (let r = 0; r < rings.length; r++) {
    const q = rings[r]!;
    if (kept[AT + 2 * r] !== q.consumed || kept[AT + 2 * r + 1] !== q.produced) same = false;
  }
  if (same) {
    liveOut[0] = kept[RESULT]!;
    liveOut[1] = kept[RESULT + 1]!;
    return liveOut;
  }
  liveSum.resume(kept.subarray(SUM, SUM + 3));
  for (let r = 0; r < rings.length; r++) {
    const q = rings[r]!;
    for (let seq = q.consumed; seq < q.produced; seq++) {
      const at = slotAddr(q, seq);
      // Keyed by its distance from CONS (an address in the ring, which the sum above leaves out).
      const key = q.base + (seq - q.consumed) * q.entryBytes;
      for (let o = 0; o < q.entryBytes; o += 8) {
        const v = words.get(at + o);
        if (v !== undefined) liveSum.addEntry(key + o, v);
      }
    }
    kept[AT + 2 * r] = q.consumed;
    kept[AT + 2 * r + 1] = q.produced;
  }
  liveSum.finish(liveOut);
  kept[RESULT] = liveOut[0]!;
  kept[RESULT + 1] = liveOut[1]!;
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

const RINGS = new Set(["cmdq", "evtq", "priq"]);
const CACHES = new Set(["iotlb", "walkCache"]);
const setSum = new EntrySum();

/**
 * The SMMU shell's fields as the fingerprint takes them: each queue relative to its CONS
 * (above), the IOTLB and the walk cache as sets (below); null: as in the hash.
 */
function liveSmmuField(k: string, v: unknown): Int32Array | null {
  if (RINGS.has(k)) return liveQueue(v as Queue);
  if (CACHES.has(k)) return cacheSet(v as readonly object[]);
  return null;
}

/**
 * A TLB as the set of its entries: the SMMU looks an entry up by its tag (smmu.ts: ASID,
 * VMID and page or region), and it fills one only after a miss on that tag, so a tag is never
 * twice in one cache; invalidation drops entries by tag and range. The order of the entries
 * is only the order of the misses that filled them, which no step reads: two DMAs that fill
 * entries under different tags, in either order, leave one state. Kept with the array.
 */
function cacheSet(entries: readonly object[]): Int32Array {
  let l = liveCache.get(entries);
  if (!l) {
    for (const e of entries) {
      const el = cached(e);
      setSum.add(0x2545f491, 0x61c88647, el[0]!, el[1]!);
    }
    l = new Int32Array(2);
    setSum.finish(l);
    liveCache.set(entries, l);
  }
  return l;
}

/** An SMMU queue relative to its CONS (above). */
function liveQueue(q: Queue): Int32Array {
  // Kept with the queue, as its hash is (dropped when it is handed out to be changed).
  let l = liveCache.get(q);
  if (!l) {
    l = new Int32Array(2);
    hashInto({ ...q, produced: q.produced - q.consumed, consumed: 0 }, l);
    liveCache.set(q, l);
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
      return shellOf(p, liveSmmuField);
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
  let l = frameList(mem, liveFrame);
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
