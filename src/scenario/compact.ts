/**
 * The compact v1 layout of a scenario inside a link: the scenario as a JSON array, positional
 * instead of keyed, with enum values and op names as small integers, processes and devices
 * named by index, page-aligned addresses as page numbers, each thread's ops one flat array of
 * numbers. DEFLATE then squeezes the repetition out of that: a generated 100-op scenario makes
 * an ~880-character link, where lz-string over the keyed JSON makes ~2,700.
 *
 *   [title, driver | kernel, faults, smmu, devices, processes, threads, schedule, description?, pasidBase?, vms?, tasks?]
 *   (description, pasidBase and vms 0 = absent, when something follows)
 *   smmu      0 (all defaults) | [features, asidBits, ssidBits, cmdqEntries, streamTable, cdTable]
 *   device    [name, sid, flags (ats=1, pri=2), pasidBits]   (trailing defaults dropped)
 *   process   [name, vmas?, asid?, vm?]  vmas = flat [startPage, pages, prot | populate << 2, …]
 *             (asid 0 = absent when vm follows; vm as the index of the VM)
 *   vm        [name, devices, pages?, guest?]  devices = flat [device index, vsid, …];
 *             guest = [cdTable, s1dss, pasidBase] when any is given (each 0 = absent)
 *   thread    [name, ops]    ops  = flat [code, args…, code, args…] (OP_LAYOUT below)
 *   schedule  0 (absent) | [0 = smmu, 1 = srcu, 2 + 2i = thread i, 3 + 2i = "thread i:op", …]
 *   tasks     [processes, ops] (docs/tasks.md): processes = [[process index, task names…], …],
 *             ops = [[thread index, op index, task name], …]; appended later, so a link without
 *             tasks is what it was
 *
 * The code tables are FROZEN: v1 links in the wild depend on them. A name added later (a new
 * fault, driver or feature) is written as its string, which every decoder passes on to
 * `parseScenario` as it is; so is anything the tables cannot express.
 */

import { DEVICE_DEFAULTS, SMMU_DEFAULTS, VM_DEFAULT_PAGES } from "./defaults.ts";
import { describeValue } from "./issues.ts";
import { PAGE_SIZE, RUN_OP_SUFFIX, SMMU_ACTOR, SRCU_ACTOR } from "./limits.ts";
import { DEFAULT_RELEASE } from "./releases.ts";
import { GUEST_CMDS, type Op, type Parsed, SCENARIO_FORMAT, type Scenario } from "./types.ts";

const V1_DRIVERS = ["arm-smmu-v3-sva", "io-mm-2018", "sva-domain"] as const;
const V1_FEATURES = ["ats", "pri", "btm", "ril", "stall", "nested"] as const;
const V1_FAULTS = [
  "skip-tlbi",
  "skip-atc-inv",
  "skip-sync",
  "early-free-pages",
  "free-notifier-now",
  "no-sva-lock",
  "no-quiet-cd",
  "no-cleared-flag",
  "kref-get",
] as const;
const V1_PROTS = ["r", "rw", "none"] as const;
const V1_ACCESS = ["read", "write"] as const;
const V1_TABLES = ["linear", "2lvl"] as const;
/** A VM's `s1dss`, after 0 for "absent". */
const V1_GUEST_S1DSS = ["ssid0", "bypass", "terminate"] as const;
const V1_GUEST_CMDS = GUEST_CMDS;

