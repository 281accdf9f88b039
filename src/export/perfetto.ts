/**
 * A run as a Chrome trace-event JSON file (`sva-lab run --format perfetto`, the page's
 * "Export Perfetto"), which Perfetto's UI (ui.perfetto.dev, "Open trace file") and
 * chrome://tracing open. Format: "Trace Event Format", the JSON Object Format with
 * `traceEvents`; docs/cli.md says what is in it.
 *
 * One process ("SVA Lab"), one track (tid) per thread, then the SMMU, the IRQ threads and SRCU
 * when they step, then one per device. A micro-step takes 1 µs of trace time (step k starts at
 * k µs): the trace orders steps, it does not time them.
 *   - thread tracks: a slice per op ("unbind app"), inside it a slice per called kernel
 *     function that has steps of its own (exit_mmap, arm_smmu_mm_release…), inside those a slice
 *     per micro-step named after its function, nested by call frame ("X" complete events);
 *   - the SMMU's track: a slice per command consumed, named after the command;
 *   - device tracks: a slice per DMA (its result and how it was translated);
 *   - each command is a flow ("s" → "f") from the step that queued it to the SMMU's step that
 *     consumed it;
 *   - each violation is an instant event ("i") on the track of the actor whose step broke it.
 * Events are sorted by time (and the longer slice first), so every track's times only grow.
 */
import { hex } from "../engine/bits.ts";
import { decodeCmd } from "../engine/commands.ts";
import type { RunResult, StepRecord } from "../kernel/run.ts";
import type { Op, Scenario } from "../scenario/types.ts";
import { replay } from "./replay.ts";

export interface TraceEvent {
  readonly name: string;
  readonly ph: "X" | "i" | "s" | "f" | "M";
  readonly pid: number;
  readonly tid: number;
  readonly ts?: number;
  readonly dur?: number;
  readonly cat?: string;
  readonly id?: number;
  readonly bp?: "e";
  readonly s?: "t" | "p" | "g";
  readonly args?: Record<string, unknown>;
}

export interface PerfettoTrace {
  readonly traceEvents: TraceEvent[];
  readonly displayTimeUnit: "ns";
  readonly metadata: Record<string, unknown>;
}

const PID = 1;
/** Trace time per micro-step, in µs. */
const STEP_US = 1;

/**
 * A called program's slice name: its kernel function ("mm:exit_mmap" → exit_mmap). The driver
 * interface's generic entries ("drv:release") take the name of the design's function in it:
 * the first of its steps that is a plain function name (not `mutex_lock(&sva_lock)`).
 */
function frameName(program: string, fns: readonly string[]): string {
  const name = program.slice(program.indexOf(":") + 1);
  if (name !== "release" && name !== "invalidate") return name;
  return fns.find((f) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(f)) ?? fns[0] ?? name;
}

function opName(op: Op | undefined): string {
  if (!op) return "op";
  const bits: string[] = [op.op];
  if ("process" in op && op.process) bits.push(op.process);
  if ("device" in op && op.device && op.op !== "dma") bits.push(op.device);
  if (op.op === "dma") bits.push(op.access);
  return bits.join(" ");
}

interface Open {
  readonly key: string;
  /** The op's name, or the called program's (named when it closes, from its steps' functions). */
  readonly name: string;
  readonly program?: string;
  readonly fns: string[];
  readonly start: number;
  end: number;
  readonly args?: Record<string, unknown>;
}

