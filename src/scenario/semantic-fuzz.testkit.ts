/**
 * The semantic fuzzer: random *valid* scenarios, each validated, run, explored with a small
 * bound and sent through a link, where anything but the intended error is a crash. Where the
 * URL and schema fuzzers (fuzz.testkit.ts) check that bad input is refused cleanly, this one
 * checks the other half of the contract: a scenario the validator accepts runs.
 *
 * Generation is a seeded function of its own (no fast-check): one seed is one scenario, so a
 * crash is reported and kept (fuzz-crashes.json) as the scenario's JSON, and 100,000 cases
 * cost generation time only. It covers every op, feature, kernel release and driver design
 * (as `kernel`, `driver` or both), fault, VMs and
 * guest ops, every kind of schedule entry, hostile names (`constructor`, `__proto__`, `g:app`,
 * names that look like separators or JSON) and sizes at the limits (2^36-page VMAs, the most
 * populated pages, thousands of ops), the rare big ones rarely.
 * Imported only by tests.
 */
import { exploreScenario } from "../explorer/explore.ts";
import { toTraceJson } from "../kernel/report.ts";
import { runScenario, ScheduleError } from "../kernel/run.ts";
import { FAULT_NAMES } from "./faults.ts";
import type { JsonObject, JsonValue } from "./json-form.ts";
import { SCENARIO_LIMITS, STREAM_TABLE_LOG2SIZE } from "./limits.ts";
import { designOf, hasNesting, RELEASES } from "./releases.ts";
import { parseScenario } from "./schema.ts";
import { DRIVER_DESIGNS, GUEST_CMDS, type Scenario, SMMU_FEATURES } from "./types.ts";
import { decodeScenarioUrl, encodeScenarioUrl } from "./url.ts";

/** mulberry32: a small seeded generator (the same sequence in every engine). */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!;
  const chance = (p: number): boolean => next() < p;
  return { next, int, pick, chance };
}
type Rng = ReturnType<typeof rng>;

/** Names a user may give: prototype keys, separators, JSON-looking, long, non-Latin. */
export const HOSTILE_NAMES = [
  "constructor",
  "__proto__",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "prototype",
  "g:app",
  "a:b:c",
  "vm.0",
  "x.CMDQ",
  ":",
  "[x",
  '["a","b"]',
  "sva:app",
  "mm:app",
  "dma:gpu0",
  "mmap_lock",
  "T0:op",
  "smmu",
  "srcu",
  "iopf",
  "0",
  "1",
  "-1",
  " ",
  "<b>x</b>",
  "&amp;",
  "%20",
  "名前",
  "😀",
  "x".repeat(SCENARIO_LIMITS.string),
] as const;

/** Thread names cannot be "smmu", "srcu", "iopf" or hold ':' (the schedule's syntax). */
const threadNameOk = (n: string): boolean => !n.includes(":") && n !== "smmu" && n !== "srcu" && n !== "iopf";

function names(r: Rng, n: number, prefix: string, ok: (s: string) => boolean = () => true): string[] {
  const out = new Set<string>();
  while (out.size < n) {
    const hostile = r.chance(0.3) ? r.pick(HOSTILE_NAMES) : undefined;
    out.add(hostile !== undefined && ok(hostile) ? hostile : `${prefix}${out.size}`);
  }
  return [...out];
}

const hex = (n: number): JsonValue => `0x${n.toString(16)}`;
const addr = (r: Rng, n: number): JsonValue => (r.chance(0.5) ? hex(n) : n);
const PAGE = 4096;

interface Proc {
  readonly name: string;
  readonly vm?: string;
  /** VMA slots: [start page, pages]. */
  readonly vmas: [number, number][];
}

