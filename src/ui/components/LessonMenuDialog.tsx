/**
 * The lessons menu's dialog: the built-in library (title and first sentence of each), the
 * design history (one lesson per review thread, with the release or RFC it runs on) and the
 * large scenario. Loaded the first time the menu opens.
 */

import { type KeyboardEvent, useEffect, useId, useRef } from "react";
import { LIBRARY, lessonsOf } from "../../scenario/library/index.ts";
import { openLarge } from "../../store/large.ts";
import { firstSentence, useLessons } from "../../store/lessons.ts";
import { buttonClass } from "./Header.tsx";

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
          {l.group === "history" ? (
            <span
              data-testid="lesson-runs-on"
              className="rounded bg-sky-100 px-1.5 font-mono text-[11px] text-sky-900 dark:bg-sky-950 dark:text-sky-200"
            >
              runs on {l.scenario.kernel}
            </span>
          ) : null}
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

export function LessonMenuDialog() {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const historyId = useId();
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
            {lessonsOf(undefined).map((l) => (
              <LessonItem key={l.id} index={LIBRARY.indexOf(l)} current={l.id === current} />
            ))}
          </ol>
          <h3 id={historyId} className="mt-3 mb-1 text-xs font-semibold text-slate-600 dark:text-slate-300">
            Design history
          </h3>
          <p className="mb-1.5 text-xs text-slate-600 dark:text-slate-300">
            The review threads the Linux SVA code went through, in order: each lesson opens with the question
            the review asked.
          </p>
          <ol className="space-y-1.5" aria-labelledby={historyId} data-testid="lesson-group-history">
            {lessonsOf("history").map((l) => (
              <LessonItem key={l.id} index={LIBRARY.indexOf(l)} current={l.id === current} />
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
