/**
 * A canonical hash of plain data: the same state gives the same hash in Node and in the
 * browser, whatever order its maps and objects were filled in.
 *
 * Each value hashes to two 32-bit lanes (64 bits, printed as 16 hex digits). Arrays mix their
 * elements in order; objects and Maps add up the hashes of their entries, so that entry order
 * does not matter and nothing has to be sorted (the explorer hashes every state it meets).
 * Mixing uses the murmur3 finalizer; Math.imul keeps it exact in every engine.
 */

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

export function mix(acc: number, x: number, k: number): number {
  return fmix(Math.imul(acc ^ x, k) + 0x6b43a9b5);
}

/** The two lanes of the last value hashed. */
let ha = 0;
let hb = 0;

/**
 * Strings met before (object keys, program and step names, a thread's "why blocked" text, a
 * frame's content): a Map lookup hashes the string natively, far faster than the loop below.
 */
const strCache = new Map<string, [number, number]>();

function hashString(s: string, tag: number): void {
  const cached = s.length <= 160 ? strCache.get(s) : undefined;
  if (cached) {
    ha = fmix(cached[0] ^ tag);
    hb = fmix(cached[1] ^ tag);
    return;
  }
  let a = 0x811c9dc5 ^ s.length;
  let b = 0x2f1b6a3d ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  a = fmix(a);
  b = fmix(b);
  if (s.length <= 160 && strCache.size < 50_000) strCache.set(s, [a, b]);
  ha = fmix(a ^ tag);
  hb = fmix(b ^ tag);
}

/** A bigint's two 32-bit halves without BigInt arithmetic (which allocates): a 64-bit store. */
const u64 = new BigUint64Array(1);
const u32 = new Int32Array(u64.buffer);
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;

function hashNumber(lo: number, hi: number, tag: number): void {
  ha = mix(mix(tag, lo, 0x9e3779b1), hi, 0x85ebca77);
  hb = mix(mix(~tag, hi, 0xc2b2ae3d), lo, 0x27d4eb2f);
}

/** Hashes a primitive into (ha, hb); false when `v` is an object or array. */
function hashPrimitive(v: unknown): boolean {
  if (v === null || v === undefined) hashNumber(0, 0, 1);
  else if (typeof v === "boolean") hashNumber(v ? 1 : 0, 0, 2);
  else if (typeof v === "number") {
    if (Number.isSafeInteger(v)) hashNumber((v % 2 ** 32) | 0, Math.floor(v / 2 ** 32) | 0, 3);
    else hashString(String(v), 4);
  } else if (typeof v === "bigint") {
    // Table words are 64-bit: hash their two halves; anything wider by its digits.
    if (v < 0n || v > 0xffff_ffff_ffff_ffffn) hashString(v.toString(16), 5);
    else {
      u64[0] = v;
      hashNumber(u32[LO]!, u32[1 - LO]!, 5);
    }
  } else if (typeof v === "string") hashString(v, 6);
  else if (typeof v === "object") return false;
  else throw new TypeError(`cannot hash a ${typeof v}`);
  return true;
}

function hashValue(v: unknown): void {
  if (hashPrimitive(v)) return;
  if (Array.isArray(v)) {
    let a = 7 ^ v.length;
    let b = ~7 ^ v.length;
    for (const x of v) {
      hashValue(x);
      a = mix(a, ha, 0x9e3779b1);
      b = mix(b, hb, 0xc2b2ae3d);
    }
    ha = a;
    hb = b;
    return;
  }
  // Objects and Maps: the sum of their entries' hashes, independent of entry order.
  let sa = 0;
  let sb = 0;
  let n = 0;
  if (v instanceof Map) {
    for (const [k, x] of v) {
      hashValue(k);
      const ka = ha;
      const kb = hb;
      hashValue(x);
      sa = (sa + fmix(Math.imul(ka, 31) ^ ha)) | 0;
      sb = (sb + fmix(Math.imul(kb, 37) ^ hb)) | 0;
      n++;
    }
  } else {
    const obj = v as Record<string, unknown>;
    for (const k in obj) {
      hashString(k, 6);
      const ka = ha;
      const kb = hb;
      hashValue(obj[k]);
      sa = (sa + fmix(Math.imul(ka, 31) ^ ha)) | 0;
      sb = (sb + fmix(Math.imul(kb, 37) ^ hb)) | 0;
      n++;
    }
  }
  ha = fmix(sa ^ Math.imul(n, 0x27d4eb2f) ^ 8);
  hb = fmix(sb ^ Math.imul(n, 0x165667b1) ^ 9);
}

