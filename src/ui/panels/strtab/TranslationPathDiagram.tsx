/**
 * The translation path of the last DMA: one box per table the SMMU read, in order, joined by
 * arrows, flowing left to right and wrapping to the panel's width. Each box says where the
 * entry sits (base + index × size), draws the table as a strip of slots with the one used
 * marked, and gives the fields that decided the translation. Boxes for an STE, a CD or a
 * page-table descriptor open it in the detail view.
 */

import { select } from "d3-selection";
import { useCallback } from "react";
import type { BoxTone, PathBox, PathVm, Selection as StoreSelection } from "../../../view/index.ts";
import { asButtons, duration, moveTo, sizeDiagram, textWidth } from "../../d3/d3util.ts";
import { type Draw, useDiagram, useWidth } from "../../d3/useDiagram.ts";

/** Box width: two abreast when the panel allows, else one as wide as it (within bounds). */
const BW_MIN = 262;
const BW_MAX = 430;
const HEAD = 19;
const LINE = 14;
const PAD = 6;
const STRIP_H = 12;
const GAP = 26;
const VGAP = 22;
const CELLS = 16;

const boxWidth = (width: number): number =>
  width >= 2 * BW_MIN + GAP + 4 ? BW_MIN : Math.max(BW_MIN - 30, Math.min(BW_MAX, width - 4));

const TONE: Record<BoxTone, { stroke: string; head: string }> = {
  ok: { stroke: "var(--path)", head: "var(--path-soft)" },
  cache: { stroke: "var(--good)", head: "var(--card-head)" },
  muted: { stroke: "var(--line)", head: "var(--card-head)" },
  bad: { stroke: "var(--bad)", head: "var(--bad-soft)" },
};

interface Placed {
  readonly b: PathBox;
  readonly x: number;
  readonly y: number;
  readonly h: number;
}

const boxHeight = (b: PathBox): number =>
  HEAD + LINE * (1 + b.lines.length) + (b.strip ? STRIP_H + 8 : 4) + PAD;

function layout(vm: PathVm, width: number): { placed: Placed[]; width: number; height: number; bw: number } {
  const BW = boxWidth(width);
  const perRow = Math.max(1, Math.floor((Math.max(width, BW) + GAP - 4) / (BW + GAP)));
  const placed: Placed[] = [];
  let y = 0;
  for (let i = 0; i < vm.boxes.length; i += perRow) {
    const row = vm.boxes.slice(i, i + perRow);
    const h = Math.max(...row.map(boxHeight));
    row.forEach((b, k) => {
      placed.push({ b, x: 2 + k * (BW + GAP), y, h: boxHeight(b) });
    });
    y += h + VGAP;
  }
  const cols = Math.min(perRow, vm.boxes.length);
  return { placed, width: cols * (BW + GAP) - GAP + 4, height: y - VGAP + 2, bw: BW };
}

/** The slots of the strip: a window of at most CELLS around the used one. */
function slotWindow(count: number, index: number): { first: number; n: number } {
  const n = Math.min(count, CELLS);
  const first = Math.max(0, Math.min(count - n, index - Math.floor(n / 2)));
  return { first, n };
}

