/**
 * What the page reads of the model itself rather than of a view model: the types it passes
 * around, the fault and statechart tables it lists, and the two functions the store's state
 * is made with (the actors at a step; the world at a step). The UI imports them from here
 * (src/view/index.ts), so that src/ui has no import of src/engine or src/kernel at all:
 * Biome's noRestrictedImports cannot tell a type import from a value import.
 */

export type { World } from "../engine/index.ts";
export { CMDQ_OP, EVENTS } from "../engine/index.ts";
export type { ActorInfo, MachineName, RunResult, StepRecord, TraceJson, Violation } from "../kernel/index.ts";
export {
  actorsIn,
  designEra,
  FAULT_NAMES,
  FAULTS,
  MACHINES,
  machineGraph,
  worldAt,
} from "../kernel/index.ts";