/** The 64-bit canonical hash of plain data (objects, arrays, Maps, numbers, strings, bigints). */
export function hashState(value: unknown): string {
  hashValue(value);
  return (ha >>> 0).toString(16).padStart(8, "0") + (hb >>> 0).toString(16).padStart(8, "0");
}

/** The two lanes of `hashState(value)`, unformatted, into `out` (the explorer's fingerprints). */
export function hashInto(value: unknown, out: Int32Array): void {
  hashValue(value);
  out[0] = ha;
  out[1] = hb;
}

/*
 * The pieces of `hashState` for hashers that take some parts' hashes from a cache
 * (world-hash.ts): an object's (or Map's) entries summed, an array's elements mixed in order.
 * Composed from these, a hash is bit for bit the one `hashState` gives.
 */

/** `hashState`'s lanes of a key string (object keys hash as strings). */
export function keyInto(key: string, out: Int32Array): void {
  hashString(key, 6);
  out[0] = ha;
  out[1] = hb;
}

/** Order-independent sum of an object's or a Map's entries. */
export class EntrySum {
  private sa = 0;
  private sb = 0;
  private n = 0;

  add(ka: number, kb: number, va: number, vb: number): void {
    this.sa = (this.sa + fmix(Math.imul(ka, 31) ^ va)) | 0;
    this.sb = (this.sb + fmix(Math.imul(kb, 37) ^ vb)) | 0;
    this.n++;
  }

  /** Adds the entry whose key is a string and whose value is hashed here. */
  addValue(key: string, value: unknown): void {
    hashString(key, 6);
    const ka = ha;
    const kb = hb;
    hashValue(value);
    this.add(ka, kb, ha, hb);
  }

  /** Adds the entry of a Map whose key and value are hashed here. */
  addEntry(key: unknown, value: unknown): void {
    hashValue(key);
    const ka = ha;
    const kb = hb;
    hashValue(value);
    this.add(ka, kb, ha, hb);
  }

  /** The sum so far (two lanes and the count) into `out`, to go on from later (`resume`). */
  save(out: Int32Array): void {
    out[0] = this.sa;
    out[1] = this.sb;
    out[2] = this.n;
  }

  resume(from: Int32Array): void {
    this.sa = from[0]!;
    this.sb = from[1]!;
    this.n = from[2]!;
  }

  finish(out: Int32Array): void {
    out[0] = fmix(this.sa ^ Math.imul(this.n, 0x27d4eb2f) ^ 8);
    out[1] = fmix(this.sb ^ Math.imul(this.n, 0x165667b1) ^ 9);
    this.sa = 0;
    this.sb = 0;
    this.n = 0;
  }
}

/** In-order mix of an array's elements, whose lanes are given one by one. */
export class ElementMix {
  private a = 0;
  private b = 0;

  start(length: number): void {
    this.a = 7 ^ length;
    this.b = ~7 ^ length;
  }

  add(ea: number, eb: number): void {
    this.a = mix(this.a, ea, 0x9e3779b1);
    this.b = mix(this.b, eb, 0xc2b2ae3d);
  }

  finish(out: Int32Array): void {
    out[0] = this.a;
    out[1] = this.b;
  }
}
