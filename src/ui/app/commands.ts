/**
 * One registry for the page's commands: the buttons and the keyboard shortcuts run them
 * through `perform`, with the same `enabled` check. A key bound to two commands runs neither
 * (a conflict is a bug to fix, not a race to win).
 */

import { type LabState, useLab } from "../../store/store.ts";
import { actorsIn } from "../../view/index.ts";
import { shareAction } from "../export/share-status.ts";
import type { CommandOf } from "./command.ts";
import { useHelp } from "./help/help-state.ts";
import { TEACH_COMMANDS, type TeachCommandName } from "./teach/commands.ts";

export type CommandName =
  | "choose-next"
  | "step-back"
  | "step-forward"
  | "play-pause"
  | "reset"
  | "last-step"
  | "help"
  | "copy-text"
  | "export-perfetto"
  | TeachCommandName;

export type Command = CommandOf<CommandName>;

const atEnd = (s: LabState): boolean => s.cursor >= s.result.steps.length;

/** The n-th actor (from 1) that can take the next step, as "Next step" numbers them. */
export function nthRunnable(s: LabState, key: string | undefined): string | null {
  const n = Number(key);
  if (!Number.isInteger(n) || n < 1) return null;
  return actorsIn(s.result, s.world).filter((a) => a.runnable)[n - 1]?.name ?? null;
}

const DIGITS = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];

export const COMMANDS: readonly Command[] = [
  {
    name: "reset",
    label: () => "Reset",
    help: "First step: back to step 0 (and stop playing)",
    keys: ["Home"],
    enabled: (s) => s.cursor > 0 || s.playing,
    run: (s) => s.reset(),
  },
  {
    name: "step-back",
    label: () => "Step back",
    help: "One step back",
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
    help: "Play or pause (from the end, play starts over)",
    keys: [" "],
    enabled: (s) => s.result.steps.length > 0,
    run: (s) => s.togglePlay(),
  },
  {
    name: "step-forward",
    label: () => "Step forward",
    help: "One step forward",
    keys: ["ArrowRight"],
    enabled: (s) => !atEnd(s),
    run: (s) => {
      s.pause();
      s.stepForward();
    },
  },
  {
    name: "choose-next",
    label: () => "Choose who steps next",
    help: "Run the n-th choice of “Next step” (they are numbered): you are the scheduler",
    toolbar: false,
    keys: DIGITS,
    enabled: (s, key) => (key === undefined ? true : nthRunnable(s, key) !== null),
    run: (s, key) => {
      const actor = nthRunnable(s, key);
      if (actor === null) return;
      s.pause();
      const error = s.chooseNext(actor);
      if (error !== null) s.setError(`${actor} could not take the next step: ${error}`);
    },
  },
  {
    name: "last-step",
    label: () => "Last step",
    help: "Last step: the end of the run",
    toolbar: false,
    keys: ["End"],
    enabled: (s) => !atEnd(s),
    run: (s) => {
      s.pause();
      s.goTo(s.result.steps.length);
    },
  },
  {
    name: "help",
    label: () => "Keyboard shortcuts",
    help: "This list of keys",
    toolbar: false,
    keys: ["?"],
    enabled: () => true,
    run: () => useHelp.getState().setOpen(true),
  },
  {
    name: "copy-text",
    label: () => "Copy as text",
    help: "Copy the race as text, for a mail: a column per thread, the violation, the link",
    toolbar: false,
    keys: ["t"],
    enabled: (s) => s.result.steps.length > 0,
    run: (s) => shareAction("copyAsText", s),
  },
  {
    name: "export-perfetto",
    label: () => "Export Perfetto",
    help: "Save the run as a Chrome trace-event file, for ui.perfetto.dev or chrome://tracing",
    toolbar: false,
    keys: ["P"],
    enabled: (s) => s.result.steps.length > 0,
    run: (s) => shareAction("exportPerfetto", s),
  },
  // Violations, breakpoints, the glossary: the teaching bar's buttons (teach/TeachBar.tsx).
  ...TEACH_COMMANDS,
];

/** How a key is written for people: "→" for ArrowRight, "Space" for " ". */
export function keyName(key: string): string {
  const names: Record<string, string> = {
    ArrowRight: "→",
    ArrowLeft: "←",
    ArrowUp: "↑",
    ArrowDown: "↓",
    " ": "Space",
    Escape: "Esc",
  };
  return names[key] ?? key;
}

export function command(name: CommandName): Command {
  const c = COMMANDS.find((x) => x.name === name);
  if (!c) throw new Error(`no command ${name}`);
  return c;
}

/** Runs a command if it is enabled now; true when it ran. */
export function perform(name: CommandName, store = useLab, key?: string): boolean {
  const c = command(name);
  const s = store.getState();
  if (!c.enabled(s, key)) return false;
  c.run(s, key);
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

/**
 * A control that Space or Enter activates itself: a button, a link, a summary. The key is
 * its own (a keyboard user building an interleaving with "Run T0 next" must not start Play).
 */
export function activationTarget(target: EventTarget | null, key: string): boolean {
  if (key !== " " && key !== "Enter") return false;
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.closest('button, a[href], summary, [role="button"], [role="menuitem"], [role="tab"]') !== null
  );
}

/** The page's keyboard shortcuts; returns the function that removes them. */
export function installShortcuts(store = useLab): () => void {
  const onKey = (e: KeyboardEvent): void => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typingTarget(e.target)) return;
    // Space on a focused button presses that button (Play is one Tab away, or Space with the
    // focus on the page).
    if (activationTarget(e.target, e.key)) return;
    const name = commandForKey(e.key);
    if (name === null) return;
    e.preventDefault();
    perform(name, store, e.key);
  };
  window.addEventListener("keydown", onKey);
  return () => window.removeEventListener("keydown", onKey);
}
