/**
 * A canonical hash of plain data: the same state gives the same hash in Node and in the
 * browser, whatever order its maps were filled in (object keys and Map keys are visited in
 * sorted order). The value is walked once and fed to two 32-bit FNV-1a lanes with different
 * offsets and primes (Math.imul keeps it exact in every engine): 64 bits, 16 hex digits.
 */

class Hasher {
  a = 0x811c9dc5;
  b = 0x2f1b6a3d;

  int(x: number): void {
    this.a = Math.imul(this.a ^ (x & 0xffff), 0x01000193);
    this.b = Math.imul(this.b ^ (x >>> 16), 0x5bd1e995);
    this.a = Math.imul(this.a ^ (x >>> 16), 0x01000193);
    this.b = Math.imul(this.b ^ (x & 0xffff), 0x5bd1e995);
  }

  str(s: string): void {
    this.int(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      this.a = Math.imul(this.a ^ c, 0x01000193);
      this.b = Math.imul(this.b ^ c, 0x5bd1e995);
    }
  }

  num(n: number): void {
    if (Number.isInteger(n) && Math.abs(n) < 2 ** 53) {
      this.int(n % 2 ** 32);
      this.int(Math.floor(n / 2 ** 32));
    } else this.str(String(n));
  }

  value(v: unknown): void {
    if (v === null || v === undefined) this.int(0x6e);
    else if (typeof v === "boolean") this.int(v ? 0x74 : 0x66);
    else if (typeof v === "number") {
      this.int(0x23);
      this.num(v);
    } else if (typeof v === "bigint") {
      this.int(0x62);
      this.str(v.toString(16));
    } else if (typeof v === "string") {
      this.int(0x73);
      this.str(v);
    } else if (Array.isArray(v)) {
      this.int(0x5b);
      this.int(v.length);
      for (const x of v) this.value(x);
    } else if (v instanceof Map) {
      this.int(0x4d);
      this.int(v.size);
      const keys = [...v.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
      for (const k of keys) {
        this.value(k);
        this.value(v.get(k));
      }
    } else if (typeof v === "object") {
      const obj = v as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      this.int(0x7b);
      this.int(keys.length);
      for (const k of keys) {
        this.str(k);
        this.value(obj[k]);
      }
    } else throw new TypeError(`cannot hash a ${typeof v}`);
  }

  digest(): string {
    const hex = (x: number) => (x >>> 0).toString(16).padStart(8, "0");
    return hex(this.a) + hex(this.b);
  }
}

/** The 64-bit canonical hash of plain data (objects, arrays, Maps, numbers, strings, bigints). */
export function hashState(value: unknown): string {
  const h = new Hasher();
  h.value(value);
  return h.digest();
}
