/**
 * What crosses between the page and its run worker (run-worker.ts): worlds, steps and traces,
 * posted as structured clones. A structured clone keeps objects, arrays, Maps, bigints and
 * typed arrays, but not a prototype: the model's records keyed by a user's names are
 * prototype-free (engine/dict.ts), so that a process called `constructor` or `__proto__` is a
 * key like any other, and a clone would give them Object.prototype back. So the sender lists
 * where the prototype-free objects are (the keys leading to each), and the receiver takes
 * their prototype away again: it walks only those paths, not the world's 17,000 frames.
 */

export interface Wire<T> {
  readonly value: T;
  /** Where the objects that had no prototype are: each the keys leading to it from `value`. */
  readonly dicts: readonly Path[];
}

/** Property keys, and `{ get: key }` for a Map's entry. */
type Path = readonly (string | number | { readonly get: unknown })[];

/** `value` ready to post: itself, with where its prototype-free records are. */
export function toWire<T>(value: T): Wire<T> {
  const dicts: Path[] = [];
  const path: Path[number][] = [];
  const go = (x: unknown): void => {
    if (typeof x !== "object" || x === null || ArrayBuffer.isView(x)) return;
    if (Array.isArray(x)) {
      for (let i = 0; i < x.length; i++) {
        path.push(i);
        go(x[i]);
        path.pop();
      }
    } else if (x instanceof Map) {
      // (The model's Maps are keyed by numbers and strings: a key that is an object is not walked.)
      for (const [k, y] of x) {
        path.push({ get: k });
        go(y);
        path.pop();
      }
    } else {
      if (Object.getPrototypeOf(x) === null) dicts.push(path.slice());
      for (const k in x) {
        path.push(k);
        go((x as Record<string, unknown>)[k]);
        path.pop();
      }
    }
  };
  go(value);
  return { value, dicts };
}

/** The value a `toWire` sent, as it was: its records prototype-free again (changed in place). */
export function fromWire<T>(wire: Wire<T>): T {
  for (const path of wire.dicts) {
    let o: unknown = wire.value;
    for (const k of path) {
      o = typeof k === "object" ? (o as Map<unknown, unknown>).get(k.get) : (o as Record<string, unknown>)[k];
    }
    Object.setPrototypeOf(o as object, null);
  }
  return wire.value;
}
