/**
 * View model of the swimlane timeline: one lane per thread, then the SMMU, SRCU and each
 * device; each step a box in its actor's lane (a thread's DMA also in the device's lane); the
 * spans where a thread could not step, read from the snapshot before each step; the steps
 * where an invariant broke.
 *
 * x is measured in steps: step i occupies [i, i + 1), and cursor c sits at the boundary x = c
 * (the world shown is the one after c steps).
 */

import { type DmaOutcome, decodeCmd, type TraceEvent } from "../engine/index.ts";
import { actorsAt, type RunResult, SMMU, SRCU, type StepRecord } from "../kernel/index.ts";
import type { Scenario } from "../scenario/index.ts";
import { explanationText } from "./safeguards.ts";

/** "kernel": another kernel actor the model has (the I/O page fault handler, …). */
export type LaneKind = "thread" | "smmu" | "srcu" | "kernel" | "device";

export interface Lane {
  readonly id: string;
  readonly name: string;
  readonly kind: LaneKind;
}

export interface StepBox {
  /** Stable across runs of the same scenario: lane and step. */
  readonly id: string;
  readonly step: number;
  readonly lane: string;
  readonly kind: LaneKind;
  readonly actor: string;
  /** The kernel function (or, in a device lane, what the device did). */
  readonly fn: string;
  /** What the box says when there is room: the function, or the command the SMMU consumed. */
  readonly label: string;
  readonly title: string;
  readonly violation: boolean;
}

export interface BlockedSpan {
  readonly id: string;
  readonly lane: string;
  /** Blocked while steps from..to-1 were taken. */
  readonly from: number;
  readonly to: number;
  readonly why: string;
}

export interface ViolationMark {
  readonly step: number;
  readonly kinds: readonly string[];
  readonly text: string;
}

export interface SwimlaneVm {
  readonly lanes: readonly Lane[];
  readonly boxes: readonly StepBox[];
  readonly blocked: readonly BlockedSpan[];
  readonly violations: readonly ViolationMark[];
  /** Steps in the run: the x domain is [0, total]. */
  readonly total: number;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

function dmaOf(events: readonly TraceEvent[]): DmaOutcome | null {
  for (const e of events) if (e.type === "dev.dma") return e.dma;
  return null;
}

function dmaText(d: DmaOutcome): string {
  const where = d.result === "ok" ? ` via ${d.via ?? "?"}${d.pa === undefined ? "" : ` → ${hex(d.pa)}`}` : "";
  return `${d.device} ${d.access} ${hex(d.va)} PASID ${d.pasid ?? "none"}: ${d.result}${where}${d.fault ? ` (${d.fault})` : ""}${d.stale ? ", STALE" : ""}`;
}

/**
 * Consecutive steps with the same reason make one span. Whether a thread is blocked at
 * boundary i (after i steps) is what step i-1 recorded (`StepRecord.blocked`); nothing is
 * blocked at boot. No world is read: this works the same on a run that keeps checkpoints only.
 */
function sameBlocked(a: StepRecord["blocked"], b: StepRecord["blocked"]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++)
    if (a[i]!.thread !== b[i]!.thread || a[i]!.why !== b[i]!.why) return false;
  return true;
}

function* blockedSpans(
  result: RunResult,
  threads: readonly string[],
  every: number,
): Generator<void, BlockedSpan[]> {
  const spans: BlockedSpan[] = [];
  const total = result.steps.length;
  const open = new Map<string, { from: number; why: string }>();
  const close = (name: string, to: number): void => {
    const o = open.get(name);
    if (!o) return;
    if (to > o.from) spans.push({ id: `${name}:${o.from}`, lane: name, from: o.from, to, why: o.why });
    open.delete(name);
  };
  const known = new Set(threads);
  // One map, emptied at each step; and a step blocking the same threads for the same reasons
  // as the one before changes no span (the large scenario's 64 threads wait at most steps).
  const now = new Map<string, string>();
  let before: StepRecord["blocked"] = [];
  for (let i = 1; i <= total; i++) {
    if (i % every === 0) yield;
    const blocked = result.steps[i - 1]!.blocked;
    if (sameBlocked(blocked, before)) continue;
    before = blocked;
    now.clear();
    for (const b of blocked) if (known.has(b.thread)) now.set(b.thread, b.why || "blocked");
    // (A Map may lose the entry being visited: no copy of it per step.)
    for (const [name, o] of open) if (now.get(name) !== o.why) close(name, i);
    for (const [name, why] of now) if (!open.has(name)) open.set(name, { from: i, why });
  }
  // Still blocked when nothing could step (a deadlock): the span runs to the end.
  for (const name of [...open.keys()]) close(name, total);
  // In lane order, then time, as the spans of each thread were listed before.
  const order = new Map(threads.map((t, i) => [t, i]));
  return spans.sort((a, b) => (order.get(a.lane) ?? 0) - (order.get(b.lane) ?? 0) || a.from - b.from);
}

const kindOf = (actor: string): LaneKind => (actor === SMMU ? "smmu" : actor === SRCU ? "srcu" : "kernel");

/** The command an SMMU step consumed ("CMD_SYNC"), if any. */
function consumed(events: readonly TraceEvent[]): string | null {
  for (const e of events) if (e.type === "smmu.cmd.consume") return decodeCmd(e.words).op;
  return null;
}

/** A step's violations, as the boxes' titles list them. */
type Bad = { readonly kinds: string[]; readonly text: string[] } | undefined;

const warning = (bad: Bad): string => (bad ? `\n⚠ ${bad.text.join("\n⚠ ")}` : "");

