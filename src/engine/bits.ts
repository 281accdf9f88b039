/**
 * Hardware fields declared once, as data.
 *
 * Every structure the SMMU reads or the driver writes (STE, CD, each command, each event
 * record, a page-table descriptor) is a table of fields `{ name, word, hi, lo }` over 64-bit
 * words. Everything else is derived from that table: reading a field, preparing a whole entry
 * (which throws when a value does not fit), and the detail view's decode. A bit range never
 * appears twice in the code.
 *
 * Model: Linux `include/linux/bitfield.h` (FIELD_GET/FIELD_PREP over GENMASK_ULL) and QEMU
 * `include/hw/registerfields.h`.
 *
 * @example
 *   const CMD = defineLayout("CMD_SYNC", 2, [
 *     { name: "OP", word: 0, hi: 7, lo: 0 },
 *     { name: "CS", word: 0, hi: 13, lo: 12, values: { 0: "NONE", 1: "IRQ", 2: "SEV" } },
 *   ]);
 *   prepare(CMD, { OP: 0x46, CS: 2 }); // [0x2046n, 0n] (Linux also sets MSH and MSIATTR)
 */

import type { Pa } from "./ids.ts";

export interface FieldSpec<N extends string = string> {
  readonly name: N;
  /** Which 64-bit word of the structure holds the field. */
  readonly word: number;
  /** Highest bit, inclusive, within that word. */
  readonly hi: number;
  /** Lowest bit, inclusive, within that word. */
  readonly lo: number;
  /** Names of the encoded values, where the architecture names them. */
  readonly values?: Readonly<Record<number, string>>;
  /** One line: what the field means. */
  readonly doc?: string;
  /**
   * For address fields (`S1ContextPtr`, `TTB0`, `VA`): the value is an address whose bits
   * `hi:lo` are stored in place, so `prepare` takes and `get` returns the address itself.
   */
  readonly address?: boolean;
}

export interface Field<N extends string = string> extends FieldSpec<N> {
  readonly width: number;
  /** Mask of the field within its word, already shifted. */
  readonly mask: bigint;
}

export interface Layout<N extends string = string> {
  readonly name: string;
  readonly words: number;
  readonly fields: Readonly<Record<N, Field<N>>>;
  /** Fields in declaration order. */
  readonly list: readonly Field<N>[];
}

export function genmask(hi: number, lo: number): bigint {
  return ((1n << BigInt(hi - lo + 1)) - 1n) << BigInt(lo);
}

/** Declares a structure's fields; throws when two fields overlap or a range is malformed. */
export function defineLayout<const N extends string>(
  name: string,
  words: number,
  specs: readonly FieldSpec<N>[],
): Layout<N> {
  const fields = {} as Record<N, Field<N>>;
  const used: bigint[] = new Array(words).fill(0n);
  for (const spec of specs) {
    if (spec.word < 0 || spec.word >= words || spec.lo < 0 || spec.hi > 63 || spec.hi < spec.lo) {
      throw new RangeError(`${name}.${spec.name}: bad range word ${spec.word} bits ${spec.hi}:${spec.lo}`);
    }
    const mask = genmask(spec.hi, spec.lo);
    if ((used[spec.word]! & mask) !== 0n) {
      throw new RangeError(`${name}.${spec.name}: overlaps another field in word ${spec.word}`);
    }
    if (spec.name in fields) throw new RangeError(`${name}.${spec.name}: declared twice`);
    used[spec.word] = used[spec.word]! | mask;
    fields[spec.name] = { ...spec, width: spec.hi - spec.lo + 1, mask };
  }
  return { name, words, fields, list: specs.map((s) => fields[s.name]) };
}

/**
 * The physical address an address field holds (a descriptor's OA or L2Ptr, a CD's TTB0, an
 * STE's S1ContextPtr or S2TTB): a PA by what the architecture says the field is, so it is
 * branded here, where it is read.
 */
export function getPa(words: readonly bigint[], field: Field): Pa {
  if (!field.address) throw new RangeError(`${field.name} is not an address field`);
  return Number(getField(words, field)) as Pa;
}