/** VMAs, each in its own 1 GiB slot; now and then one of 2^36 pages or a big populated one. */
function vmasFor(
  r: Rng,
  budget: { populated: number },
  guest: boolean,
): { json: JsonObject[]; spans: [number, number][] } {
  const json: JsonObject[] = [];
  const spans: [number, number][] = [];
  const n = r.int(0, 3);
  for (let i = 0; i < n; i++) {
    if (!guest && i === 0 && r.chance(0.02)) {
      // The whole 48-bit space but its first page (a huge unpopulated VMA).
      const pages = 2 ** 36 - 1;
      json.push({ start: hex(PAGE), pages, prot: r.pick(["r", "rw", "none"]) });
      spans.push([1, pages]);
      return { json, spans };
    }
    const startPage = (i + 1) * 2 ** 18 + r.int(0, 511);
    // Rare (each costs ~1 s to run and explore): up to the populated-pages limit.
    const big =
      !guest && r.chance(0.0002) ? Math.min(budget.populated, r.int(1, SCENARIO_LIMITS.populatedPages)) : 0;
    const pages = big || (guest ? r.int(1, 8) : r.int(1, 64));
    const populate = big > 0 || (r.chance(0.5) && budget.populated >= pages);
    if (populate) budget.populated -= pages;
    const vma: JsonObject = { start: addr(r, startPage * PAGE), pages };
    if (r.chance(0.6)) vma.prot = r.pick(["r", "rw", "none"]);
    if (populate || r.chance(0.3)) vma.populate = populate;
    json.push(vma);
    spans.push([startPage, pages]);
  }
  return { json, spans };
}

/** A VA in or near one of the process's VMAs (or anywhere, now and then). */
function vaFor(r: Rng, p: Proc): number {
  if (p.vmas.length === 0 || r.chance(0.1))
    return r.int(0, 2 ** 32) * PAGE + (r.chance(0.2) ? r.int(0, 4095) : 0);
  const [start, pages] = r.pick(p.vmas);
  return (start + r.int(0, Math.min(pages, 2 ** 20))) * PAGE;
}

function rangeFor(r: Rng, p: Proc): { start: number; pages: number } {
  if (p.vmas.length > 0 && r.chance(0.8)) {
    const [start, pages] = r.pick(p.vmas);
    const from = start + r.int(0, Math.min(pages - 1, 64));
    const max = start + pages - from;
    return { start: from * PAGE, pages: r.chance(0.1) ? max : r.int(1, Math.min(max, 64)) };
  }
  if (r.chance(0.05)) return { start: 0, pages: 2 ** 36 };
  return { start: r.int(0, 2 ** 24) * PAGE, pages: r.int(1, 1024) };
}

function hostOp(r: Rng, procs: readonly Proc[], devices: readonly string[]): JsonObject {
  const p = r.pick(procs);
  const process = p.name;
  const device = devices.length > 0 ? r.pick(devices) : undefined;
  const kinds = [
    "mmap",
    "touch",
    "munmap",
    "mprotect",
    "exit",
    ...(device ? ["bind", "unbind", "dma", "dma"] : []),
  ];
  switch (r.pick(kinds)) {
    case "bind":
      return { op: "bind", process, device: device! };
    case "unbind":
      return { op: "unbind", process, device: device! };
    case "dma": {
      const op: JsonObject = {
        op: "dma",
        device: device!,
        process,
        va: addr(r, vaFor(r, p)),
        access: r.pick(["read", "write"]),
      };
      if (r.chance(0.1)) op.pasid = r.chance(0.5) ? r.int(0, 4) : r.int(0, 2 ** 20 - 1);
      return op;
    }
    case "mmap": {
      const { start, pages } = rangeFor(r, p);
      return {
        op: "mmap",
        process,
        start: addr(r, start),
        pages,
        ...(r.chance(0.7) ? { prot: r.pick(["r", "rw", "none"]) } : {}),
      };
    }
    case "touch":
      return { op: "touch", process, va: addr(r, vaFor(r, p)), access: r.pick(["read", "write"]) };
    case "munmap": {
      const { start, pages } = rangeFor(r, p);
      return { op: "munmap", process, start: addr(r, start), pages };
    }
    case "mprotect": {
      const { start, pages } = rangeFor(r, p);
      return { op: "mprotect", process, start: addr(r, start), pages, prot: r.pick(["r", "rw", "none"]) };
    }
    default:
      return { op: "exit", process };
  }
}

