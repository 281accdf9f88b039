/**
 * The diagrams the gallery draws on each fixture: the panels' own components (src/ui/panels)
 * given the panels' own view models (src/view) of the fixture's world, as each panel's view
 * passes them. A diagram that has nothing to draw on a fixture (the Path view before any DMA,
 * the guest queues without a VM) says why instead, and has no snapshot there.
 */

import { type ReactNode, useMemo } from "react";
import type { FixtureRun } from "../../view/fixtures.ts";
import {
  cachesOf,
  cmdqVmOf,
  evtqOf,
  lifecyclesOf,
  machineGraph,
  memoryVmOf,
  nestedQueuesVm,
  priqOf,
  type Selection,
  streamTableVmOf,
  swimlaneVm,
  tlbVmOf,
  topologyOf,
} from "../../view/index.ts";
import { CmdqDiagram } from "../panels/cmdq/CmdqDiagram.tsx";
import { NestedQueuesDiagram } from "../panels/cmdq/NestedQueuesDiagram.tsx";
import { RecordQueueDiagram } from "../panels/cmdq/RecordQueueDiagram.tsx";
import { StatechartDiagram } from "../panels/detail/StatechartDiagram.tsx";
import { TopologyDiagram } from "../panels/detail/TopologyDiagram.tsx";
import { MemoryDiagram } from "../panels/memory/MemoryDiagram.tsx";
import { PageTableTree } from "../panels/pgtable/PageTableTree.tsx";
import { forestOf, treeHighlight } from "../panels/pgtable/pagetables-view.tsx";
import { SwimlaneDiagram } from "../panels/races/SwimlaneDiagram.tsx";
import { StreamTableDiagram } from "../panels/strtab/StreamTableDiagram.tsx";
import { TranslationPathDiagram } from "../panels/strtab/TranslationPathDiagram.tsx";
import { CachesDiagram } from "../panels/tlb/CachesDiagram.tsx";
import { TlbDiagram } from "../panels/tlb/TlbDiagram.tsx";

/** What a cell hands its diagram: the entry selected in that cell, and how to select one. */
export interface CellProps {
  readonly run: FixtureRun;
  readonly selectedId: string | null;
  readonly onSelect: (s: Selection) => void;
}

export interface GalleryDiagram {
  readonly id: string;
  readonly title: string;
  /** The panel it belongs to (src/ui/panels/<panel>). */
  readonly panel: string;
  /** The cell's width in CSS pixels: fixed, so the drawing does not depend on the window. */
  readonly width: number;
  /** A fixed height for a diagram that fills its box (the page-table tree pans inside it). */
  readonly height?: number;
  /** What the snapshot holds: the SVG elements drawn, or the whole markup (a diagram of HTML and SVG). */
  readonly snapshot: "svg" | "markup";
  /** Why there is nothing to draw on this fixture, or null. */
  readonly absent: (run: FixtureRun) => string | null;
  readonly Draw: (props: CellProps) => ReactNode;
}

const always = (): null => null;

function PageTables({ run, selectedId, onSelect }: CellProps) {
  const w = run.world;
  const forest = useMemo(() => (open: ReadonlySet<string>) => forestOf(w, open), [w]);
  const highlight = useMemo(() => treeHighlight(run.path), [run.path]);
  return (
    <PageTableTree
      forestOf={forest}
      world={w}
      highlight={highlight}
      selectedId={selectedId}
      onSelect={onSelect}
    />
  );
}

function Statecharts({ run }: CellProps) {
  const charts = lifecyclesOf(run.world, run.scenario);
  return (
    <ul className="grid gap-1.5 [grid-template-columns:repeat(auto-fill,minmax(15.5rem,1fr))]">
      {charts.map((c) => (
        <li
          key={c.id}
          className="min-w-0 rounded-md border border-slate-200 px-1.5 py-1 dark:border-slate-700"
        >
          <p className="truncate text-[11px] font-semibold">{c.title}</p>
          <p className="truncate text-[10px] text-slate-600 dark:text-slate-300">
            <span className="font-mono">{c.machine}</span> machine · {c.active} · {c.detail}
          </p>
          <StatechartDiagram
            graph={machineGraph(c.machine)}
            active={c.active}
            machine={c.machine}
            label={`${c.title}: ${c.machine} statechart, in state ${c.active}`}
          />
        </li>
      ))}
    </ul>
  );
}

