/**
 * The scenario editor's draft: the scenario's JSON form (CONTRACT §1) as the person is writing
 * it, valid or not. The form reads and writes it by path; `parseScenario` judges it, and its
 * one-line error names the same path (`threads[1].ops[0].op`) the fields carry in `data-path`.
 * Everything here is pure: a change returns a new draft and leaves the old one as it was, so
 * the history (undo/redo) can keep the old ones.
 */

import type { JsonObject, JsonValue } from "../../scenario/index.ts";
import { OP_NAMES, type OpName, VMA_DEFAULTS } from "../../scenario/index.ts";

export type Draft = JsonObject;
export type Path = readonly (string | number)[];

/** `["threads", 1, "ops", 0, "op"]` → `"threads[1].ops[0].op"`, as the validation errors write it. */
export function formatPath(path: Path): string {
  let out = "";
  for (const key of path) out += typeof key === "number" ? `[${key}]` : out === "" ? key : `.${key}`;
  return out;
}

/** The path a validation error starts with (`"devices[0].sid: …"` → `"devices[0].sid"`), or null. */
export function errorPath(error: string): string | null {
  const m = /^([A-Za-z_$][\w$-]*(?:\[\d+\]|\.[A-Za-z_$][\w$-]*)*):\s/.exec(error);
  return m ? m[1]! : null;
}

const isObject = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export function getIn(root: JsonValue | undefined, path: Path): JsonValue | undefined {
  let v: JsonValue | undefined = root;
  for (const key of path) {
    if (typeof key === "number") v = Array.isArray(v) ? v[key] : undefined;
    else v = isObject(v) ? v[key] : undefined;
    if (v === undefined) return undefined;
  }
  return v;
}

/** The array at `path`, or an empty one. */
export function listAt(root: Draft, path: Path): JsonValue[] {
  const v = getIn(root, path);
  return Array.isArray(v) ? v : [];
}

/** A copy of `root` with `value` at `path`; `undefined` removes an object's key. */
export function setIn(root: Draft, path: Path, value: JsonValue | undefined): Draft {
  return setAt(root, path, 0, value) as Draft;
}

function setAt(node: JsonValue | undefined, path: Path, i: number, value: JsonValue | undefined): JsonValue {
  if (i === path.length) return value as JsonValue;
  const key = path[i]!;
  if (typeof key === "number") {
    const arr = Array.isArray(node) ? [...node] : [];
    arr[key] = setAt(arr[key], path, i + 1, value);
    return arr;
  }
  const obj: JsonObject = isObject(node) ? { ...node } : {};
  const next = i + 1 === path.length ? value : setAt(obj[key], path, i + 1, value);
  if (next === undefined) delete obj[key];
  else obj[key] = next;
  return obj;
}

/** Changes the list at `path` (a new array handed to `change`). */
export function updateList(root: Draft, path: Path, change: (list: JsonValue[]) => JsonValue[]): Draft {
  return setIn(root, path, change([...listAt(root, path)]));
}

export const removeItem = (root: Draft, path: Path, index: number): Draft =>
  updateList(root, path, (l) => l.filter((_, i) => i !== index));

/** Moves item `index` of the list at `path` by `by` places (−1 up, +1 down); no-op at the ends. */
export function moveItem(root: Draft, path: Path, index: number, by: number): Draft {
  const to = index + by;
  return updateList(root, path, (l) => {
    if (to < 0 || to >= l.length || index < 0 || index >= l.length) return l;
    const [item] = l.splice(index, 1);
    l.splice(to, 0, item!);
    return l;
  });
}

// --- Fields as typed -------------------------------------------------------------------------

/**
 * What a number field holds: a plain decimal becomes a number; anything else stays the text
 * typed, so that `parseScenario` says what is wrong with it rather than the form guessing.
 */
export function numberInput(text: string): JsonValue {
  const t = text.trim();
  return /^(0|[1-9]\d{0,15})$/.test(t) ? Number(t) : text;
}

/** An address field: `0x…` stays a hex string (as people write it), a decimal becomes a number. */
export const addressInput = numberInput;

