/**
 * What tells the explorer's outcomes apart, beyond their violation kinds: replaying each
 * outcome's witness gives each DMA's result and the final state hash, and comparing two
 * witnesses gives the pair of steps whose order decides between them (the first step at which
 * they differ: one thread's step here, another's there).
 */

import type { Outcome } from "../explorer/explore.ts";
import { type RunResult, runScenario } from "../kernel/index.ts";
import type { Scenario } from "../scenario/types.ts";

export interface OutcomeSummary {
  /** Each DMA of the witness: device, access, result (and how it was served). */
  readonly dmas: readonly string[];
  readonly stateHash: string;
  /** Against the other outcome compared with: the step (0-based) and who took it on each side. */
  readonly decided: { readonly step: number; readonly here: string; readonly there: string } | null;
}

const dmaText = (r: RunResult): string[] =>
  r.steps.flatMap((s) =>
    s.events.flatMap((e) =>
      e.type === "dev.dma"
        ? [
            `${e.dma.device} ${e.dma.access} → ${e.dma.result}${e.dma.via ? ` (${e.dma.via})` : ""}${e.dma.stale ? " stale" : ""}`,
          ]
        : [],
    ),
  );

/** The step at which `a` and `b` first differ, and the actor and function each takes there. */
export function decidingStep(
  a: RunResult,
  b: RunResult,
): { step: number; here: string; there: string } | null {
  const n = Math.min(a.steps.length, b.steps.length);
  for (let i = 0; i < n; i++) {
    const x = a.steps[i]!;
    const y = b.steps[i]!;
    if (x.actor !== y.actor) return { step: i, here: `${x.actor} ${x.fn}`, there: `${y.actor} ${y.fn}` };
  }
  return null;
}

/** One summary per outcome; each compared with the first outcome (the first with the second). */
export function summarizeOutcomes(scenario: Scenario, outcomes: readonly Outcome[]): OutcomeSummary[] {
  const runs = outcomes.map((o) => runScenario({ ...scenario, schedule: o.schedule }));
  return runs.map((r, i) => {
    const other = runs[i === 0 ? 1 : 0];
    return { dmas: dmaText(r), stateHash: r.stateHash, decided: other ? decidingStep(r, other) : null };
  });
}
