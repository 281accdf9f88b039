/** The queues panel: the command queue (with each VM's vSMMU queue beside it), the event queue, the PRI queue. */

import { lazy, Suspense } from "react";
import { useLab } from "../../../store/store.ts";
import { useTabs } from "../../../store/tabs.ts";
import { useCmdqVm, useWorld } from "../../app/useSnapshot.ts";
import { useHasVms } from "../has-vms.ts";
import { Panel } from "../Panel.tsx";
import { useSelectedKey, ViewSwitch } from "../shared.tsx";
import { CmdqDiagram } from "./CmdqDiagram.tsx";

/** The views a panel shows only when switched to: fetched the first time. */
const RecordQueueView = lazy(() => import("./queue-views.tsx").then((m) => ({ default: m.RecordQueueView })));
/** The logs under the queue and cache diagrams (below the fold of their panels): after the first paint. */
const CommandLog = lazy(() => import("../logs/Logs.tsx").then((m) => ({ default: m.CommandLog })));
const EventLog = lazy(() => import("../logs/Logs.tsx").then((m) => ({ default: m.EventLog })));
/** Only a scenario with VMs needs the guest queues. */
const NestedQueuesView = lazy(() =>
  import("./nested-views.tsx").then((m) => ({ default: m.NestedQueuesView })),
);

/** How many records each queue holds for the kernel: the switch's labels show them. */
function useQueueCounts(): { evtq: number; priq: number } {
  const w = useWorld();
  return {
    evtq: w.smmu.evtq.produced - w.smmu.evtq.consumed,
    priq: w.smmu.priq.produced - w.smmu.priq.consumed,
  };
}

export function CmdqPanel() {
  const vm = useCmdqVm();
  const select = useLab((s) => s.select);
  // With VMs, the CMDQ view shows each guest's vSMMU queue beside the host's.
  const nested = useHasVms();
  const view = useTabs((s) => s.tabs.queue) ?? "cmdq";
  const setView = (v: "cmdq" | "evtq" | "priq"): void => useTabs.getState().set("queue", v);
  const counts = useQueueCounts();
  const selected = useSelectedKey();
  const count = (n: number): string => (n > 0 ? ` ${n}` : "");
  const options = [
    { id: "cmdq", label: "CMDQ" },
    { id: "evtq", label: `EVTQ${count(counts.evtq)}` },
    { id: "priq", label: `PRIQ${count(counts.priq)}` },
  ] as const;
  return (
    <Panel
      title="Queues"
      aside={<ViewSwitch label="Queue" options={options} value={view} onChange={setView} />}
      testId="panel-cmdq"
      exportName={view === "cmdq" ? "command-queue" : view === "evtq" ? "event-queue" : "pri-queue"}
      terms={[
        view,
        view === "cmdq" ? (nested ? "vsmmu" : "cmd-sync") : view === "evtq" ? "fault-events" : "prg",
      ]}
    >
      {view === "cmdq" ? (
        <>
          {nested ? (
            <Suspense fallback={<p className="text-xs opacity-70">Loading the guest queues…</p>}>
              <NestedQueuesView />
            </Suspense>
          ) : (
            <CmdqDiagram vm={vm} selectedId={selected} onSelect={select} />
          )}
          <Suspense fallback={null}>
            <CommandLog />
            <EventLog />
          </Suspense>
        </>
      ) : (
        <Suspense fallback={null}>
          <RecordQueueView which={view} />
        </Suspense>
      )}
    </Panel>
  );
}
