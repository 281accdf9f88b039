/**
 * The snapshot panels, by id: the two rows of the layout (PANEL_ROWS). Each panel is one folder
 * (panels/<id>/: its panel component, its diagrams and their CSS), and gets its narrow view
 * model from src/view through one selector. The layout (app/layout/Workspace.tsx) shows, hides
 * and sizes them; a panel added here appears in the Panels menu by its label.
 */

import type { ReactNode } from "react";
import { CmdqPanel } from "./cmdq/CmdqPanel.tsx";
import { DetailPanel } from "./detail/DetailPanel.tsx";
import { MemoryPanel } from "./memory/MemoryPanel.tsx";
import { PageTablePanel } from "./pgtable/PageTablePanel.tsx";
import { StreamPanel } from "./strtab/StreamPanel.tsx";
import { TlbPanel } from "./tlb/TlbPanel.tsx";

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
