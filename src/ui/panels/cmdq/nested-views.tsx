/**
 * The panel bodies for nested translation: each VM's guest vSMMU queue beside the host's
 * CMDQ. Shown only when the scenario has VMs.
 */

import { useMemo } from "react";
import { useLab } from "../../../store/store.ts";
import { nestedQueuesVm, selectionKey } from "../../../view/index.ts";
import { useCursor, useWorld } from "../../app/useSnapshot.ts";
import { NestedQueuesDiagram } from "./NestedQueuesDiagram.tsx";

export function NestedQueuesView() {
  const w = useWorld();
  const steps = useLab((s) => s.result.steps);
  const cursor = useCursor();
  const select = useLab((s) => s.select);
  const sel = useLab((s) => s.selection);
  const selected = sel ? selectionKey(sel) : null;
  const vms = useMemo(
    () => (w.vms ?? []).map((vm, i) => nestedQueuesVm(w, vm, i, steps, cursor)),
    [w, steps, cursor],
  );
  return (
    <div className="space-y-3">
      {vms.map((vm) => (
        <NestedQueuesDiagram key={vm.vm} vm={vm} selectedId={selected} onSelect={select} />
      ))}
    </div>
  );
}
