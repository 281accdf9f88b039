/**
 * Partial-order reduction: from the runnable actors, a subset whose steps commute with
 * everything the others could do first (a persistent set), so the explorer tries one order
 * instead of all. Two sound cases:
 *   - a thread whose next step is `local` (it touches only its own locals): that step alone;
 *   - the SMMU, when the command at CONS is a CMD_SYNC (it changes nothing but CONS, which
 *     only enables the thread polling for it), or when no thread has a DMA or a bind left:
 *     consuming a command reads only the queue and writes only the SMMU's caches and the
 *     ATCs, which only DMA (and the PASID/ASID checks in bind) look at; the SMMU step alone.
 * Any other step is taken as dependent with every other (the conservative default: a new
 * micro-step costs states, never an outcome). `exploreScenario(…, { reduce: false })` tries
 * every interleaving; the tests check that both find the same outcomes.
 */

import { CMDQ_OP, cmdOpcode } from "../engine/commands.ts";
import { readWord } from "../engine/memory.ts";
import { slotAddr } from "../engine/queue.ts";
import type { World } from "../engine/world.ts";
import { nextStep, remainingOps, type Sim, SMMU } from "../kernel/sim.ts";

/** `runnable` are actor numbers into `names`; returns the ones to try. */
export function persistentSet(sim: Sim, w: World, names: readonly string[], runnable: number[]): number[] {
  for (const a of runnable) {
    const t = w.threads[a];
    if (t && t.status === "ready" && nextStep(sim, t)?.local) return [a];
  }
  const smmu = runnable.find((a) => names[a] === SMMU);
  if (smmu === undefined) return runnable;
  const q = w.smmu.cmdq;
  const opcode = cmdOpcode([readWord(w.mem, slotAddr(q, q.consumed))]);
  if (opcode === CMDQ_OP.CMD_SYNC) return [smmu];
  if (w.threads.every((t) => remainingOps(sim, t).every((op) => op.op !== "dma" && op.op !== "bind"))) {
    return [smmu];
  }
  return runnable;
}
