/**
 * The topology: processes → driver objects (notifier, io_mm, SVA domain) → bindings → devices
 * → the SMMU, as cards joined by links (the binding's link to its device carries the PASID).
 * In columns when the panel is wide enough; otherwise the cards flow in reading order. A card that is going
 * away is drawn amber, a freed one dashed and grey. Each card is a button that opens what it
 * is in the glossary.
 */

import { select } from "d3-selection";
import { linkHorizontal, linkVertical } from "d3-shape";
import { useCallback } from "react";
import {
  COLUMN_TITLES,
  TOPO_COLUMNS,
  type TopoColumn,
  type TopologyVm,
  type TopoNode,
} from "../teach/topology-vm.ts";
import { asButtons, duration, textWidth } from "./d3util.ts";
import { type Draw, useDiagram, useWidth } from "./useDiagram.ts";

const W = 152;
const HEAD = 18;
const LINE = 12;
const PAD = 6;
/** Room for a link label ("PASID 1") between two cards side by side. */
const HGAP = 46;
/** The cards' lines are 10 px (the title 11 px). */
const FONT = 10;
const VGAP = 26;
const SIB = 10;
const LABEL_H = 16;
const CHARS = Math.floor((W - 2 * PAD) / textWidth("x", FONT));
const TITLE_CHARS = Math.floor((W - 2 * PAD) / textWidth("x"));

/** Word-wraps a line to the card's width. */
function wrap(line: string): string[] {
  if (line.length <= CHARS) return [line];
  const out: string[] = [];
  let cur = "";
  for (const word of line.split(" ")) {
    const next = cur === "" ? word : `${cur} ${word}`;
    if (next.length <= CHARS) cur = next;
    else {
      if (cur !== "") out.push(cur);
      cur = word.length > CHARS ? `${word.slice(0, CHARS - 1)}…` : word;
    }
  }
  if (cur !== "") out.push(cur);
  return out;
}

interface Placed {
  readonly n: TopoNode;
  readonly lines: string[];
  readonly x: number;
  readonly y: number;
  readonly h: number;
}

interface Layout {
  readonly placed: Placed[];
  readonly labels: { id: string; text: string; x: number; y: number }[];
  readonly horizontal: boolean;
  readonly width: number;
  readonly height: number;
}

function layout(vm: TopologyVm, width: number): Layout {
  const cols = TOPO_COLUMNS.filter((c) => vm.nodes.some((n) => n.column === c));
  const groups = [...new Set(vm.nodes.map((n) => n.group).filter((g) => g !== ""))];
  const order = (n: TopoNode): number => (n.group === "" ? -1 : groups.indexOf(n.group));
  const byCol = new Map<TopoColumn, TopoNode[]>(
    cols.map((c) => [c, vm.nodes.filter((n) => n.column === c).sort((a, b) => order(a) - order(b))]),
  );
  const size = (n: TopoNode) => {
    const lines = n.lines.flatMap(wrap);
    return { lines, h: HEAD + lines.length * LINE + PAD };
  };
  const horizontal = width >= cols.length * W + (cols.length - 1) * HGAP + 4;
  const placed: Placed[] = [];
  const labels: Layout["labels"] = [];
  if (horizontal) {
    let maxY = 0;
    cols.forEach((c, i) => {
      const x = 2 + i * (W + HGAP);
      labels.push({ id: c, text: COLUMN_TITLES[c], x, y: 11 });
      let y = LABEL_H + 2;
      for (const n of byCol.get(c) ?? []) {
        const s = size(n);
        placed.push({ n, ...s, x, y });
        y += s.h + SIB;
      }
      maxY = Math.max(maxY, y);
    });
    return { placed, labels, horizontal, width: cols.length * (W + HGAP) - HGAP + 4, height: maxY };
  }
  // Narrow: the cards flow left to right in reading order (processes, objects, bindings,
  // devices, SMMU), wrapping to the width; links go across a row or down to the next.
  const ordered = cols.flatMap((c) => byCol.get(c) ?? []);
  const perRow = Math.max(1, Math.floor((Math.max(width, W + 4) - 2 + HGAP) / (W + HGAP)));
  let y = 0;
  for (let i = 0; i < ordered.length; i += perRow) {
    const row = ordered.slice(i, i + perRow).map(size);
    row.forEach((s, k) => {
      placed.push({ n: ordered[i + k]!, ...s, x: 2 + k * (W + HGAP), y });
    });
    y += Math.max(...row.map((s) => s.h)) + VGAP;
  }
  const cols1 = Math.min(perRow, ordered.length);
  return { placed, labels, horizontal, width: cols1 * (W + HGAP) - HGAP + 4, height: y - VGAP + 2 };
}

const STROKE: Record<TopoNode["tone"], string> = {
  live: "var(--line)",
  dying: "var(--warn)",
  freed: "var(--ink-muted)",
};

