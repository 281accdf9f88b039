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
import type { World } from "./world.ts";

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

/** `o`'s hash, kept on it until it is handed out to be changed. */
export function cached(o: object): Int32Array {
  let l = hashCache.get(o);
  if (!l) {
    l = new Int32Array(2);
    hashInto(o, l);
    hashCache.set(o, l);
  }
  return l;
}

/**
 * The frame list's hash, kept per memory until a frame changes; `live`: the explorer's
 * fingerprint of it, each frame's lanes from `live` (fingerprint.ts).
 */
export function frameList(mem: Memory, live?: (f: Frame) => Int32Array): Int32Array {
  let l = live ? framesHash.getLive(mem) : framesHash.get(mem);
  if (!l) {
    frames.start(mem.frames.length);
    for (const f of mem.frames) {
      const fl = live ? live(f) : cached(f);
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
    if (k === "frames") l = frameList(mem);
    else if (k === "words") l = cached(mem.words);
    else {
      hashInto(v, out2);
      l = out2;
    }
    memory.add(kl[0]!, kl[1]!, l[0]!, l[1]!);
  }
  memory.finish(out);
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

/**
 * The SMMU or the kernel: a shell whose fields are parts of their own (clone.ts). `live`: the
 * explorer's fingerprint of it (fingerprint.ts), which gives the lanes of the fields it takes
 * otherwise (null: as in the hash).
 */
export function shellOf(p: object, live?: (k: string, v: unknown) => Int32Array | null): Int32Array {
  let l = live ? liveCache.get(p) : hashCache.get(p);
  if (!l) {
    for (const k in p) {
      const kl = keyOf(k);
      const v = (p as Record<string, unknown>)[k];
      let vl: Int32Array;
      const taken = live?.(k, v);
      if (taken) vl = taken;
      else if (k === "objects") vl = tableOf(v as object);
      else if (typeof v === "object" && v !== null) vl = cached(v);
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

/** The two lanes of `worldHash(w)` into `out`. */
export function hashWorldInto(w: World, out: Int32Array): void {
  worldInto(w, out);
  hashTestMode.check?.(w, out);
}

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

/** The tests' check of every world hash against a fresh one (test-modes.ts `checkHashes`). */
export const hashTestMode: { check?: (w: World, out: Int32Array) => void } = {};
