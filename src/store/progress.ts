/**
 * What a learner has done, kept in the browser (localStorage, nothing leaves it): the lessons
 * followed to their last step, the challenges won, and whether the About box has been seen
 * (it opens by itself on the first visit only). The menu shows the lessons done per section.
 */

import { create } from "zustand";

const KEY = "sva-lab-progress";

export interface ProgressState {
  /** Lesson ids followed to their last step. */
  readonly done: Readonly<Record<string, true>>;
  /** Challenge ids won by scheduling (not by revealing the solution). */
  readonly won: Readonly<Record<string, true>>;
  /** The first visit's About box has been shown. */
  readonly welcomed: boolean;
  markDone(lesson: string): void;
  markWon(challenge: string): void;
  markWelcomed(): void;
}

type Stored = Pick<ProgressState, "done" | "won" | "welcomed">;

const EMPTY: Stored = { done: {}, won: {}, welcomed: false };

/** Only ids made of the characters lesson and challenge ids use: storage may hold anything. */
function ids(v: unknown): Record<string, true> {
  const out: Record<string, true> = {};
  if (typeof v !== "object" || v === null) return out;
  for (const k of Object.keys(v).slice(0, 200)) if (/^[\w/-]{1,80}$/.test(k)) out[k] = true;
  return out;
}

export function readProgress(storage: Pick<Storage, "getItem"> | undefined): Stored {
  try {
    const text = storage?.getItem(KEY);
    if (!text) return EMPTY;
    const j: unknown = JSON.parse(text);
    if (typeof j !== "object" || j === null) return EMPTY;
    const o = j as Record<string, unknown>;
    return { done: ids(o.done), won: ids(o.won), welcomed: o.welcomed === true };
  } catch {
    return EMPTY;
  }
}

function save(s: Stored): void {
  try {
    globalThis.localStorage?.setItem(KEY, JSON.stringify({ done: s.done, won: s.won, welcomed: s.welcomed }));
  } catch {
    // Storage may be disabled or full: the progress then lasts as long as the page.
  }
}

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

export const useProgress = create<ProgressState>()((set, get) => ({
  ...readProgress(storage()),
  markDone(lesson) {
    if (get().done[lesson]) return;
    set({ done: { ...get().done, [lesson]: true } });
    save(get());
  },
  markWon(challenge) {
    if (get().won[challenge]) return;
    set({ won: { ...get().won, [challenge]: true } });
    save(get());
  },
  markWelcomed() {
    if (get().welcomed) return;
    set({ welcomed: true });
    save(get());
  },
}));
