/**
 * Challenge mode's state, apart from its logic (challenge.ts, fetched when a challenge starts):
 * the lesson bar reads whether one is on at first paint.
 */

import { create } from "zustand";
import type { Challenge } from "../scenario/library/guide.ts";

export type SolutionState = "hidden" | "searching" | "shown" | "none" | "failed";

export interface ChallengeState {
  readonly challenge: Challenge | null;
  /** Runs played to their end without reaching the goal. */
  readonly tries: number;
  /** The step at which the goal was reached (0-based, the violation's), or null. */
  readonly reachedAt: number | null;
  readonly solution: SolutionState;
}

export const OFF: ChallengeState = { challenge: null, tries: 0, reachedAt: null, solution: "hidden" };

export const useChallenge = create<ChallengeState>()(() => OFF);
