/**
 * The lessons: a "Lessons" button in the header opening a menu of the built-in library (title
 * and first sentence of each), and the lesson bar under the step controls with the
 * "Switch off <fault>" toggle for the lessons that demonstrate a safeguard.
 */

import { type KeyboardEvent, useEffect, useId, useRef } from "react";
import { FAULTS } from "../../kernel/index.ts";
import { LIBRARY } from "../../scenario/library/index.ts";
import { openLarge } from "../../store/large.ts";
import { firstSentence, useLessons } from "../../store/lessons.ts";
import { useLab } from "../../store/store.ts";
import { buttonClass } from "./Header.tsx";

const MENU_BUTTON_ID = "lessons-button";

function LessonItem({ index, current }: { readonly index: number; readonly current: boolean }) {
  const l = LIBRARY[index]!;
  return (
    <li>
      <button
        type="button"
        data-testid="lesson-item"
        data-lesson={l.id}
        aria-current={current || undefined}
        onClick={() => {
          useLessons.getState().openLesson(l.id);
          useLessons.getState().setMenuOpen(false);
        }}
        className={`w-full rounded-md border px-3 py-2 text-left focus-visible:outline-2 focus-visible:outline-blue-500 ${
          current
            ? "border-blue-500 bg-blue-50 dark:border-sky-400 dark:bg-sky-950"
            : "border-slate-200 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
        }`}
      >
        <span className="flex flex-wrap items-baseline gap-x-2">
          <span className="font-mono text-xs text-slate-500 dark:text-slate-400">{index + 1}.</span>
          <span className="font-semibold" data-testid="lesson-title">
            {l.scenario.title}
          </span>
          {l.fault ? (
            <span className="rounded bg-amber-100 px-1.5 font-mono text-[11px] text-amber-900 dark:bg-amber-950 dark:text-amber-200">
              safeguard: {l.fault.name}
            </span>
          ) : null}
        </span>
        <span className="mt-0.5 block text-xs text-slate-600 dark:text-slate-300">
          {firstSentence(l.scenario.description)}
        </span>
      </button>
    </li>
  );
}

function Menu() {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const current = useLessons((s) => s.id);
  const setMenuOpen = useLessons((s) => s.setMenuOpen);

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (!d.open) d.showModal();
    const first =
      d.querySelector<HTMLElement>('[aria-current="true"]') ?? d.querySelector<HTMLElement>("[data-lesson]");
    first?.focus();
    return () => d.close();
  }, []);

  // Keys pressed in the menu stay in it: Space on a lesson chooses it rather than playing.
  const onKeyDown = (e: KeyboardEvent): void => e.stopPropagation();

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      data-testid="lesson-menu"
      onKeyDown={onKeyDown}
      onClose={() => setMenuOpen(false)}
      onClick={(e) => {
        if (e.target === ref.current) setMenuOpen(false); // a click on the backdrop
      }}
      className="m-auto max-h-[calc(100vh-4rem)] w-[44rem] max-w-[calc(100vw-2rem)] overflow-hidden rounded-lg border border-slate-300 bg-white p-0 text-slate-900 shadow-2xl backdrop:bg-slate-900/40 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100"
    >
      <div className="flex max-h-[calc(100vh-4rem)] flex-col">
        <header className="flex items-center justify-between gap-2 border-b border-slate-200 px-4 py-2 dark:border-slate-700">
          <div>
            <h2 id={titleId} className="text-base font-semibold">
              Lessons
            </h2>
            <p className="text-xs text-slate-600 dark:text-slate-300">
              One scenario per lesson; each opens at step 0 and has its own link.
            </p>
          </div>
          <button type="button" className={buttonClass} onClick={() => setMenuOpen(false)}>
            Close
          </button>
        </header>
        <div className="min-h-0 flex-1 overflow-y-auto p-3">
          <ol className="space-y-1.5" aria-label="Lessons">
            {LIBRARY.map((l, i) => (
              <LessonItem key={l.id} index={i} current={l.id === current} />
            ))}
          </ol>
          <h3 className="mt-3 mb-1 text-xs font-semibold text-slate-600 dark:text-slate-300">Scale</h3>
          <button
            type="button"
            data-testid="large-item"
            onClick={() => {
              setMenuOpen(false);
              void openLarge();
            }}
            className="w-full rounded-md border border-slate-200 px-3 py-2 text-left hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-blue-500 dark:border-slate-700 dark:hover:bg-slate-800"
          >
            <span className="font-semibold">Large: 64 processes × 16 devices</span>
            <span className="mt-0.5 block text-xs text-slate-600 dark:text-slate-300">
              256 bindings and 16,384 mapped pages, about 14,000 steps: how the page copes with a big system
              (the run takes a few seconds; its link is <code className="font-mono">#large</code>).
            </span>
          </button>
        </div>
      </div>
    </dialog>
  );
}