/** Argument kinds of a flat op: process/device reference, page number, address, count, enum. */
type Arg = "process" | "device" | "page" | "va" | "pages" | "access" | "prot" | "pasid" | "cmd";
/** Op code (the index) → op name and the fields that follow it, in order. */
const OP_LAYOUT: readonly { readonly op: Op["op"]; readonly args: readonly Arg[] }[] = [
  { op: "bind", args: ["process", "device"] },
  { op: "unbind", args: ["process", "device"] },
  { op: "dma", args: ["device", "process", "va", "access"] },
  { op: "dma", args: ["device", "process", "va", "access", "pasid"] },
  { op: "mmap", args: ["process", "page", "pages", "prot"] },
  { op: "touch", args: ["process", "va", "access"] },
  { op: "munmap", args: ["process", "page", "pages"] },
  { op: "mprotect", args: ["process", "page", "pages", "prot"] },
  { op: "exit", args: ["process"] },
  { op: "guest-cmd", args: ["process", "cmd"] },
  { op: "guest-cmd", args: ["process", "cmd", "device"] },
  { op: "guest-cmd", args: ["process", "cmd", "va"] },
  { op: "guest-cmd", args: ["process", "cmd", "device", "va"] },
];

export type CompactValue = string | number | CompactValue[];

const code = (table: readonly string[], value: string): number | string => {
  const i = table.indexOf(value);
  return i >= 0 ? i : value;
};

/** An address as a page number: fewer digits; exact even when unaligned (4096 is a power of 2). */
const page = (addr: number): number => addr / PAGE_SIZE;

function smmuToCompact(s: Scenario): CompactValue {
  const m = s.smmu;
  const d = SMMU_DEFAULTS;
  const isDefault =
    m.features.length === 0 &&
    m.asidBits === d.asidBits &&
    m.ssidBits === d.ssidBits &&
    m.cmdqEntries === d.cmdqEntries &&
    m.streamTable === d.streamTable &&
    m.cdTable === d.cdTable;
  if (isDefault) return 0;
  const features = m.features.map((f) => code(V1_FEATURES, f));
  return [
    features,
    m.asidBits,
    m.ssidBits,
    m.cmdqEntries,
    code(V1_TABLES, m.streamTable),
    code(V1_TABLES, m.cdTable),
  ];
}

function deviceToCompact(dev: Scenario["devices"][number]): CompactValue {
  const flags = (dev.ats ? 1 : 0) | (dev.pri ? 2 : 0);
  if (dev.pasidBits !== DEVICE_DEFAULTS.pasidBits) return [dev.name, dev.sid, flags, dev.pasidBits];
  return flags === 0 ? [dev.name, dev.sid] : [dev.name, dev.sid, flags];
}

function processToCompact(p: Scenario["processes"][number], vm: Ref): CompactValue {
  const flat = p.vmas.flatMap((v) => [
    page(v.start),
    v.pages,
    (code(V1_PROTS, v.prot) as number) | (v.populate ? 4 : 0),
  ]);
  if (p.vm !== undefined) return [p.name, flat, p.asid ?? 0, vm(p.vm)];
  if (p.asid !== undefined) return [p.name, flat, p.asid];
  return p.vmas.length === 0 ? [p.name] : [p.name, flat];
}

function vmToCompact(v: NonNullable<Scenario["vms"]>[number], d: Ref): CompactValue {
  const devices = v.devices.flatMap((x) => [d(x.device), x.vsid]);
  if (v.cdTable !== undefined || v.s1dss !== undefined || v.pasidBase !== undefined) {
    // 0 is "absent" in each slot: a code table's entries start at 1.
    const opt = (table: readonly string[], x: string | undefined) => {
      const c = x === undefined ? 0 : code(table, x);
      return typeof c === "number" && x !== undefined ? c + 1 : c;
    };
    return [
      v.name,
      devices,
      v.pages,
      [opt(V1_TABLES, v.cdTable), opt(V1_GUEST_S1DSS, v.s1dss), v.pasidBase ?? 0],
    ];
  }
  return v.pages === VM_DEFAULT_PAGES ? [v.name, devices] : [v.name, devices, v.pages];
}

type Ref = (name: string) => number | string;