/** The text a field shows for a JSON value. */
export function fieldText(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return "";
  return typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** The schedule as typed: space-separated entries; empty leaves the schedule out. */
export function scheduleInput(text: string): JsonValue | undefined {
  const entries = text.split(/\s+/).filter((e) => e !== "");
  return entries.length === 0 ? undefined : entries;
}

export function scheduleText(v: JsonValue | undefined): string {
  return Array.isArray(v) ? v.map(fieldText).join(" ") : fieldText(v);
}

// --- Names and references --------------------------------------------------------------------

const str = (v: JsonValue | undefined): string => (typeof v === "string" ? v : "");

/** The names of the devices, processes or threads of the draft, in order. */
export function namesOf(root: Draft, list: "devices" | "processes" | "threads"): string[] {
  return listAt(root, [list]).map((x) => str(isObject(x) ? x.name : undefined));
}

/** A name `${prefix}${n}` not yet taken. */
export function freshName(taken: readonly string[], prefix: string, from = 0): string {
  for (let n = from; ; n++) if (!taken.includes(`${prefix}${n}`)) return `${prefix}${n}`;
}

/** Every op of every thread, with its path. */
function eachOp(root: Draft, fn: (draft: Draft, op: JsonObject, path: Path) => Draft): Draft {
  let out = root;
  listAt(root, ["threads"]).forEach((t, ti) => {
    if (!isObject(t)) return;
    listAt(root, ["threads", ti, "ops"]).forEach((op, oi) => {
      if (isObject(op)) out = fn(out, op, ["threads", ti, "ops", oi]);
    });
  });
  return out;
}

/**
 * Renames item `index` of `list` and, when the old name was this item's alone and the new one
 * is nobody else's, the ops (and schedule entries) that refer to it, so renaming a device does
 * not break every op that uses it. (Typing "gpu1" over another "gpu0" must not merge them.)
 */
export function rename(
  root: Draft,
  list: "devices" | "processes" | "threads",
  index: number,
  name: string,
): Draft {
  const names = namesOf(root, list);
  const old = names[index] ?? "";
  let out = setIn(root, [list, index, "name"], name);
  const others = names.filter((_, i) => i !== index);
  if (old === "" || others.includes(old) || others.includes(name)) return out;
  if (list === "threads") {
    const schedule = getIn(out, ["schedule"]);
    if (Array.isArray(schedule)) {
      const renamed = schedule.map((e) => (e === old ? name : e === `${old}:op` ? `${name}:op` : e));
      out = setIn(out, ["schedule"], renamed);
    }
    return out;
  }
  const field = list === "devices" ? "device" : "process";
  return eachOp(out, (d, op, path) => (op[field] === old ? setIn(d, [...path, field], name) : d));
}

// --- New items -------------------------------------------------------------------------------

const PAGE = 4096;

/** An address field's value as a number, if it is one. */
export function addressValue(v: JsonValue | undefined): number | null {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === "string" && /^0[xX][0-9a-fA-F]{1,12}$/.test(v)) return Number.parseInt(v.slice(2), 16);
  return null;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

export function addDevice(root: Draft): Draft {
  const devices = listAt(root, ["devices"]);
  const sids = devices.map((d) => (isObject(d) && typeof d.sid === "number" ? d.sid : -1));
  const sid = sids.length === 0 ? 16 : Math.max(...sids) + 1;
  const name = freshName(namesOf(root, "devices"), "dev");
  return updateList(root, ["devices"], (l) => [...l, { name, sid, ats: false, pri: false }]);
}

export function addProcess(root: Draft): Draft {
  const name = freshName(namesOf(root, "processes"), "proc");
  // populate as a file without the field has it (false: the first access faults the page in),
  // written out so that the checkbox and the JSON say the same.
  const vma = { start: "0x10000", pages: 1, prot: "rw", populate: VMA_DEFAULTS.populate };
  return updateList(root, ["processes"], (l) => [...l, { name, vmas: [vma] }]);
}

/** A VMA just after the process's last one (page-aligned), one page. */
export function addVma(root: Draft, pi: number): Draft {
  const vmas = listAt(root, ["processes", pi, "vmas"]);
  let end = 0x10000;
  for (const v of vmas) {
    if (!isObject(v)) continue;
    const start = addressValue(v.start);
    const pages = typeof v.pages === "number" ? v.pages : 1;
    if (start !== null) end = Math.max(end, start + pages * PAGE);
  }
  const start = hex(Math.ceil(end / PAGE) * PAGE);
  return updateList(root, ["processes", pi, "vmas"], (l) => [
    ...l,
    { start, pages: 1, prot: "rw", populate: VMA_DEFAULTS.populate },
  ]);
}

export function addThread(root: Draft): Draft {
  const name = freshName(namesOf(root, "threads"), "T", listAt(root, ["threads"]).length);
  return updateList(root, ["threads"], (l) => [...l, { name, ops: [] }]);
}

/** A new op at the end of thread `ti`: a bind of the first process to the first device. */
export function addOp(root: Draft, ti: number): Draft {
  const op = opWithDefaults(root, { op: listAt(root, ["devices"]).length > 0 ? "bind" : "touch" }, "bind");
  return updateList(root, ["threads", ti, "ops"], (l) => [...l, op]);
}

// --- Ops by kind -----------------------------------------------------------------------------

/** The fields each op takes, in the order CONTRACT §1 writes them. `?` marks optional ones. */
export const OP_FIELDS: Record<OpName, readonly string[]> = {
  bind: ["process", "device", "task?"],
  unbind: ["process", "device", "task?"],
  dma: ["device", "process", "va", "access", "pasid?", "task?"],
  mmap: ["process", "start", "pages", "prot", "task?"],
  touch: ["process", "va", "access", "task?"],
  munmap: ["process", "start", "pages", "task?"],
  mprotect: ["process", "start", "pages", "prot", "task?"],
  exit: ["process", "task?"],
  "guest-cmd": ["process", "cmd", "device?", "va?", "task?"],
};

/** A process's tasks as typed: names separated by commas or spaces; none: absent (one task). */
export function tasksInput(text: string): JsonValue | undefined {
  const names = text.split(/[\s,]+/).filter((t) => t !== "");
  return names.length === 0 ? undefined : names;
}

/** A process's tasks as the field shows them. */
export function tasksText(v: JsonValue | undefined): string {
  return Array.isArray(v)
    ? v.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join(", ")
    : fieldText(v);
}

export const isOpName = (name: string): name is OpName => (OP_NAMES as readonly string[]).includes(name);

/** The start of the first VMA of `process`, as written, or "0x10000". */
function firstVmaStart(root: Draft, process: string): JsonValue {
  const p = listAt(root, ["processes"]).find((x) => isObject(x) && x.name === process);
  const vma = isObject(p) && Array.isArray(p.vmas) ? p.vmas[0] : undefined;
  return isObject(vma) && vma.start !== undefined ? vma.start : "0x10000";
}

/**
 * The op with exactly the fields its kind takes: those it had are kept (an address moves
 * between `va` and `start`), the missing ones get a sensible value, the others are dropped
 * (the schema refuses unknown fields). An unknown kind is left as it is, for the error to name.
 */
export function opWithDefaults(root: Draft, op: JsonObject, kind: string): JsonObject {
  if (!isOpName(kind)) return { ...op, op: kind };
  const process = str(op.process) || (namesOf(root, "processes")[0] ?? "");
  const defaults: JsonObject = {
    process,
    device: str(op.device) || (namesOf(root, "devices")[0] ?? ""),
    va: op.va ?? op.start ?? firstVmaStart(root, process),
    start: op.start ?? op.va ?? firstVmaStart(root, process),
    pages: op.pages ?? 1,
    prot: op.prot ?? "rw",
    access: op.access ?? "read",
    cmd: op.cmd ?? "TLBI_NH_ALL",
  };
  const out: JsonObject = { op: kind };
  for (const f of OP_FIELDS[kind]) {
    const optional = f.endsWith("?");
    const name = optional ? f.slice(0, -1) : f;
    const value = op[name] ?? (optional ? undefined : defaults[name]);
    if (value !== undefined) out[name] = value;
  }
  return out;
}
