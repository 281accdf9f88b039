/**
 * One step of a run taken again, from the world before it, with a recorder that may ask for
 * more than the run kept: the page's translation-path view asks for the path of the DMA it
 * shows (engine/xlate-path.ts), which its runs do not record. The same actor stepping from the
 * same world does the same thing (the engine is deterministic), so this is that step's record.
 */

import { Recorder } from "../engine/trace.ts";
import { pathLog, type TranslationPath } from "../engine/xlate-path.ts";
import { clone, type RunResult, worldAt } from "./run.ts";
import { stepActor } from "./sim.ts";

/** Runs step `index` of `r` again into `rec`, on a copy of the world before it. */
export function stepAgain(r: RunResult, index: number, rec: Recorder): void {
  const step = r.steps[index];
  if (!step) throw new Error(`the run has no step ${index}`);
  stepActor(r.sim, clone(worldAt(r, index)), step.actor, rec);
}

/** The translation path of the last DMA of step `index`, recorded by taking the step again. */
export function dmaPathOf(r: RunResult, index: number): TranslationPath | null {
  const rec = new Recorder();
  rec.paths = pathLog;
  stepAgain(r, index, rec);
  let path: TranslationPath | null = null;
  for (const e of rec.events) if (e.type === "dev.dma") path = e.path ?? null;
  return path;
}
