/**
 * The challenge being played, inside the lesson bar: the goal, the tries so far, the hints
 * revealed (one per failed try), the explorer's solution on request, and the way out. Fetched
 * when a challenge starts.
 */

import { leaveChallenge, restartChallenge, showSolution } from "../../../store/challenge.ts";
import { useChallenge } from "../../../store/challenge-state.ts";
import { useLab } from "../../../store/store.ts";

const small =
  "rounded border border-violet-400 bg-white px-1.5 hover:bg-violet-50 focus-visible:outline-2 focus-visible:outline-blue-500 disabled:opacity-50 dark:border-violet-500 dark:bg-slate-800 dark:hover:bg-violet-950";

export function ChallengeBar() {
  const c = useChallenge((s) => s.challenge);
  const tries = useChallenge((s) => s.tries);
  const reachedAt = useChallenge((s) => s.reachedAt);
  const solution = useChallenge((s) => s.solution);
  const goTo = useLab((s) => s.goTo);
  if (!c) return null;
  const hints = c.hints.slice(0, Math.min(tries, c.hints.length));
  return (
    <section
      aria-label="Challenge"
      data-testid="challenge"
      className="flex w-full flex-wrap items-center gap-x-3 gap-y-1 rounded border border-violet-300 bg-violet-50 px-2 py-1 text-violet-950 dark:border-violet-700 dark:bg-violet-950/50 dark:text-violet-50"
    >
      <strong>Challenge:</strong>
      <span data-testid="challenge-goal">{c.goal}</span>
      <span className="text-violet-800 dark:text-violet-200">
        You are the scheduler: choose who steps next (Next step, or the keys 1…9), with the safeguard switched
        off.
      </span>
      {reachedAt !== null ? (
        <span
          className="font-semibold text-green-800 dark:text-green-300"
          data-testid="challenge-won"
          role="status"
        >
          {solution === "shown"
            ? `The solution reaches it at step ${reachedAt + 1}.`
            : `Goal reached at step ${reachedAt + 1}: you broke it by scheduling.`}
        </span>
      ) : (
        <span data-testid="challenge-tries">
          {tries === 0 ? "No try finished yet." : `${tries} tr${tries === 1 ? "y" : "ies"} without the goal.`}
        </span>
      )}
      <span className="ml-auto flex flex-wrap gap-1">
        <button type="button" className={small} onClick={() => restartChallenge()}>
          Start over
        </button>
        {reachedAt === null ? (
          <button
            type="button"
            className={small}
            disabled={solution === "searching"}
            onClick={() => showSolution()}
          >
            {solution === "searching" ? "Searching the interleavings…" : "Show the solution"}
          </button>
        ) : (
          <button type="button" className={small} onClick={() => goTo(reachedAt + 1)}>
            Show the step
          </button>
        )}
        <button type="button" className={small} onClick={() => leaveChallenge()}>
          Leave the challenge
        </button>
      </span>
      {solution === "shown" && reachedAt === null ? (
        <span className="w-full">
          The explorer's interleaving is loaded: step through it to the goal (it does not count as won).
        </span>
      ) : null}
      {solution === "none" || solution === "failed" ? (
        <span className="w-full">The explorer found no interleaving that reaches the goal.</span>
      ) : null}
      {hints.length > 0 ? (
        <ol className="w-full list-decimal pl-5" aria-label="Hints" data-testid="challenge-hints">
          {hints.map((h) => (
            <li key={h}>{h}</li>
          ))}
        </ol>
      ) : null}
    </section>
  );
}
