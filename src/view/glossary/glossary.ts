/**
 * Finding glossary terms in running text: a step's explanation, a detail view's note, a
 * glossary entry's own body. The text is split into plain segments and term segments; the page
 * builds React elements from them (never HTML), so scenario text stays text.
 */

import { FIELD_TERMS, type GlossaryTerm, TERMS } from "./glossary-terms.ts";

export type Segment = string | { readonly text: string; readonly id: string };

const BY_ID = new Map(TERMS.map((e) => [e.id, e]));

/** An entry's name and spellings (its text is in glossary-data.ts, with the panel). */
export function entry(id: string): GlossaryTerm | undefined {
  return BY_ID.get(id);
}

/** The entry an exact word names: an alias (either capitalisation of a lower-case one) or a field name. */
const EXACT = new Map<string, string>();
for (const e of TERMS) {
  for (const a of e.aliases) {
    if (!EXACT.has(a)) EXACT.set(a, e.id);
    if (a === a.toLowerCase()) {
      const cap = a[0]!.toUpperCase() + a.slice(1);
      if (!EXACT.has(cap)) EXACT.set(cap, e.id);
    }
  }
}

/** The glossary entry for a field name or term, if there is one ("TTB0" → "ttb0"). */
export function termId(word: string): string | undefined {
  return FIELD_TERMS[word] ?? EXACT.get(word) ?? EXACT.get(word.replace(/s$/, ""));
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** One alternation of every spelling, longest first so "CD table" wins over "CD". */
const PATTERN = new RegExp(
  `(?<![\\w>-])(${[...EXACT.keys()]
    .sort((a, b) => b.length - a.length)
    .map(escapeRe)
    .join("|")})s?(?![\\w<])`,
  "g",
);

/**
 * Splits `text` into plain and term segments. With `once` (the default) only the first
 * mention of each entry links, so a sentence does not turn into a row of links; `skip`
 * leaves one entry unlinked (an entry's own body).
 *
 * @example
 *   segments("CFGI_CD: the SMMU forgets CD 1") // ["", {text:"CFGI_CD",id:"cfgi"}, ": the ", {text:"SMMU",…}, " forgets ", {text:"CD",id:"cd"}, " 1"]
 */
export function segments(text: string, opts: { once?: boolean; skip?: string } = {}): Segment[] {
  const once = opts.once ?? true;
  const seen = new Set<string>(opts.skip ? [opts.skip] : []);
  const out: Segment[] = [];
  let last = 0;
  PATTERN.lastIndex = 0;
  for (let m = PATTERN.exec(text); m !== null; m = PATTERN.exec(text)) {
    const id = EXACT.get(m[1]!);
    if (id === undefined || seen.has(id)) continue;
    if (once) seen.add(id);
    out.push(text.slice(last, m.index), { text: m[0], id });
    last = m.index + m[0].length;
  }
  out.push(text.slice(last));
  return out.filter((s) => s !== "");
}

/**
 * A glossary entry's reference (`"§5.2, §5.5 (4, 9)"`, `"trace"`) as links into the
 * repository's documentation, which the build publishes beside the page (`docs/`): each §N is
 * the section of docs/sources.md on that part of the machine.
 */
export function referenceLinks(ref: string): { label: string; href: string }[] {
  if (ref === "trace") return [{ label: "the trace format", href: "docs/trace-format.md" }];
  const out: { label: string; href: string }[] = [];
  for (const m of ref.matchAll(/§(\d+)(?:\.\d+)?/g)) {
    const href = `docs/sources.md#s${m[1]}`;
    if (!out.some((l) => l.href === href)) out.push({ label: m[0], href });
  }
  return out;
}
