/**
 * The snapshot panels: each gets its narrow view model from one selector and draws it. The
 * two rows of the layout (PANEL_ROWS) list them by id; the layout (ui/layout/Workspace.tsx)
 * shows, hides and sizes them. A panel added here appears in the Panels menu by its label.
 */

import { lazy, type ReactNode, Suspense } from "react";
import { useLab } from "../../store/store.ts";
import { useTabs } from "../../store/tabs.ts";
import { selectionKey } from "../../view/index.ts";
import { useCmdqVm, useMemoryVm, useStreamTableVm, useTlbVm, useWorld } from "../app/useSnapshot.ts";
import { CmdqDiagram } from "./cmdq/CmdqDiagram.tsx";
import { DetailPanel } from "./detail/DetailPanel.tsx";
import { useHasVms } from "./has-vms.ts";
import { Panel } from "./Panel.tsx";
import { StreamTableDiagram } from "./strtab/StreamTableDiagram.tsx";
import { TlbDiagram } from "./tlb/TlbDiagram.tsx";
import { CachesView, PathOverlay, useQueueCounts, useStaleCacheCount, ViewSwitch } from "./views.tsx";

/** The views a panel shows only when switched to: fetched the first time. */
/** Fetched at start-up, just after the first paint (pagetables-view.tsx says why). */
const PageTablesView = lazy(() =>
  import("./pgtable/pagetables-view.tsx").then((m) => ({ default: m.PageTablesView })),
);
/** The memory grid and the caches' diagram: fetched at once after the first paint, like the page tables. */
const MemoryDiagram = lazy(() =>
  import("./memory/MemoryDiagram.tsx").then((m) => ({ default: m.MemoryDiagram })),
);
const TranslationPathView = lazy(() =>
  import("./strtab/path-view.tsx").then((m) => ({ default: m.TranslationPathView })),
);
const RecordQueueView = lazy(() =>
  import("./cmdq/queue-views.tsx").then((m) => ({ default: m.RecordQueueView })),
);
/** The logs under the queue and cache diagrams (below the fold of their panels): after the first paint. */
const CommandLog = lazy(() => import("./logs/Logs.tsx").then((m) => ({ default: m.CommandLog })));
const EventLog = lazy(() => import("./logs/Logs.tsx").then((m) => ({ default: m.EventLog })));
const DmaLog = lazy(() => import("./logs/Logs.tsx").then((m) => ({ default: m.DmaLog })));
/** Only a scenario with VMs needs the guest queues. */
const NestedQueuesView = lazy(() =>
  import("./cmdq/nested-views.tsx").then((m) => ({ default: m.NestedQueuesView })),
);

function useSelected(): string | null {
  const sel = useLab((s) => s.selection);
  return sel ? selectionKey(sel) : null;
}

const STREAM_VIEWS = [
  { id: "tables", label: "Tables" },
  { id: "path", label: "Path" },
] as const;

function StreamPanel() {
  const vm = useStreamTableVm();
  const select = useLab((s) => s.select);
  const view = useTabs((s) => s.tabs.stream) ?? "tables";
  const setView = (v: "tables" | "path"): void => useTabs.getState().set("stream", v);
  const selected = useSelected();
  return (
    <Panel
      title={view === "tables" ? "Stream table → CD tables" : "Translation path of the last DMA"}
      testId="panel-strtab"
      exportName={view === "tables" ? "stream-table" : "translation-path"}
      terms={["ste", "cd"]}
      aside={<ViewSwitch label="Stream table view" options={STREAM_VIEWS} value={view} onChange={setView} />}
    >
      {view === "tables" ? (
        <PathOverlay>
          <StreamTableDiagram vm={vm} selectedId={selected} onSelect={select} />
        </PathOverlay>
      ) : (
        <Suspense fallback={null}>
          <TranslationPathView />
        </Suspense>
      )}
    </Panel>
  );
}

function PageTablePanel() {
  const processes = useWorld().mms.length;
  return (
    <Panel
      title="Page tables"
      aside={processes > 1 ? `${processes} processes` : undefined}
      testId="panel-pgtable"
      exportName="page-tables"
      terms={["page-table"]}
    >
      <Suspense fallback={<p className="p-2 text-xs text-slate-500">Loading the page tables…</p>}>
        <PageTablesView />
      </Suspense>
    </Panel>
  );
}

function CmdqPanel() {
  const vm = useCmdqVm();
  const select = useLab((s) => s.select);
  // With VMs, the CMDQ view shows each guest's vSMMU queue beside the host's.
  const nested = useHasVms();
  const view = useTabs((s) => s.tabs.queue) ?? "cmdq";
  const setView = (v: "cmdq" | "evtq" | "priq"): void => useTabs.getState().set("queue", v);
  const counts = useQueueCounts();
  const selected = useSelected();
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

function TlbPanel() {
  const vm = useTlbVm();
  const stale =
    vm.iotlb.filter((e) => e.stale).length +
    vm.atcs.reduce((n, a) => n + a.entries.filter((e) => e.stale).length, 0);
  const staleCaches = useStaleCacheCount();
  return (
    <Panel
      title="Caches"
      aside={stale + staleCaches > 0 ? `${stale + staleCaches} stale` : undefined}
      testId="panel-tlb"
      exportName="caches"
      terms={["iotlb", "atc", "config-cache"]}
    >
      <TlbDiagram vm={vm} />
      <CachesView />
      <Suspense fallback={null}>
        <DmaLog />
      </Suspense>
    </Panel>
  );
}

function MemoryPanel() {
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

export interface PanelDef {
  readonly id: string;
  /** Its share of the row's width, by default. */
  readonly weight: number;
  readonly render: () => ReactNode;
}

/** The two rows at xl: the tables (wider STE → CD column), then the queue, the caches, memory. */
export const PANEL_ROWS: readonly (readonly PanelDef[])[] = [
  [
    { id: "strtab", weight: 1.3, render: () => <StreamPanel /> },
    { id: "pgtable", weight: 0.85, render: () => <PageTablePanel /> },
    { id: "detail", weight: 0.95, render: () => <DetailPanel /> },
  ],
  [
    { id: "cmdq", weight: 1, render: () => <CmdqPanel /> },
    { id: "tlb", weight: 1, render: () => <TlbPanel /> },
    { id: "memory", weight: 1, render: () => <MemoryPanel /> },
  ],
];