/** The op's code and its fields in OP_LAYOUT order, processes (p) and devices (d) as indices. */
function opToCompact(op: Op, p: Ref, d: Ref): CompactValue[] {
  switch (op.op) {
    case "bind":
      return [0, p(op.process), d(op.device)];
    case "unbind":
      return [1, p(op.process), d(op.device)];
    case "dma": {
      const out = [
        op.pasid === undefined ? 2 : 3,
        d(op.device),
        p(op.process),
        op.va,
        code(V1_ACCESS, op.access),
      ];
      return op.pasid === undefined ? out : [...out, op.pasid];
    }
    case "mmap":
      return [4, p(op.process), page(op.start), op.pages, code(V1_PROTS, op.prot)];
    case "touch":
      return [5, p(op.process), op.va, code(V1_ACCESS, op.access)];
    case "munmap":
      return [6, p(op.process), page(op.start), op.pages];
    case "mprotect":
      return [7, p(op.process), page(op.start), op.pages, code(V1_PROTS, op.prot)];
    case "exit":
      return [8, p(op.process)];
    case "guest-cmd": {
      const cmd =
        typeof op.cmd === "string" ? code(V1_GUEST_CMDS, op.cmd) : op.cmd.map((x) => code(V1_GUEST_CMDS, x));
      const opCode = 9 + (op.device === undefined ? 0 : 1) + (op.va === undefined ? 0 : 2);
      const out: CompactValue[] = [opCode, p(op.process), cmd];
      if (op.device !== undefined) out.push(d(op.device));
      if (op.va !== undefined) out.push(op.va);
      return out;
    }
    default:
      return unreachable(op);
  }
}

function unreachable(op: never): never {
  throw new Error(`op ${JSON.stringify(op)} has no v1 code`);
}

function scheduleToCompact(s: Scenario): CompactValue {
  if (!s.schedule) return 0;
  const index = new Map(s.threads.map((t, i) => [t.name, i]));
  return s.schedule.map((entry): number | string => {
    if (entry === SMMU_ACTOR) return 0;
    if (entry === SRCU_ACTOR) return 1;
    const t = index.get(entry);
    if (t !== undefined) return 2 + 2 * t;
    const runner = entry.endsWith(RUN_OP_SUFFIX)
      ? index.get(entry.slice(0, -RUN_OP_SUFFIX.length))
      : undefined;
    return runner !== undefined ? 3 + 2 * runner : entry;
  });
}

/** The scenario in the v1 layout (plain JSON data, ready for `JSON.stringify`). */
export function scenarioToCompactV1(s: Scenario): CompactValue[] {
  const processes = new Map(s.processes.map((p, i) => [p.name, i]));
  const devices = new Map(s.devices.map((d, i) => [d.name, i]));
  const vms = new Map((s.vms ?? []).map((v, i) => [v.name, i]));
  const p = (name: string) => processes.get(name) ?? name;
  const d = (name: string) => devices.get(name) ?? name;
  const vm = (name: string) => vms.get(name) ?? name;
  const out: CompactValue[] = [
    s.title,
    // A release other than the design's default is written as its tag (links made before
    // releases were modelled hold a design code, which stands for that default).
    s.kernel === DEFAULT_RELEASE[s.driver] && (V1_DRIVERS as readonly string[]).includes(s.driver)
      ? code(V1_DRIVERS, s.driver)
      : s.kernel,
    s.faults.map((f) => code(V1_FAULTS, f)),
    smmuToCompact(s),
    s.devices.map(deviceToCompact),
    s.processes.map((x) => processToCompact(x, vm)),
    s.threads.map((t) => [t.name, t.ops.flatMap((op) => opToCompact(op, p, d))]),
    scheduleToCompact(s),
  ];
  const tasks = tasksToCompact(s);
  const more = s.pasidBase !== undefined || s.vms !== undefined || tasks !== undefined;
  if (s.description !== undefined || more) out.push(s.description ?? 0);
  if (more) out.push(s.pasidBase ?? 0);
  if (s.vms !== undefined || tasks !== undefined) out.push(s.vms ? s.vms.map((v) => vmToCompact(v, d)) : 0);
  if (tasks !== undefined) out.push(tasks);
  return out;
}

