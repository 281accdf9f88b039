/**
 * The page: header, step controls, a load error if any, then the timeline column beside the
 * snapshot panels. At 1280 px and wider everything fits the window and panels scroll inside;
 * narrower, the page scrolls.
 */

import { useLab } from "../store/store.ts";
import { Controls } from "./components/Controls.tsx";
import { Header } from "./components/Header.tsx";
import { KernelState } from "./components/KernelState.tsx";
import { LessonBar } from "./components/LessonMenu.tsx";
import { Panel } from "./components/Panel.tsx";
import { Panels } from "./components/Panels.tsx";
import { Timeline } from "./components/Timeline.tsx";
import { ScenarioEditor } from "./editor/ScenarioEditor.tsx";
import { RacesStrip } from "./races/RacesStrip.tsx";

function LoadError() {
  const error = useLab((s) => s.error);
  const setError = useLab((s) => s.setError);
  if (error === null) return null;
  return (
    <div
      role="alert"
      data-testid="load-error"
      className="flex items-start justify-between gap-3 border-b border-red-300 bg-red-50 px-3 py-1.5 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
    >
      <p className="min-w-0 break-words">{error}</p>
      <button type="button" className="shrink-0 underline" onClick={() => setError(null)}>
        Dismiss
      </button>
    </div>
  );
}

function About() {
  const scenario = useLab((s) => s.scenario);
  if (!scenario.description) return null;
  return (
    <details className="shrink-0 rounded-lg border border-slate-200 bg-white px-3 py-1.5 text-xs dark:border-slate-700 dark:bg-slate-900">
      <summary className="cursor-pointer font-semibold">About this scenario</summary>
      <p className="mt-1 text-slate-700 dark:text-slate-300">{scenario.description}</p>
    </details>
  );
}

export function App() {
  return (
    <div className="flex min-h-full flex-col xl:h-full xl:overflow-hidden">
      <Header />
      <Controls />
      <LessonBar />
      <LoadError />
      <RacesStrip />
      <main className="grid min-h-0 flex-1 gap-2 p-2 xl:grid-cols-[19rem_minmax(0,1fr)] 2xl:grid-cols-[23rem_minmax(0,1fr)]">
        <div className="flex min-h-0 flex-col gap-2 max-xl:h-[36rem]">
          <About />
          <Panel title="Steps" className="flex-[3]" testId="panel-steps">
            <Timeline />
          </Panel>
          <Panel title="Kernel" className="flex-[1.4]" testId="panel-kernel">
            <KernelState />
          </Panel>
        </div>
        <Panels />
      </main>
      <ScenarioEditor />
    </div>
  );
}
