/**
 * A world's state hash, fast: bit for bit `hashState({ ...w, clock: 0 })`, but the memory
 * (most of a world: its frames and words) is hashed frame by frame with each frame's hash, and
 * the word map's, kept until memory.ts hands it out to be changed (`hashCache`). Copies of a
 * world share the frames neither changed (copy on write), so after a step only the frames it
 * wrote are hashed again: the explorer hashes every state it meets.
 *
 * @example
 * hashWorldInto(w, out); // out[0], out[1]: the lanes of worldHash(w)
 */

import { ElementMix, EntrySum, hashInto, keyInto } from "./hash.ts";
import { hashCache, type Memory } from "./memory.ts";
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

function cached(o: object): Int32Array {
  let l = hashCache.get(o);
  if (!l) {
    l = new Int32Array(2);
    hashInto(o, l);
    hashCache.set(o, l);
  }
  return l;
}

function memoryInto(mem: Memory, out: Int32Array): void {
  for (const k in mem) {
    const v = (mem as unknown as Record<string, unknown>)[k];
    const kl = keyOf(k);
    if (k === "frames") {
      frames.start(mem.frames.length);
      for (const f of mem.frames) {
        const l = cached(f);
        frames.add(l[0]!, l[1]!);
      }
      frames.finish(out2);
    } else if (k === "words") {
      const l = cached(mem.words);
      out2[0] = l[0]!;
      out2[1] = l[1]!;
    } else hashInto(v, out2);
    memory.add(kl[0]!, kl[1]!, out2[0]!, out2[1]!);
  }
  memory.finish(out);
}

/** The two lanes of `worldHash(w)` into `out`. */
export function hashWorldInto(w: World, out: Int32Array): void {
  for (const k in w) {
    const kl = keyOf(k);
    if (k === "mem") memoryInto(w.mem, out2);
    else hashInto(k === "clock" ? 0 : (w as unknown as Record<string, unknown>)[k], out2);
    world.add(kl[0]!, kl[1]!, out2[0]!, out2[1]!);
  }
  world.finish(out);
}