/** The processes' tasks and the ops' tasks, or undefined when the scenario names none. */
function tasksToCompact(s: Scenario): CompactValue | undefined {
  const processes = s.processes.flatMap((p, i) => (p.tasks ? [[i, ...p.tasks]] : []));
  const ops = s.threads.flatMap((t, ti) =>
    t.ops.flatMap((op, oi) => (op.task === undefined ? [] : [[ti, oi, op.task]])),
  );
  return processes.length + ops.length > 0 ? [processes, ops] : undefined;
}

/*
 * Decoding. The input is whatever JSON a link held, so every piece is checked for the shape
 * the layout needs to be unpacked; the values themselves are passed on as they are, for
 * `parseScenario` to judge and report with the paths of the JSON form.
 */

type Fields = Record<string, unknown>;

/** Thrown inside the decoder only, caught by `compactV1ToJson`. */
class LayoutError {
  constructor(readonly message: string) {}
}

function refuse(where: string, what: string): never {
  throw new LayoutError(`${where}: ${what}`);
}

function list(v: unknown, where: string, min = 0, max = Number.POSITIVE_INFINITY): readonly unknown[] {
  if (!Array.isArray(v)) return refuse(where, `expected an array, got ${describeValue(v)}`);
  if (v.length >= min && v.length <= max) return v;
  const expected =
    min === max ? `${min}` : max === Number.POSITIVE_INFINITY ? `at least ${min}` : `${min} to ${max}`;
  return refuse(where, `has ${v.length} entries, expected ${expected}`);
}

/** A code from a frozen table back to its name; strings (newer names) pass as they are. */
function fromCode(table: readonly string[], v: unknown, where: string): unknown {
  if (typeof v !== "number") return v;
  return table[v] ?? refuse(where, `unknown code ${describeValue(v)}`);
}

function flags(v: unknown, max: number, where: string): number {
  if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= max) return v;
  return refuse(where, `bad flags ${describeValue(v)}`);
}

const fromPage = (v: unknown): unknown => (typeof v === "number" ? v * PAGE_SIZE : v);

