/**
 * Challenge mode: a lesson sets a goal (a violation its switched-off safeguard allows) and the
 * learner reaches it by scheduling, with "Run T1 next" and the numbered keys. It starts from the
 * lesson's scenario with the fault on and no schedule: the default order, which runs the
 * threads one after another, does not reach the goal (guide.test.ts checks each).
 *
 * A try ends when the cursor reaches the last step of a run that has not reached the goal; each
 * failed try reveals one more hint. The explorer's witness is the solution, loaded on request
 * (a goal reached that way is not counted as won). Wins are kept in the browser (progress.ts).
 */

import type { Challenge } from "../scenario/library/guide.ts";
import { findLesson } from "../scenario/library/index.ts";
import type { Scenario } from "../scenario/types.ts";
import { OFF, useChallenge } from "./challenge-state.ts";
import { type Search, searchBreakingSchedule } from "./fault-search.ts";
import { matchLesson, useLessons } from "./lessons.ts";
import { useProgress } from "./progress.ts";
import { useLab } from "./store.ts";

/** The challenge's first run: the lesson with the fault on, no schedule. */
export function challengeStart(c: Challenge): Scenario | null {
  const l = findLesson(c.lesson);
  if (!l) return null;
  return { ...l.scenario, faults: c.fault ? [c.fault] : [], schedule: undefined };
}

let search: Search | null = null;
/** The runs already counted as a try (a run is its scenario object: a new choice makes a new one). */
let counted = new WeakSet<Scenario>();

function stopSearch(): void {
  search?.cancel();
  search = null;
}

const get = useChallenge.getState;
const set = useChallenge.setState;
let syncing = false;

/** Starts `c` at step 0; a message when it cannot. */
export function startChallenge(c: Challenge): string | null {
  const scenario = challengeStart(c);
  if (!scenario) return `no lesson "${c.lesson}" for the challenge`;
  if (!syncing) {
    syncing = true;
    startChallengeSync();
  }
  stopSearch();
  counted = new WeakSet();
  const error = useLab.getState().load(scenario, { step: 0 });
  if (error !== null) return error;
  set({ ...OFF, challenge: c });
  return null;
}

export function restartChallenge(): void {
  const c = get().challenge;
  if (!c) return;
  const scenario = challengeStart(c);
  if (scenario) useLab.getState().load(scenario, { step: 0 });
  set({ reachedAt: null, solution: get().solution === "shown" ? "hidden" : get().solution });
}

export function leaveChallenge(): void {
  const c = get().challenge;
  stopSearch();
  set(OFF);
  if (c) useLessons.getState().openLesson(c.lesson);
}

/** Loads the explorer's witness: an interleaving that reaches the goal (not counted as won). */
export function showSolution(): void {
  const c = get().challenge;
  const scenario = c ? challengeStart(c) : null;
  if (!c || !scenario) return;
  stopSearch();
  set({ solution: "searching" });
  const mine = searchBreakingSchedule(scenario, c.kind);
  search = mine;
  mine.result.then(
    (found) => {
      if (search !== mine || get().challenge !== c) return;
      search = null;
      if (found === null) {
        set({ solution: "none" });
        return;
      }
      set({ solution: "shown", reachedAt: null });
      useLab.getState().load({ ...scenario, schedule: [...found.schedule] }, { step: 0 });
    },
    () => {
      if (search === mine) set({ solution: "failed" });
      search = null;
    },
  );
}

/**
 * Follows the page while a challenge is on: the goal reached (a violation of its kind at a step
 * the cursor has passed), a try ended, or the learner gone to another lesson (the challenge ends).
 */
export function startChallengeSync(lab = useLab, challenge = useChallenge): () => void {
  return lab.subscribe((s, prev) => {
    const st = challenge.getState();
    const c = st.challenge;
    if (!c) return;
    // Another lesson or scenario opened (a re-run with a new choice is still the challenge's lesson).
    if (s.scenario !== prev.scenario && matchLesson(s.scenario, c.lesson)?.id !== c.lesson) {
      stopSearch();
      challenge.setState(OFF);
      return;
    }
    if (s.scenario.faults.join() !== (c.fault ?? "")) return;
    const hit = s.trace.violations.find((v) => v.kind === c.kind && v.step < s.cursor);
    if (hit && st.reachedAt === null) {
      challenge.setState({ reachedAt: hit.step });
      if (st.solution !== "shown") useProgress.getState().markWon(c.id);
      return;
    }
    if (!hit && s.cursor >= s.result.steps.length && s.cursor !== prev.cursor && !counted.has(s.scenario)) {
      counted.add(s.scenario);
      challenge.setState({ tries: st.tries + 1 });
    }
  });
}
