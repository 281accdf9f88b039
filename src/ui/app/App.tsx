/**
 * The page: header, step controls, a load error if any, the timeline strip, then the
 * workspace (the steps column beside the snapshot panels, as the layout says). At 1280 px and
 * wider everything fits the window and panels scroll inside; narrower, the page scrolls and
 * the panels stack (read-only: no editor). In embed mode only the diagrams and the step
 * controls show. The editor, the keyboard help and the glossary are loaded the first time they
 * open.
 */

import { type CSSProperties, lazy, Suspense, useEffect, useState } from "react";
import { useEditor } from "../../store/editor.ts";
import { useLayout } from "../../store/layout.ts";
import { isStarting, useLab } from "../../store/store.ts";
import { useLinkRepair } from "../../store/url-sync.ts";
import { useGlossary } from "../glossary/glossary-store.ts";
import { RacesStrip } from "../panels/races/RacesStrip.tsx";
import { Controls } from "./Controls.tsx";
import { Header } from "./Header.tsx";
import { useHelp } from "./help/help-state.ts";
import { usePhone } from "./layout/phone-query.ts";
import { Splitter } from "./layout/Splitter.tsx";
import { Workspace } from "./layout/Workspace.tsx";
import { LessonBar } from "./lessons/LessonMenu.tsx";
import { PanelBoundary } from "./PanelBoundary.tsx";

const ScenarioEditor = lazy(() =>
  import("../editor/ScenarioEditor.tsx").then((m) => ({ default: m.ScenarioEditor })),
);
const GlossaryPanel = lazy(() =>
  import("../glossary/GlossaryPanel.tsx").then((m) => ({ default: m.GlossaryPanel })),
);
const LinkRepair = lazy(() => import("./LinkRepair.tsx").then((m) => ({ default: m.LinkRepair })));
/** The page on a phone: fetched only there. */
const PhonePage = lazy(() => import("./layout/Phone.tsx"));
const HelpDialog = lazy(() => import("./help/HelpDialog.tsx").then((m) => ({ default: m.HelpDialog })));

function LoadError() {
  const error = useLab((s) => s.error);
  const setError = useLab((s) => s.setError);
  const failed = useLinkRepair((s) => s.failed !== null);
  if (error === null && !failed) return null;
  return (
    <div className="border-b border-red-300 bg-red-50 px-3 py-1.5 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
      <div className="flex items-start justify-between gap-3">
        <p role="alert" data-testid="load-error" className="min-w-0 break-words">
          {error}
        </p>
        <button
          type="button"
          className="shrink-0 underline"
          onClick={() => {
            setError(null);
            // The link stays in the address bar; only the box goes.
            useLinkRepair.setState({ failed: null });
          }}
        >
          Dismiss
        </button>
      </div>
      {failed ? (
        <Suspense fallback={null}>
          <LinkRepair />
        </Suspense>
      ) : null}
    </div>
  );
}

/** Over the page while a large run is computed (it takes seconds). */
function Busy() {
  const busy = useLab((s) => s.busy);
  if (busy === null) return null;
  return (
    <div className="fixed inset-0 z-[60] flex items-center justify-center bg-slate-900/30" data-testid="busy">
      <p
        role="status"
        className="rounded-lg border border-slate-300 bg-white px-4 py-3 text-sm shadow-xl dark:border-slate-600 dark:bg-slate-900"
      >
        <span className="races-busy mr-2 inline-block h-2 w-8 rounded-full bg-blue-500 align-middle" />
        {busy}
      </p>
    </div>
  );
}

function Editor() {
  const open = useEditor((s) => s.open);
  return open ? (
    <Suspense fallback={null}>
      <ScenarioEditor />
    </Suspense>
  ) : null;
}

function Help() {
  const open = useHelp((s) => s.open);
  return open ? (
    <Suspense fallback={null}>
      <HelpDialog />
    </Suspense>
  ) : null;
}

/** Fetched the first time it opens, then kept (closed, it renders nothing; its filter stays). */
function Glossary() {
  const open = useGlossary((s) => s.open);
  const [wanted, setWanted] = useState(open);
  if (open && !wanted) setWanted(true);
  return wanted ? (
    <Suspense fallback={null}>
      <GlossaryPanel />
    </Suspense>
  ) : null;
}

/**
 * The page loaded on a link it is still opening (`#large`: seconds in the worker): its busy
 * line over an empty page, no scenario drawn until the link's is shown (store.ts `isStarting`).
 */
function Starting() {
  return (
    <div className="flex min-h-full flex-col xl:h-full">
      <header className="border-b border-slate-200 bg-white px-3 py-2 dark:border-slate-700 dark:bg-slate-900">
        <h1 className="text-lg font-bold tracking-tight">SVA Lab</h1>
      </header>
      <main className="min-h-0 flex-1" aria-busy="true" data-testid="starting" />
      <Busy />
    </div>
  );
}

/** The page was opening a link (`Starting`): the page drawn next is drawn in two tasks. */
let opened = false;

export function App() {
  const embed = useLayout((s) => s.embed);
  const phone = usePhone();
  const starting = useLab(isStarting);
  opened ||= starting;
  if (starting) return <Starting />;
  if (phone && !embed) {
    return (
      <>
        <Suspense fallback={null}>
          <PhonePage />
        </Suspense>
        <LoadError />
        <Help />
        <Glossary />
        <Busy />
      </>
    );
  }
  return <Wide embed={embed} />;
}

function Wide({ embed }: { readonly embed: boolean }) {
  // When the large link's run is shown: the header and controls in one task, the timeline
  // strip and the panels' places in the next (in one, 50-80 ms).
  const [later, setLater] = useState(opened);
  opened = false;
  useEffect(() => {
    if (later) setTimeout(() => setLater(false));
  }, [later]);
  const timeline = useLayout((s) => !later && !s.hidden.includes("timeline"));
  const strip = useLayout((s) => s.sizes.strip);
  const style = (strip === undefined ? {} : { "--strip-h": `${strip}px` }) as CSSProperties;
  return (
    <div
      className="flex min-h-full flex-col xl:h-full xl:overflow-hidden"
      style={style}
      data-embed={embed || undefined}
    >
      <Header />
      <Controls />
      {embed ? null : <LessonBar />}
      <LoadError />
      {timeline ? (
        <PanelBoundary id="timeline">
          <RacesStrip />
        </PanelBoundary>
      ) : null}
      {timeline ? (
        <Splitter
          orientation="horizontal"
          label="Resize the timeline"
          share={0.25}
          min={0.05}
          max={0.8}
          className="mx-2 -mb-2"
          onShare={(share, total) => useLayout.getState().setSize("strip", share * total - 40)}
        />
      ) : null}
      {later ? null : <Workspace />}
      {embed ? null : <Editor />}
      <Help />
      <Glossary />
      <Busy />
    </div>
  );
}
