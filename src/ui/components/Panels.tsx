/** The snapshot panels: each gets its narrow view model from one selector and draws it. */

import { selectionKey } from "../../store/selection.ts";
import { useLab } from "../../store/store.ts";
import { CmdqDiagram } from "../diagrams/CmdqDiagram.tsx";
import { MemoryDiagram } from "../diagrams/MemoryDiagram.tsx";
import { PageTableDiagram } from "../diagrams/PageTableDiagram.tsx";
import { StreamTableDiagram } from "../diagrams/StreamTableDiagram.tsx";
import { TlbDiagram } from "../diagrams/TlbDiagram.tsx";
import { DetailPanel } from "../races/DetailPanel.tsx";
import { useCmdqVm, useMemoryVm, usePageTablesVm, useStreamTableVm, useTlbVm } from "../useSnapshot.ts";
import { CommandLog, DmaLog, EventLog } from "./Logs.tsx";
import { Panel } from "./Panel.tsx";

function useSelected(): string | null {
  const sel = useLab((s) => s.selection);
  return sel ? selectionKey(sel) : null;
}

function StreamPanel() {
  const vm = useStreamTableVm();
  const select = useLab((s) => s.select);
  return (
    <Panel title="Stream table → CD tables" testId="panel-strtab">
      <StreamTableDiagram vm={vm} selectedId={useSelected()} onSelect={select} />
    </Panel>
  );
}

function PageTablePanel() {
  const vm = usePageTablesVm();
  const select = useLab((s) => s.select);
  const selected = useSelected();
  return (
    <Panel title="Page tables" testId="panel-pgtable">
      {vm.map((mm) => (
        <div key={mm.id} className="mb-3">
          <h3 className="text-xs font-semibold">
            {mm.process}{" "}
            <span className="font-normal text-slate-500 dark:text-slate-400">({mm.pages} pages mapped)</span>
          </h3>
          <p className="mb-1 text-[11px] text-slate-600 dark:text-slate-300">{mm.summary}</p>
          {mm.root ? (
            <PageTableDiagram
              root={mm.root}
              label={`${mm.process}'s page table`}
              selectedId={selected}
              onSelect={select}
            />
          ) : (
            <p className="text-xs text-slate-500 dark:text-slate-400">The mm and its page table are freed.</p>
          )}
        </div>
      ))}
    </Panel>
  );
}

function CmdqPanel() {
  const vm = useCmdqVm();
  const select = useLab((s) => s.select);
  return (
    <Panel title="Command queue" aside={`${vm.pending} pending`} testId="panel-cmdq">
      <CmdqDiagram vm={vm} selectedId={useSelected()} onSelect={select} />
      <CommandLog />
      <EventLog />
    </Panel>
  );
}

function TlbPanel() {
  const vm = useTlbVm();
  const stale =
    vm.iotlb.filter((e) => e.stale).length +
    vm.atcs.reduce((n, a) => n + a.entries.filter((e) => e.stale).length, 0);
  return (
    <Panel title="IOTLB and ATC" aside={stale > 0 ? `${stale} stale` : undefined} testId="panel-tlb">
      <TlbDiagram vm={vm} />
      <DmaLog />
    </Panel>
  );
}

function MemoryPanel() {
  const vm = useMemoryVm();
  return (
    <Panel title="Physical memory" aside={`${vm.length} frames`} testId="panel-memory">
      <MemoryDiagram vm={vm} />
    </Panel>
  );
}

/** Two rows at xl: the tables (wider STE → CD column), then the queue, the caches, memory. */
export function Panels() {
  const row = "grid min-h-0 min-w-0 gap-2 max-xl:auto-rows-[26rem]";
  return (
    <div className="grid min-h-0 min-w-0 gap-2 xl:grid-rows-2">
      <div className={`${row} xl:grid-cols-[minmax(0,1.3fr)_minmax(0,0.85fr)_minmax(0,0.95fr)]`}>
        <StreamPanel />
        <PageTablePanel />
        <DetailPanel />
      </div>
      <div className={`${row} xl:grid-cols-3`}>
        <CmdqPanel />
        <TlbPanel />
        <MemoryPanel />
      </div>
    </div>
  );
}