function draw(svg: SVGSVGElement, vm: TopologyVm, width: number, open: (term: string) => void): void {
  const L = layout(vm, width);
  const root = select(svg).attr("width", L.width).attr("height", Math.max(40, L.height));
  const at = new Map(L.placed.map((p) => [p.n.id, p]));
  const t = duration();

  root
    .selectAll<SVGTextElement, Layout["labels"][number]>("text.col")
    .data(L.labels, (d) => d.id)
    .join("text")
    .attr("class", "col muted")
    .attr("font-size", 10)
    .attr("font-weight", 600)
    .attr("x", (d) => d.x)
    .attr("y", (d) => d.y)
    .text((d) => d.text.toUpperCase());

  type Edge = {
    id: string;
    s: [number, number];
    t: [number, number];
    label: string;
    freed: boolean;
    across: boolean;
  };
  const edges: Edge[] = [];
  for (const l of vm.links) {
    const a = at.get(l.from);
    const b = at.get(l.to);
    if (!a || !b) continue;
    // Across (columns, or one flow row) from side to side; otherwise from bottom to top.
    const across = L.horizontal || a.y === b.y;
    const leftToRight = a.x <= b.x;
    const s: [number, number] = across
      ? [leftToRight ? a.x + W : a.x, a.y + HEAD / 2]
      : [a.x + W / 2, a.y + a.h];
    const e: [number, number] = across ? [leftToRight ? b.x : b.x + W, b.y + HEAD / 2] : [b.x + W / 2, b.y];
    edges.push({ id: l.id, s, t: e, label: l.label, freed: l.freed, across });
  }
  const horizontalLink = linkHorizontal<Edge, [number, number]>()
    .source((d) => d.s)
    .target((d) => d.t);
  const verticalLink = linkVertical<Edge, [number, number]>()
    .source((d) => d.s)
    .target((d) => d.t);
  const path = (d: Edge): string | null => (d.across ? horizontalLink(d) : verticalLink(d));
  root
    .selectAll<SVGPathElement, Edge>("path.link")
    .data(edges, (d) => d.id)
    .join("path")
    .attr("class", "link")
    .attr("fill", "none")
    .attr("stroke", (d) => (d.freed ? "var(--ink-muted)" : "var(--accent)"))
    .attr("stroke-opacity", (d) => (d.freed ? 0.5 : 0.75))
    .attr("stroke-width", 1.4)
    .attr("stroke-dasharray", (d) => (d.freed ? "4 3" : null))
    .attr("d", (d) => path(d) ?? "");
  root
    .selectAll<SVGTextElement, Edge>("text.edge")
    .data(
      edges.filter((e) => e.label !== ""),
      (d) => d.id,
    )
    .join("text")
    .attr("class", "edge")
    .attr("font-size", 10)
    .attr("font-weight", 600)
    .attr("text-anchor", "middle")
    .attr("paint-order", "stroke")
    .attr("stroke", "var(--card)")
    .attr("stroke-width", 3)
    .style("fill", (d) => (d.freed ? "var(--ink-muted)" : "var(--accent)"))
    .attr("x", (d) => (d.s[0] + d.t[0]) / 2 + (d.across ? 0 : 4))
    .attr("y", (d) => (d.s[1] + d.t[1]) / 2 + 3)
    .text((d) => d.label);

  const g = root
    .selectAll<SVGGElement, Placed>("g.topo")
    .data(L.placed, (p) => p.n.id)
    .join((enter) =>
      enter
        .append("g")
        .attr("class", "topo")
        .attr("transform", (p) => `translate(${p.x},${p.y})`),
    );
  g.attr("data-id", (p) => p.n.id)
    .attr("data-testid", "topo-node")
    .attr("data-node", (p) => p.n.id)
    .attr("data-tone", (p) => p.n.tone);
  g.transition()
    .duration(t)
    .attr("transform", (p) => `translate(${p.x},${p.y})`);
  g.each(function (p) {
    const node = select(this);
    node.selectAll("*").remove();
    node.attr("opacity", p.n.tone === "freed" ? 0.5 : 1);
    node
      .append("rect")
      .attr("class", "hit")
      .attr("width", W)
      .attr("height", p.h)
      .attr("rx", 5)
      .attr("fill", "var(--card)")
      .attr("stroke", STROKE[p.n.tone])
      .attr("stroke-width", p.n.tone === "dying" ? 2 : 1)
      .attr("stroke-dasharray", p.n.tone === "freed" ? "4 3" : null);
    node.append("rect").attr("width", W).attr("height", HEAD).attr("rx", 5).attr("fill", "var(--card-head)");
    const title = p.n.title.length > TITLE_CHARS ? `${p.n.title.slice(0, TITLE_CHARS - 1)}…` : p.n.title;
    node
      .append("text")
      .attr("x", PAD)
      .attr("y", 13)
      .attr("font-weight", 600)
      .attr("text-decoration", p.n.tone === "freed" ? "line-through" : null)
      .text(title);
    p.lines.forEach((line, i) => {
      const text = node
        .append("text")
        .attr("x", PAD)
        .attr("y", HEAD + (i + 1) * LINE - 1)
        .attr("font-size", FONT)
        .attr("class", i === 0 && p.n.tone !== "live" ? null : "muted")
        .text(line);
      if (i === 0 && p.n.tone === "dying") text.style("fill", "var(--warn)");
    });
  });
  asButtons(
    g,
    (p) => `${p.n.title}: ${p.n.lines.join(", ")}. Open ${p.n.term} in the glossary`,
    (p) => `${p.n.title}\n${p.n.lines.join("\n")}\n(click: what is this?)`,
    (p) => open(p.n.term),
  );
}

export function TopologyDiagram(props: { vm: TopologyVm; onOpen: (term: string) => void; testId?: string }) {
  const { vm, onOpen, testId = "topology" } = props;
  const [box, width] = useWidth();
  const paint = useCallback<Draw<TopologyVm>>((svg, v, w) => draw(svg, v, w, onOpen), [onOpen]);
  const ref = useDiagram(vm, paint, null, width);
  return (
    <div ref={box} className="min-w-0">
      <svg
        ref={ref}
        className="diagram"
        data-testid={testId}
        aria-label={`Topology: ${vm.summary}. Processes, driver objects, bindings, devices and the SMMU.`}
      />
    </div>
  );
}
