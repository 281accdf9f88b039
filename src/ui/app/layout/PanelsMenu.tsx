/**
 * The "Panels" menu in the header: a checkbox per panel (shown or hidden) and "Reset layout"
 * (every panel shown, the default sizes). A disclosure: the button opens it, Escape or a click
 * elsewhere closes it and gives the focus back to the button.
 */

import { type KeyboardEvent, useEffect, useId, useRef, useState } from "react";
import { PANEL_IDS, useLayout } from "../../../store/layout.ts";
import { buttonClass } from "../button.ts";

export const PANEL_LABELS: Record<string, string> = {
  timeline: "Timeline (swimlanes)",
  steps: "Steps",
  kernel: "Kernel",
  strtab: "Stream table → CD tables / translation path",
  pgtable: "Page tables",
  detail: "Detail / Statecharts",
  cmdq: "Queues (command, event, PRI)",
  tlb: "Caches (IOTLB, ATC, walk, config)",
  memory: "Physical memory",
};

export function PanelsMenu() {
  const [open, setOpen] = useState(false);
  const hidden = useLayout((s) => s.hidden);
  const extra = useLayout((s) => s.extra);
  const custom = useLayout((s) => s.hidden.length > 0 || Object.keys(s.sizes).length > 0);
  const id = useId();
  const button = useRef<HTMLButtonElement>(null);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    box.current?.querySelector<HTMLInputElement>("input")?.focus();
    const away = (e: PointerEvent): void => {
      const t = e.target as Node;
      if (!box.current?.contains(t) && !button.current?.contains(t)) setOpen(false);
    };
    document.addEventListener("pointerdown", away);
    return () => document.removeEventListener("pointerdown", away);
  }, [open]);

  const close = (): void => {
    setOpen(false);
    button.current?.focus();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    // Keys in the menu stay in it (Space toggles a checkbox, not the player).
    e.stopPropagation();
    if (e.key === "Escape") {
      e.preventDefault();
      close();
    }
  };

  const items = [...PANEL_IDS.map((p) => ({ id: p, label: PANEL_LABELS[p] ?? p })), ...extra];
  return (
    <div className="relative">
      <button
        ref={button}
        type="button"
        className={buttonClass}
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={() => setOpen(!open)}
        title="Show, hide and reset the panels"
      >
        Panels
      </button>
      {open ? (
        <div
          ref={box}
          id={id}
          role="dialog"
          aria-label="Panels"
          onKeyDown={onKeyDown}
          data-testid="panels-menu"
          className="absolute top-full right-0 z-50 mt-1 w-64 rounded-lg border border-slate-300 bg-white p-2 text-sm shadow-xl dark:border-slate-600 dark:bg-slate-900"
        >
          <fieldset>
            <legend className="mb-1 text-xs font-semibold text-slate-600 dark:text-slate-300">
              Panels shown
            </legend>
            <ul className="space-y-0.5">
              {items.map((p) => (
                <li key={p.id}>
                  <label className="flex items-center gap-2 rounded px-1 py-0.5 hover:bg-slate-100 dark:hover:bg-slate-800">
                    <input
                      type="checkbox"
                      checked={!hidden.includes(p.id)}
                      onChange={(e) => useLayout.getState().setShown(p.id, e.target.checked)}
                    />
                    {p.label}
                  </label>
                </li>
              ))}
            </ul>
          </fieldset>
          <p className="mt-1.5 text-[11px] text-slate-500 dark:text-slate-400">
            Drag the gaps between panels to resize them. The layout is remembered and travels in the link.
          </p>
          <div className="mt-1.5 flex justify-between gap-2">
            <button
              type="button"
              className={`${buttonClass} text-xs disabled:opacity-40`}
              disabled={!custom}
              onClick={() => useLayout.getState().reset()}
            >
              Reset layout
            </button>
            <button type="button" className={`${buttonClass} text-xs`} onClick={close}>
              Close
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
