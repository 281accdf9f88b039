/**
 * What a scenario may cost (limits.ts, docs/limits.md): the validator refuses what is beyond
 * the caps, naming the cap, and what is within them runs.
 */
import { describe, expect, it } from "vitest";
import "../kernel/all.ts";
import { runScenario } from "../kernel/run.ts";
import { SCENARIO_LIMITS, STREAM_TABLE_LOG2SIZE } from "./limits.ts";
import { parseScenario } from "./schema.ts";

const base = (over: Record<string, unknown> = {}) => ({
  format: "sva-lab/1",
  title: "limits",
  driver: "arm-smmu-v3-sva",
  devices: [{ name: "gpu0", sid: 16 }],
  processes: [{ name: "app", vmas: [{ start: "0x10000", pages: 4, populate: true }] }],
  threads: [{ name: "T0", ops: [{ op: "exit", process: "app" }] }],
  ...over,
});

const error = (json: unknown): string => {
  const r = parseScenario(json);
  if (r.ok) throw new Error("expected a refusal");
  return r.error;
};

describe("StreamIDs fit the stream table (arm_smmu_sid_in_range)", () => {
  it("refuses a StreamID beyond the linear table's 256 STEs, and suggests the 2-level one", () => {
    expect(STREAM_TABLE_LOG2SIZE).toEqual({ linear: 8, "2lvl": 16 });
    expect(error(base({ devices: [{ name: "gpu0", sid: 256 }] }))).toBe(
      'devices[0].sid: StreamID 256 is beyond the linear stream table (256 STEs: StreamIDs 0–255; "streamTable": "2lvl" takes StreamIDs up to 65535)',
    );
    expect(parseScenario(base({ devices: [{ name: "gpu0", sid: 255 }] })).ok).toBe(true);
  });
  it("refuses a StreamID beyond the 2-level table's 65,536", () => {
    const smmu = { streamTable: "2lvl" };
    expect(error(base({ smmu, devices: [{ name: "gpu0", sid: 2 ** 16 }] }))).toBe(
      "devices[0].sid: StreamID 65536 is beyond the 2lvl stream table (65536 STEs: StreamIDs 0–65535)",
    );
    const r = parseScenario(base({ smmu, devices: [{ name: "gpu0", sid: 2 ** 16 - 1 }] }));
    if (!r.ok) throw new Error(r.error);
    expect(runScenario(r.value).violations).toEqual([]);
  });
});

describe("populated pages", () => {
  const vmas = (pages: number[]) =>
    pages.map((n, i) => ({ start: (i + 1) * 2 ** 30, pages: n, populate: true }));
  it("refuses a scenario populating more than 65,536 pages in all, where the total crosses it", () => {
    const json = base({
      processes: [
        { name: "a", vmas: vmas([40_000]) },
        { name: "b", vmas: vmas([1, 25_535, 1]) },
      ],
      threads: [],
    });
    expect(error(json)).toBe(
      "processes[1].vmas[2].pages: populating 1 pages makes 65537 populated pages in all, beyond the limit of 65536 (256 MiB)",
    );
    expect(error(base({ processes: [{ name: "app", vmas: vmas([2 ** 23]) }] }))).toContain(
      "beyond the limit of 65536",
    );
  });
  it("runs the largest populated scenario: 65,536 pages, munmap and exit", () => {
    const r = parseScenario(
      base({
        processes: [{ name: "app", vmas: vmas([SCENARIO_LIMITS.populatedPages]) }],
        threads: [
          {
            name: "T0",
            ops: [
              { op: "munmap", process: "app", start: 2 ** 30, pages: 512 },
              { op: "exit", process: "app" },
            ],
          },
        ],
      }),
    );
    if (!r.ok) throw new Error(r.error);
    const run = runScenario(r.value);
    expect(run.violations).toEqual([]);
    expect(run.final.mem.frames.filter((f) => f.owner.kind === "data")).toHaveLength(
      run.final.devices.length,
    );
  });
  it("does not count unpopulated pages: a 2^36-page VMA is valid and its exit is quick", () => {
    const r = parseScenario(base({ processes: [{ name: "app", vmas: [{ start: 0, pages: 2 ** 36 }] }] }));
    if (!r.ok) throw new Error(r.error);
    expect(runScenario(r.value).violations).toEqual([]);
  });
});

describe("steps", () => {
  it("stops a run at 30,000 steps with the intended error naming the limit", () => {
    const ops = Array.from({ length: 2000 }, (_, i) => ({
      op: i % 2 ? "unbind" : "bind",
      process: "app",
      device: "gpu0",
    }));
    const r = parseScenario(base({ threads: [{ name: "T0", ops }] }));
    if (!r.ok) throw new Error(r.error);
    expect(() => runScenario(r.value)).toThrow(
      "the scenario did not finish within 30000 steps (the step limit)",
    );
  });
});
