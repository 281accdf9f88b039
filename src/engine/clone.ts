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
  const out: Record<string, unknown> = {};
  for (const k in v) out[k] = deepClone((v as Record<string, unknown>)[k]);
  return out as T;
}