/** Chrome trace-event JSON of a run. */
export function perfettoTrace(scenario: Scenario, r: RunResult): PerfettoTrace {
  const steps = r.steps;
  const frames = replay(
    scenario,
    steps.map((s) => s.actor),
  ).map((x) => x.frames);
  const threadNames = scenario.threads.map((t) => t.name);
  const others = ["smmu", "iopf", "srcu"].filter((a) => steps.some((s) => s.actor === a));
  const extra = [...new Set(steps.map((s) => s.actor))].filter(
    (a) => !threadNames.includes(a) && !others.includes(a),
  );
  const tracks = [...threadNames, ...others, ...extra];
  const devices = scenario.devices.map((d) => d.name);
  const tid = new Map<string, number>(tracks.map((n, i) => [n, i + 1]));
  const deviceTid = new Map<string, number>(devices.map((n, i) => [n, tracks.length + i + 1]));
  const events: TraceEvent[] = [];

  events.push({
    name: "process_name",
    ph: "M",
    pid: PID,
    tid: 0,
    args: { name: `SVA Lab: ${scenario.title}` },
  });
  const trackNames: [string, number][] = [
    ...tracks.map((n): [string, number] => [threadNames.includes(n) ? `thread ${n}` : n, tid.get(n)!]),
    ...devices.map((n): [string, number] => [`device ${n}`, deviceTid.get(n)!]),
  ];
  for (const [name, t] of trackNames) {
    events.push({ name: "thread_name", ph: "M", pid: PID, tid: t, args: { name } });
    events.push({ name: "thread_sort_index", ph: "M", pid: PID, tid: t, args: { sort_index: t } });
  }

  const slice = (
    t: number,
    name: string,
    start: number,
    end: number,
    args?: Record<string, unknown>,
  ): void => {
    events.push({
      name,
      ph: "X",
      cat: "sva",
      pid: PID,
      tid: t,
      ts: start * STEP_US,
      dur: (end - start) * STEP_US,
      ...(args ? { args } : {}),
    });
  };

  // Thread tracks: ops, then called functions, then micro-steps, nested.
  for (const thread of scenario.threads) {
    const t = tid.get(thread.name)!;
    const open: Open[] = [];
    const close = (depth: number): void => {
      while (open.length > depth) {
        const o = open.pop()!;
        slice(t, o.program ? frameName(o.program, o.fns) : o.name, o.start, o.end, o.args);
      }
    };
    for (const s of steps) {
      if (s.actor !== thread.name) continue;
      const stack = frames[s.index] ?? [];
      const keys = stack.map((p, d) => (d === 0 ? `${p}#${s.opIndex}` : p));
      let same = 0;
      while (same < open.length && same < keys.length && open[same]!.key === keys[same]) same++;
      close(same);
      for (let d = same; d < keys.length; d++) {
        open.push({
          key: keys[d]!,
          name: d === 0 ? opName(thread.ops[s.opIndex ?? -1]) : "",
          ...(d === 0 ? {} : { program: stack[d]! }),
          fns: [],
          start: s.index,
          end: s.index + 1,
          ...(d === 0 ? { args: { op: s.opIndex } } : {}),
        });
      }
      for (const o of open) {
        o.end = s.index + 1;
        o.fns.push(s.fn);
      }
      slice(t, s.fn, s.index, s.index + 1, { step: s.index, text: s.text });
    }
    close(0);
  }

  // The other actors, the devices, the command flows.
  let flow = 0;
  const queued = new Map<number, { id: number; step: StepRecord }>();
  for (const s of steps) {
    const t = tid.get(s.actor)!;
    if (!threadNames.includes(s.actor)) {
      const consumed = s.events.find((e) => e.type === "smmu.cmd.consume");
      const name = consumed && consumed.type === "smmu.cmd.consume" ? decodeCmd(consumed.words).op : s.fn;
      slice(t, name, s.index, s.index + 1, { step: s.index, fn: s.fn, text: s.text });
    }
    for (const e of s.events) {
      if (e.type === "cmdq.insert") {
        const id = ++flow;
        queued.set(e.seq, { id, step: s });
        events.push({
          name: decodeCmd(e.words).op,
          ph: "s",
          cat: "cmdq",
          id,
          pid: PID,
          tid: t,
          ts: s.index * STEP_US + STEP_US / 2,
        });
      } else if (e.type === "smmu.cmd.consume") {
        const q = queued.get(e.seq);
        if (!q) continue;
        queued.delete(e.seq);
        events.push({
          name: decodeCmd(e.words).op,
          ph: "f",
          bp: "e",
          cat: "cmdq",
          id: q.id,
          pid: PID,
          tid: t,
          ts: s.index * STEP_US + STEP_US / 2,
        });
      } else if (e.type === "dev.dma") {
        const d = e.dma;
        const dt = deviceTid.get(d.device);
        if (dt === undefined) continue;
        slice(dt, `dma ${d.access} ${d.result}${d.via ? ` (${d.via})` : ""}`, s.index, s.index + 1, {
          step: s.index,
          pasid: d.pasid,
          va: hex(d.va),
          ...(d.pa !== undefined ? { pa: hex(d.pa) } : {}),
          stale: d.stale,
        });
      }
    }
  }
  // A command queued and never consumed has no end: its flow start goes.
  const unfinished = new Set([...queued.values()].map((q) => q.id));

  for (const v of r.violations) {
    const at = steps[Math.min(Math.max(v.step, 0), steps.length - 1)];
    events.push({
      name: v.kind,
      ph: "i",
      s: "t",
      cat: "violation",
      pid: PID,
      tid: at ? tid.get(at.actor)! : 1,
      ts: (at ? at.index : 0) * STEP_US + STEP_US / 2,
      args: { step: v.step, text: v.text },
    });
  }

  const sorted = events
    .filter((e) => !(e.ph === "s" && e.id !== undefined && unfinished.has(e.id)))
    .sort((a, b) => (a.ts ?? -1) - (b.ts ?? -1) || (b.dur ?? 0) - (a.dur ?? 0));
  return {
    traceEvents: sorted,
    displayTimeUnit: "ns",
    metadata: {
      "sva-lab": {
        kernel: scenario.kernel,
        driver: scenario.driver,
        faults: scenario.faults,
        steps: steps.length,
      },
    },
  };
}
