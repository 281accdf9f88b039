/**
 * One registry for the page's commands: the buttons and the keyboard shortcuts run them
 * through `perform`, with the same `enabled` check. A key bound to two commands runs neither
 * (a conflict is a bug to fix, not a race to win).
 */

import { type LabState, useLab } from "../store/store.ts";

export type CommandName = "step-back" | "step-forward" | "play-pause" | "reset";

export interface Command {
  readonly name: CommandName;
  /** The button's accessible name (CONTRACT §6). */
  readonly label: (s: LabState) => string;
  readonly keys: readonly string[];
  readonly enabled: (s: LabState) => boolean;
  readonly run: (s: LabState) => void;
}

const atEnd = (s: LabState): boolean => s.cursor >= s.result.steps.length;

export const COMMANDS: readonly Command[] = [
  {
    name: "reset",
    label: () => "Reset",
    keys: ["Home"],
    enabled: (s) => s.cursor > 0 || s.playing,
    run: (s) => s.reset(),
  },
  {
    name: "step-back",
    label: () => "Step back",
    keys: ["ArrowLeft"],
    enabled: (s) => s.cursor > 0,
    run: (s) => {
      s.pause();
      s.stepBack();
    },
  },
  {
    name: "play-pause",
    label: (s) => (s.playing ? "Pause" : "Play"),
    keys: [" "],
    enabled: (s) => s.result.steps.length > 0,
    run: (s) => s.togglePlay(),
  },
  {
    name: "step-forward",
    label: () => "Step forward",
    keys: ["ArrowRight"],
    enabled: (s) => !atEnd(s),
    run: (s) => {
      s.pause();
      s.stepForward();
    },
  },
];

export function command(name: CommandName): Command {
  const c = COMMANDS.find((x) => x.name === name);
  if (!c) throw new Error(`no command ${name}`);
  return c;
}

/** Runs a command if it is enabled now; true when it ran. */
export function perform(name: CommandName, store = useLab): boolean {
  const c = command(name);
  const s = store.getState();
  if (!c.enabled(s)) return false;
  c.run(s);
  return true;
}

/** The command a key runs, or null when none, or when two claim it. */
export function commandForKey(key: string): CommandName | null {
  const claims = COMMANDS.filter((c) => c.keys.includes(key));
  return claims.length === 1 ? claims[0]!.name : null;
}

/** Where a key belongs to the element and not to the page: text entry and lists. */
export function typingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
}

/** The page's keyboard shortcuts; returns the function that removes them. */
export function installShortcuts(store = useLab): () => void {
  const onKey = (e: KeyboardEvent): void => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typingTarget(e.target)) return;
    const name = commandForKey(e.key);
    if (name === null) return;
    // Space would also press the focused button; the page's shortcut wins, as in media players.
    e.preventDefault();
    perform(name, store);
  };
  window.addEventListener("keydown", onKey);
  return () => window.removeEventListener("keydown", onKey);
}
