/**
 * Replays a run step by step, for what the trace does not keep: each step's call frames
 * (which kernel function called which: the Perfetto slices nest by them) and, at each step,
 * what the default policy would have chosen (a schedule is cut where the policy takes over).
 * The same scenario and actors give the same worlds as `runScenario` (kernel/run.ts).
 */
import { Recorder } from "../engine/trace.ts";
import type { World } from "../engine/world.ts";
import { boot } from "../kernel/boot.ts";
import { createSim, defaultActor, type Sim, settleAll, stepActor } from "../kernel/sim.ts";
import type { Scenario } from "../scenario/types.ts";

export interface ReplayedStep {
  /** The programs the thread is in when it takes the step, outermost first ("op:exit", "mm:exit_mmap"). */
  readonly frames: readonly string[];
  /** The actor the default policy would have picked here. */
  readonly byDefault: string | null;
}

/** Calls `visit` before each step with the world as it is then; returns what each step was in. */
export function replay(
  scenario: Scenario,
  actors: readonly string[],
  visit?: (sim: Sim, w: World, i: number) => void,
): ReplayedStep[] {
  const sim = createSim(scenario);
  const w = boot(scenario);
  settleAll(sim, w, new Recorder());
  const out: ReplayedStep[] = [];
  for (const [i, actor] of actors.entries()) {
    visit?.(sim, w, i);
    const t = w.threads.find((x) => x.name === actor);
    const frames = t && t.program !== "" ? [...t.stack.map((f) => f.program), t.program] : [];
    out.push({ frames, byDefault: defaultActor(sim, w) });
    stepActor(sim, w, actor, new Recorder());
  }
  return out;
}
