/**
 * The scenario editor: a drawer at the right of the page, beside the run it edits. Every edit
 * is validated at once; a valid draft re-runs the page (debounced) and the URL follows, an
 * invalid one shows its one-line error here and leaves the last valid run on screen.
 * Undo/Redo: the buttons, or Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y while the editor has focus. Keys
 * typed in the editor stay in it (the page's → and Space do not step or play).
 */

import { type KeyboardEvent, useEffect, useId, useLayoutEffect, useRef, useState } from "react";
import { useEditor } from "../../store/editor.ts";
import { useLab } from "../../store/store.ts";
import { errorPath } from "../../view/index.ts";
import { buttonClass } from "../app/button.ts";
import { BUTTON_ID, EDITOR_ID } from "./EditScenarioButton.tsx";
import { smallButton } from "./fields.tsx";
import { DevicesSection, ProcessesSection } from "./ItemsSection.tsx";
import { SettingsSection } from "./SettingsSection.tsx";
import { ScheduleSection, ThreadsSection } from "./ThreadsSection.tsx";
import { VmsSection } from "./VmsSection.tsx";

function Status() {
  const error = useEditor((s) => s.error);
  const pending = useEditor((s) => s.pending);
  const steps = useLab((s) => s.result.steps.length);
  const path = error === null ? null : errorPath(error);
  const showField = (): void => {
    if (path === null) return;
    const el = document.querySelector<HTMLElement>(`#${EDITOR_ID} [data-path="${CSS.escape(path)}"]`);
    el?.scrollIntoView({ block: "center" });
    el?.focus();
  };
  return (
    <div
      aria-live="polite"
      data-testid="editor-status"
      className={`border-b px-3 py-1.5 text-xs ${
        error
          ? "border-red-300 bg-red-50 text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
          : "border-slate-200 text-slate-600 dark:border-slate-700 dark:text-slate-300"
      }`}
    >
      {error !== null ? (
        <div className="flex items-start gap-2">
          <div className="min-w-0 flex-1">
            <p data-testid="editor-error" className="font-mono break-words">
              {error}
            </p>
            <p className="mt-0.5">The page keeps showing the last scenario that ran.</p>
          </div>
          {path !== null ? (
            <button type="button" className={`${smallButton} shrink-0`} onClick={showField}>
              Show field
            </button>
          ) : null}
        </div>
      ) : pending ? (
        <p>Valid; running…</p>
      ) : (
        <p className="text-emerald-700 dark:text-emerald-400">
          Valid: the run shown ({steps} steps) is this scenario.
        </p>
      )}
    </div>
  );
}

function isUndoKey(e: KeyboardEvent): "undo" | "redo" | null {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return null;
  const key = e.key.toLowerCase();
  if (key === "z") return e.shiftKey ? "redo" : "undo";
  if (key === "y" && !e.shiftKey) return "redo";
  return null;
}

/**
 * Where the drawer starts: below the page's header, so Lessons, Import/Export and Share link
 * stay in reach while editing (the header scrolls away on narrow windows: then the top).
 */
function useBelowHeader(): number {
  const [top, setTop] = useState(0);
  useLayoutEffect(() => {
    const header = document.getElementById(BUTTON_ID)?.closest("header");
    if (!header) return;
    const measure = (): void => setTop(Math.max(0, Math.round(header.getBoundingClientRect().bottom)));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(header);
    window.addEventListener("scroll", measure, { passive: true });
    window.addEventListener("resize", measure);
    return () => {
      observer.disconnect();
      window.removeEventListener("scroll", measure);
      window.removeEventListener("resize", measure);
    };
  }, []);
  return top;
}

function Drawer() {
  const titleId = useId();
  const ref = useRef<HTMLElement>(null);
  const top = useBelowHeader();
  const canUndo = useEditor((s) => s.past.length > 0);
  const canRedo = useEditor((s) => s.future.length > 0);
  const { undo, redo, setOpen } = useEditor.getState();

  useEffect(() => {
    const el = ref.current;
    el?.querySelector<HTMLElement>("input, select, textarea")?.focus();
    return () => {
      // Closing gives the focus back to the button that opened the editor.
      const active = document.activeElement;
      if (!active || active === document.body || el?.contains(active)) {
        document.getElementById(BUTTON_ID)?.focus();
      }
    };
  }, []);

  const onKeyDown = (e: KeyboardEvent<HTMLElement>): void => {
    // Keys typed here belong to the editor, not to the page's step/play shortcuts.
    e.stopPropagation();
    const action = isUndoKey(e);
    if (action !== null) {
      e.preventDefault();
      if (action === "undo") undo();
      else redo();
      return;
    }
    if (e.key === "Escape") {
      e.preventDefault();
      setOpen(false);
    }
  };

  return (
    <aside
      id={EDITOR_ID}
      ref={ref}
      role="dialog"
      aria-modal="false"
      aria-labelledby={titleId}
      onKeyDown={onKeyDown}
      data-testid="scenario-editor"
      style={{ top }}
      className="fixed bottom-0 right-0 z-40 flex w-[38rem] max-w-full flex-col border-l border-slate-300 bg-white text-slate-900 shadow-2xl dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100"
    >
      <header className="flex flex-wrap items-center gap-2 border-b border-slate-200 px-3 py-2 dark:border-slate-700">
        <h2 id={titleId} className="mr-auto text-base font-semibold">
          Scenario editor
        </h2>
        <button
          type="button"
          className={`${buttonClass} disabled:cursor-not-allowed disabled:opacity-40`}
          disabled={!canUndo}
          onClick={undo}
          title="Undo (Ctrl+Z)"
        >
          Undo
        </button>
        <button
          type="button"
          className={`${buttonClass} disabled:cursor-not-allowed disabled:opacity-40`}
          disabled={!canRedo}
          onClick={redo}
          title="Redo (Ctrl+Shift+Z, Ctrl+Y)"
        >
          Redo
        </button>
        <button
          type="button"
          className={buttonClass}
          onClick={() => setOpen(false)}
          aria-label="Close editor"
          title="Close (Esc)"
        >
          Close
        </button>
      </header>
      <Status />
      <div className="min-h-0 flex-1 overflow-y-auto pb-4">
        <SettingsSection />
        <DevicesSection />
        <VmsSection />
        <ProcessesSection />
        <ThreadsSection />
        <ScheduleSection />
      </div>
    </aside>
  );
}

/** The drawer while the editor is open (the page loads this module the first time it opens). */
export function ScenarioEditor() {
  const open = useEditor((s) => s.open);
  return open ? <Drawer /> : null;
}