/** FIELD_GET: the field's value (for an address field, the address bits in place). */
export function getField(words: readonly bigint[], field: Field): bigint {
  const w = words[field.word] ?? 0n;
  return field.address ? w & field.mask : (w & field.mask) >> BigInt(field.lo);
}

/** The value a field would hold for `value`; throws RangeError when it does not fit. */
function encode(field: Field, value: bigint | number, where: string): bigint {
  const v = BigInt(value);
  if (v < 0n) throw new RangeError(`${where}.${field.name}: negative value ${v}`);
  if (field.address) {
    if ((v & ~field.mask) !== 0n) {
      throw new RangeError(
        `${where}.${field.name}: address 0x${v.toString(16)} does not fit bits ${field.hi}:${field.lo}`,
      );
    }
    return v;
  }
  if (v >> BigInt(field.width) !== 0n) {
    throw new RangeError(`${where}.${field.name}: value ${v} does not fit ${field.width} bits`);
  }
  return v << BigInt(field.lo);
}

/**
 * `f` with its results kept by `key(argument)`: for the pure builders and decoders of plain data
 * the explorer calls at nearly every step with the same few arguments (commands, CDs). A throw
 * is not kept. Every caller gets the one kept result, so it is read-only.
 */
export function memo<A, R>(key: (a: A) => string, f: (a: A) => R): (a: A) => R {
  const kept = new Map<string, R>();
  return (a) => {
    const k = key(a);
    let r = kept.get(k);
    if (r === undefined) {
      r = f(a);
      if (kept.size < 1e4) kept.set(k, r);
    }
    return r;
  };
}

/** Returns a copy of `words` with one field replaced. */
export function withField(
  words: readonly bigint[],
  field: Field,
  value: bigint | number,
  where = "entry",
): bigint[] {
  const out = words.slice();
  out[field.word] = ((out[field.word] ?? 0n) & ~field.mask) | encode(field, value, where);
  return out;
}

export type FieldValues<N extends string> = Partial<Record<N, bigint | number | boolean>>;

/**
 * FIELD_PREP for a whole structure: every word, with the given fields set and the rest zero.
 * Booleans stand for one-bit fields. Throws RangeError naming the field when a value does not fit.
 */
export function prepare<N extends string>(layout: Layout<N>, values: FieldValues<N>): bigint[] {
  const words: bigint[] = new Array(layout.words).fill(0n);
  for (const name of Object.keys(values) as N[]) {
    const field = layout.fields[name];
    if (!field) throw new RangeError(`${layout.name}: no field ${name}`);
    const raw = values[name];
    if (raw === undefined) continue;
    const v: bigint | number = typeof raw === "boolean" ? (raw ? 1n : 0n) : (raw as bigint | number);
    words[field.word] = words[field.word]! | encode(field, v, layout.name);
  }
  return words;
}

/** `prepare` for a one-word structure (a descriptor, a register): the word itself. */
export function prepareWord<N extends string>(layout: Layout<N>, values: FieldValues<N>): bigint {
  if (layout.words !== 1) throw new RangeError(`${layout.name} is ${layout.words} words, not one`);
  return prepare(layout, values)[0] ?? 0n;
}

export interface DecodedField {
  readonly name: string;
  readonly word: number;
  readonly hi: number;
  readonly lo: number;
  readonly value: bigint;
  /** The value as the architecture names it, or in hex. */
  readonly text: string;
  readonly doc?: string;
}

/** Every field of a structure, in declaration order, with its value: the detail view's rows. */
export function decode(layout: Layout, words: readonly bigint[]): DecodedField[] {
  return layout.list.map((f) => {
    const value = getField(words, f);
    const named = f.values?.[Number(value)];
    const text = named ?? (f.width === 1 ? String(value) : hex(value));
    return { name: f.name, word: f.word, hi: f.hi, lo: f.lo, value, text, ...(f.doc ? { doc: f.doc } : {}) };
  });
}

/** `0x…` in lower case, no padding. */
export function hex(v: bigint | number): string {
  return `0x${BigInt(v).toString(16)}`;
}

/** A 64-bit word as 16 hex digits, the way the runner prints command words. */
export function hex64(v: bigint): string {
  return `0x${v.toString(16).padStart(16, "0")}`;
}
