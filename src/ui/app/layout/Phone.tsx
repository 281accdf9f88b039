/**
 * The page on a phone (narrower than 640 px), for reading a shared link: the header (title,
 * Lessons, Share link), the step controls, the step just taken in words, and one panel at a
 * time, chosen from a list. Nothing scrolls by itself: the page moves only when the reader
 * scrolls it; a panel scrolls its own changes into view inside its box.
 */

import { useState } from "react";
import { useLab } from "../../../store/store.ts";
import { TermText } from "../../glossary/Term.tsx";
import { KernelState } from "../../panels/kernel-state/KernelState.tsx";
import { Panel } from "../../panels/Panel.tsx";
import { PANEL_ROWS } from "../../panels/Panels.tsx";
import { Timeline } from "../../panels/timeline/Timeline.tsx";
import { perform } from "../commands.ts";
import { ShareLink } from "../Header.tsx";
import { LessonBar, LessonMenuButton } from "../lessons/LessonMenu.tsx";
import { PanelBoundary } from "../PanelBoundary.tsx";

const VIEWS = [
  { id: "strtab", label: "Stream table → CDs" },
  { id: "pgtable", label: "Page tables" },
  { id: "cmdq", label: "Queues" },
  { id: "tlb", label: "Caches" },
  { id: "memory", label: "Physical memory" },
  { id: "detail", label: "Detail, statecharts" },
  { id: "kernel", label: "Kernel state" },
  { id: "steps", label: "All the steps" },
] as const;
type View = (typeof VIEWS)[number]["id"];

/** The step just taken, in words: what the diagrams show, said. */
function CurrentStep() {
  const cursor = useLab((s) => s.cursor);
  const step = useLab((s) => (s.cursor > 0 ? s.result.steps[s.cursor - 1] : undefined));
  const violations = useLab((s) => s.result.violations);
  const here = step ? violations.filter((v) => v.step === step.index) : [];
  return (
    <section
      aria-label="The step just taken"
      data-testid="phone-step"
      className="border-b border-slate-200 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-900"
    >
      {step ? (
        <>
          <p className="flex items-baseline gap-1.5">
            <span className="font-mono text-xs text-slate-500">{cursor}</span>
            <span className="rounded bg-slate-200 px-1 font-mono text-[11px] dark:bg-slate-700">
              {step.actor}
            </span>
            <code className="min-w-0 font-mono text-xs font-semibold [overflow-wrap:anywhere]">
              {step.fn}
            </code>
          </p>
          <p className="mt-0.5 text-slate-700 dark:text-slate-200">
            <TermText text={step.text} />
          </p>
          {here.map((v) => (
            <p key={`${v.kind}:${v.text}`} className="mt-1 font-medium text-red-700 dark:text-red-400">
              ⚠ {v.kind}: {v.text}
            </p>
          ))}
        </>
      ) : (
        <p className="text-slate-600 dark:text-slate-300">
          The world before any step. Press <strong>Step forward</strong> to take the first one.
        </p>
      )}
    </section>
  );
}

function PhoneControls() {
  const playing = useLab((s) => s.playing);
  const cursor = useLab((s) => s.cursor);
  const total = useLab((s) => s.result.steps.length);
  const base =
    "rounded-md border px-2 py-1.5 text-sm focus-visible:outline-2 focus-visible:outline-blue-500 disabled:opacity-40";
  const plain = `${base} border-slate-300 bg-white dark:border-slate-600 dark:bg-slate-800`;
  return (
    <nav
      aria-label="Step controls"
      className="sticky top-0 z-20 flex flex-wrap items-center gap-1.5 border-b border-slate-200 bg-slate-100 px-3 py-1.5 dark:border-slate-700 dark:bg-slate-900"
    >
      <button type="button" className={plain} disabled={cursor === 0} onClick={() => perform("reset")}>
        Reset
      </button>
      <button type="button" className={plain} disabled={cursor === 0} onClick={() => perform("step-back")}>
        Step back
      </button>
      <button type="button" className={plain} onClick={() => perform("play-pause")}>
        {playing ? "Pause" : "Play"}
      </button>
      <button
        type="button"
        data-primary
        className={`${base} border-blue-700 bg-blue-600 font-semibold text-white dark:border-sky-400 dark:bg-sky-600`}
        disabled={cursor >= total}
        onClick={() => perform("step-forward")}
      >
        Step forward
      </button>
      <output className="ml-auto font-mono text-sm font-semibold" data-testid="position">
        Step {cursor} / {total}
      </output>
    </nav>
  );
}

function OnePanel({ view }: { readonly view: View }) {
  if (view === "steps") {
    return (
      <Panel title="Steps" testId="panel-steps" className="h-[32rem]">
        <PanelBoundary id="steps">
          <Timeline />
        </PanelBoundary>
      </Panel>
    );
  }
  if (view === "kernel") {
    return (
      <Panel title="Kernel" testId="panel-kernel" className="h-[32rem]">
        <PanelBoundary id="kernel">
          <KernelState />
        </PanelBoundary>
      </Panel>
    );
  }
  const def = PANEL_ROWS.flat().find((p) => p.id === view);
  if (!def) return null;
  return (
    <div className="grid h-[32rem] min-w-0" data-panel={def.id}>
      <PanelBoundary id={def.id}>{def.render()}</PanelBoundary>
    </div>
  );
}

export default function PhonePage() {
  const title = useLab((s) => s.scenario.title);
  const [view, setView] = useState<View>("strtab");
  return (
    <div className="flex min-h-full flex-col" data-testid="phone">
      <header className="flex flex-wrap items-center gap-x-2 gap-y-1 border-b border-slate-200 bg-white px-3 py-2 dark:border-slate-700 dark:bg-slate-900">
        <h1 className="text-base font-bold">SVA Lab</h1>
        <span className="ml-auto flex gap-1.5">
          <LessonMenuButton />
          <ShareLink compact />
        </span>
        <p className="w-full text-sm font-medium [overflow-wrap:anywhere]" data-testid="scenario-title">
          {title}
        </p>
      </header>
      <PhoneControls />
      <LessonBar />
      <CurrentStep />
      <div className="flex items-center gap-2 px-3 pt-2 text-sm">
        <label htmlFor="phone-view" className="text-slate-600 dark:text-slate-300">
          Show
        </label>
        <select
          id="phone-view"
          value={view}
          onChange={(e) => setView(e.target.value as View)}
          className="min-w-0 flex-1 rounded border border-slate-300 bg-white px-1 py-1 dark:border-slate-600 dark:bg-slate-800"
        >
          {VIEWS.map((v) => (
            <option key={v.id} value={v.id}>
              {v.label}
            </option>
          ))}
        </select>
      </div>
      <main className="p-2" data-testid="phone-panel">
        <OnePanel view={view} />
      </main>
    </div>
  );
}
