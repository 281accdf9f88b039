/**
 * Copies of a world that share their parts (copy on write), and the write accessors that
 * unshare a part before it is changed.
 *
 * A world's parts are its SMMU and its kernel (each a shell whose fields are parts: the SMMU's
 * queues, caches and stalls, the kernel's locks, PASIDs, ASIDs, SRCU and each kernel object),
 * and each device, mm, thread and VM. `cloneWorld` shares every one of them between the
 * original and the copy and gives both a fresh ownership stamp, so that neither owns a shared
 * part. A write goes through an accessor (`ownThread(w, t)`, `ownDevice(w, d)`, `ownMm(w, m)`,
 * `ownVm(w, v)`, `smmuShell(w)`, `smmuPart(w, "cmdq")`, `kernelPart(w, "locks")`,
 * `ownKObject(w, id)`; `ownSmmu(w)` and `ownKernel(w)` for all of it): when the world does not
 * own the part it copies it, stamps the copy as the world's and puts it in the world's place;
 * either way it drops the part's cached hash (world-hash.ts) and returns it writable. A part
 * once shared is never written again, so its cached hash stays true and a view can take "the
 * same object" for "unchanged". A reference to a part is good until the next accessor call for
 * it: after that it may be the old, shared copy (take parts through the accessor, then read).
 *
 * The stamps are beside the data, not in it: non-enumerable symbols on the world and on each
 * part (meta.ts), so cloning, hashing and JSON see the plain data they always saw. A world
 * that was never cloned (a freshly booted one) has stamp 0 and owns every part nobody stamped.
 *
 * @example
 * const next = cloneWorld(w); stepActor(sim, next, "T0", rec); // w is unchanged
 * ownThread(next, 0).pc += 1; // copies next's thread 0 once; w's stays as it was
 */

import { cloneMemory, hashCache, type Memory } from "./memory.ts";
import { metaOf, newMeta } from "./meta.ts";
import type {
  DeviceState,
  Draft,
  KernelState,
  KObject,
  MmState,
  SmmuState,
  ThreadState,
  VmState,
  World,
} from "./world.ts";

/**
 * A deep copy of plain data (objects, arrays, Maps, primitives and bigints), several times
 * faster than structuredClone on the small, many-object worlds the explorer copies at every
 * branch.
 */
export function deepClone<T>(v: T): T {
  if (typeof v !== "object" || v === null) return v;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = deepClone(v[i]);
    return out as T;
  }
  if (v instanceof Map) {
    const out = new Map();
    for (const [k, x] of v) out.set(k, deepClone(x));
    return out as T;
  }
  // A prototype-free record (dict.ts: keyed by a user's names) stays prototype-free, so a key
  // such as "__proto__" or "constructor" is a key like any other in the copy too.
  const out: Record<string, unknown> = Object.getPrototypeOf(v) === null ? Object.create(null) : {};
  for (const k in v) out[k] = deepClone((v as Record<string, unknown>)[k]);
  return out as T;
}

const STAMP = Symbol("world.stamp");
let nextStamp = 1;

/** The stamp of the world that owns each part (meta.ts); a part without one belongs to stamp 0. */
const owner = {
  get: (part: object): number | undefined => metaOf(part)?.stamp,
  /** `part` is a fresh copy: nobody has seen it yet. */
  set: (part: object, stamp: number): void => {
    newMeta(part, stamp);
  },
};

type Stamped = World & { [STAMP]?: number };

function stampOf(w: World): number {
  return (w as Stamped)[STAMP] ?? 0;
}

function restamp(w: World): void {
  const s = nextStamp++;
  if (Object.hasOwn(w, STAMP)) (w as Stamped)[STAMP] = s;
  else Object.defineProperty(w, STAMP, { value: s, writable: true, enumerable: false, configurable: true });
}

/** Whether `w` may write `part` in place (no other world can see it). */
export function owns(w: World, part: object): boolean {
  return (owner.get(part) ?? 0) === stampOf(w);
}

/** `part`, or a copy of it that `w` owns: writable, and its cached hash dropped. */
function own<T extends object>(w: World, part: T): Draft<T> {
  const s = stampOf(w);
  if ((owner.get(part) ?? 0) === s) {
    hashCache.delete(part);
    return part as Draft<T>;
  }
  const copy = deepClone(part);
  owner.set(copy, s);
  return copy as Draft<T>;
}

/** The element of `list` (given or at an index), owned by `w` and put back in its place. */
function ownElement<T extends object>(
  w: World,
  list: T[] | undefined,
  part: T | number,
  what: string,
): Draft<T> {
  // A part the world owns is written in place (boot builds a VM's allocators before the VM
  // is in the world's list).
  if (typeof part !== "number" && owns(w, part)) {
    hashCache.delete(part);
    return part as Draft<T>;
  }
  if (!list) throw new Error(`no ${what} list in this world`);
  const i = typeof part === "number" ? part : list.indexOf(part);
  const p = list[i];
  // A part not in the world is a stale reference: one taken before an accessor copied it.
  if (p === undefined) throw new Error(`${what} is not one of this world's`);
  const mine = own(w, p);
  list[i] = mine as T;
  return mine;
}

/**
 * A copy of a world that shares every part with it (time travel's checkpoints, the explorer's
 * branches), and memory by frame (`cloneMemory`). Only the part lists are copied; the first
 * write to a part in either world copies that part (the accessors below).
 */
