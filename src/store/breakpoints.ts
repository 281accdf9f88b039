/**
 * Breakpoints: on a kernel function (a step's `fn`), on a command opcode (a step that queues
 * one), or on a fault (an event type the SMMU raised, recorded or not, or a violation kind).
 * Play stops just after a step that hits one (playback.ts asks `stopHere`), and "Run to
 * breakpoint" moves the cursor there. They are the reader's own, kept in localStorage, not
 * in a shared link.
 */

import { create } from "zustand";
import { decodeCmd } from "../engine/index.ts";
import type { StepRecord } from "../kernel/index.ts";
import { addPlaybackStop } from "./playback.ts";

export type BreakpointKind = "fn" | "cmd" | "fault";

export interface Breakpoint {
  readonly kind: BreakpointKind;
  /** A function name, an opcode (`ATC_INV`), or an event type / violation kind (`F_TRANSLATION`). */
  readonly name: string;
}

/** The fault breakpoint that any violation hits. */
export const ANY_VIOLATION = "any violation";

const STORAGE_KEY = "sva-lab-breakpoints";
const MAX = 64;
const NAME = /^[\w&()>*, .:-]{1,80}$/;

export const breakpointKey = (b: Breakpoint): string => `${b.kind}:${b.name}`;

/** The function a step names, without its argument: `mutex_lock(&sva_lock)` → `mutex_lock`. */
const baseName = (fn: string): string => fn.split(/[ (]/, 1)[0] ?? fn;

/** Does `step` hit `b`? */
export function hits(step: StepRecord, b: Breakpoint): boolean {
  switch (b.kind) {
    case "fn":
      return step.fn === b.name || baseName(step.fn) === b.name;
    case "cmd":
      return step.events.some((e) => e.type === "cmdq.insert" && decodeCmd(e.words).op === b.name);
    case "fault":
      return step.events.some(
        (e) =>
          (e.type === "check.violation" && (b.name === ANY_VIOLATION || e.kind === b.name)) ||
          (e.type === "smmu.evtq.record" && e.name === b.name) ||
          (e.type === "dev.dma" && e.dma.fault === b.name),
      );
    default: {
      const exhaustive: never = b.kind;
      return exhaustive;
    }
  }
}

/** The breakpoints `step` hits. */
export function stepHits(step: StepRecord, list: readonly Breakpoint[]): Breakpoint[] {
  return list.filter((b) => hits(step, b));
}

/** Step indices that hit any breakpoint, ascending; memoised per run and list (a few lists per run). */
const cache = new WeakMap<readonly StepRecord[], Map<string, number[]>>();
export function hitSteps(steps: readonly StepRecord[], list: readonly Breakpoint[]): number[] {
  const key = list.map(breakpointKey).join("|");
  let byKey = cache.get(steps);
  if (!byKey) {
    byKey = new Map();
    cache.set(steps, byKey);
  }
  const hit = byKey.get(key);
  if (hit) return hit;
  const out = list.length === 0 ? [] : steps.filter((s) => stepHits(s, list).length > 0).map((s) => s.index);
  if (byKey.size >= 2 * MAX) byKey.clear();
  byKey.set(key, out);
  return out;
}

/** The first step at or after `from` that hits a breakpoint, or null. */
export function nextHit(
  steps: readonly StepRecord[],
  list: readonly Breakpoint[],
  from: number,
): number | null {
  return hitSteps(steps, list).find((i) => i >= from) ?? null;
}

function isBreakpoint(v: unknown): v is Breakpoint {
  if (typeof v !== "object" || v === null) return false;
  const b = v as Record<string, unknown>;
  return (
    (b.kind === "fn" || b.kind === "cmd" || b.kind === "fault") &&
    typeof b.name === "string" &&
    NAME.test(b.name)
  );
}

/** Parses what localStorage holds; anything malformed is dropped, not trusted. */
export function parseStored(text: string | null): Breakpoint[] {
  if (!text) return [];
  try {
    const v: unknown = JSON.parse(text);
    if (!Array.isArray(v)) return [];
    return v
      .filter(isBreakpoint)
      .slice(0, MAX)
      .map((b) => ({ kind: b.kind, name: b.name }));
  } catch {
    return [];
  }
}

function load(): Breakpoint[] {
  try {
    return parseStored(globalThis.localStorage?.getItem(STORAGE_KEY) ?? null);
  } catch {
    return [];
  }
}

function save(list: readonly Breakpoint[]): void {
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify(list));
  } catch {
    // Not remembered: they still work for this visit.
  }
}

export interface BreakpointState {
  readonly list: readonly Breakpoint[];
  /** Returns an error to show, or null when added (or already there). */
  add(b: Breakpoint): string | null;
  remove(b: Breakpoint): void;
  clear(): void;
}

export const useBreakpoints = create<BreakpointState>()((set, get) => ({
  list: load(),
  add(b) {
    const name = b.name.trim();
    if (!NAME.test(name)) return "A breakpoint name is 1–80 letters, digits, or _&()>*,.:- characters.";
    const next = { kind: b.kind, name };
    if (get().list.some((x) => breakpointKey(x) === breakpointKey(next))) return null;
    if (get().list.length >= MAX) return `At most ${MAX} breakpoints.`;
    const list = [...get().list, next];
    save(list);
    set({ list });
    return null;
  },
  remove(b) {
    const list = get().list.filter((x) => breakpointKey(x) !== breakpointKey(b));
    save(list);
    set({ list });
  },
  clear() {
    save([]);
    set({ list: [] });
  },
}));

/** Stops the player just after a step that hits a breakpoint; returns the function that undoes it. */
export function installBreakpointStop(breakpoints = useBreakpoints): () => void {
  return addPlaybackStop((s) => {
    const step = s.result.steps[s.cursor - 1];
    return step !== undefined && stepHits(step, breakpoints.getState().list).length > 0;
  });
}
