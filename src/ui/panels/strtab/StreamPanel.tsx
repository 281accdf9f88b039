/** The stream-table panel: the STE → CD tables with the last DMA's path marked, or that path step by step. */

import { lazy, Suspense } from "react";
import { useLab } from "../../../store/store.ts";
import { useTabs } from "../../../store/tabs.ts";
import { useStreamTableVm } from "../../app/useSnapshot.ts";
import { Panel } from "../Panel.tsx";
import { PathOverlay, useSelectedKey, ViewSwitch } from "../shared.tsx";
import { StreamTableDiagram } from "./StreamTableDiagram.tsx";

const TranslationPathView = lazy(() =>
  import("./path-view.tsx").then((m) => ({ default: m.TranslationPathView })),
);

const STREAM_VIEWS = [
  { id: "tables", label: "Tables" },
  { id: "path", label: "Path" },
] as const;

export function StreamPanel() {
  const vm = useStreamTableVm();
  const select = useLab((s) => s.select);
  const view = useTabs((s) => s.tabs.stream) ?? "tables";
  const setView = (v: "tables" | "path"): void => useTabs.getState().set("stream", v);
  const selected = useSelectedKey();
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
