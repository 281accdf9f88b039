/**
 * A titled panel whose body scrolls inside it rather than pushing the page. A panel with an
 * `exportName` has "Export SVG" and "Export PNG" buttons (named after the panel for screen
 * readers) that download its diagrams.
 */

import { memo, type ReactNode, type RefObject, useId, useRef, useState } from "react";
import { useLayout } from "../../store/layout.ts";
import { PanelTerms } from "../glossary/Term.tsx";

const exportButton =
  "rounded border border-slate-300 px-0.5 font-mono text-[9px] leading-4 text-slate-600 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-blue-500 disabled:opacity-40 dark:border-slate-600 dark:text-slate-300 dark:hover:bg-slate-800";

/** Rendered again only when the panel's title changes (not at every step its body changes). */
const ExportButtons = memo(function ExportButtons({
  title,
  name,
  panel,
}: {
  title: string;
  name: string;
  panel: RefObject<HTMLElement | null>;
}) {
  const [busy, setBusy] = useState(false);
  const run = async (kind: "svg" | "png"): Promise<void> => {
    const el = panel.current;
    if (!el) return;
    setBusy(true);
    try {
      const x = await import("../export/export.ts");
      if (kind === "svg") x.exportPanelSvg(el, title, name);
      else await x.exportPanelPng(el, title, name);
    } catch (e) {
      console.warn(`export of ${title} failed:`, e);
    } finally {
      setBusy(false);
    }
  };
  return (
    // Shown while the pointer is over the panel or the keyboard is in it (and always on touch
    // screens). Hidden, they keep their place: nothing in the header moves as the pointer comes in.
    <span className="flex shrink-0 gap-0.5 opacity-0 transition-opacity group-focus-within/panel:opacity-100 group-hover/panel:opacity-100 focus-within:opacity-100 [@media(hover:none)]:opacity-100">
      <button
        type="button"
        className={exportButton}
        disabled={busy}
        aria-label={`Export ${title} as SVG`}
        title={`Export ${title} as SVG`}
        onClick={() => void run("svg")}
      >
        SVG
      </button>
      <button
        type="button"
        className={exportButton}
        disabled={busy}
        aria-label={`Export ${title} as PNG`}
        title={`Export ${title} as PNG`}
        onClick={() => void run("png")}
      >
        PNG
      </button>
    </span>
  );
});

export function Panel(props: {
  title: string;
  className?: string;
  aside?: ReactNode;
  testId?: string;
  /** File name (without extension) of the panel's exports; no export buttons without it. */
  exportName?: string;
  /** Glossary entries the panel is about: small links beside the title. */
  terms?: readonly string[];
  children: ReactNode;
}) {
  const id = useId();
  const ref = useRef<HTMLElement>(null);
  const embed = useLayout((s) => s.embed);
  return (
    <section
      ref={ref}
      aria-labelledby={id}
      data-testid={props.testId}
      className={`group/panel flex min-h-0 min-w-0 flex-col overflow-hidden rounded-lg border border-slate-200 bg-white text-slate-900 shadow-sm dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100 ${props.className ?? ""}`}
    >
      <header className="@container flex items-center justify-between gap-2 border-b border-slate-200 px-3 py-1.5 dark:border-slate-700">
        <div className="flex min-w-0 items-center gap-1.5">
          <h2 id={id} className="min-w-[3rem] truncate text-sm font-semibold">
            {props.title}
          </h2>
          {props.terms && !embed ? <PanelTerms ids={props.terms} /> : null}
        </div>
        <div className="flex min-w-0 items-center gap-2">
          {props.aside ? (
            <div
              className={`text-xs text-slate-500 dark:text-slate-400 ${typeof props.aside === "string" ? "min-w-0 truncate" : "shrink-0"}`}
            >
              {props.aside}
            </div>
          ) : null}
          {props.exportName && !embed ? (
            <ExportButtons title={props.title} name={props.exportName} panel={ref} />
          ) : null}
        </div>
      </header>
      {/* The body scrolls in a box of its own size, out of the flex layout (Chromium lays out a
          flex item with its container): a step that changes the body's text lays out the body
          alone, not the whole page. */}
      <div className="relative min-h-0 flex-1">
        <div data-panel-body className="absolute inset-0 overflow-auto p-2 [contain:strict]">
          {props.children}
        </div>
      </div>
    </section>
  );
}
