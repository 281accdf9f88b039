/**
 * The built-in scenarios' JSON (library/*.json) as `Scenario`s without the validator: defaults
 * filled in and addresses turned into numbers, field for field as `parseScenario` gives them
 * (library.test.ts checks that it does, for every lesson). The page shows a lesson at once
 * this way and loads zod only when it reads a scenario from outside (a link, a file, the
 * editor). Never use it on anything but the library's own files: it checks nothing.
 */
import { DEVICE_DEFAULTS, SMMU_DEFAULTS, VM_DEFAULT_PAGES, VMA_DEFAULTS } from "./defaults.ts";
import { DEFAULT_RELEASE, designOf } from "./releases.ts";
import type {
  DeviceSpec,
  DriverDesign,
  Op,
  ProcessSpec,
  Scenario,
  SmmuSpec,
  ThreadSpec,
  VmaSpec,
  VmSpec,
} from "./types.ts";

// biome-ignore lint/suspicious/noExplicitAny: the library's JSON, trusted (see above)
type Json = any;

/** `"0x10000"` or `65536` → 65536. */
const address = (v: Json): number => (typeof v === "number" ? v : Number.parseInt(String(v).slice(2), 16));

/** `json` without its undefined fields: an optional field left out stays left out, as in zod's output. */
function defined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

function smmu(j: Json = {}): SmmuSpec {
  return {
    features: j.features ?? [],
    asidBits: j.asidBits ?? SMMU_DEFAULTS.asidBits,
    ssidBits: j.ssidBits ?? SMMU_DEFAULTS.ssidBits,
    cmdqEntries: j.cmdqEntries ?? SMMU_DEFAULTS.cmdqEntries,
    streamTable: j.streamTable ?? SMMU_DEFAULTS.streamTable,
    cdTable: j.cdTable ?? SMMU_DEFAULTS.cdTable,
  };
}

function device(j: Json): DeviceSpec {
  return {
    name: j.name,
    sid: j.sid,
    ats: j.ats ?? DEVICE_DEFAULTS.ats,
    pri: j.pri ?? DEVICE_DEFAULTS.pri,
    pasidBits: j.pasidBits ?? DEVICE_DEFAULTS.pasidBits,
  };
}

function vma(j: Json): VmaSpec {
  return {
    start: address(j.start),
    pages: j.pages,
    prot: j.prot ?? VMA_DEFAULTS.prot,
    populate: j.populate ?? VMA_DEFAULTS.populate,
  };
}

function process(j: Json): ProcessSpec {
  return defined({ name: j.name, vmas: (j.vmas ?? []).map(vma), asid: j.asid, vm: j.vm, tasks: j.tasks });
}

function vm(j: Json): VmSpec {
  return defined({
    name: j.name,
    devices: j.devices.map((d: Json) => ({ device: d.device, vsid: d.vsid })),
    pages: j.pages ?? VM_DEFAULT_PAGES,
    cdTable: j.cdTable,
    s1dss: j.s1dss,
    pasidBase: j.pasidBase,
  });
}

/** The op, with the task performing it when one is named (docs/tasks.md). */
function op(j: Json): Op {
  const o = opFields(j);
  return j.task === undefined ? o : { ...o, task: j.task };
}

function opFields(j: Json): Op {
  switch (j.op as Op["op"]) {
    case "dma":
      return defined({
        op: "dma",
        process: j.process,
        device: j.device,
        va: address(j.va),
        access: j.access,
        pasid: j.pasid,
      });
    case "mmap":
      return {
        op: "mmap",
        process: j.process,
        start: address(j.start),
        pages: j.pages,
        prot: j.prot ?? "rw",
      };
    case "touch":
      return { op: "touch", process: j.process, va: address(j.va), access: j.access };
    case "munmap":
      return { op: "munmap", process: j.process, start: address(j.start), pages: j.pages };
    case "mprotect":
      return { op: "mprotect", process: j.process, start: address(j.start), pages: j.pages, prot: j.prot };
    case "guest-cmd":
      return defined({
        op: "guest-cmd",
        process: j.process,
        cmd: j.cmd,
        device: j.device,
        va: j.va === undefined ? undefined : address(j.va),
      });
    default:
      return { ...j };
  }
}

function thread(j: Json): ThreadSpec {
  return { name: j.name, ops: j.ops.map(op) };
}

/** A built-in scenario's JSON as the `Scenario` that `parseScenario` would make of it. */
export function trustedScenario(j: Json): Scenario {
  return defined({
    format: j.format,
    title: j.title,
    description: j.description,
    kernel: j.kernel ?? DEFAULT_RELEASE[j.driver as DriverDesign],
    driver: j.driver ?? designOf(j.kernel),
    faults: j.faults ?? [],
    smmu: smmu(j.smmu),
    devices: j.devices.map(device),
    processes: j.processes.map(process),
    threads: j.threads.map(thread),
    schedule: j.schedule,
    pasidBase: j.pasidBase,
    vms: j.vms?.map(vm),
  });
}
