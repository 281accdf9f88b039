/**
 * Glossary links in running text. `TermText` splits a plain string into text and term
 * segments and builds React elements from them: scenario and step text is never HTML.
 * A term is a small button with the role of a link ("What is PASID?") that opens the glossary
 * at its entry, without moving the cursor or selecting what it sits in.
 */

import { type MouseEvent, memo, useMemo } from "react";
import { type GlossaryIndex, useGlossaryIndex } from "./glossary-index.ts";
import { useGlossary } from "./glossary-store.ts";

/** The name a question asks about: the word as written, or the entry's short name for a plural. */
function askedName(g: GlossaryIndex | null, text: string, id: string): string {
  if (!g) return text;
  if (g.termId(text) === id && !/s$/.test(text)) return text;
  const singular = text.replace(/s$/, "");
  if (g.termId(singular) === id) return singular;
  const term = g.entry(id)?.term ?? text;
  return term.split(" (")[0]!.split(":")[0]!;
}

export function Term(props: { id: string; text: string; focusable?: boolean; className?: string }) {
  const { id, text, focusable = true, className = "" } = props;
  const show = useGlossary((s) => s.show);
  const g = useGlossaryIndex();
  const open = (e: MouseEvent): void => {
    e.stopPropagation();
    show(id);
  };
  return (
    // biome-ignore lint/a11y/useSemanticElements: a link in meaning (to a glossary entry), a button in behaviour: the URL's fragment holds the scenario, so no href
    <button
      type="button"
      role="link"
      tabIndex={focusable ? 0 : -1}
      aria-label={`What is ${askedName(g, text, id)}?`}
      title="Open in the glossary"
      data-term={id}
      onClick={open}
      className={`term inline cursor-help rounded-sm text-inherit underline decoration-slate-400 decoration-dotted underline-offset-2 hover:text-blue-700 hover:decoration-blue-600 focus-visible:outline-2 focus-visible:outline-blue-500 dark:decoration-slate-500 dark:hover:text-sky-300 ${className}`}
    >
      {text}
    </button>
  );
}

/**
 * Plain text with its glossary terms linked (first mention of each). `focusable` false keeps
 * the links out of the tab order (a step row that is not the current one).
 */
export const TermText = memo(function TermText(props: { text: string; skip?: string; focusable?: boolean }) {
  const { text, skip, focusable = true } = props;
  const g = useGlossaryIndex();
  const segs = useMemo(() => (g ? g.segments(text, skip ? { skip } : {}) : [text]), [g, text, skip]);
  return (
    <>
      {segs.map((s, i) =>
        typeof s === "string" ? (
          s
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: segments of one fixed text, in order
          <Term key={i} id={s.id} text={s.text} focusable={focusable} />
        ),
      )}
    </>
  );
});

/** A field name (detail view) that links when the glossary explains it. */
export function FieldTerm({ name }: { name: string }) {
  const id = useGlossaryIndex()?.termId(name);
  return id ? <Term id={id} text={name} /> : name;
}

/** The name a panel's title link shows: the entry's short name or first alias. */
function shortTerm(g: GlossaryIndex | null, id: string): string {
  const e = g?.entry(id);
  return e?.short ?? e?.aliases[0] ?? id.toUpperCase();
}

const chip =
  "rounded border border-slate-300 px-1 text-[10px] leading-4 font-normal text-slate-600 hover:border-blue-500 hover:text-blue-700 focus-visible:outline-2 focus-visible:outline-blue-500 dark:border-slate-600 dark:text-slate-300 dark:hover:text-sky-300";

/**
 * Links beside a panel's title, one per term the panel is about ("STE?", "CD?"); in a narrow
 * panel (the header is a container) only a "?" for the first one, so the title keeps its room.
 */
/** Rendered again only when the entries change (panels pass their list as a new array each time). */
export const PanelTerms = memo(
  function PanelTerms({ ids }: { ids: readonly string[] }) {
    const show = useGlossary((s) => s.show);
    const g = useGlossaryIndex();
    const shortName = (id: string): string => shortTerm(g, id);
    const first = ids[0];
    if (first === undefined) return null;
    return (
      <>
        <span className="hidden shrink-0 items-baseline gap-0.5 @[30rem]:flex">
          {ids.map((id) => (
            // biome-ignore lint/a11y/useSemanticElements: as Term: opens a glossary entry, no URL
            <button
              key={id}
              type="button"
              role="link"
              aria-label={`What is ${shortName(id)}?`}
              title={`What is ${shortName(id)}? (glossary)`}
              data-term={id}
              onClick={() => show(id)}
              className={chip}
            >
              {shortName(id)}
              <span aria-hidden="true" className="text-slate-400">
                ?
              </span>
            </button>
          ))}
        </span>
        {/* biome-ignore lint/a11y/useSemanticElements: as Term: opens a glossary entry, no URL */}
        <button
          type="button"
          role="link"
          aria-label={`What is ${shortName(first)}?`}
          title={`What is ${ids.map(shortName).join(", ")}? (glossary)`}
          data-term={first}
          onClick={() => show(first)}
          className={`${chip} shrink-0 rounded-full @[30rem]:hidden`}
        >
          ?
        </button>
      </>
    );
  },
  (a, b) => a.ids.join() === b.ids.join(),
);
