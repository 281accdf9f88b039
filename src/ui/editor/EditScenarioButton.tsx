/**
 * "Edit scenario": opens and closes the scenario editor's drawer (ScenarioEditor.tsx, loaded
 * the first time it opens), with a dot while the draft has an error.
 */

import { useEditor } from "../../store/editor.ts";
import { buttonClass } from "../app/button.ts";

export const EDITOR_ID = "scenario-editor";
export const BUTTON_ID = "edit-scenario-button";

export function EditScenarioButton() {
  const open = useEditor((s) => s.open);
  const invalid = useEditor((s) => s.error !== null);
  return (
    <button
      type="button"
      id={BUTTON_ID}
      className={`${buttonClass} ${open ? "bg-slate-200 dark:bg-slate-700" : ""}`}
      aria-expanded={open}
      aria-controls={open ? EDITOR_ID : undefined}
      onClick={() => useEditor.getState().setOpen(!open)}
      title={invalid ? "Edit scenario (the draft has an error)" : "Edit scenario"}
    >
      Edit scenario
      {invalid ? (
        <span aria-hidden="true" className="ml-1 text-red-600 dark:text-red-400">
          ●
        </span>
      ) : null}
    </button>
  );
}