/** Drops the keys whose value is undefined, so that parseScenario applies its defaults. */
function defined(fields: Fields): Fields {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

function smmuFromCompact(v: unknown): unknown {
  if (v === 0) return undefined;
  const [features, asidBits, ssidBits, cmdqEntries, streamTable, cdTable] = list(v, "smmu", 6, 6);
  return {
    features: list(features, "smmu.features").map((f, i) => fromCode(V1_FEATURES, f, `smmu.features[${i}]`)),
    asidBits,
    ssidBits,
    cmdqEntries,
    streamTable: fromCode(V1_TABLES, streamTable, "smmu.streamTable"),
    cdTable: fromCode(V1_TABLES, cdTable, "smmu.cdTable"),
  };
}

function deviceFromCompact(v: unknown, i: number): Fields {
  const where = `devices[${i}]`;
  const [name, sid, f = 0, pasidBits] = list(v, where, 2, 4);
  const bits = flags(f, 3, where);
  return defined({ name, sid, ats: (bits & 1) !== 0, pri: (bits & 2) !== 0, pasidBits });
}

function vmasFromCompact(v: unknown, where: string): Fields[] {
  const flat = list(v, where);
  if (flat.length % 3 !== 0) refuse(where, "cut short");
  const vmas: Fields[] = [];
  for (let k = 0; k < flat.length; k += 3) {
    const bits = flags(flat[k + 2], 6, `${where}[${k / 3}]`);
    const prot = fromCode(V1_PROTS, bits & 3, `${where}[${k / 3}]`);
    vmas.push({ start: fromPage(flat[k]), pages: flat[k + 1], prot, populate: (bits & 4) !== 0 });
  }
  return vmas;
}

function processFromCompact(v: unknown, i: number, vms: readonly unknown[]): Fields {
  const [name, vmas, asid, vm] = list(v, `processes[${i}]`, 1, 4);
  const out: Fields = { name };
  if (vmas !== undefined) out.vmas = vmasFromCompact(vmas, `processes[${i}].vmas`);
  if (asid !== undefined && !(vm !== undefined && asid === 0)) out.asid = asid;
  if (vm !== undefined) out.vm = fromIndex(vms, vm, `processes[${i}].vm`);
  return out;
}

function vmFromCompact(v: unknown, i: number, devices: readonly unknown[]): Fields {
  const where = `vms[${i}]`;
  const [name, flat, pages, guest] = list(v, where, 2, 4);
  const pairs = list(flat, `${where}.devices`);
  if (pairs.length % 2 !== 0) refuse(`${where}.devices`, "cut short");
  const devs: Fields[] = [];
  for (let k = 0; k < pairs.length; k += 2) {
    const at = `${where}.devices[${k / 2}]`;
    devs.push({ device: fromIndex(devices, pairs[k], `${at}.device`), vsid: pairs[k + 1] });
  }
  if (guest === undefined) return defined({ name, devices: devs, pages });
  const [cdTable, s1dss, pasidBase] = list(guest, `${where}.guest`, 3, 3);
  const opt = (table: readonly string[], x: unknown, at: string) =>
    x === 0 ? undefined : typeof x === "number" ? fromCode(table, x - 1, at) : x;
  return defined({
    name,
    devices: devs,
    pages,
    cdTable: opt(V1_TABLES, cdTable, `${where}.cdTable`),
    s1dss: opt(V1_GUEST_S1DSS, s1dss, `${where}.s1dss`),
    pasidBase: pasidBase === 0 ? undefined : pasidBase,
  });
}

/** A process or device index back to its name. */
function fromIndex(names: readonly unknown[], v: unknown, where: string): unknown {
  if (typeof v !== "number") return v;
  return Number.isInteger(v) && v >= 0 && v < names.length ? names[v] : refuse(where, `no entry #${v}`);
}

interface Names {
  readonly process: readonly unknown[];
  readonly device: readonly unknown[];
}

function argFromCompact(arg: Arg, v: unknown, names: Names, where: string): [string, unknown] {
  switch (arg) {
    case "process":
    case "device":
      return [arg, fromIndex(names[arg], v, `${where}.${arg}`)];
    case "page":
      return ["start", fromPage(v)];
    case "access":
      return [arg, fromCode(V1_ACCESS, v, `${where}.${arg}`)];
    case "prot":
      return [arg, fromCode(V1_PROTS, v, `${where}.${arg}`)];
    case "cmd":
      return [
        arg,
        Array.isArray(v)
          ? v.map((x, i) => fromCode(V1_GUEST_CMDS, x, `${where}.${arg}[${i}]`))
          : fromCode(V1_GUEST_CMDS, v, `${where}.${arg}`),
      ];
    default:
      return [arg, v];
  }
}

function opsFromCompact(v: unknown, names: Names, where: string): Fields[] {
  const flat = list(v, where);
  const ops: Fields[] = [];
  for (let k = 0; k < flat.length; ) {
    const at = `${where}[${ops.length}]`;
    const opCode = flat[k++];
    const layout = typeof opCode === "number" ? OP_LAYOUT[opCode] : undefined;
    if (!layout) return refuse(at, `unknown op code ${describeValue(opCode)}`);
    if (k + layout.args.length > flat.length) return refuse(at, "cut short");
    const fields: Fields = { op: layout.op };
    for (const arg of layout.args) {
      const [key, value] = argFromCompact(arg, flat[k++], names, at);
      fields[key] = value;
    }
    ops.push(fields);
  }
  return ops;
}

function threadFromCompact(v: unknown, i: number, names: Names): Fields {
  const [name, ops] = list(v, `threads[${i}]`, 2, 2);
  return { name, ops: opsFromCompact(ops, names, `threads[${i}].ops`) };
}

function scheduleFromCompact(v: unknown, threads: readonly unknown[]): unknown {
  if (v === 0) return undefined;
  return list(v, "schedule").map((e, i): unknown => {
    if (typeof e !== "number") return e;
    if (!Number.isInteger(e) || e < 0) return refuse(`schedule[${i}]`, `unknown code ${describeValue(e)}`);
    if (e === 0 || e === 1) return e === 0 ? SMMU_ACTOR : SRCU_ACTOR;
    const name = fromIndex(threads, Math.floor((e - 2) / 2), `schedule[${i}]`);
    return e % 2 === 1 && typeof name === "string" ? `${name}${RUN_OP_SUFFIX}` : name;
  });
}

/** The driver slot holds a design (a code, or its name) or a release tag. */
function driverSlot(v: unknown): Fields {
  return typeof v === "string" && !(V1_DRIVERS as readonly string[]).includes(v)
    ? { kernel: v }
    : { driver: v };
}

/** The entry of `list` at index `v`. */
function entryAt(list: readonly Fields[], v: unknown, where: string): Fields {
  if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v < list.length) return list[v]!;
  return refuse(where, `no entry #${describeValue(v)}`);
}

