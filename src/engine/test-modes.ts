/**
 * The test modes of copy on write (clone.ts) and of the world hash (world-hash.ts), kept out of
 * the page's code (only tests import this module): they hook into `cloneWorld` and
 * `hashWorldInto` through `testModes` and `hashTestMode`.
 */

import { deepClone, testModes } from "./clone.ts";
import { hashInto } from "./hash.ts";
import { cloneMemory, type Memory } from "./memory.ts";
import type { World } from "./world.ts";
import { hashTestMode } from "./world-hash.ts";

/*
 * Sharing can be switched off: cloneWorld then deep-copies every part as it did before copy
 * on write, and every world owns all its parts (a copy has no stamps: stamp 0, as the parts it
 * made). A test that runs the same thing both ways and compares proves no reader kept a part
 * across a write that copied it (a stale read).
 */
function deepCopy(w: World): World {
  const deep = deepClone({ ...w, mem: null }) as unknown as { mem: Memory };
  deep.mem = cloneMemory(w.mem);
  return deep as unknown as World;
}

/** Turns structural sharing on or off; returns what it was. */
export function shareParts(on: boolean): boolean {
  const was = testModes.copy === undefined;
  if (on) delete testModes.copy;
  else testModes.copy = deepCopy;
  return was;
}

/*
 * The mode that proves every write goes through an accessor: with freezing on, cloneWorld
 * deep-freezes the parts the two worlds now share, so a write that bypasses the accessor throws
 * (ES modules are strict). Tests switch it on (clone.test.ts, and the lessons, explorer and
 * race tests that run under it); it costs a walk of the world per copy.
 */
function deepFreeze(v: unknown): void {
  if (typeof v !== "object" || v === null || Object.isFrozen(v)) return;
  // A Map's entries cannot be frozen; no part holds one.
  Object.freeze(v);
  for (const k in v) deepFreeze((v as Record<string, unknown>)[k]);
}

function freezeParts(w: World): void {
  deepFreeze(w.smmu);
  deepFreeze(w.kernel);
  for (const list of [w.devices, w.mms, w.threads, w.vms ?? []]) for (const p of list) deepFreeze(p);
}

/** Turns the freeze mode on or off; returns what it was. */
export function freezeShared(on: boolean): boolean {
  const was = testModes.copied !== undefined;
  if (on) testModes.copied = freezeParts;
  else delete testModes.copied;
  return was;
}

/*
 * The mode that proves the cached hashes are current (every write to a part went through an
 * accessor, none through a reference kept from before the last hash): with checking on, every
 * hash is compared with the whole world hashed afresh, and a difference throws.
 */
const fresh = new Int32Array(2);

function check(w: World, out: Int32Array): void {
  hashInto({ ...w, clock: 0 }, fresh);
  if (fresh[0] !== out[0] || fresh[1] !== out[1]) {
    throw new Error("a cached part hash is stale: a part was written without its accessor");
  }
}

/** Turns the hash check on or off; returns what it was. */
export function checkHashes(on: boolean): boolean {
  const was = hashTestMode.check !== undefined;
  if (on) hashTestMode.check = check;
  else delete hashTestMode.check;
  return was;
}
