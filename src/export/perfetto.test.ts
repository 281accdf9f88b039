import { beforeAll, describe, expect, it } from "vitest";
import { perfettoTrace, type TraceEvent } from "./perfetto.ts";
import { type Race, raceLessons } from "./race-fixtures.testkit.ts";

let races: Race[] = [];
beforeAll(() => {
  races = raceLessons();
}, 60_000);

/**
 * The Trace Event Format's rules a viewer relies on: every event has a phase, a pid and a tid;
 * complete events ("X") have a non-negative duration and, on one track, nest (two slices are
 * disjoint or one holds the other); times only grow along a track; each flow id has one start
 * and one end, the start first, each inside a slice of its own track; instant events have a
 * scope. Returns the broken rules.
 */
function checkTraceEvents(events: readonly TraceEvent[]): string[] {
  const errors: string[] = [];
  const lastTs = new Map<number, number>();
  const slices = new Map<number, TraceEvent[]>();
  const flows = new Map<number, TraceEvent[]>();
  for (const e of events) {
    if (typeof e.name !== "string" || !["X", "i", "s", "f", "M"].includes(e.ph))
      errors.push(`bad event ${JSON.stringify(e)}`);
    if (!Number.isInteger(e.pid) || !Number.isInteger(e.tid)) errors.push(`no pid/tid: ${e.name}`);
    if (e.ph === "M") continue;
    if (typeof e.ts !== "number" || e.ts < 0) errors.push(`bad ts: ${e.name}`);
    const prev = lastTs.get(e.tid) ?? -1;
    if (e.ts! < prev) errors.push(`ts goes back on tid ${e.tid}: ${e.name} at ${e.ts} after ${prev}`);
    lastTs.set(e.tid, e.ts!);
    if (e.ph === "X") {
      if (typeof e.dur !== "number" || e.dur < 0) errors.push(`bad dur: ${e.name}`);
      slices.set(e.tid, [...(slices.get(e.tid) ?? []), e]);
    }
    if (e.ph === "s" || e.ph === "f") flows.set(e.id!, [...(flows.get(e.id!) ?? []), e]);
    if (e.ph === "i" && !["t", "p", "g"].includes(e.s ?? "")) errors.push(`instant without scope: ${e.name}`);
  }
  for (const [tid, list] of slices) {
    // Sorted by start (then longest first), slices nest iff a stack of open ends works.
    const open: number[] = [];
    for (const x of list) {
      const end = x.ts! + x.dur!;
      while (open.length && open.at(-1)! <= x.ts!) open.pop();
      if (open.length && end > open.at(-1)!)
        errors.push(`slices overlap on tid ${tid}: ${x.name} at ${x.ts}`);
      open.push(end);
    }
  }
  const inSlice = (e: TraceEvent): boolean =>
    (slices.get(e.tid) ?? []).some((x) => x.ts! <= e.ts! && e.ts! < x.ts! + x.dur!);
  for (const [id, pair] of flows) {
    const s = pair.filter((e) => e.ph === "s");
    const f = pair.filter((e) => e.ph === "f");
    if (s.length !== 1 || f.length !== 1) errors.push(`flow ${id}: ${s.length} start(s), ${f.length} end(s)`);
    else {
      if (s[0]!.ts! > f[0]!.ts!) errors.push(`flow ${id} ends before it starts`);
      if (!inSlice(s[0]!) || !inSlice(f[0]!)) errors.push(`flow ${id} is not inside a slice`);
      if (f[0]!.bp !== "e") errors.push(`flow ${id}: its end does not bind to the enclosing slice`);
    }
  }
  return errors;
}

describe("perfettoTrace", () => {
  it("follows the trace-event format's rules on every race lesson", () => {
    for (const r of races) {
      const trace = perfettoTrace(r.scenario, r.run);
      expect(checkTraceEvents(trace.traceEvents), r.id).toEqual([]);
      // It is JSON as written to a file.
      expect(JSON.parse(JSON.stringify(trace))).toEqual(trace);
    }
  });

  it("has a track per thread, the SMMU and each device, steps nested in ops and functions", () => {
    const r = races.find((x) => x.id === "unbind-vs-exit")!;
    const { traceEvents: events } = perfettoTrace(r.scenario, r.run);
    const names = events.filter((e) => e.name === "thread_name").map((e) => e.args!.name);
    expect(names).toEqual(["thread T0", "thread T1", "thread T2", "smmu", "device gpu0"]);
    const t1 = events.filter((e) => e.ph === "X" && e.tid === 2);
    // exit's op slice holds the micro-steps; mmput calls exit_mmap, which calls the release.
    const op = t1.find((e) => e.name === "exit app")!;
    const release = t1.find((e) => e.name === "arm_smmu_mm_release" && e.dur! > 1)!;
    const step = t1.find((e) => e.name === "arm_smmu_mm_release" && e.dur === 1)!;
    expect(op.ts).toBeLessThanOrEqual(release.ts!);
    expect(release.ts! + release.dur!).toBeLessThanOrEqual(op.ts! + op.dur!);
    expect(release.ts).toBeLessThanOrEqual(step.ts!);
    expect(t1.some((e) => e.name === "exit_mmap")).toBe(true);
    // Every command queued and consumed is a flow into the SMMU's track (tid 4).
    const queued = r.run.steps.flatMap((s) => s.events.filter((e) => e.type === "smmu.cmd.consume"));
    const ends = events.filter((e) => e.ph === "f");
    expect(ends.length).toBe(queued.length);
    expect(ends.every((e) => e.tid === 4)).toBe(true);
    // The violation, on the track of the step that broke it.
    const v = events.find((e) => e.ph === "i")!;
    expect(v.name).toBe("use-after-free");
    expect(v.tid).toBe(2);
    expect(events.some((e) => e.tid === 5 && e.name.startsWith("dma read"))).toBe(true);
  });
});
