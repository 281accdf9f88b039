import { cloneMemory, type Memory } from "./memory.ts";
import type { World } from "./world.ts";

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

/**
 * A copy of a world (time travel's checkpoints and replays). Its memory, most of a world,
 * shares its frames and words with the original until one of the two changes them
 * (`cloneMemory`); the rest is `deepClone`d. On the 16k-page world this is about 10× faster
 * than copying the frames, and makes almost no garbage.
 *
 * @example
 * const next = cloneWorld(w); stepActor(sim, next, "T0", rec); // w is unchanged
 */
export function cloneWorld(w: World): World {
  // Assigned in place so the copy keeps the original's key order.
  const out = deepClone({ ...w, mem: null }) as unknown as { mem: Memory };
  out.mem = cloneMemory(w.mem);
  return out as unknown as World;
}