/**
 * A step's box in its actor's lane. Its id, label and title are made when read: the chart of
 * a long run draws only the boxes in view, and making 16,000 titles (and decoding every
 * consumed command) was most of the view model's time on the large scenario.
 */
class ActorBox implements StepBox {
  readonly step: number;
  readonly lane: string;
  readonly actor: string;
  readonly fn: string;
  readonly violation: boolean;
  private cmd: string | null | undefined;

  constructor(
    private readonly s: StepRecord,
    readonly kind: LaneKind,
    private readonly bad: Bad,
  ) {
    this.step = s.index;
    this.lane = s.actor;
    this.actor = s.actor;
    this.fn = s.fn;
    this.violation = bad !== undefined;
  }

  get id(): string {
    return `${this.actor}:${this.step}`;
  }

  /** The command an SMMU step consumed. */
  private consumed(): string | null {
    if (this.cmd === undefined) this.cmd = this.actor === SMMU ? consumed(this.s.events) : null;
    return this.cmd;
  }

  get label(): string {
    return this.consumed() ?? this.fn;
  }

  get title(): string {
    const cmd = this.consumed();
    const s = this.s;
    return `Step ${s.index + 1} · ${s.actor} · ${s.fn}${cmd ? ` (${cmd})` : ""}\n${s.text}${warning(this.bad)}`;
  }
}

/** The box of a thread's DMA in the device's lane. */
class DmaBox implements StepBox {
  readonly kind = "device" as const;
  readonly step: number;
  readonly lane: string;
  readonly actor: string;
  readonly fn: string;
  readonly violation: boolean;

  constructor(
    s: StepRecord,
    private readonly dma: DmaOutcome,
    private readonly bad: Bad,
  ) {
    this.step = s.index;
    this.lane = `dev:${dma.device}`;
    this.actor = s.actor;
    this.fn = `${dma.access} ${hex(dma.va)}`;
    this.violation = bad !== undefined;
  }

  get id(): string {
    return `dev:${this.dma.device}:${this.step}`;
  }

  get label(): string {
    return this.fn;
  }

  get title(): string {
    return `Step ${this.step + 1} · ${this.dma.device} (DMA issued by ${this.actor})\n${dmaText(this.dma)}${warning(this.bad)}`;
  }
}

export function swimlaneVm(scenario: Scenario, result: RunResult): SwimlaneVm {
  const made = swimlaneSlices(scenario, result, Number.POSITIVE_INFINITY);
  for (;;) {
    const r = made.next();
    if (r.done) return r.value;
  }
}

/**
 * `swimlaneVm`, pausing after every `every` steps (twice over the run: the boxes, then the
 * blocked spans), so that the page can make a long run's in slices of idle time.
 */
export function* swimlaneSlices(
  scenario: Scenario,
  result: RunResult,
  every: number,
): Generator<void, SwimlaneVm> {
  const threads = scenario.threads.map((t) => t.name);
  // The other actors in the model's own order (smmu, srcu, …), then any only the steps name.
  const others = actorsAt(result, 0)
    .map((a) => a.name)
    .filter((n) => !threads.includes(n));
  // Sets: the large scenario has 64 threads and ~16,000 steps.
  const isThread = new Set(threads);
  const seen = new Set(others);
  for (const n of [SMMU, SRCU, ...result.steps.map((s) => s.actor)])
    if (!isThread.has(n) && !seen.has(n)) {
      seen.add(n);
      others.push(n);
    }
  const lanes: Lane[] = [
    ...threads.map((name) => ({ id: name, name, kind: "thread" as const })),
    ...others.map((name) => ({ id: name, name, kind: kindOf(name) })),
    ...scenario.devices.map((d) => ({ id: `dev:${d.name}`, name: d.name, kind: "device" as const })),
  ];
  const total = result.steps.length;
  const byStep = new Map<number, { kinds: string[]; text: string[] }>();
  for (const v of result.violations) {
    const step = Math.max(0, Math.min(total - 1, v.step));
    const m = byStep.get(step) ?? { kinds: [], text: [] };
    if (!m.kinds.includes(v.kind)) m.kinds.push(v.kind);
    // With safeguards switched off, which one would have prevented it.
    const why = explanationText(scenario.faults, v.kind);
    m.text.push(`${v.kind}: ${v.text}${why ? `\n   ${why}` : ""}`);
    byStep.set(step, m);
  }

  const boxes: StepBox[] = [];
  for (const s of result.steps) {
    if (s.index % every === every - 1) yield;
    const bad = byStep.get(s.index);
    const kind: LaneKind = isThread.has(s.actor) ? "thread" : kindOf(s.actor);
    boxes.push(new ActorBox(s, kind, bad));
    const dma = dmaOf(s.events);
    if (dma) boxes.push(new DmaBox(s, dma, bad));
  }

  const violations = [...byStep.entries()]
    .sort(([a], [b]) => a - b)
    .map(([step, m]) => ({ step, kinds: m.kinds, text: m.text.join("\n") }));
  const blocked = yield* blockedSpans(result, threads, every);
  return { lanes, boxes, blocked, violations, total };
}

/**
 * A kernel function's name shortened to `chars` characters: the driver's prefixes go first
 * (`arm_smmu_`, `iommu_`, leading underscores), then the tail is cut with "…".
 */
export function abbreviate(fn: string, chars: number): string {
  if (chars <= 0) return "";
  if (fn.length <= chars) return fn;
  const short = fn.replace(/^(arm_smmu_|iommu_|__+)/, "").replace(/^mutex_(un)?lock\(&(\w+)\)$/, "$1lock $2");
  if (short.length <= chars) return short;
  return chars === 1 ? short[0]! : `${short.slice(0, chars - 1)}…`;
}