function Swimlane({ run }: CellProps) {
  const vm = useMemo(() => swimlaneVm(run.scenario, run.result), [run]);
  return (
    <SwimlaneDiagram
      vm={vm}
      cursor={run.cursor}
      onPick={() => {}}
      label={`Swimlane timeline of ${vm.total} steps: ${vm.lanes.map((l) => l.name).join(", ")}.`}
    />
  );
}

export const DIAGRAMS: readonly GalleryDiagram[] = [
  {
    id: "stream-table",
    title: "Stream table → CD tables",
    panel: "strtab",
    width: 560,
    snapshot: "svg",
    absent: always,
    Draw: ({ run, selectedId, onSelect }) => (
      <StreamTableDiagram vm={streamTableVmOf(run.world)} selectedId={selectedId} onSelect={onSelect} />
    ),
  },
  {
    id: "translation-path",
    title: "Translation path of the last DMA",
    panel: "strtab",
    width: 560,
    snapshot: "svg",
    absent: (run) => (run.path === null ? "No DMA before this step: no path to draw." : null),
    Draw: ({ run, onSelect }) =>
      run.path ? <TranslationPathDiagram vm={run.path} onSelect={onSelect} /> : null,
  },
  {
    id: "page-tables",
    title: "Page-table tree",
    panel: "pgtable",
    width: 560,
    height: 360,
    snapshot: "svg",
    absent: always,
    Draw: PageTables,
  },
  {
    id: "cmdq",
    title: "Command queue",
    panel: "cmdq",
    width: 560,
    snapshot: "svg",
    absent: always,
    Draw: ({ run, selectedId, onSelect }) => (
      <CmdqDiagram vm={cmdqVmOf(run.world)} selectedId={selectedId} onSelect={onSelect} />
    ),
  },
  {
    id: "evtq",
    title: "Event queue",
    panel: "cmdq",
    width: 560,
    snapshot: "svg",
    absent: always,
    Draw: ({ run, selectedId, onSelect }) => (
      <RecordQueueDiagram vm={evtqOf(run.world)} selectedId={selectedId} onSelect={onSelect} />
    ),
  },
  {
    id: "priq",
    title: "PRI queue",
    panel: "cmdq",
    width: 560,
    snapshot: "svg",
    absent: always,
    Draw: ({ run, selectedId, onSelect }) => (
      <RecordQueueDiagram vm={priqOf(run.world)} selectedId={selectedId} onSelect={onSelect} />
    ),
  },
  {
    id: "vm-queues",
    title: "A VM's vSMMU queue beside the host CMDQ",
    panel: "cmdq",
    width: 560,
    snapshot: "markup",
    absent: (run) => ((run.world.vms ?? []).length === 0 ? "No VM in this scenario." : null),
    Draw: ({ run, selectedId, onSelect }) => (
      <div className="space-y-3">
        {(run.world.vms ?? []).map((vm, i) => (
          <NestedQueuesDiagram
            key={vm.name}
            vm={nestedQueuesVm(run.world, vm, i, run.result.steps, run.cursor)}
            selectedId={selectedId}
            onSelect={onSelect}
          />
        ))}
      </div>
    ),
  },
  {
    id: "iotlb-atc",
    title: "IOTLB and ATCs",
    panel: "tlb",
    width: 560,
    snapshot: "svg",
    absent: always,
    Draw: ({ run }) => <TlbDiagram vm={tlbVmOf(run.world)} />,
  },
  {
    id: "caches",
    title: "Walk cache, configuration cache, stalls, page requests",
    panel: "tlb",
    width: 560,
    snapshot: "svg",
    absent: always,
    Draw: ({ run, selectedId, onSelect }) => (
      <CachesDiagram vm={cachesOf(run.world)} selectedId={selectedId} onSelect={onSelect} />
    ),
  },
  {
    id: "memory",
    title: "Physical memory",
    panel: "memory",
    width: 560,
    snapshot: "svg",
    absent: always,
    Draw: ({ run }) => <MemoryDiagram vm={memoryVmOf(run.world)} />,
  },
  {
    id: "topology",
    title: "Topology",
    panel: "detail",
    width: 840,
    snapshot: "svg",
    absent: always,
    Draw: ({ run }) => <TopologyDiagram vm={topologyOf(run.world)} onOpen={() => {}} />,
  },
  {
    id: "statecharts",
    title: "Statecharts",
    panel: "detail",
    width: 840,
    snapshot: "svg",
    absent: always,
    Draw: Statecharts,
  },
  {
    id: "swimlane",
    title: "Swimlane",
    panel: "races",
    width: 840,
    snapshot: "svg",
    absent: always,
    Draw: Swimlane,
  },
];