/** Puts the tasks slot back on the processes and ops it names (their fields, still unjudged). */
function tasksFromCompact(v: unknown, procs: Fields[], threads: Fields[]): void {
  const [processes, ops] = list(v, "tasks", 2, 2);
  for (const [k, entry] of list(processes, "tasks.processes").entries()) {
    const [pi, ...names] = list(entry, `tasks.processes[${k}]`, 1);
    entryAt(procs, pi, `tasks.processes[${k}]`).tasks = names;
  }
  for (const [k, entry] of list(ops, "tasks.ops").entries()) {
    const [ti, oi, task] = list(entry, `tasks.ops[${k}]`, 3, 3);
    const t = entryAt(threads, ti, `tasks.ops[${k}]`);
    entryAt(t.ops as Fields[], oi, `tasks.ops[${k}]`).task = task;
  }
}

function unpack(data: unknown): Fields {
  const [
    title,
    driver,
    faults,
    smmu,
    devices,
    processes,
    threads,
    schedule,
    description,
    pasidBase,
    vms,
    tasks,
  ] = list(data, "layout", 8, 12);
  const devs = list(devices, "devices").map(deviceFromCompact);
  const machines =
    vms === undefined || vms === 0
      ? undefined
      : list(vms, "vms").map((v, i) =>
          vmFromCompact(
            v,
            i,
            devs.map((d) => d.name),
          ),
        );
  const procs = list(processes, "processes").map((p, i) =>
    processFromCompact(
      p,
      i,
      (machines ?? []).map((m) => m.name),
    ),
  );
  const names: Names = { process: procs.map((p) => p.name), device: devs.map((d) => d.name) };
  const thrs = list(threads, "threads").map((t, i) => threadFromCompact(t, i, names));
  if (tasks !== undefined) tasksFromCompact(tasks, procs, thrs);
  return defined({
    format: SCENARIO_FORMAT,
    title,
    description: description === 0 ? undefined : description,
    pasidBase: pasidBase === 0 ? undefined : pasidBase,
    vms: machines,
    ...driverSlot(fromCode(V1_DRIVERS, driver, "driver")),
    faults: list(faults, "faults").map((f, i) => fromCode(V1_FAULTS, f, `faults[${i}]`)),
    smmu: smmuFromCompact(smmu),
    devices: devs,
    processes: procs,
    threads: thrs,
    schedule: scheduleFromCompact(
      schedule,
      thrs.map((t) => t.name),
    ),
  });
}

/**
 * The v1 layout back to the scenario's JSON form (not yet validated: pass it to
 * `parseScenario`), or where the layout itself is broken.
 */
export function compactV1ToJson(data: unknown): Parsed<Fields> {
  try {
    return { ok: true, value: unpack(data) };
  } catch (e) {
    if (e instanceof LayoutError) return { ok: false, error: e.message };
    throw e;
  }
}
