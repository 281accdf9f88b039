/**
 * Event queue records (32 bytes, reference §4.1) and PRI queue entries (16 bytes, §4.3).
 * Event names and codes are the architecture's (Linux ≥6.14 `EVT_ID_*`); record fields are
 * named as Linux arm-smmu-v3.h names them (`EVTQ_0_SID` → SID, `PRIQ_0_PERM_READ` → PERM_READ).
 */

import { type DecodedField, decode, defineLayout, type FieldSpec, getField, memo, prepare } from "./bits.ts";
import { valueNames } from "./write-entry.ts";

/** Event IDs (§4.1), each with its meaning in a model of SVA. */
export const EVENTS = {
  F_UUT: { code: 0x01, doc: "Unsupported upstream transaction" },
  C_BAD_STREAMID: { code: 0x02, doc: "StreamID out of range, or its L1 stream table descriptor is invalid" },
  F_STE_FETCH: { code: 0x03, doc: "External abort while fetching the STE" },
  C_BAD_STE: { code: 0x04, doc: "STE with V=0 or an illegal combination of fields" },
  F_BAD_ATS_TREQ: { code: 0x05, doc: "ATS translation request not allowed (EATS=0, bypass STE…)" },
  F_STREAM_DISABLED: { code: 0x06, doc: "Traffic without a PASID while S1DSS=terminate" },
  F_TRANSL_FORBIDDEN: { code: 0x07, doc: "Translated (ATS) transaction not allowed by EATS" },
  C_BAD_SUBSTREAMID: { code: 0x08, doc: "SSID ≥ 2^S1CDMax, or an SSID with S1CDMax=0" },
  F_CD_FETCH: { code: 0x09, doc: "External abort while fetching the CD or L1 CD descriptor" },
  C_BAD_CD: { code: 0x0a, doc: "CD with V=0, or an illegal CD" },
  F_WALK_EABT: { code: 0x0b, doc: "External abort during the page-table walk" },
  F_TRANSLATION: {
    code: 0x10,
    doc: "No valid descriptor for the address (also every access through a quiet CD)",
  },
  F_ADDR_SIZE: { code: 0x11, doc: "Output address larger than IPS/OAS" },
  F_ACCESS: { code: 0x12, doc: "Access flag 0 and hardware access-flag update disabled" },
  F_PERMISSION: { code: 0x13, doc: "Write to a read-only page, privileged page, or execute of XN" },
  F_TLB_CONFLICT: { code: 0x20, doc: "TLB multi-hit" },
  F_CFG_CONFLICT: { code: 0x21, doc: "Configuration cache conflict" },
  E_PAGE_REQUEST: { code: 0x24, doc: "Speculative page request" },
  F_VMS_FETCH: { code: 0x25, doc: "External abort while fetching the VMS (SMMUv3.2+)" },
} as const;

export type EventType = keyof typeof EVENTS;

export const EVT_ID = Object.fromEntries(
  Object.entries(EVENTS).map(([name, e]) => [name, e.code]),
) as Readonly<Record<EventType, number>>;

const EVT_BY_CODE = new Map<number, EventType>(
  (Object.keys(EVENTS) as EventType[]).map((name) => [EVENTS[name].code, name]),
);

/** The event type of an ID, or undefined for a code the architecture does not name. */
export function eventTypeOf(code: number): EventType | undefined {
  return EVT_BY_CODE.get(code);
}

/** What kind of access faulted (`EVTQ_1_CLASS`). */
export const EVTQ_1_CLASS = { CD: 0, TT: 1, IN: 2 } as const;
export type EvtClass = keyof typeof EVTQ_1_CLASS;

const EVT_COMMON = [
  { name: "ID", word: 0, hi: 7, lo: 0, values: valueNames(EVT_ID), doc: "Event ID" },
  { name: "SSV", word: 0, hi: 11, lo: 11, doc: "SubstreamID valid" },
  { name: "SSID", word: 0, hi: 31, lo: 12, doc: "SubstreamID (PASID) of the transaction" },
  { name: "SID", word: 0, hi: 63, lo: 32, doc: "StreamID of the transaction" },
  { name: "STAG", word: 1, hi: 15, lo: 0, doc: "Stall tag, for CMD_RESUME" },
  { name: "STALL", word: 1, hi: 31, lo: 31, doc: "The transaction is stalled, waiting for RESUME" },
  { name: "PnU", word: 1, hi: 33, lo: 33, doc: "Privileged (1) or unprivileged (0) access" },
  { name: "InD", word: 1, hi: 34, lo: 34, doc: "Instruction (1) or data (0) access" },
  { name: "RnW", word: 1, hi: 35, lo: 35, doc: "Read (1) or write (0)" },
  { name: "S2", word: 1, hi: 39, lo: 39, doc: "The fault came from stage 2" },
  {
    name: "CLASS",
    word: 1,
    hi: 41,
    lo: 40,
    values: valueNames(EVTQ_1_CLASS),
    doc: "CD fetch, table walk, input",
  },
  { name: "TTRnW", word: 1, hi: 44, lo: 44, doc: "The faulting table access was a read (1) or write (0)" },
  { name: "INPUT_ADDR", word: 2, hi: 63, lo: 0, doc: "Input address (VA/IOVA) of the transaction" },
] as const satisfies readonly FieldSpec[];

