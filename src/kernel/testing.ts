/**
 * Helpers for the kernel model's tests (imported by tests only): build a scenario from JSON,
 * replace T0's ops, and list what one op of T0 did.
 */

import { parseScenario } from "../scenario/index.ts";
import type { Op, Scenario } from "../scenario/types.ts";
import { toTraceJson } from "./report.ts";
import { runScenario } from "./run.ts";

export function scenario(json: unknown): Scenario {
  const r = parseScenario(json);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

/** The scenario with T0 as its only thread, running `ops`. */
export function withOps(base: Scenario, ops: Op[], extra: Partial<Scenario> = {}): Scenario {
  return { ...base, ...extra, threads: [{ name: "T0", ops }] };
}

/** The ops of the commands queued by the steps of one op of T0. */
export function commandsOfOp(s: Scenario, opIndex: number): string[] {
  const r = runScenario(s);
  const t = toTraceJson(r);
  const steps = new Set(r.steps.filter((x) => x.actor === "T0" && x.opIndex === opIndex).map((x) => x.index));
  return t.commands.filter((c) => steps.has(c.step)).map((c) => c.op);
}

/** The ops of the lifecycle lesson's process and device. */
export const OPS = {
  bind: { op: "bind", process: "app", device: "gpu0" },
  unbind: { op: "unbind", process: "app", device: "gpu0" },
  dmaW: { op: "dma", device: "gpu0", process: "app", va: 0x10000, access: "write" },
  dmaR: { op: "dma", device: "gpu0", process: "app", va: 0x10000, access: "read" },
  munmap: { op: "munmap", process: "app", start: 0x10000, pages: 1 },
  exit: { op: "exit", process: "app" },
} as const satisfies Record<string, Op>;
