/**
 * The SMMU's walk cache and configuration cache, the stalled transactions and the page
 * requests, in the IOTLB/ATC panel's style: one row per entry, stale ones in red with the
 * reason in the tooltip. A config-cache row opens its STE or CD in the detail view (which
 * shows the cached copy beside memory). A line is redrawn only when what it says changed.
 */

import { type BaseType, type Selection as D3Selection, select } from "d3-selection";
import { useCallback } from "react";
import type { CacheRow, CacheSection, Selection as StoreSelection } from "../../../view/index.ts";
import { asButtons, sizeDiagram, textWidth } from "../../d3/d3util.ts";
import { joinLines, placeLines } from "../../d3/sections.ts";
import { type Draw, useDiagram } from "../../d3/useDiagram.ts";

const ROW = 18;
const WIDTH = 276;
const COLS = { tag: 4, what: 80, state: 236 };
const WHAT_CHARS = Math.floor((COLS.state - COLS.what - 6) / textWidth("x"));

type Line =
  | { readonly id: string; readonly kind: "head"; readonly text: string }
  | { readonly id: string; readonly kind: "cols"; readonly cols: readonly [string, string, string] }
  | { readonly id: string; readonly kind: "none"; readonly text: string }
  | { readonly id: string; readonly kind: "entry"; readonly e: CacheRow };

function lines(vm: readonly CacheSection[]): Line[] {
  const out: Line[] = [];
  for (const s of vm) {
    out.push({ id: `h:${s.id}`, kind: "head", text: s.title });
    if (s.rows.length === 0) out.push({ id: `n:${s.id}`, kind: "none", text: s.empty });
    else out.push({ id: `c:${s.id}`, kind: "cols", cols: s.cols });
    for (const e of s.rows) out.push({ id: e.id, kind: "entry", e });
    if (s.hidden) out.push({ id: `m:${s.id}`, kind: "none", text: `… ${s.hidden} more not drawn` });
  }
  return out;
}

/** What a line shows: like the IOTLB panel's, a line is redrawn only when this changed. */
const lineKey = (d: Line): string => {
  switch (d.kind) {
    case "entry":
      return `e|${d.e.tag}|${d.e.what}|${d.e.state}|${d.e.stale}`;
    case "cols":
      return `c|${d.cols.join("|")}`;
    default:
      return `${d.kind}|${d.text}`;
  }
};
const drawn = new WeakMap<Element, string>();

const cut = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function draw(svg: SVGSVGElement, vm: readonly CacheSection[], pick: (s: StoreSelection) => void): void {
  const { placed, height } = placeLines(lines(vm), ROW);
  sizeDiagram(svg, WIDTH, height);
  const g = joinLines(svg, placed);
  g.attr("data-testid", (p) => (p.line.kind === "entry" ? "cache-extra" : null))
    .attr("data-entry", (p) => (p.line.kind === "entry" ? p.line.e.id : null))
    .attr("data-stale", (p) => (p.line.kind === "entry" ? String(p.line.e.stale) : null))
    .attr("data-id", (p) => {
      const d = p.line;
      return d.kind === "entry" && d.e.select
        ? d.e.select.kind === "ste"
          ? `ste:${d.e.select.sid}`
          : d.e.select.kind === "cd"
            ? `cd:${d.e.select.sid}:${d.e.select.ssid}`
            : null
        : null;
    });
  g.each(function (p) {
    const d = p.line;
    const key = lineKey(d);
    if (drawn.get(this) === key) return;
    drawn.set(this, key);
    const row = select(this);
    row.selectAll(":not(title)").remove();
    const text = (x: number, t: string, cls: string | null = null) =>
      row.append("text").attr("x", x).attr("y", 13).attr("class", cls).text(t);
    switch (d.kind) {
      case "head":
        text(COLS.tag, d.text).attr("font-weight", 700);
        break;
      case "cols":
        text(COLS.tag, d.cols[0], "muted").attr("font-size", 10);
        text(COLS.what, d.cols[1], "muted").attr("font-size", 10);
        break;
      case "none":
        text(COLS.tag, d.text, "muted");
        break;
      case "entry": {
        const e = d.e;
        const cls = e.stale ? "bad" : null;
        row
          .insert("rect", ":first-child")
          .attr("class", "hit")
          .attr("width", WIDTH - 2)
          .attr("height", ROW - 2)
          .attr("rx", 3)
          .attr("fill", e.stale ? "var(--bad-soft)" : "transparent");
        text(COLS.tag, cut(e.tag, 11), cls);
        text(COLS.what, cut(e.what, WHAT_CHARS), cls);
        text(COLS.state, cut(e.state, 6), e.stale ? "bad" : "muted").attr("font-weight", e.stale ? 700 : 400);
        break;
      }
      default: {
        const exhaustive: never = d;
        return exhaustive;
      }
    }
  });
  type Entry = Extract<Line, { kind: "entry" }>;
  const entries = g.filter((p) => p.line.kind === "entry") as unknown as D3Selection<
    SVGGElement,
    { line: Entry },
    BaseType,
    unknown
  >;
  entries.each(function ({ line: d }) {
    select(this)
      .selectAll("title")
      .data([d])
      .join("title")
      .text(`${d.e.tag}: ${d.e.what}${d.e.stale ? " — STALE: " : " — "}${d.e.why}`);
  });
  asButtons(
    entries.filter(({ line: d }) => d.e.select !== undefined),
    ({ line: d }) => `${d.e.tag}: ${d.e.what}${d.e.stale ? ", stale" : ""}. Open it in the detail view`,
    ({ line: d }) => `${d.e.tag}: ${d.e.what}${d.e.stale ? " — STALE: " : " — "}${d.e.why}`,
    ({ line: d }) => pick(d.e.select!),
  );
}

export function CachesDiagram(props: {
  vm: readonly CacheSection[];
  selectedId: string | null;
  onSelect: (s: StoreSelection) => void;
}) {
  const { vm, selectedId, onSelect } = props;
  const paint = useCallback<Draw<readonly CacheSection[]>>((svg, v) => draw(svg, v, onSelect), [onSelect]);
  const ref = useDiagram(vm, paint, selectedId, 0);
  return (
    <div>
      <svg
        ref={ref}
        className="diagram"
        data-testid="caches-extra"
        aria-label="Walk cache, configuration cache, stalled transactions and page requests"
      />
    </div>
  );
}
