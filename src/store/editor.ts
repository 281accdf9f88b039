/**
 * The scenario editor's state: the draft (the JSON form being written, valid or not), its
 * history for Undo/Redo, and why it does not run, if it does not.
 *
 * Each edit is validated at once with `parseScenario` (fetched when the editor first opens:
 * `loadReader` in codecs.ts); a draft that validates runs ~300 ms
 * after the last edit (the page's run and its URL then follow), one that does not leaves the
 * last valid run on screen and its one-line error in `error`. A scenario loaded from elsewhere
 * (a lesson, a link, an imported file) replaces the draft and goes into the history, so Undo
 * brings back what was there before.
 */

import { create } from "zustand";
import { type JsonObject, scenarioToJson } from "../scenario/json-form.ts";
import type { Scenario } from "../scenario/types.ts";
import { loadReader, reader } from "./codecs.ts";
import { useLab } from "./store.ts";

/** The debounce between the last edit and the run. */
export const RUN_DELAY_MS = 300;
/** Edits of the same field closer together than this are one step of Undo (typing a word). */
const COALESCE_MS = 1000;
const HISTORY_LIMIT = 200;

export interface EditorState {
  readonly open: boolean;
  /** The scenario's JSON form as being edited. */
  readonly draft: JsonObject;
  /** Earlier drafts (JSON text), the most recent last; `future` holds the undone ones. */
  readonly past: readonly string[];
  readonly future: readonly string[];
  /** The draft's validation error or the run's; null when the draft runs. */
  readonly error: string | null;
  /** The draft validates and waits for the debounce to run. */
  readonly pending: boolean;

  setOpen(open: boolean): void;
  /**
   * Applies `change` to the draft. `field` names what was edited (its path): successive edits
   * of one field within a second are one step of Undo.
   */
  edit(field: string, change: (draft: JsonObject) => JsonObject): void;
  undo(): void;
  redo(): void;
}

const text = (d: JsonObject): string => JSON.stringify(d);

/** The scenario the editor itself last handed to the page (not an outside change). */
let applied: Scenario | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;
let lastEdit: { field: string; at: number } | null = null;

function cancelRun(): void {
  if (timer !== null) clearTimeout(timer);
  timer = null;
}

export const useEditor = create<EditorState>()((set, get) => {
  /** Runs a valid draft on the page, keeping the cursor (clamped) and the selection. */
  const run = (scenario: Scenario): void => {
    cancelRun();
    const lab = useLab.getState();
    if (text(scenarioToJson(scenario)) === text(scenarioToJson(lab.scenario))) {
      set({ pending: false, error: null });
      return;
    }
    applied = scenario;
    const error = lab.load(scenario, { step: lab.cursor, selection: lab.selection });
    if (error !== null) applied = null;
    set({ pending: false, error });
  };

  /** Validates the draft now; runs it now or after the debounce. */
  const check = (draft: JsonObject, delay: number): void => {
    cancelRun();
    const validator = reader();
    if (validator === null) {
      // The first check before the validator has arrived: once it has, if the draft is still this one.
      loadReader().then(
        () => {
          if (get().draft === draft) check(draft, delay);
        },
        () => set({ error: "the validator could not be loaded (is the page offline?)", pending: false }),
      );
      return;
    }
    const parsed = validator.parseScenario(draft);
    if (!parsed.ok) {
      set({ error: parsed.error, pending: false });
      return;
    }
    if (delay <= 0) {
      run(parsed.value);
      return;
    }
    set({ error: null, pending: true });
    timer = setTimeout(() => run(parsed.value), delay);
  };

  const travel = (from: "past" | "future"): void => {
    const s = get();
    const source = s[from];
    const target = source.at(-1);
    if (target === undefined) return;
    const draft = JSON.parse(target) as JsonObject;
    const other = from === "past" ? "future" : "past";
    lastEdit = null;
    set({
      draft,
      [from]: source.slice(0, -1),
      [other]: [...s[other], text(s.draft)],
    } as Partial<EditorState>);
    check(draft, 0);
  };

  return {
    open: false,
    draft: scenarioToJson(useLab.getState().scenario),
    past: [],
    future: [],
    error: null,
    pending: false,

    setOpen(open) {
      if (open) void loadReader();
      set({ open });
    },
    edit(field, change) {
      const s = get();
      const draft = change(s.draft);
      if (text(draft) === text(s.draft)) return;
      const now = Date.now();
      const coalesce = lastEdit !== null && lastEdit.field === field && now - lastEdit.at < COALESCE_MS;
      lastEdit = { field, at: now };
      set({
        draft,
        past: coalesce && s.past.length > 0 ? s.past : [...s.past, text(s.draft)].slice(-HISTORY_LIMIT),
        future: [],
      });
      check(draft, RUN_DELAY_MS);
    },
    undo() {
      travel("past");
    },
    redo() {
      travel("future");
    },
  };
});

/**
 * Follows the page's scenario: one loaded from elsewhere replaces the draft (the old draft
 * goes into the history). Call after the URL has been read, so the first scenario shown is not
 * an Undo step. Returns the function that stops following.
 */
export function startEditorSync(editor = useEditor, lab = useLab): () => void {
  editor.setState({ draft: scenarioToJson(lab.getState().scenario), past: [], future: [], error: null });
  return lab.subscribe((s, prev) => {
    if (s.scenario === prev.scenario || s.scenario === applied) return;
    cancelRun();
    lastEdit = null;
    const e = editor.getState();
    const draft = scenarioToJson(s.scenario);
    if (text(draft) === text(e.draft)) {
      editor.setState({ error: null, pending: false });
      return;
    }
    editor.setState({
      draft,
      past: [...e.past, text(e.draft)].slice(-HISTORY_LIMIT),
      future: [],
      error: null,
      pending: false,
    });
  });
}
