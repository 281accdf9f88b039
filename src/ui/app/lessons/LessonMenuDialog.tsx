/**
 * The lessons menu's dialog: the built-in library by section (basics, invalidation, races,
 * faults, nested, real bugs), title and first sentence of each, the lessons done and the
 * challenges won (kept in the browser), and the large scenario. Loaded the first time the menu
 * opens.
 */

import { type KeyboardEvent, useEffect, useId, useRef } from "react";
import { challengesOf, lessonLead, lessonTitle } from "../../../scenario/library/guide.ts";
import { LESSON_GROUPS, LIBRARY } from "../../../scenario/library/index.ts";
import { openLarge } from "../../../store/large.ts";
import { useLessons } from "../../../store/lessons.ts";
import { useProgress } from "../../../store/progress.ts";
import { buttonClass } from "../button.ts";

function LessonItem({ index, current }: { readonly index: number; readonly current: boolean }) {
  const l = LIBRARY[index]!;
  const done = useProgress((s) => s.done[l.id] === true);
  const won = useProgress((s) => s.won);
  const challenges = challengesOf(l.id);
  const wonHere = challenges.filter((c) => won[c.id]).length;
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
            {lessonTitle(l)}
          </span>
          {done ? (
            <span className="text-xs text-green-700 dark:text-green-400" data-testid="lesson-done">
              ✓ done
            </span>
          ) : null}
          {challenges.length > 0 ? (
            <span className="rounded bg-violet-100 px-1.5 text-[11px] text-violet-900 dark:bg-violet-950 dark:text-violet-200">
              challenge{challenges.length > 1 ? "s" : ""} {wonHere}/{challenges.length}
            </span>
          ) : null}
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
        <span className="mt-0.5 block text-xs text-slate-600 dark:text-slate-300">{lessonLead(l)}</span>
      </button>
    </li>
  );
}

/** A section's heading, where its id is not the words. */
const GROUP_NAMES: Readonly<Record<string, string>> = { history: "Design history" };
/** A line under a section's heading, where one says what the section is. */
const GROUP_NOTES: Readonly<Record<string, string>> = {
  history:
    "The review threads the Linux SVA code went through, in order: each lesson opens with the question the review asked.",
};

function LessonGroup({ group, current }: { readonly group: string; readonly current: string | null }) {
  const done = useProgress((s) => s.done);
  const headId = useId();
  const items = LIBRARY.flatMap((l, i) => (l.group === group ? [i] : []));
  if (items.length === 0) return null;
  const doneHere = items.filter((i) => done[LIBRARY[i]!.id]).length;
  return (
    <section aria-labelledby={headId} className="mb-3" data-testid="lesson-group" data-group={group}>
      <h3
        id={headId}
        className="mb-1 flex items-baseline justify-between text-xs font-semibold text-slate-600 capitalize dark:text-slate-300"
      >
        {GROUP_NAMES[group] ?? group}
        <span className="font-normal normal-case" data-testid="lesson-group-progress">
          {doneHere} of {items.length} done
        </span>
      </h3>
      {GROUP_NOTES[group] ? (
        <p className="mb-1.5 text-xs text-slate-600 dark:text-slate-300">{GROUP_NOTES[group]}</p>
      ) : null}
      <ol className="space-y-1.5" aria-label={`Lessons: ${GROUP_NAMES[group] ?? group}`}>
        {items.map((i) => (
          <LessonItem key={LIBRARY[i]!.id} index={i} current={LIBRARY[i]!.id === current} />
        ))}
      </ol>
    </section>
  );
}

export function LessonMenuDialog() {
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
      // The close event is queued: under StrictMode the effect's cleanup closes the dialog and
      // its second run opens it again before the event arrives. Only a dialog still closed
      // (Escape, or a close that stuck) closes the menu.
      onClose={() => {
        if (!ref.current?.open) setMenuOpen(false);
      }}
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
              One scenario per lesson, by section; each opens at step 0 and has its own link. A lesson is done
              once you step to its end; progress stays in this browser.
            </p>
          </div>
          <button type="button" className={buttonClass} onClick={() => setMenuOpen(false)}>
            Close
          </button>
        </header>
        <div className="min-h-0 flex-1 overflow-y-auto p-3">
          {LESSON_GROUPS.map((g) => (
            <LessonGroup key={g} group={g} current={current} />
          ))}
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
