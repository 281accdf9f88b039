import { useLab } from "../../store/store.ts";

/** Whether the world at the cursor has VMs (the scenario's `vms`): the guest queues are shown. */
export function useHasVms(): boolean {
  return useLab((s) => (s.world.vms?.length ?? 0) > 0);
}
