/**
 * What the lesson bar shows from the guide (scenario/library/guide.ts): the recap at the
 * lesson's last step, and the buttons that start its challenges. Fetched after the first paint.
 */

import { useChallenge } from "../../../store/challenge-state.ts";
import { useProgress } from "../../../store/progress.ts";
import { useLab } from "../../../store/store.ts";
import { useGuide } from "./useGuide.ts";

/** At the lesson's last step: what it showed, and what to try with the safeguard off. */
export function Recap({ lesson, faultOn }: { readonly lesson: string; readonly faultOn: boolean }) {
  const guide = useGuide();
  const recap = guide?.RECAPS[lesson];
  if (!recap) return null;
  return (
    <p className="w-full text-slate-800 dark:text-slate-100" data-testid="lesson-recap">
      <strong>Recap.</strong> {recap.text}
      {recap.breakIt && !faultOn ? (
        <>
          {" "}
          <strong>Now break it:</strong> {recap.breakIt}
        </>
      ) : null}
    </p>
  );
}

/** The lesson's challenges, as buttons that start them (fetched with the guide). */
export function ChallengeButtons({ lesson }: { readonly lesson: string }) {
  const guide = useGuide();
  const active = useChallenge((s) => s.challenge);
  const won = useProgress((s) => s.won);
  if (!guide || active) return null;
  return (
    <>
      {guide.challengesOf(lesson).map((c) => (
        <button
          key={c.id}
          type="button"
          data-testid="challenge-start"
          className="rounded border border-violet-400 bg-violet-50 px-1.5 font-medium text-violet-900 hover:bg-violet-100 focus-visible:outline-2 focus-visible:outline-blue-500 dark:border-violet-500 dark:bg-violet-950 dark:text-violet-100 dark:hover:bg-violet-900"
          title={`Challenge: ${c.goal}`}
          onClick={() => {
            void import("../../../store/challenge.ts").then((m) => {
              const error = m.startChallenge(c);
              if (error !== null) useLab.getState().setError(error);
            });
          }}
        >
          {won[c.id] ? "✓ " : ""}Challenge: {c.goal}
        </button>
      ))}
    </>
  );
}
