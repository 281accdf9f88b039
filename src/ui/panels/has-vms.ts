import { useWorld } from "../app/useSnapshot.ts";

/** Whether the world drawn (the cursor's) has VMs (the scenario's `vms`): the guest queues are shown. */
export function useHasVms(): boolean {
  return (useWorld().vms?.length ?? 0) > 0;
}
