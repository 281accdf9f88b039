/** The page-table panel: each process's tables as a tree (its body is its own chunk). */

import { lazy, Suspense } from "react";
import { useWorld } from "../../app/useSnapshot.ts";
import { Panel } from "../Panel.tsx";

/** Fetched at start-up, just after the first paint (pagetables-view.tsx says why). */
const PageTablesView = lazy(() =>
  import("./pagetables-view.tsx").then((m) => ({ default: m.PageTablesView })),
);

export function PageTablePanel() {
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
