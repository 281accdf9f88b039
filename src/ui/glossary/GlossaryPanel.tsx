/**
 * The glossary as a side panel over the right of the page (non-modal: the page stays usable
 * beside it). Opened from any term link (scrolled to that entry, which takes focus) or from the
 * Glossary button (the whole list, focus in the filter). Escape or "Close glossary" closes it
 * and gives focus back to where it was. Fetched, with the entries' text, the first time it
 * opens (App.tsx); it stays mounted after that, keeping its filter.
 */

import { type KeyboardEvent, useEffect, useId, useMemo, useRef, useState } from "react";
import { entry, GLOSSARY, type GlossaryEntry, referenceLinks } from "../../view/index.ts";
import { useGlossary } from "./glossary-store.ts";
import { TermText } from "./Term.tsx";

/** The ten-minute path through the entries, for someone who has never seen an SMMU. */
const START = ["sva", "pasid", "ste", "cd", "iotlb", "atc", "munmap", "cmd-sync", "exit", "srcu"];

const matches = (e: GlossaryEntry, q: string): boolean => {
  const t = q.toLowerCase();
  return (
    e.term.toLowerCase().includes(t) ||
    e.aliases.some((a) => a.toLowerCase().includes(t)) ||
    e.body.some((b) => b.toLowerCase().includes(t))
  );
};

const BY_ID = new Map(GLOSSARY.map((e) => [e.id, e]));

const shortName = (id: string): string => (entry(id)?.term ?? id).split(" (")[0]!.split(":")[0]!;

const chip =
  "rounded border border-slate-300 px-1.5 text-xs leading-5 hover:border-blue-500 hover:text-blue-700 focus-visible:outline-2 focus-visible:outline-blue-500 dark:border-slate-600 dark:hover:text-sky-300";

function Entry({ e, focused }: { e: GlossaryEntry; focused: boolean }) {
  const show = useGlossary((s) => s.show);
  const headId = useId();
  return (
    <article
      id={`glossary-${e.id}`}
      data-testid="glossary-entry"
      data-id={e.id}
      aria-labelledby={headId}
      tabIndex={-1}
      className={`scroll-mt-2 rounded-md border px-2.5 py-2 outline-none focus-visible:outline-2 focus-visible:outline-blue-500 ${
        focused
          ? "border-amber-400 bg-amber-50 dark:border-amber-500 dark:bg-amber-950/40"
          : "border-slate-200 dark:border-slate-700"
      }`}
    >
      <h3 id={headId} className="text-sm font-semibold">
        {e.term}
      </h3>
      {e.body.map((p) => (
        <p key={p} className="mt-1 text-[13px] leading-snug text-slate-700 dark:text-slate-300">
          <TermText text={p} skip={e.id} />
        </p>
      ))}
      {e.see && e.see.length > 0 ? (
        <p className="mt-1.5 flex flex-wrap items-baseline gap-1 text-xs text-slate-500 dark:text-slate-400">
          See also
          {e.see.map((id) => (
            <button key={id} type="button" className={chip} onClick={() => show(id)}>
              {shortName(id)}
            </button>
          ))}
        </p>
      ) : null}
      {e.ref ? (
        <p className="mt-1 flex flex-wrap gap-1 text-[11px] text-slate-500 dark:text-slate-400">
          Where it comes from:
          {referenceLinks(e.ref).map((l) => (
            <a
              key={l.href}
              href={l.href}
              target="_blank"
              rel="noopener"
              className="text-blue-700 underline dark:text-sky-300"
              data-testid="glossary-ref"
            >
              {l.label}
            </a>
          ))}
        </p>
      ) : null}
    </article>
  );
}

export function GlossaryPanel() {
  const open = useGlossary((s) => s.open);
  const focus = useGlossary((s) => s.focus);
  const nonce = useGlossary((s) => s.nonce);
  const show = useGlossary((s) => s.show);
  const close = useGlossary((s) => s.close);
  const [query, setQuery] = useState("");
  const list = useRef<HTMLDivElement>(null);
  const filter = useRef<HTMLInputElement>(null);
  const titleId = useId();

  const shown = useMemo(() => {
    const q = query.trim();
    return q === "" ? GLOSSARY : GLOSSARY.filter((e) => matches(e, q));
  }, [query]);

  // Every request to show an entry: make it visible (clear a filter that hides it), focus it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: nonce asks again for the same entry
  useEffect(() => {
    if (!open) return;
    if (focus === null) {
      filter.current?.focus();
      return;
    }
    const target = BY_ID.get(focus);
    if (target && query.trim() !== "" && !matches(target, query.trim())) setQuery("");
    const t = setTimeout(() => {
      const el = list.current?.querySelector<HTMLElement>(`#glossary-${focus}`);
      if (!el) return;
      el.scrollIntoView({ block: "start" });
      el.focus({ preventScroll: true });
    }, 0);
    return () => clearTimeout(t);
  }, [open, focus, nonce]);

  if (!open) return null;
  const onKey = (e: KeyboardEvent): void => {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      close();
    }
  };
  return (
    <section
      role="dialog"
      aria-modal="false"
      aria-labelledby={titleId}
      data-testid="glossary"
      onKeyDown={onKey}
      className="fixed inset-y-0 right-0 z-50 flex w-[min(27rem,100vw)] flex-col border-l border-slate-300 bg-white text-slate-900 shadow-2xl dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100"
    >
      <header className="flex items-center gap-2 border-b border-slate-200 px-3 py-2 dark:border-slate-700">
        <h2 id={titleId} className="text-base font-semibold">
          Glossary
        </h2>
        <input
          ref={filter}
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          aria-label="Filter the glossary"
          placeholder="Filter: PASID, ATC_INV, exit…"
          className="min-w-0 flex-1 rounded border border-slate-300 bg-white px-2 py-0.5 text-sm dark:border-slate-600 dark:bg-slate-800"
        />
        <button
          type="button"
          onClick={close}
          className="rounded-md border border-slate-300 px-2 py-0.5 text-sm hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-blue-500 dark:border-slate-600 dark:hover:bg-slate-800"
        >
          Close glossary
        </button>
      </header>
      <div ref={list} className="min-h-0 flex-1 space-y-2 overflow-y-auto p-3">
        {query.trim() === "" ? (
          <div className="rounded-md bg-slate-100 px-2.5 py-2 text-[13px] dark:bg-slate-800">
            <p>
              New to the SMMU? Read these in order, then step through the lesson and click any dotted word.
            </p>
            <p className="mt-1 flex flex-wrap gap-1">
              {START.map((id, i) => (
                <button key={id} type="button" className={chip} onClick={() => show(id)}>
                  {i + 1}. {shortName(id)}
                </button>
              ))}
            </p>
          </div>
        ) : null}
        {shown.length === 0 ? (
          <p className="text-sm text-slate-500 dark:text-slate-400">No entry mentions “{query.trim()}”.</p>
        ) : null}
        {shown.map((e) => (
          <Entry key={e.id} e={e} focused={e.id === focus} />
        ))}
      </div>
    </section>
  );
}
