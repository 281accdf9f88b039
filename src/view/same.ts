/**
 * Structural equality of view models (plain data: primitives, bigints, arrays, typed arrays,
 * plain objects). A step usually leaves most panels' view models as they were, but each world
 * computes fresh objects; comparing the data lets a panel keep the previous view model, so its
 * memoised diagram neither renders nor redraws.
 *
 * @example sameData({ a: [1, 2n] }, { a: [1, 2n] }) // true
 */
export function sameData(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameData(a[i], b[i])) return false;
    return true;
  }
  if (ArrayBuffer.isView(a)) {
    if (!ArrayBuffer.isView(b) || a.constructor !== b.constructor) return false;
    const x = a as unknown as ArrayLike<number>;
    const y = b as unknown as ArrayLike<number>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  if (Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype)
    return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(b, k)) return false;
    if (!sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/**
 * `next`, with each part that equals the same part of `prev` (by `sameData`) replaced by
 * `prev`'s object, and `prev` itself when the two are equal throughout. A step that changes
 * one thread's line then hands the panel a view model whose other lines, and other sections,
 * are the objects it has already drawn: their memoised rows neither render nor compare deeply.
 * Array items are matched by index.
 *
 * @example shareEqual({ a: [1], b: [2] }, { a: [1], b: [3] }).a // the first object's `a`
 */
export function shareEqual<T>(prev: unknown, next: T): T {
  if (Object.is(prev, next)) return next;
  if (typeof prev !== "object" || typeof next !== "object" || prev === null || next === null) return next;
  if (Array.isArray(next)) {
    if (!Array.isArray(prev)) return next;
    let all = prev.length === next.length;
    let some = false;
    const out = next.map((x, i) => {
      const y = shareEqual(prev[i], x);
      if (y !== prev[i]) all = false;
      if (y !== x) some = true;
      return y;
    });
    return (all ? prev : some ? out : next) as T;
  }
  if (
    ArrayBuffer.isView(next) ||
    Object.getPrototypeOf(next) !== Object.prototype ||
    Object.getPrototypeOf(prev) !== Object.prototype
  ) {
    return (sameData(prev, next) ? prev : next) as T;
  }
  const p = prev as Record<string, unknown>;
  const keys = Object.keys(next);
  let all = keys.length === Object.keys(p).length;
  let some = false;
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const x = (next as Record<string, unknown>)[k];
    const y = shareEqual(p[k], x);
    out[k] = y;
    if (!Object.hasOwn(p, k) || y !== p[k]) all = false;
    if (y !== x) some = true;
  }
  return (all ? prev : some ? out : next) as T;
}
