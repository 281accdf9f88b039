/**
 * A canonical hash of a world: the same state gives the same hash in Node and in the browser,
 * whatever order its maps were filled in: a canonical text (object keys sorted, bigints in
 * hex) hashed to 64 bits, printed as 16 hex digits.
 */

/** Canonical text of plain data: sorted keys, Maps as sorted entry lists, bigints as 0x…n. */
export function canonical(value: unknown): string {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "bigint":
      return `"0x${value.toString(16)}n"`;
    case "number":
    case "boolean":
      return String(value);
    case "string":
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
      if (value instanceof Map) {
        const keys = [...value.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        return `M{${keys.map((k) => `${canonical(k)}:${canonical(value.get(k))}`).join(",")}}`;
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`).join(",")}}`;
    }
    default:
      throw new TypeError(`cannot hash a ${typeof value}`);
  }
}

/**
 * A 64-bit hash of a string as two 32-bit FNV-1a lanes with different offsets and primes
 * (Math.imul keeps it exact and fast in every engine).
 */
export function hash64(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x2f1b_6a3d;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x0100_0193);
    b = Math.imul(b ^ c, 0x5bd1_e995);
  }
  const hex = (x: number) => (x >>> 0).toString(16).padStart(8, "0");
  return hex(a) + hex(b);
}

export function hashState(value: unknown): string {
  return hash64(canonical(value));
}