function guestOp(r: Rng, p: Proc, devices: readonly string[]): JsonObject {
  const process = p.name;
  const device = r.pick(devices);
  switch (
    r.pick(["bind", "bind", "unbind", "dma", "dma", "touch", "munmap", "exit", "guest-cmd", "guest-cmd"])
  ) {
    case "bind":
      return { op: "bind", process, device };
    case "unbind":
      return { op: "unbind", process, device };
    case "dma":
      return { op: "dma", device, process, va: addr(r, vaFor(r, p)), access: r.pick(["read", "write"]) };
    case "touch":
      return { op: "touch", process, va: addr(r, vaFor(r, p)), access: r.pick(["read", "write"]) };
    case "munmap": {
      const { start, pages } = rangeFor(r, p);
      return { op: "munmap", process, start: addr(r, start), pages };
    }
    case "guest-cmd": {
      const cmd = r.chance(0.5)
        ? r.pick(GUEST_CMDS)
        : Array.from({ length: r.int(1, r.chance(0.05) ? 64 : 4) }, () => r.pick(GUEST_CMDS));
      const op: JsonObject = { op: "guest-cmd", process, cmd };
      if (r.chance(0.5)) op.device = device;
      if (r.chance(0.5)) op.va = addr(r, vaFor(r, p));
      return op;
    }
    default:
      return { op: "exit", process };
  }
}

/**
 * A schedule that mostly replays: each thread's ops as "T:op" entries (in order, threads
 * interleaved at random), cut short at random, with now and then a single step ("T") or
 * another actor ("smmu", "srcu", "iopf"), which may not be able to step: that is the intended
 * error of an impossible schedule.
 */
function scheduleFor(r: Rng, threads: readonly { name: string; ops: readonly unknown[] }[]): JsonValue[] {
  const left = threads.map((t) => t.ops.length);
  const out: JsonValue[] = [];
  const length = r.int(0, 24);
  while (out.length < length) {
    if (r.chance(0.05)) {
      out.push(r.pick(["smmu", "srcu", "iopf"]));
      continue;
    }
    const ready = threads.flatMap((_t, i) => (left[i]! > 0 ? [i] : []));
    if (ready.length === 0) break;
    const i = r.pick(ready);
    const name = threads[i]!.name;
    if (r.chance(0.15) || name.length + 3 > SCENARIO_LIMITS.string) out.push(name);
    else {
      out.push(`${name}:op`);
      left[i]! -= 1;
    }
  }
  return out;
}

