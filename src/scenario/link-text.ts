/**
 * What mail does to a link, undone before the link is read (docs/links.md). The page's reader
 * and the command-line runner both read links through `decodeScenarioUrl`, which calls this:
 * a link reads the same wherever it was pasted.
 *
 * Undone, in this order:
 *   1. quote prefixes at the start of each line ("> ", ">> ", "> > "), as a reply quotes;
 *   2. every line break and every white space (mail clients wrap long lines at 72 or 76
 *      columns, format=flowed adds a space before each break), zero-width spaces and soft
 *      hyphens included;
 *   3. what surrounds a link in prose: `<…>` (RFC 3986 appendix C), `<URL:…>`, `(…)`, `[…]`,
 *      quotes, and punctuation after it (". , ; : ! ?");
 *   4. `%20`, `%09`, `%0A`, `%0D` (a space or line break that some tool percent-encoded) in
 *      the link's data and its step; the view keeps them, as a view may hold a name with a
 *      space in it (the view is not the scenario: at worst it is ignored with a message);
 *   5. `%23` for the `#` when the link has no `#` (a link percent-encoded whole).
 * What cannot be undone is caught after: the data carries a CRC-32, so a character changed,
 * added or lost is "damaged" and a link cut short is "cut short", never a different scenario.
 */

/** White space of any kind, and the invisible characters mail and editors insert. */
const SPACE = /[\s\u00AD\u180E\u200B-\u200D\u2060\uFEFF]+/gu;

/** "> ", ">> ", "> > " at a line's start (and the blanks before them). */
const QUOTE_PREFIX = /^[ \t]*(?:>[ \t]?)+/;

/** Characters that open a link in prose, and those that close it or follow it. */
const OPENERS = /^(?:<URL:|<url:|[<>([{"'«“‘])+/u;
const CLOSERS = /[>)\]}"'»”’.,;:!?]+$/u;

/** Percent-encoded white space. */
const ENCODED_SPACE = /%(?:20|09|0a|0d)/gi;

/** The link text with mail's damage undone (steps 1–3 and 5); see `cleanLinkPart` for 4. */
export function cleanLinkText(input: string): string {
  const lines = input.split(/\r\n|\r|\n|\u2028|\u2029/);
  let text = lines.map((line) => line.replace(QUOTE_PREFIX, "")).join("");
  text = text.replace(SPACE, "");
  // `<URL:…>` or `<…>.`: the openers first, then what closes and follows, once each way.
  text = text.replace(OPENERS, "").replace(CLOSERS, "");
  if (!text.includes("#") && /%23v\d/i.test(text)) text = text.replace(/%23(?=v\d)/i, "#");
  return text;
}

/** One `&`-separated part of the fragment, its percent-encoded white space dropped (step 4). */
export function cleanLinkPart(part: string): string {
  // Until none is left: one inserted inside another ("%%2020") leaves one behind.
  let out = part;
  for (let before = ""; before !== out; ) {
    before = out;
    out = out.replace(ENCODED_SPACE, "");
  }
  return out;
}

/**
 * Whether a command-line argument is a link rather than a file's name: a URL, a `#fragment`,
 * a bare `v1.…` fragment, or any of those as mail left them (`<https://…>`, `> https://…`).
 */
export function looksLikeLink(arg: string): boolean {
  const text = cleanLinkText(arg);
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text) || text.startsWith("#") || /^v\d{1,12}\.[\w-]{8}/.test(text);
}
