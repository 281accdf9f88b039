/**
 * The lessons: a "Lessons" button in the header opening a menu of the built-in library (title
 * and first sentence of each, by section, with the learner's progress), and the lesson bar
 * under the step controls: the "Break it: <what>" switch for the lessons that demonstrate a
 * safeguard, the lesson's challenges, and at its last step the recap.
 */

import { lazy, Suspense, useId } from "react";
import { LIBRARY } from "../../../scenario/library/index.ts";
import { NEWEST_MAINLINE } from "../../../scenario/releases.ts";
import { useChallenge } from "../../../store/challenge-state.ts";
import { useLessons } from "../../../store/lessons.ts";
import { useLab } from "../../../store/store.ts";
import { breakItLabel, FAULTS } from "../../../view/index.ts";
import { buttonClass } from "../button.ts";

const MENU_BUTTON_ID = "lessons-button";

/** A museum lesson's note and release switch, fetched with the first museum lesson shown. */
const BugNote = lazy(() => import("./BugNote.tsx").then((m) => ({ default: m.BugNote })));

/** The menu's dialog, fetched the first time it opens; the challenge's bar, when one starts. */
const Menu = lazy(() => import("./LessonMenuDialog.tsx").then((m) => ({ default: m.LessonMenuDialog })));
const ChallengeBar = lazy(() => import("./ChallengeBar.tsx").then((m) => ({ default: m.ChallengeBar })));
/** The recap and the challenge buttons, with the guide's text: after the first paint. */
const Recap = lazy(() => import("./LessonExtras.tsx").then((m) => ({ default: m.Recap })));
const ChallengeButtons = lazy(() =>
  import("./LessonExtras.tsx").then((m) => ({ default: m.ChallengeButtons })),
);

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
      {open ? (
        <Suspense fallback={null}>
          <Menu />
        </Suspense>
      ) : null}
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
            ⚠ Without this safeguard: {status.kind} at step {status.step + 1}
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

/** Under the step controls while a lesson is shown: where it sits, and its safeguard switch. */
export function LessonBar() {
  const id = useLessons((s) => s.id);
  const faultOn = useLessons((s) => s.faultOn);
  const atEnd = useLab((s) => s.cursor > 0 && s.cursor >= s.result.steps.length);
  const inChallenge = useChallenge((s) => s.challenge !== null);
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
        <span className="font-normal text-slate-600 dark:text-slate-300"> · {lesson.group}</span>
      </span>
      {lesson.bug ? (
        <Suspense fallback={null}>
          <BugNote lesson={lesson} />
        </Suspense>
      ) : lesson.finding ? (
        <span
          className="min-w-0 flex-1 basis-72 font-medium text-red-800 dark:text-red-300"
          data-testid="finding-note"
        >
          Found by the model, not confirmed upstream
          {lesson.finding.breaks ? `: ${lesson.finding.breaks}` : ""} on every release from{" "}
          {lesson.finding.since} to {NEWEST_MAINLINE}; no release modelled fixes it.
        </span>
      ) : null}
      {lesson.bug || lesson.finding ? null : fault && !inChallenge ? (
        <>
          <label className="inline-flex items-center gap-1.5 font-medium">
            <input
              type="checkbox"
              className="accent-red-600"
              checked={faultOn}
              aria-describedby={helpId}
              onChange={(e) => useLessons.getState().switchOff(e.target.checked)}
            />
            {breakItLabel(fault.name)}
          </label>
          <span id={helpId} className="min-w-0 flex-1 basis-72 text-slate-600 dark:text-slate-300">
            {faultOn ? "Safeguard off: " : "Ticked, it switches the safeguard off: "}
            {(FAULTS as Record<string, string>)[fault.name] ?? ""}
          </span>
          {faultOn ? <FaultStatusLine fault={fault.name} /> : null}
        </>
      ) : fault || lesson.bug ? null : (
        <span className="flex-1 text-slate-600 dark:text-slate-300">
          This lesson shows the design working; it has no safeguard to switch off.
        </span>
      )}
      <Suspense fallback={null}>
        <ChallengeButtons lesson={lesson.id} />
      </Suspense>
      {next && !inChallenge ? (
        <button
          type="button"
          className="ml-auto rounded border border-slate-300 bg-white px-1.5 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-blue-500 dark:border-slate-600 dark:bg-slate-800 dark:hover:bg-slate-700"
          onClick={() => useLessons.getState().openLesson(next.id)}
          title={next.scenario.title}
        >
          Next lesson
        </button>
      ) : null}
      {atEnd && !inChallenge ? (
        <Suspense fallback={null}>
          <Recap lesson={lesson.id} faultOn={faultOn} />
        </Suspense>
      ) : null}
      {inChallenge ? (
        <Suspense fallback={null}>
          <ChallengeBar />
        </Suspense>
      ) : null}
    </section>
  );
}