/** One random valid scenario in its JSON form (the validator may still refuse a rare one). */
export function generateScenario(seed: number): JsonObject {
  const r = rng(seed);
  const features = SMMU_FEATURES.filter(() => r.chance(0.4));
  const withVm = r.chance(0.2);
  if (withVm && !features.includes("nested")) features.push("nested");
  const streamTable = r.pick(["linear", "2lvl"] as const);
  const smmu: JsonObject = { features };
  if (r.chance(0.3)) smmu.asidBits = r.pick([8, 16]);
  if (r.chance(0.3)) smmu.ssidBits = r.int(0, 20);
  if (r.chance(0.3)) smmu.cmdqEntries = 2 ** r.int(withVm ? 6 : 1, r.chance(0.01) ? 19 : 10);
  if (streamTable !== "linear" || r.chance(0.3)) smmu.streamTable = streamTable;
  if (r.chance(0.4)) smmu.cdTable = r.pick(["linear", "2lvl"]);

  const maxSid = 2 ** STREAM_TABLE_LOG2SIZE[streamTable] - 1;
  const deviceNames = names(r, r.int(withVm ? 1 : 0, r.chance(0.02) ? SCENARIO_LIMITS.devices : 4), "dev");
  const sids = new Set<number>();
  const devices = deviceNames.map((name): JsonObject => {
    let sid = r.chance(0.2) ? maxSid : r.int(0, Math.min(maxSid, 300));
    while (sids.has(sid)) sid = (sid + 1) % (maxSid + 1);
    sids.add(sid);
    const d: JsonObject = { name, sid };
    if (r.chance(0.6)) d.ats = r.chance(0.6);
    if (r.chance(0.4)) d.pri = r.chance(0.5);
    if (r.chance(0.2)) d.pasidBits = r.int(0, 20);
    return d;
  });

  // VMs take the first devices; the others stay with the host.
  const vms: JsonObject[] = [];
  const vmDevices = new Map<string, string[]>();
  const hostDevices: string[] = [...deviceNames];
  if (withVm) {
    const vmNames = names(r, r.int(1, Math.min(2, deviceNames.length)), "vm");
    for (const vm of vmNames) {
      const own = hostDevices.splice(0, r.int(1, Math.max(1, hostDevices.length - vmNames.length + 1)));
      if (own.length === 0) break;
      vmDevices.set(vm, own);
      const vsids = new Set<number>();
      const devs = own.map((device) => {
        let vsid = r.int(0, 63);
        while (vsids.has(vsid)) vsid = (vsid + 1) % 64;
        vsids.add(vsid);
        return { device, vsid };
      });
      // Guest RAM for its devices' CD tables and DMA domains and a few processes' small VMAs
      // (the check refuses less); all of it now and then (a big world: slow to explore).
      const need = 2 + own.length * 21 + 4 * 45;
      vms.push({
        name: vm,
        devices: devs,
        pages: r.chance(0.01) ? 4096 : Math.min(4096, r.int(need, need + 64)),
      });
    }
  }

  const budget = { populated: SCENARIO_LIMITS.populatedPages };
  const procNames = names(r, r.int(1, r.chance(0.02) ? 64 : 4), "p");
  const procs: Proc[] = [];
  const processes = procNames.map((name): JsonObject => {
    const vm = vms.length > 0 && r.chance(0.6) ? (r.pick(vms).name as string) : undefined;
    const { json, spans } = vmasFor(r, budget, vm !== undefined);
    procs.push({ name, vmas: spans, ...(vm === undefined ? {} : { vm }) });
    const p: JsonObject = { name };
    if (json.length > 0 || r.chance(0.5)) p.vmas = json;
    if (r.chance(0.1)) p.asid = r.int(1, 2 ** 16 - 1);
    if (vm !== undefined) p.vm = vm;
    return p;
  });

  const threadNames = names(r, r.int(1, r.chance(0.02) ? 16 : 3), "T", threadNameOk);
  const many = r.chance(0.001) ? r.int(1000, 3000) : 0;
  const threads = threadNames.map((name) => ({
    name,
    ops: Array.from({ length: many || r.int(0, 6) }, () => {
      const p = r.pick(procs);
      if (p.vm !== undefined) return guestOp(r, p, vmDevices.get(p.vm)!);
      const host = procs.filter((x) => x.vm === undefined);
      return hostOp(r, host, hostDevices);
    }),
  }));

  // The release modelled: named by `kernel` (any release, one that nests VMs when there are
  // some), by `driver` alone (files and links made before releases were modelled), or by both
  // (the release's own design).
  const nests = vms.length > 0;
  const kernel = r.pick(nests ? RELEASES.filter(hasNesting) : RELEASES);
  const release: JsonObject = r.chance(0.4)
    ? { driver: nests ? r.pick(["sva-domain"]) : r.pick(DRIVER_DESIGNS) }
    : r.chance(0.8)
      ? { kernel }
      : { kernel, driver: designOf(kernel) };
  const json: JsonObject = {
    format: "sva-lab/1",
    title: r.chance(0.1) ? r.pick(HOSTILE_NAMES) : `fuzz ${seed}`,
    ...release,
    devices,
    processes,
    threads,
  };
  if (r.chance(0.4)) json.faults = FAULT_NAMES.filter(() => r.chance(0.15));
  if (features.length > 0 || streamTable !== "linear" || r.chance(0.3)) json.smmu = smmu;
  if (vms.length > 0) json.vms = vms;
  if (r.chance(0.1)) json.pasidBase = r.chance(0.5) ? r.int(1, 4096) : r.int(1, 2 ** 20 - 1);
  if (r.chance(0.2)) json.description = r.pick(HOSTILE_NAMES);
  if (r.chance(0.5)) json.schedule = scheduleFor(r, threads);
  return json;
}

