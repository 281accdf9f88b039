/**
 * The checks the schema cannot express: names that must be unique, references between parts of
 * the scenario, page alignment, overlapping VMAs, schedule entries. Each returns the first
 * problem as a one-line message with its path, or undefined.
 */
import { FAULT_NAMES, isFaultName } from "./faults.ts";
import { describeValue, formatPath, quote } from "./issues.ts";
import {
  ADDRESS_LIMIT,
  IOPF_ACTOR,
  PAGE_SIZE,
  RUN_OP_SUFFIX,
  SCENARIO_LIMITS,
  SMMU_ACTOR,
  SRCU_ACTOR,
  STREAM_TABLE_LOG2SIZE,
} from "./limits.ts";
import { changeById, hasNesting } from "./releases.ts";
import { type Op, type ProcessSpec, type Scenario, type ThreadSpec, taskNames } from "./types.ts";

type Path = readonly (string | number)[];
type Problem = string | undefined;

const hex = (n: number): string => `0x${n.toString(16)}`;
const at = (path: Path, text: string): string => `${formatPath(path)}: ${text}`;

/** Runs checks in order and returns the first problem. */
function firstProblem(checks: readonly (() => Problem)[]): Problem {
  for (const check of checks) {
    const problem = check();
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** The first item whose key an earlier one has: its index (`second`), the earlier one's, the item. */
function findDuplicate<T>(
  items: readonly T[],
  key: (item: T) => unknown,
): { first: number; second: number; item: T } | undefined {
  const seen = new Map<unknown, number>();
  for (const [i, item] of items.entries()) {
    const k = key(item);
    const j = seen.get(k);
    if (j !== undefined) return { first: j, second: i, item };
    seen.set(k, i);
  }
  return undefined;
}

function uniqueNames(list: readonly { name: string }[], field: string, kind: string): Problem {
  const dup = findDuplicate(list, (x) => x.name);
  if (!dup) return undefined;
  return at(
    [field, dup.second, "name"],
    `duplicate ${kind} name ${quote(dup.item.name)} (as ${field}[${dup.first}])`,
  );
}

function checkFaults(faults: readonly string[]): Problem {
  for (const [i, f] of faults.entries()) {
    if (!isFaultName(f))
      return at(["faults", i], `unknown fault ${quote(f)} (known faults: ${FAULT_NAMES.join(", ")})`);
  }
  const dup = findDuplicate(faults, (f) => f);
  return dup && at(["faults", dup.second], `fault ${quote(dup.item)} is listed twice`);
}

function checkSmmu(s: Scenario): Problem {
  const { features, cmdqEntries } = s.smmu;
  const dup = findDuplicate(features, (f) => f);
  if (dup) return at(["smmu", "features", dup.second], `feature ${quote(dup.item)} is listed twice`);
  // The command queue is a ring indexed by prod/cons with a wrap bit: its size is 2^n.
  if ((cmdqEntries & (cmdqEntries - 1)) !== 0) {
    return at(["smmu", "cmdqEntries"], `must be a power of two (2, 4, …, 524288), got ${cmdqEntries}`);
  }
  return undefined;
}

function checkDevices(s: Scenario): Problem {
  const dup = findDuplicate(s.devices, (d) => d.sid);
  if (dup)
    return at(["devices", dup.second, "sid"], `StreamID ${dup.item.sid} is already devices[${dup.first}]'s`);
  const names = uniqueNames(s.devices, "devices", "device");
  if (names) return names;
  const log2size = STREAM_TABLE_LOG2SIZE[s.smmu.streamTable];
  const beyond = s.devices.findIndex((d) => d.sid >= 2 ** log2size);
  const dev = s.devices[beyond];
  if (dev === undefined) return undefined;
  const more = s.smmu.streamTable === "linear" ? '; "streamTable": "2lvl" takes StreamIDs up to 65535' : "";
  return at(
    ["devices", beyond, "sid"],
    `StreamID ${dev.sid} is beyond the ${s.smmu.streamTable} stream table (${2 ** log2size} STEs: StreamIDs 0–${2 ** log2size - 1}${more})`,
  );
}

/** A page range `[start, start + pages)`: page-aligned and inside the 48-bit address space. */
function checkRange(path: Path, start: number, pages: number): Problem {
  if (start % PAGE_SIZE !== 0) return at([...path, "start"], `${hex(start)} is not page-aligned (4 KiB)`);
  const end = start + pages * PAGE_SIZE;
  if (end > ADDRESS_LIMIT) return at(path, `ends at ${hex(end)}, beyond the 48-bit address space`);
  return undefined;
}

function checkVmas(p: ProcessSpec, pi: number): Problem {
  const ranges = p.vmas.map((v, i) => ({ i, start: v.start, end: v.start + v.pages * PAGE_SIZE }));
  for (const [i, v] of p.vmas.entries()) {
    const problem = checkRange(["processes", pi, "vmas", i], v.start, v.pages);
    if (problem) return problem;
  }
  ranges.sort((a, b) => a.start - b.start || a.i - b.i);
  for (const [k, cur] of ranges.entries()) {
    const prev = ranges[k - 1];
    if (prev !== undefined && cur.start < prev.end) {
      const [a, b] = prev.i < cur.i ? [prev, cur] : [cur, prev];
      const span = `${hex(a.start)}–${hex(a.end)}`;
      return at(["processes", pi, "vmas", b.i], `overlaps vmas[${a.i}] (${span}) of the same process`);
    }
  }
  return undefined;
}

function checkProcesses(s: Scenario): Problem {
  const dup = uniqueNames(s.processes, "processes", "process");
  if (dup) return dup;
  for (const [pi, p] of s.processes.entries()) {
    const problem = checkVmas(p, pi) ?? checkTasks(p, pi);
    if (problem) return problem;
  }
  return checkPopulated(s);
}

/** Every populated page is a frame and a PTE at boot: their total is capped (limits.ts). */
function checkPopulated(s: Scenario): Problem {
  const limit = SCENARIO_LIMITS.populatedPages;
  let total = 0;
  for (const [pi, p] of s.processes.entries()) {
    for (const [vi, v] of p.vmas.entries()) {
      if (!v.populate) continue;
      total += v.pages;
      if (total > limit) {
        return at(
          ["processes", pi, "vmas", vi, "pages"],
          `populating ${v.pages} pages makes ${total} populated pages in all, beyond the limit of ${limit} (${limit / 256} MiB)`,
        );
      }
    }
  }
  return undefined;
}

function checkTasks(p: ProcessSpec, pi: number): Problem {
  const dup = p.tasks && findDuplicate(p.tasks, (t) => t);
  if (!dup) return undefined;
  return at(
    ["processes", pi, "tasks", dup.second],
    `duplicate task name ${quote(dup.item)} (as tasks[${dup.first}])`,
  );
}

function knownNames(names: readonly string[]): string {
  if (names.length === 0) return "none are declared";
  const shown = names.slice(0, 8).join(", ");
  return `declared: ${shown}${names.length > 8 ? ", …" : ""}`;
}

function checkVms(s: Scenario): Problem {
  const vms = s.vms ?? [];
  if (vms.length > 0 && !s.smmu.features.includes("nested")) {
    return at(["vms"], 'a VM needs the "nested" SMMU feature (smmu.features)');
  }
  if (vms.length > 0 && !hasNesting(s.kernel)) {
    const from = changeById("vsmmu-invalidate").release;
    return at(
      ["kernel"],
      `${quote(s.kernel)} cannot nest a VM on SMMUv3: iommufd's vIOMMU arrives in ${from} (or use "nested-v1-2023")`,
    );
  }
  const dup = uniqueNames(vms, "vms", "VM");
  if (dup) return dup;
  if (vms.length > 0 && s.smmu.cmdqEntries < 64) {
    return at(
      ["smmu", "cmdqEntries"],
      `must be at least 64 with a VM: the host issues up to 63 guest commands and a CMD_SYNC at once (got ${s.smmu.cmdqEntries})`,
    );
  }
  const devices = new Set(s.devices.map((d) => d.name));
  const owner = new Map<string, string>();
  for (const [vi, vm] of vms.entries()) {
    for (const [di, d] of vm.devices.entries()) {
      const path = ["vms", vi, "devices", di];
      if (!devices.has(d.device)) {
        return at([...path, "device"], `unknown device ${quote(d.device)} (${knownNames([...devices])})`);
      }
      const other = owner.get(d.device);
      if (other !== undefined)
        return at([...path, "device"], `${quote(d.device)} is already given to VM ${quote(other)}`);
      owner.set(d.device, vm.name);
      const same = vm.devices.findIndex((x) => x.vsid === d.vsid);
      if (same < di) return at([...path, "vsid"], `virtual StreamID ${d.vsid} is already devices[${same}]'s`);
    }
  }
  for (const [pi, p] of s.processes.entries()) {
    if (p.vm !== undefined && !vms.some((v) => v.name === p.vm)) {
      return at(["processes", pi, "vm"], `unknown VM ${quote(p.vm)} (${knownNames(vms.map((v) => v.name))})`);
    }
  }
  for (const [vi, vm] of vms.entries()) {
    // The guest's CD tables hold 2^S1CDMax CDs: SSIDSIZE, and 2^10 when linear.
    const cdmax = Math.min(s.smmu.ssidBits, vm.cdTable === "2lvl" ? 20 : 10);
    if (vm.pasidBase !== undefined && vm.pasidBase >= 2 ** cdmax) {
      return at(
        ["vms", vi, "pasidBase"],
        `${vm.pasidBase} is beyond the guest's PASIDs (below 2^${cdmax}${vm.cdTable === "2lvl" ? ", smmu.ssidBits" : ' with a linear CD table: set "cdTable": "2lvl"'})`,
      );
    }
    const needed = guestBootPages(s, vm);
    if (needed > vm.pages) {
      return at(
        ["vms", vi, "pages"],
        `${vm.pages} pages of guest RAM cannot hold what the guest sets up at boot (up to ${needed}: its populated VMAs, page tables, CD tables and queues)`,
      );
    }
  }
  return undefined;
}

/**
 * An upper bound of the guest pages a VM's boot takes: per device a CD table (≤ 16 pages, or
 * with 2 levels an L1 table of ≤ 2 pages and the 16-page leaf of CD 0) and
 * a DMA domain (pgd, three tables, one buffer); per process a pgd, its populated pages and up
 * to three tables per 2 MiB region a VMA touches; the stream table and the vSMMU queue.
 */
function guestBootPages(s: Scenario, vm: NonNullable<Scenario["vms"]>[number]): number {
  let pages = 2 + vm.devices.length * ((vm.cdTable === "2lvl" ? 18 : 16) + 5);
  for (const p of s.processes) {
    if (p.vm !== vm.name) continue;
    pages += 1;
    for (const v of p.vmas) if (v.populate) pages += v.pages + 3 * (Math.ceil(v.pages / 512) + 1);
  }
  return pages;
}

interface Declared {
  readonly processes: ReadonlySet<string>;
  readonly devices: ReadonlySet<string>;
  /** The VM of each guest process and of each device given to a VM. */
  readonly processVm: ReadonlyMap<string, string>;
  readonly deviceVm: ReadonlyMap<string, string>;
}

const where = (vm: string | undefined): string => (vm === undefined ? "the host" : `VM ${quote(vm)}`);

function checkOp(op: Op, path: Path, s: Scenario, declared: Declared): Problem {
  if (!declared.processes.has(op.process)) {
    const names = knownNames(s.processes.map((p) => p.name));
    return at([...path, "process"], `unknown process ${quote(op.process)} (${names})`);
  }
  if (op.task !== undefined) {
    const tasks = taskNames(s.processes.find((p) => p.name === op.process)!);
    if (!tasks.includes(op.task)) {
      return at(
        [...path, "task"],
        `${quote(op.process)} has no task ${quote(op.task)} (its tasks: ${tasks.join(", ")})`,
      );
    }
  }
  const vm = declared.processVm.get(op.process);
  const device =
    op.op === "bind" || op.op === "unbind" || op.op === "dma"
      ? op.device
      : op.op === "guest-cmd"
        ? op.device
        : undefined;
  if (device !== undefined) {
    if (!declared.devices.has(device)) {
      const names = knownNames(s.devices.map((d) => d.name));
      return at([...path, "device"], `unknown device ${quote(device)} (${names})`);
    }
    const devVm = declared.deviceVm.get(device);
    if (devVm !== vm) {
      return at(
        [...path, "device"],
        `${quote(device)} belongs to ${where(devVm)}, but ${quote(op.process)} runs in ${where(vm)}`,
      );
    }
  }
  if (op.op === "guest-cmd" && vm === undefined) {
    return at(
      [...path, "process"],
      `${quote(op.process)} is a host process: guest-cmd needs a process in a VM`,
    );
  }
  if (vm !== undefined && (op.op === "mmap" || op.op === "mprotect")) {
    return at(
      [...path, "op"],
      `${op.op} is not modelled for a guest process (${quote(op.process)} runs in VM ${quote(vm)})`,
    );
  }
  if (op.op === "mmap" || op.op === "munmap" || op.op === "mprotect")
    return checkRange(path, op.start, op.pages);
  return undefined;
}

function checkThreadName(t: ThreadSpec, i: number): Problem {
  // A schedule entry names a thread, "smmu", "srcu" or "<thread>:op": keep those unambiguous.
  if (t.name === SMMU_ACTOR || t.name === SRCU_ACTOR || t.name === IOPF_ACTOR) {
    return at(["threads", i, "name"], `${quote(t.name)} is reserved for the schedule's ${t.name} actor`);
  }
  if (t.name.includes(":")) return at(["threads", i, "name"], `must not contain ':' (got ${quote(t.name)})`);
  return undefined;
}

function checkThreads(s: Scenario): Problem {
  const dup = uniqueNames(s.threads, "threads", "thread");
  if (dup) return dup;
  const declared: Declared = {
    processes: new Set(s.processes.map((p) => p.name)),
    devices: new Set(s.devices.map((d) => d.name)),
    processVm: new Map(s.processes.flatMap((p) => (p.vm === undefined ? [] : [[p.name, p.vm] as const]))),
    deviceVm: new Map((s.vms ?? []).flatMap((v) => v.devices.map((d) => [d.device, v.name] as const))),
  };
  let total = 0;
  for (const [ti, t] of s.threads.entries()) {
    const problem = checkThreadName(t, ti);
    if (problem) return problem;
    for (const [oi, op] of t.ops.entries()) {
      const opProblem = checkOp(op, ["threads", ti, "ops", oi], s, declared);
      if (opProblem) return opProblem;
    }
    total += t.ops.length;
  }
  if (total > SCENARIO_LIMITS.ops)
    return at(["threads"], `more than ${SCENARIO_LIMITS.ops} ops in all (got ${total})`);
  return undefined;
}

function checkSchedule(s: Scenario): Problem {
  if (!s.schedule) return undefined;
  const threads = new Set(s.threads.map((t) => t.name));
  for (const [i, entry] of s.schedule.entries()) {
    if (entry === SMMU_ACTOR || entry === SRCU_ACTOR || entry === IOPF_ACTOR || threads.has(entry)) continue;
    if (entry.endsWith(RUN_OP_SUFFIX) && threads.has(entry.slice(0, -RUN_OP_SUFFIX.length))) continue;
    const names = [...threads].slice(0, 8).join(", ");
    const expected = `"smmu", "srcu", "iopf", a thread (${names || "none are declared"}) or "<thread>:op"`;
    return at(["schedule", i], `unknown actor ${describeValue(entry)} (expected ${expected})`);
  }
  return undefined;
}

/** The first semantic problem of a scenario that passed the schema, or undefined. */
export function checkScenario(s: Scenario): Problem {
  return firstProblem([
    () => checkFaults(s.faults),
    () => checkSmmu(s),
    () => checkDevices(s),
    () => checkProcesses(s),
    () => checkVms(s),
    () => checkThreads(s),
    () => checkSchedule(s),
  ]);
}