/** An event record whose dw3 holds an IPA (translation faults). */
export const EVT_LAYOUT = defineLayout("EVT", 4, [
  ...EVT_COMMON,
  { name: "IPA", word: 3, hi: 51, lo: 12, address: true, doc: "Intermediate physical address" },
]);

/** An event record whose dw3 holds the address of a failed fetch (STE, CD, walk, VMS). */
export const EVT_FETCH_LAYOUT = defineLayout("EVT_FETCH", 4, [
  ...EVT_COMMON,
  { name: "FETCH_ADDR", word: 3, hi: 51, lo: 3, address: true, doc: "Physical address of the failed fetch" },
]);

const FETCH_EVENTS: ReadonlySet<number> = new Set([
  EVENTS.F_STE_FETCH.code,
  EVENTS.F_CD_FETCH.code,
  EVENTS.F_WALK_EABT.code,
  EVENTS.F_VMS_FETCH.code,
]);

/** An event record as the SMMU writes it (booleans for one-bit flags; ssid present iff SSV). */
export interface EventRecord {
  readonly type: EventType;
  readonly sid: number;
  readonly ssid?: number;
  /** INPUT_ADDR. */
  readonly addr: number;
  /** Read (true) or write (false). */
  readonly rnw: boolean;
  readonly stall?: boolean;
  readonly stag?: number;
  readonly pnu?: boolean;
  readonly ind?: boolean;
  readonly s2?: boolean;
  /** Default IN: the device's own access. */
  readonly class?: EvtClass;
  readonly ttrnw?: boolean;
  /** For IPA-carrying events. */
  readonly ipa?: number;
  /** For fetch faults (F_STE_FETCH, F_CD_FETCH, F_WALK_EABT, F_VMS_FETCH). */
  readonly fetchAddr?: number;
}

/**
 * The four words of an event record. Throws RangeError when a value does not fit, or when a
 * fetch address is given for an event that holds an IPA (or the other way round).
 *
 * @example
 *   buildEvent({ type: "F_TRANSLATION", sid: 16, ssid: 1, addr: 0x10000, rnw: false })
 */
export function buildEvent(e: EventRecord): bigint[] {
  return built(e).slice();
}

const built = memo(JSON.stringify, (e: EventRecord): readonly bigint[] => {
  const code = EVT_ID[e.type];
  const fetch = FETCH_EVENTS.has(code);
  if (fetch ? e.ipa !== undefined : e.fetchAddr !== undefined) {
    throw new RangeError(`${e.type}: dw3 holds ${fetch ? "FETCH_ADDR, not IPA" : "IPA, not FETCH_ADDR"}`);
  }
  const common = {
    ID: code,
    SSV: e.ssid !== undefined,
    SSID: e.ssid ?? 0,
    SID: e.sid,
    STAG: e.stag ?? 0,
    STALL: e.stall ?? false,
    PnU: e.pnu ?? false,
    InD: e.ind ?? false,
    RnW: e.rnw,
    S2: e.s2 ?? false,
    CLASS: EVTQ_1_CLASS[e.class ?? "IN"],
    TTRnW: e.ttrnw ?? false,
    INPUT_ADDR: e.addr,
  };
  return fetch
    ? prepare(EVT_FETCH_LAYOUT, { ...common, FETCH_ADDR: e.fetchAddr ?? 0 })
    : prepare(EVT_LAYOUT, { ...common, IPA: e.ipa ?? 0 });
});

/** An event record with an ID the architecture does not name. */
export interface UnknownEvent {
  readonly type: "UNKNOWN";
  readonly code: number;
}

