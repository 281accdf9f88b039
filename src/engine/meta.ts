/**
 * What copy on write (clone.ts) and the world hash (world-hash.ts) keep on a world's part,
 * beside its data: the stamp of the world that owns it and its cached hash. It rides on the
 * part under a symbol that is not enumerable, so cloning, hashing, JSON, spreads, Object.keys
 * and test equality never see it, and a lookup is a property load (a WeakMap's lookups and
 * its ephemerons cost the explorer a quarter of its time). It is defined once per object, when
 * the object is copied or first hashed; deep-freezing a part (the test mode) leaves it writable.
 */

export interface Meta {
  /** The owning world's stamp; 0: the world that built it, if it was never copied. */
  stamp: number;
  hash: Int32Array | undefined;
  /** The explorer's fingerprint of the part where it differs from the hash (fingerprint.ts). */
  live: Int32Array | undefined;
}

const META = Symbol("part.meta");

export function metaOf(o: object): Meta | undefined {
  return (o as { [META]?: Meta })[META];
}

/** Gives `o` (a fresh copy, or an object never hashed) its Meta. */
export function newMeta(o: object, stamp: number): Meta {
  const m: Meta = { stamp, hash: undefined, live: undefined };
  Object.defineProperty(o, META, { value: m, enumerable: false, configurable: true });
  return m;
}