export function cloneWorld(w: World): World {
  if (testModes.copy) return testModes.copy(w);
  const out = {} as Record<string, unknown>;
  // Assigned in place so the copy keeps the original's key order (hashes do not depend on it,
  // but JSON and the views' listings do).
  for (const k in w) {
    const v = (w as unknown as Record<string, unknown>)[k];
    out[k] = k === "mem" ? cloneMemory(v as Memory) : Array.isArray(v) ? v.slice() : v;
  }
  const copy = out as unknown as World;
  restamp(w);
  restamp(copy);
  testModes.copied?.(w);
  return copy;
}

/*
 * The SMMU and the kernel are parts of parts: a shell (the part's own fields) whose fields are
 * parts of their own (the SMMU's queues and caches, the kernel's locks, PASIDs, SRCU…), and the
 * kernel's objects are one part each. A step that moves CMDQ.PROD copies the SMMU's shell and
 * its command queue, not its caches; one that takes a mutex copies the kernel's shell and its
 * locks. The hash follows the same lines (world-hash.ts).
 */

type Two = "smmu" | "kernel";

/**
 * A part's shell, writable: its fields can be assigned (a new array, a number), but what they
 * hold may still be shared, so it is read-only; `smmuPart` / `kernelPart` make a field writable.
 */
export type Shell<T> = { -readonly [K in keyof T]: T[K] };

function ownShell<K extends Two>(w: World, key: K): Shell<World[K]> {
  const p = w[key];
  const s = stampOf(w);
  if ((owner.get(p) ?? 0) === s) {
    hashCache.delete(p);
    return p as Shell<World[K]>;
  }
  const copy = { ...p };
  owner.set(copy, s);
  (w as Record<Two, unknown>)[key] = copy;
  return copy as Shell<World[K]>;
}

/** A shallow copy of a record of parts (the kernel's objects), keeping a prototype-free one so. */
function shallow<T extends object>(v: T): T {
  return Object.assign(Object.getPrototypeOf(v) === null ? Object.create(null) : {}, v) as T;
}

function ownField<K extends Two, F extends keyof World[K]>(w: World, key: K, field: F): Draft<World[K][F]> {
  const sh = ownShell(w, key) as Record<F, unknown>;
  const v = sh[field];
  if (typeof v !== "object" || v === null) throw new Error(`${String(field)} is not a part`);
  const s = stampOf(w);
  if ((owner.get(v) ?? 0) === s) {
    hashCache.delete(v);
    return v as Draft<World[K][F]>;
  }
  const copy = field === "objects" ? shallow(v) : deepClone(v);
  owner.set(copy, s);
  sh[field] = copy;
  return copy as Draft<World[K][F]>;
}

/** The SMMU's own fields, to assign (GERROR, the STAG counter, a filtered cache). */
export const smmuShell = (w: World): Shell<SmmuState> => ownShell(w, "smmu");

/** One field of the SMMU (a queue, a cache, the stalls), writable. */
export const smmuPart = <F extends keyof SmmuState>(w: World, field: F): Draft<SmmuState[F]> =>
  ownField(w, "smmu", field);

/** The kernel's own fields, to assign (nextObjectId, the fault worker's state). */
export const kernelShell = (w: World): Shell<KernelState> => ownShell(w, "kernel");

/** One field of the kernel (locks, pasids, asids, srcu), writable. */
export const kernelPart = <F extends Exclude<keyof KernelState, "objects">>(
  w: World,
  field: F,
): Draft<KernelState[F]> => ownField(w, "kernel", field);

/** Kernel object `id`, writable (the kernel's shell and its object table taken first). */
export function ownKObject(w: World, id: number): Draft<KObject> {
  const table = ownField(w, "kernel", "objects") as Record<number, KObject>;
  const o = table[id];
  if (!o) throw new Error(`no kernel object ${id}`);
  const mine = own(w, o);
  table[id] = mine as KObject;
  return mine;
}

/** The kernel's object table, to add an object to (its objects stay shared until written). */
export const kernelObjects = (w: World): Record<number, KObject> =>
  ownField(w, "kernel", "objects") as Record<number, KObject>;

/** The whole SMMU, writable (every field its own). */
export function ownSmmu(w: World): Draft<SmmuState> {
  const sh = ownShell(w, "smmu");
  for (const f in sh) {
    const v = sh[f as keyof SmmuState];
    if (typeof v === "object" && v !== null) ownField(w, "smmu", f as keyof SmmuState);
  }
  return sh as Draft<SmmuState>;
}

/** The whole kernel, writable (every field and every object its own). */
export function ownKernel(w: World): Draft<KernelState> {
  const sh = ownShell(w, "kernel");
  for (const f in sh) {
    const v = sh[f as keyof KernelState];
    if (typeof v === "object" && v !== null) ownField(w, "kernel", f as keyof KernelState);
  }
  for (const id in sh.objects) ownKObject(w, Number(id));
  return sh as Draft<KernelState>;
}

export function ownThread(w: World, t: ThreadState | number): Draft<ThreadState> {
  return ownElement(w, w.threads, t, "thread");
}

export function ownDevice(w: World, d: DeviceState | number): Draft<DeviceState> {
  return ownElement(w, w.devices, d, "device");
}

export function ownMm(w: World, m: MmState | number): Draft<MmState> {
  return ownElement(w, w.mms, m, "mm");
}

export function ownVm(w: World, v: VmState | number): Draft<VmState> {
  return ownElement(w, w.vms, v, "VM");
}

/**
 * The tests' modes (test-modes.ts, outside the page's code): `copy` makes every copy instead
 * (sharing off), `copied` looks at the world after each copy (freezing what it now shares).
 */
export const testModes: { copy?: (w: World) => World; copied?: (w: World) => void } = {};