export function LessonMenuButton() {
  const open = useLessons((s) => s.menuOpen);
  return (
    <>
      <button
        type="button"
        id={MENU_BUTTON_ID}
        className={buttonClass}
        aria-haspopup="dialog"
        aria-expanded={open}
        onClick={() => useLessons.getState().setMenuOpen(!open)}
      >
        Lessons
      </button>
      {open ? <Menu /> : null}
    </>
  );
}

function FaultStatusLine({ fault }: { readonly fault: string }) {
  const status = useLessons((s) => s.status);
  const scenario = useLab((s) => s.scenario);
  const goTo = useLab((s) => s.goTo);
  const pause = useLab((s) => s.pause);
  switch (status.state) {
    case "idle":
      return null;
    case "searching":
      return (
        <span className="text-slate-600 dark:text-slate-300">
          The lesson's own order breaks nothing; searching the interleavings for one that does…
        </span>
      );
    case "failed":
      return <span className="text-red-700 dark:text-red-400">The search failed: {status.message}</span>;
    case "none":
      return status.scenario === scenario ? (
        <span className="text-slate-600 dark:text-slate-300">
          No interleaving of this scenario breaks an invariant with {fault} switched off.
        </span>
      ) : null;
    case "found":
      if (status.scenario !== scenario) return null;
      return (
        <span className="flex flex-wrap items-center gap-x-2 gap-y-0.5">
          <span className="font-medium text-red-700 dark:text-red-400" data-testid="fault-result">
            ⚠ Without this safeguard: {status.kind} at step {status.step}
            {status.searched ? ", in an interleaving the explorer found (the schedule is now that one)" : ""}.
          </span>
          <button
            type="button"
            className="rounded border border-red-300 px-1.5 text-red-800 hover:bg-red-50 focus-visible:outline-2 focus-visible:outline-blue-500 dark:border-red-700 dark:text-red-200 dark:hover:bg-red-950"
            onClick={() => {
              pause();
              goTo(status.step + 1);
            }}
          >
            Show the violation
          </button>
        </span>
      );
    default: {
      const exhaustive: never = status;
      return exhaustive;
    }
  }
}

/** Under the step controls while a lesson is shown: where it sits, and its safeguard toggle. */
export function LessonBar() {
  const id = useLessons((s) => s.id);
  const faultOn = useLessons((s) => s.faultOn);
  const helpId = useId();
  const index = LIBRARY.findIndex((l) => l.id === id);
  const lesson = LIBRARY[index];
  if (!lesson) return null;
  const next = LIBRARY[index + 1];
  const fault = lesson.fault;
  return (
    <section
      aria-label="Lesson"
      data-testid="lesson-bar"
      className="flex flex-wrap items-center gap-x-3 gap-y-1 border-b border-amber-200 bg-amber-50 px-3 py-1 text-xs dark:border-amber-900 dark:bg-amber-950/40"
    >
      <span className="font-semibold">
        Lesson {index + 1} of {LIBRARY.length}
      </span>
      {fault ? (
        <>
          <label className="inline-flex items-center gap-1.5 font-medium">
            <input
              type="checkbox"
              className="accent-red-600"
              checked={faultOn}
              aria-describedby={helpId}
              onChange={(e) => useLessons.getState().switchOff(e.target.checked)}
            />
            Switch off {fault.name}
          </label>
          <span id={helpId} className="min-w-0 flex-1 basis-72 text-slate-600 dark:text-slate-300">
            {(FAULTS as Record<string, string>)[fault.name] ?? ""}
          </span>
          {faultOn ? <FaultStatusLine fault={fault.name} /> : null}
        </>
      ) : (
        <span className="flex-1 text-slate-600 dark:text-slate-300">
          This lesson shows the design working; it has no safeguard to switch off.
        </span>
      )}
      {next ? (
        <button
          type="button"
          className="ml-auto rounded border border-slate-300 bg-white px-1.5 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-blue-500 dark:border-slate-600 dark:bg-slate-800 dark:hover:bg-slate-700"
          onClick={() => useLessons.getState().openLesson(next.id)}
          title={next.scenario.title}
        >
          Next lesson
        </button>
      ) : null}
    </section>
  );
}