/** The inverse of `buildEvent`: every field present except ssid (only with SSV). */
export const decodeEvent: (words: readonly bigint[]) => EventRecord | UnknownEvent = memo(String, (words) => {
  const code = Number(getField(words, EVT_LAYOUT.fields.ID));
  const type = eventTypeOf(code);
  if (type === undefined) return { type: "UNKNOWN", code };
  const f = EVT_FETCH_LAYOUT.fields;
  const n = (field: (typeof f)[keyof typeof f]): number => Number(getField(words, field));
  const b = (field: (typeof f)[keyof typeof f]): boolean => getField(words, field) !== 0n;
  const cls = n(f.CLASS);
  const dw3 = FETCH_EVENTS.has(code)
    ? { fetchAddr: n(f.FETCH_ADDR) }
    : { ipa: Number(getField(words, EVT_LAYOUT.fields.IPA)) };
  return {
    type,
    sid: n(f.SID),
    ...(b(f.SSV) ? { ssid: n(f.SSID) } : {}),
    addr: n(f.INPUT_ADDR),
    rnw: b(f.RnW),
    stall: b(f.STALL),
    stag: n(f.STAG),
    pnu: b(f.PnU),
    ind: b(f.InD),
    s2: b(f.S2),
    class: (Object.keys(EVTQ_1_CLASS) as EvtClass[]).find((k) => EVTQ_1_CLASS[k] === cls) ?? "IN",
    ttrnw: b(f.TTRnW),
    ...dw3,
  };
});

/** The rows a detail view shows for an event record. */
export function eventFields(words: readonly bigint[]): DecodedField[] {
  const code = Number(getField(words, EVT_LAYOUT.fields.ID));
  return decode(FETCH_EVENTS.has(code) ? EVT_FETCH_LAYOUT : EVT_LAYOUT, words);
}

/** PRI queue entry, 16 bytes (§4.3): one PCIe page request. */
export const PRIQ_LAYOUT = defineLayout("PRIQ", 2, [
  { name: "SID", word: 0, hi: 31, lo: 0, doc: "StreamID of the requester" },
  { name: "SSID", word: 0, hi: 51, lo: 32, doc: "PASID of the request" },
  { name: "PERM_PRIV", word: 0, hi: 58, lo: 58, doc: "Privileged access requested" },
  { name: "PERM_EXEC", word: 0, hi: 59, lo: 59, doc: "Execute permission requested" },
  { name: "PERM_READ", word: 0, hi: 60, lo: 60, doc: "Read permission requested" },
  { name: "PERM_WRITE", word: 0, hi: 61, lo: 61, doc: "Write permission requested" },
  { name: "PRG_LAST", word: 0, hi: 62, lo: 62, doc: "Last request of its page request group: answer it" },
  { name: "SSID_V", word: 0, hi: 63, lo: 63, doc: "The request carries a PASID" },
  { name: "PRG_IDX", word: 1, hi: 8, lo: 0, doc: "Page request group index (PRI_RESP GRPID)" },
  { name: "ADDR", word: 1, hi: 63, lo: 12, address: true, doc: "Page address" },
]);

/** A page request (ssid present iff SSID_V). */
export interface PriEntry {
  readonly sid: number;
  readonly ssid?: number;
  readonly read: boolean;
  readonly write: boolean;
  readonly exec: boolean;
  readonly priv: boolean;
  /** PRG_LAST: the group is complete and expects a PRI_RESP. */
  readonly last: boolean;
  /** PRG index. */
  readonly grpid: number;
  readonly addr: number;
}

/** The two words of a PRI queue entry; throws RangeError when a value does not fit. */
export function buildPriEntry(p: PriEntry): bigint[] {
  return prepare(PRIQ_LAYOUT, {
    SID: p.sid,
    SSID: p.ssid ?? 0,
    PERM_PRIV: p.priv,
    PERM_EXEC: p.exec,
    PERM_READ: p.read,
    PERM_WRITE: p.write,
    PRG_LAST: p.last,
    SSID_V: p.ssid !== undefined,
    PRG_IDX: p.grpid,
    ADDR: p.addr,
  });
}

/** The inverse of `buildPriEntry`. */
export function decodePriEntry(words: readonly bigint[]): PriEntry {
  const f = PRIQ_LAYOUT.fields;
  const b = (field: (typeof f)[keyof typeof f]): boolean => getField(words, field) !== 0n;
  return {
    sid: Number(getField(words, f.SID)),
    ...(b(f.SSID_V) ? { ssid: Number(getField(words, f.SSID)) } : {}),
    read: b(f.PERM_READ),
    write: b(f.PERM_WRITE),
    exec: b(f.PERM_EXEC),
    priv: b(f.PERM_PRIV),
    last: b(f.PRG_LAST),
    grpid: Number(getField(words, f.PRG_IDX)),
    addr: Number(getField(words, f.ADDR)),
  };
}
