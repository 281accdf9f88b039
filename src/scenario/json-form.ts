/**
 * The way back from a `Scenario` to the JSON people write (CONTRACT §1): addresses as "0x…"
 * strings, and every field that equals its default left out, so that a saved or decoded
 * scenario stays as short as a hand-written one. `parseScenario(scenarioToJson(s))` gives `s`
 * back.
 */
import { DEVICE_DEFAULTS, SMMU_DEFAULTS, VM_DEFAULT_PAGES, VMA_DEFAULTS } from "./defaults.ts";
import type {
  DeviceSpec,
  Op,
  ProcessSpec,
  Scenario,
  SmmuSpec,
  ThreadSpec,
  VmaSpec,
  VmSpec,
} from "./types.ts";

/** A JSON object as written by `scenarioToJson` (plain data: strings, numbers, booleans). */
export type JsonObject = { [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

/** `65536` → `"0x10000"`. */
export const hexAddress = (n: number): string => `0x${n.toString(16)}`;

/** Copies the fields of `spec` that differ from `defaults`. */
function nonDefault<T extends object>(
  spec: T,
  defaults: Partial<T>,
  keys: readonly (keyof T & string)[],
): JsonObject {
  const out: JsonObject = {};
  for (const key of keys) {
    const value = spec[key];
    const def = defaults[key];
    const same = Array.isArray(value) ? value.length === 0 && Array.isArray(def) : value === def;
    if (!same) out[key] = (Array.isArray(value) ? [...value] : value) as JsonValue;
  }
  return out;
}

function smmuToJson(smmu: SmmuSpec): JsonObject {
  return nonDefault(smmu, SMMU_DEFAULTS, [
    "features",
    "asidBits",
    "ssidBits",
    "cmdqEntries",
    "streamTable",
    "cdTable",
  ]);
}

function deviceToJson(d: DeviceSpec): JsonObject {
  return { name: d.name, sid: d.sid, ...nonDefault(d, DEVICE_DEFAULTS, ["ats", "pri", "pasidBits"]) };
}

function vmaToJson(v: VmaSpec): JsonObject {
  return { start: hexAddress(v.start), pages: v.pages, ...nonDefault(v, VMA_DEFAULTS, ["prot", "populate"]) };
}

function processToJson(p: ProcessSpec): JsonObject {
  const out: JsonObject = { name: p.name };
  if (p.vmas.length > 0) out.vmas = p.vmas.map(vmaToJson);
  if (p.asid !== undefined) out.asid = p.asid;
  if (p.vm !== undefined) out.vm = p.vm;
  if (p.tasks !== undefined) out.tasks = [...p.tasks];
  return out;
}

function vmToJson(v: VmSpec): JsonObject {
  const out: JsonObject = {
    name: v.name,
    devices: v.devices.map((d) => ({ device: d.device, vsid: d.vsid })),
  };
  if (v.pages !== VM_DEFAULT_PAGES) out.pages = v.pages;
  if (v.cdTable !== undefined) out.cdTable = v.cdTable;
  if (v.s1dss !== undefined) out.s1dss = v.s1dss;
  if (v.pasidBase !== undefined) out.pasidBase = v.pasidBase;
  return out;
}

/** One op, its fields in the order of CONTRACT §1; `mmap`'s prot is left out when "rw". */
export function opToJson(op: Op): JsonObject {
  const out = opFieldsToJson(op);
  if (op.task !== undefined) out.task = op.task;
  return out;
}

function opFieldsToJson(op: Op): JsonObject {
  switch (op.op) {
    case "bind":
    case "unbind":
      return { op: op.op, process: op.process, device: op.device };
    case "dma": {
      const out: JsonObject = { op: op.op, device: op.device, process: op.process, va: hexAddress(op.va) };
      out.access = op.access;
      if (op.pasid !== undefined) out.pasid = op.pasid;
      return out;
    }
    case "mmap": {
      const out: JsonObject = {
        op: op.op,
        process: op.process,
        start: hexAddress(op.start),
        pages: op.pages,
      };
      if (op.prot !== "rw") out.prot = op.prot;
      return out;
    }
    case "touch":
      return { op: op.op, process: op.process, va: hexAddress(op.va), access: op.access };
    case "munmap":
      return { op: op.op, process: op.process, start: hexAddress(op.start), pages: op.pages };
    case "mprotect":
      return { op: op.op, process: op.process, start: hexAddress(op.start), pages: op.pages, prot: op.prot };
    case "exit":
      return { op: op.op, process: op.process };
    case "guest-cmd": {
      const out: JsonObject = {
        op: op.op,
        process: op.process,
        cmd: typeof op.cmd === "string" ? op.cmd : [...op.cmd],
      };
      if (op.device !== undefined) out.device = op.device;
      if (op.va !== undefined) out.va = hexAddress(op.va);
      return out;
    }
    default:
      return assertNever(op);
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected op ${JSON.stringify(x)}`);
}

function threadToJson(t: ThreadSpec): JsonObject {
  return { name: t.name, ops: t.ops.map(opToJson) };
}

/**
 * The scenario in its JSON form, short: defaults left out, addresses as hex strings.
 *
 * @example
 * JSON.stringify(scenarioToJson(s), null, 2) // what `sva-lab decode` prints
 */
export function scenarioToJson(s: Scenario): JsonObject {
  const out: JsonObject = { format: s.format, title: s.title };
  if (s.description !== undefined) out.description = s.description;
  // The release decides the design: `driver` is only read, for files and links made before.
  out.kernel = s.kernel;
  if (s.faults.length > 0) out.faults = [...s.faults];
  const smmu = smmuToJson(s.smmu);
  if (Object.keys(smmu).length > 0) out.smmu = smmu;
  out.devices = s.devices.map(deviceToJson);
  if (s.vms !== undefined) out.vms = s.vms.map(vmToJson);
  out.processes = s.processes.map(processToJson);
  out.threads = s.threads.map(threadToJson);
  if (s.schedule !== undefined) out.schedule = [...s.schedule];
  if (s.pasidBase !== undefined) out.pasidBase = s.pasidBase;
  return out;
}
