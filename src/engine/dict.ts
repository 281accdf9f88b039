/**
 * Records keyed by a user's names (a process, a thread): a scenario may call a process
 * `constructor`, `toString` or `__proto__`, which a plain `{}` answers from Object.prototype
 * (`pasids["constructor"]` is a function, `"toString" in readers` is true, and assigning
 * `o["__proto__"]` replaces the prototype instead of adding a key). A prototype-free object
 * has none of that, hashes and clones like any other record (`deepClone` keeps it
 * prototype-free), and stays plain data.
 *
 * @example
 * const pasids = dict<number>(); pasids["__proto__"] = 1; Object.keys(pasids); // ["__proto__"]
 */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** The value under a user's name, never one inherited from a prototype. */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