function draw(svg: SVGSVGElement, vm: PathVm, width: number, pick: (s: StoreSelection) => void): void {
  const L = layout(vm, width);
  const BW = L.bw;
  const chars = Math.floor((BW - 2 * PAD) / textWidth("x"));
  const cut = (s: string): string => (s.length > chars ? `${s.slice(0, chars - 1)}…` : s);
  const root = sizeDiagram(svg, L.width, Math.max(L.height, 30));
  const t = duration();

  // Arrows from each box to the next: along a row, or from a row's end down to the next row.
  const arrows = L.placed.slice(1).map((p, i) => {
    const a = L.placed[i]!;
    const sameRow = a.y === p.y;
    const d = sameRow
      ? `M${a.x + BW},${a.y + HEAD / 2}H${p.x - 4}`
      : `M${a.x + BW / 2},${a.y + a.h}V${a.y + a.h + VGAP / 2}H${p.x + BW / 2}V${p.y - 4}`;
    return { id: `${a.b.id}>${p.b.id}`, d };
  });
  root
    .selectAll<SVGPathElement, (typeof arrows)[number]>("path.arrow")
    .data(arrows, (d) => d.id)
    .join("path")
    .attr("class", "arrow")
    .attr("fill", "none")
    .attr("stroke", "var(--path)")
    .attr("stroke-width", 1.6)
    .attr("marker-end", "url(#path-arrow)")
    .attr("d", (d) => d.d);
  root
    .selectAll("defs")
    .data([null])
    .join((enter) => {
      const defs = enter.append("defs");
      defs
        .append("marker")
        .attr("id", "path-arrow")
        .attr("viewBox", "0 0 8 8")
        .attr("refX", 6)
        .attr("refY", 4)
        .attr("markerWidth", 7)
        .attr("markerHeight", 7)
        .attr("orient", "auto")
        .append("path")
        .attr("d", "M0,0L8,4L0,8z")
        .style("fill", "var(--path)");
      return defs;
    });

  const g = root
    .selectAll<SVGGElement, Placed>("g.pbox")
    .data(L.placed, (p) => p.b.id)
    .join((enter) =>
      enter
        .append("g")
        .attr("class", "pbox")
        .attr("transform", (p) => `translate(${p.x},${p.y})`),
    );
  g.attr("data-testid", "path-box")
    .attr("data-box", (p) => p.b.id)
    .attr("data-tone", (p) => p.b.tone)
    .attr("data-id", (p) => (p.b.select ? `path:${p.b.id}` : null));
  moveTo(g, (p) => `translate(${p.x},${p.y})`, t);
  g.each(function (p) {
    const b = p.b;
    const node = select(this);
    node.selectAll("*").remove();
    const tone = TONE[b.tone];
    node
      .append("rect")
      .attr("class", "hit")
      .attr("width", BW)
      .attr("height", p.h)
      .attr("rx", 5)
      .attr("fill", "var(--card)")
      .attr("stroke", tone.stroke)
      .attr("stroke-width", b.tone === "muted" ? 1 : 1.6)
      .attr("stroke-dasharray", b.tone === "muted" ? "4 3" : null);
    node.append("rect").attr("width", BW).attr("height", HEAD).attr("rx", 5).attr("fill", tone.head);
    node.append("text").attr("x", PAD).attr("y", 14).attr("font-weight", 700).text(cut(b.title));
    node
      .append("text")
      .attr("class", "muted")
      .attr("x", PAD)
      .attr("y", HEAD + LINE - 2)
      .attr("font-size", 10)
      .text(cut(b.where));
    b.lines.forEach((line, i) => {
      node
        .append("text")
        .attr("x", PAD)
        .attr("y", HEAD + LINE * (i + 2) - 2)
        .attr("class", /STALE|invalid|now |C_BAD/.test(line) ? "bad" : null)
        .text(cut(line));
    });
    if (b.strip) {
      const { first, n } = slotWindow(b.strip.count, b.strip.index);
      const top = HEAD + LINE * (1 + b.lines.length) + 6;
      const labelW = 70;
      const cw = (BW - 2 * PAD - labelW) / n;
      for (let k = 0; k < n; k++) {
        const used = first + k === b.strip.index;
        node
          .append("rect")
          .attr("class", used ? "slot used" : "slot")
          .attr("x", PAD + k * cw)
          .attr("y", top)
          .attr("width", Math.max(1, cw - 1))
          .attr("height", STRIP_H)
          .attr("rx", 1.5)
          .attr("fill", used ? tone.stroke : "var(--slot-done)")
          .attr("stroke", "var(--line)")
          .attr("stroke-width", 0.5);
      }
      node
        .append("text")
        .attr("class", "muted")
        .attr("font-size", 9.5)
        .attr("x", BW - PAD)
        .attr("y", top + STRIP_H - 2)
        .attr("text-anchor", "end")
        .text(`#${b.strip.index} of ${b.strip.count}`);
    }
  });
  const clickable = g.filter((p) => p.b.select !== undefined);
  asButtons(
    clickable,
    (p) => `${p.b.title}: ${p.b.where}. Open it in the detail view`,
    (p) => [p.b.title, p.b.where, ...p.b.lines].join("\n"),
    (p) => pick(p.b.select!),
  );
  g.filter((p) => p.b.select === undefined)
    .attr("role", null)
    .attr("tabindex", null)
    .on("click", null)
    .on("keydown", null)
    .each(function (p) {
      select(this)
        .selectAll("title")
        .data([p])
        .join("title")
        .text([p.b.title, p.b.where, ...p.b.lines].join("\n"));
    });
}

export function TranslationPathDiagram(props: { vm: PathVm; onSelect: (s: StoreSelection) => void }) {
  const { vm, onSelect } = props;
  const [box, width] = useWidth();
  const paint = useCallback<Draw<PathVm>>((svg, v, w) => draw(svg, v, w, onSelect), [onSelect]);
  const ref = useDiagram(vm, paint, null, width);
  return (
    <div ref={box} className="min-w-0">
      <svg
        ref={ref}
        className="diagram"
        data-testid="translation-path"
        aria-label={`Translation path. ${vm.headline}`}
      />
    </div>
  );
}