export type CaseOutcome =
  /** The validator refused it (rare: a generated combination it rules out), with its message. */
  | { readonly kind: "refused"; readonly error: string }
  | {
      readonly kind: "ran";
      /** The runner stopped it with the intended error (an impossible schedule, the step limit). */
      readonly stopped?: string;
      readonly stateHash?: string;
      readonly steps?: number;
      readonly explored: boolean;
      /** The link would be too long (the intended RangeError of encodeScenarioUrl). */
      readonly tooLongForLink: boolean;
    };

const EXPLORE_STATES = 8;

/**
 * Validates, runs, explores (a few states) and round-trips a scenario through its link. Any
 * exception other than the intended ones (ScheduleError, the link's RangeError) escapes:
 * that is a crash.
 */
export function runCase(json: JsonValue, opts: { explore?: boolean; link?: boolean } = {}): CaseOutcome {
  const parsed = parseScenario(json);
  if (!parsed.ok) return { kind: "refused", error: parsed.error };
  const s: Scenario = parsed.value;
  let stopped: string | undefined;
  let stateHash: string | undefined;
  let steps: number | undefined;
  try {
    const result = runScenario(s);
    const trace = toTraceJson(result);
    JSON.stringify(trace);
    stateHash = trace.stateHash;
    steps = trace.steps.length;
  } catch (e) {
    if (!(e instanceof ScheduleError)) throw e;
    stopped = e.message;
  }
  let explored = false;
  if (opts.explore !== false) {
    try {
      exploreScenario(s, { maxStates: EXPLORE_STATES });
      explored = true;
    } catch (e) {
      if (!(e instanceof ScheduleError)) throw e;
    }
  }
  let tooLongForLink = false;
  if (opts.link !== false) {
    try {
      const url = encodeScenarioUrl(s);
      const back = decodeScenarioUrl(url);
      if (!back.ok) throw new Error(`its own link does not open: ${back.error}`);
      if (JSON.stringify(back.value.scenario) !== JSON.stringify(s))
        throw new Error("its link opens a different scenario");
    } catch (e) {
      if (!(e instanceof RangeError && /too large for a link/.test(e.message))) throw e;
      tooLongForLink = true;
    }
  }
  return {
    kind: "ran",
    ...(stopped ? { stopped } : {}),
    ...(stateHash ? { stateHash, steps } : {}),
    explored,
    tooLongForLink,
  };
}

export interface FuzzCounts {
  generated: number;
  valid: number;
  run: number;
  explored: number;
  refused: number;
  stopped: number;
  tooLongForLink: number;
  crashed: number;
}

export interface Crash {
  readonly seed: number;
  readonly error: string;
  readonly scenario: JsonObject;
}

/** Runs seeds [from, from + n): the counts, and each crash with its scenario. */
export function fuzz(from: number, n: number): { counts: FuzzCounts; crashes: Crash[] } {
  const counts: FuzzCounts = {
    generated: 0,
    valid: 0,
    run: 0,
    explored: 0,
    refused: 0,
    stopped: 0,
    tooLongForLink: 0,
    crashed: 0,
  };
  const crashes: Crash[] = [];
  for (let seed = from; seed < from + n; seed++) {
    const scenario = generateScenario(seed);
    counts.generated++;
    try {
      // The link codec has its own fuzzers: here one case in eight goes through a link.
      const out = runCase(scenario, { link: seed % 8 === 0 });
      if (out.kind === "refused") {
        counts.refused++;
        continue;
      }
      counts.valid++;
      if (out.stopped) counts.stopped++;
      else counts.run++;
      if (out.explored) counts.explored++;
      if (out.tooLongForLink) counts.tooLongForLink++;
    } catch (e) {
      counts.crashed++;
      const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      crashes.push({ seed, error, scenario });
    }
  }
  return { counts, crashes };
}
