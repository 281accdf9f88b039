/**
 * The keyboard help: every command of the registry (commands.ts) with its keys, and the keys
 * that belong to parts of the page (the step list, the splitters, dialogs). A modal dialog:
 * focus stays in it (Tab wraps), Escape or Close shuts it, and the focus goes back to where it
 * was. Loaded the first time it opens.
 */

import { type KeyboardEvent, useEffect, useId, useRef } from "react";
import { useLab } from "../../../store/store.ts";
import { buttonClass } from "../button.ts";
import { COMMANDS, keyName } from "../commands.ts";
import { useHelp } from "./help-state.ts";

/** Keys that are not commands of the page but of one of its parts. */
const LOCAL_KEYS: readonly { keys: string; what: string }[] = [
  { keys: "↑ ↓", what: "In the step list: the previous or next step" },
  { keys: "↑ ↓", what: "On a “Run T1 next” button: the previous or next thread that can step" },
  {
    keys: "Enter",
    what: "On a diagram's entry (STE, CD, command, page-table entry): open it in the detail view",
  },
  { keys: "← → / ↑ ↓", what: "On a splitter between panels: move it" },
  { keys: "Tab", what: "Move between the controls; the step list and each diagram keep one stop each" },
  { keys: "Esc", what: "Close a menu, the editor or this dialog" },
];

const FOCUSABLE = 'button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])';

function Kbd({ k }: { k: string }) {
  return (
    <kbd className="rounded border border-slate-300 bg-slate-50 px-1.5 py-px font-mono text-xs shadow-[0_1px_0_var(--line)] dark:border-slate-600 dark:bg-slate-800">
      {k}
    </kbd>
  );
}

export function HelpDialog() {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const setOpen = useHelp((s) => s.setOpen);
  const lab = useLab();

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    const before = document.activeElement as HTMLElement | null;
    if (!d.open) d.showModal();
    d.querySelector<HTMLElement>("button")?.focus();
    return () => {
      d.close();
      // Back to where the focus was (the ? button, or the page for the ? key).
      if (before && document.contains(before)) before.focus();
    };
  }, []);

  const onKeyDown = (e: KeyboardEvent<HTMLDialogElement>): void => {
    // The page's shortcuts do not act behind the dialog.
    e.stopPropagation();
    if (e.key === "Escape") {
      e.preventDefault();
      setOpen(false);
      return;
    }
    if (e.key !== "Tab") return;
    const items = [...(ref.current?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? [])];
    if (items.length === 0) return;
    const first = items[0]!;
    const last = items[items.length - 1]!;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      data-testid="help-dialog"
      onKeyDown={onKeyDown}
      onCancel={(e) => {
        e.preventDefault();
        setOpen(false);
      }}
      onClick={(e) => {
        if (e.target === ref.current) setOpen(false); // a click on the backdrop
      }}
      className="m-auto max-h-[calc(100vh-4rem)] w-[36rem] max-w-[calc(100vw-2rem)] overflow-hidden rounded-lg border border-slate-300 bg-white p-0 text-slate-900 shadow-2xl backdrop:bg-slate-900/40 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100"
    >
      <div className="flex max-h-[calc(100vh-4rem)] flex-col">
        <header className="flex items-center justify-between gap-2 border-b border-slate-200 px-4 py-2 dark:border-slate-700">
          <h2 id={titleId} className="text-base font-semibold">
            Keyboard shortcuts
          </h2>
          <button type="button" className={buttonClass} onClick={() => setOpen(false)}>
            Close
          </button>
        </header>
        <div className="min-h-0 flex-1 overflow-y-auto px-4 py-3 text-sm">
          <table className="w-full border-collapse" data-testid="help-commands">
            <caption className="mb-1 text-left text-xs font-semibold text-slate-600 dark:text-slate-300">
              Commands (the same as the buttons)
            </caption>
            <tbody>
              {COMMANDS.map((c) => (
                <tr
                  key={c.name}
                  data-command={c.name}
                  className="border-t border-slate-100 dark:border-slate-800"
                >
                  <td className="py-1 pr-3 whitespace-nowrap">
                    <span className="flex flex-wrap gap-1">
                      {c.keys.map((k) => (
                        <Kbd key={k} k={keyName(k)} />
                      ))}
                    </span>
                  </td>
                  <td className="py-1 pr-2 font-medium">{c.label(lab)}</td>
                  <td className="py-1 text-slate-600 dark:text-slate-300">{c.help ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table className="mt-3 w-full border-collapse">
            <caption className="mb-1 text-left text-xs font-semibold text-slate-600 dark:text-slate-300">
              In parts of the page
            </caption>
            <tbody>
              {LOCAL_KEYS.map((k) => (
                <tr key={k.what} className="border-t border-slate-100 dark:border-slate-800">
                  <td className="py-1 pr-3 whitespace-nowrap">
                    <Kbd k={k.keys} />
                  </td>
                  <td className="py-1 text-slate-600 dark:text-slate-300">{k.what}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </dialog>
  );
}
