/**
 * The history of choices as branches: when a choice in "Next step" (or `finishOp`) re-runs the
 * scenario in another order, the run left behind is kept as a branch (its whole schedule and
 * where its cursor was), one click away; choosing it brings it back, with its own link (the
 * link always carries the branch shown, in its schedule). The list belongs to one scenario: a
 * different scenario (another lesson, a link, the editor) starts a new one.
 */

import { create } from "zustand";
import type { Scenario } from "../scenario/types.ts";
import { type LabState, useLab } from "./store.ts";

export interface Branch {
  /** One actor per step: replays this run exactly. */
  readonly schedule: readonly string[];
  /** Where the learner was on it. */
  readonly cursor: number;
  /** The first step at which it differs from the run shown when it was kept. */
  readonly from: number;
  /** Who took that step on this branch. */
  readonly actor: string;
}

export interface BranchesState {
  readonly list: readonly Branch[];
  /** Shows branch `i` (the run shown becomes a branch in its place). */
  open(i: number): string | null;
}

const fullSchedule = (s: LabState): string[] => s.result.steps.map((x) => x.actor);

/** The same scenario but for its schedule (choices keep every other field's object). */
const sameScenario = (a: Scenario, b: Scenario): boolean =>
  a.threads === b.threads && a.processes === b.processes && a.devices === b.devices && a.faults === b.faults;

function firstDifference(a: readonly string[], b: readonly string[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** Adds `old` to `list` unless it is there or it is the run now shown. */
function keep(
  list: readonly Branch[],
  old: readonly string[],
  cursor: number,
  now: readonly string[],
): Branch[] {
  const key = old.join(" ");
  const others = list.filter((b) => b.schedule.join(" ") !== key && b.schedule.join(" ") !== now.join(" "));
  if (key === now.join(" ")) return others;
  const from = firstDifference(old, now);
  return [...others, { schedule: old, cursor, from, actor: old[from] ?? "end" }].slice(-12);
}

export const useBranches = create<BranchesState>()((_set, get) => ({
  list: [],
  open(i) {
    const b = get().list[i];
    if (!b) return null;
    const lab = useLab.getState();
    return lab.load({ ...lab.scenario, schedule: [...b.schedule] }, { step: b.cursor });
  },
}));

/** Follows the page's runs: a re-scheduled run keeps the one before as a branch. */
export function startBranchSync(lab = useLab, branches = useBranches): () => void {
  return lab.subscribe((s, prev) => {
    if (s.result === prev.result) return;
    if (!sameScenario(s.scenario, prev.scenario)) {
      if (branches.getState().list.length > 0) branches.setState({ list: [] });
      return;
    }
    const now = fullSchedule(s);
    branches.setState({ list: keep(branches.getState().list, fullSchedule(prev), prev.cursor, now) });
  });
}
