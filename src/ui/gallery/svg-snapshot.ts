/**
 * A diagram's drawing as text for a snapshot file: one element per line, indented, with
 * what a redraw may spell differently taken out, so that the file changes only when the
 * drawing does:
 * - numbers in geometry attributes (x, width, transform, d, …) rounded to one decimal (layout
 *   arithmetic, d3's interpolators and the browser's own rounding differ in the last digits);
 * - ids renumbered in order of appearance (`id-1`, `id-2`, …), with the references to them
 *   (`url(#…)`, quoted too as a style reads back, `href="#…"`, `aria-labelledby`, …): React's
 *   `useId` and the diagrams' own counters (markers, patterns) depend on what rendered before;
 * - attributes sorted by name, class names sorted, whitespace in text collapsed, empty text
 *   and comments dropped.
 * It reads nodes through the few DOM properties below, so it runs on the page (the gallery)
 * and in Node on plain objects (svg-snapshot.test.ts).
 */

/** The part of a DOM node the snapshot reads. */
export interface SnapNode {
  readonly nodeType: number;
  readonly nodeName: string;
  readonly nodeValue: string | null;
  readonly attributes?: ArrayLike<{ readonly name: string; readonly value: string }>;
  readonly childNodes: ArrayLike<SnapNode>;
}

const ELEMENT = 1;
const TEXT = 3;

/** Attributes holding lengths, coordinates or path data: their numbers are rounded. */
const GEOMETRY = new Set([
  "x",
  "y",
  "x1",
  "y1",
  "x2",
  "y2",
  "cx",
  "cy",
  "r",
  "rx",
  "ry",
  "dx",
  "dy",
  "width",
  "height",
  "d",
  "points",
  "transform",
  "viewbox",
  "font-size",
  "stroke-width",
  "stroke-dasharray",
  "refx",
  "refy",
  "markerwidth",
  "markerheight",
  "offset",
  "style",
  "data-height",
]);

/** Attributes whose value is a list of ids. */
const IDREFS = new Set(["aria-labelledby", "aria-describedby", "aria-controls", "aria-owns", "for"]);

/** Decimal numbers (with an optional exponent): `12.345`, `-0.5`, `1e-7`. */
const NUMBER = /-?(?:\d+\.\d*|\.\d+|\d+)(?:e[-+]?\d+)?/gi;

/** `v` rounded to one decimal, without a trailing `.0` and without `-0`. */
export function roundNumber(v: number): string {
  const r = Math.round(v * 10) / 10;
  return String(Object.is(r, -0) ? 0 : r);
}

/** The numbers of a geometry attribute's value rounded; integers are left as they are written. */
export function roundNumbers(value: string): string {
  return value.replace(NUMBER, (m) => (/[.e]/i.test(m) ? roundNumber(Number(m)) : m));
}

const escapeText = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const escapeAttr = (s: string): string => escapeText(s).replace(/"/g, "&quot;");

function collectIds(node: SnapNode, ids: Map<string, string>): void {
  if (node.nodeType !== ELEMENT) return;
  const attrs = node.attributes ?? [];
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs[i]!;
    if (a.name === "id" && a.value !== "" && !ids.has(a.value)) ids.set(a.value, `id-${ids.size + 1}`);
  }
  for (let i = 0; i < node.childNodes.length; i++) collectIds(node.childNodes[i]!, ids);
}

function attrValue(name: string, value: string, ids: ReadonlyMap<string, string>): string {
  if (name === "id") return ids.get(value) ?? value;
  if (IDREFS.has(name))
    return value
      .split(/\s+/)
      .filter(Boolean)
      .map((t) => ids.get(t) ?? t)
      .join(" ");
  if (name === "class") return value.split(/\s+/).filter(Boolean).sort().join(" ");
  // `url(#a)`, and `url("#a")` as a style property is read back.
  let v = value.replace(/url\((["']?)#([^)"']+)\1\)/g, (m, q: string, id: string) =>
    ids.has(id) ? `url(${q}#${ids.get(id)}${q})` : m,
  );
  if ((name === "href" || name === "xlink:href") && v.startsWith("#"))
    v = `#${ids.get(v.slice(1)) ?? v.slice(1)}`;
  return GEOMETRY.has(name.toLowerCase()) ? roundNumbers(v) : v;
}

function print(node: SnapNode, depth: number, ids: ReadonlyMap<string, string>, out: string[]): void {
  const pad = "  ".repeat(depth);
  if (node.nodeType === TEXT) {
    const t = (node.nodeValue ?? "").replace(/\s+/g, " ").trim();
    if (t !== "") out.push(`${pad}${escapeText(t)}`);
    return;
  }
  if (node.nodeType !== ELEMENT) return;
  const tag = node.nodeName.toLowerCase();
  const list = node.attributes ?? [];
  const attrs: [string, string][] = [];
  for (let i = 0; i < list.length; i++) {
    const a = list[i]!;
    attrs.push([a.name, attrValue(a.name, a.value, ids)]);
  }
  attrs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const open = `${pad}<${[tag, ...attrs.map(([n, v]) => `${n}="${escapeAttr(v)}"`)].join(" ")}`;
  if (node.childNodes.length === 0) {
    out.push(`${open} />`);
    return;
  }
  const inner: string[] = [];
  for (let i = 0; i < node.childNodes.length; i++) print(node.childNodes[i]!, depth + 1, ids, inner);
  if (inner.length === 0) out.push(`${open} />`);
  else if (inner.length === 1 && !inner[0]!.trimStart().startsWith("<"))
    out.push(`${open}>${inner[0]!.trimStart()}</${tag}>`);
  else out.push(`${open}>`, ...inner, `${pad}</${tag}>`);
}

/** The snapshot text of `roots` (in order, ids numbered across all of them), ending in a newline. */
export function snapshotOf(roots: readonly SnapNode[]): string {
  const ids = new Map<string, string>();
  for (const r of roots) collectIds(r, ids);
  const out: string[] = [];
  for (const r of roots) print(r, 0, ids, out);
  return `${out.join("\n")}\n`;
}
