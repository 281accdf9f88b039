/** The physical-memory panel: every frame by owner. */

import { lazy, Suspense } from "react";
import { useMemoryVm } from "../../app/useSnapshot.ts";
import { Panel } from "../Panel.tsx";

/** The memory grid and the caches' diagram: fetched at once after the first paint, like the page tables. */
const MemoryDiagram = lazy(() => import("./MemoryDiagram.tsx").then((m) => ({ default: m.MemoryDiagram })));

export function MemoryPanel() {
  const vm = useMemoryVm();
  return (
    <Panel
      title="Physical memory"
      aside={`${vm.count} frames`}
      testId="panel-memory"
      exportName="physical-memory"
    >
      <Suspense fallback={<p className="p-2 text-xs text-slate-500">Loading the memory map…</p>}>
        <MemoryDiagram vm={vm} />
      </Suspense>
    </Panel>
  );
}
