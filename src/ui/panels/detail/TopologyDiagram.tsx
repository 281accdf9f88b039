/**
 * The topology: processes → driver objects (notifier, io_mm, SVA domain) → bindings → devices
 * → the SMMU, as cards joined by links (the binding's link to its device carries the PASID).
 * In columns when the panel is wide enough; otherwise the cards flow in reading order. A card that is going
 * away is drawn amber, a freed one dashed and grey. Each card is a button that opens what it
 * is in the glossary.
 */

import { select } from "d3-selection";
import { memo, useCallback } from "react";
import {
  COLUMN_TITLES,
  TOPO_COLUMNS,
  type TopoColumn,
  type TopologyVm,
  type TopoNode,
  type TopoVm,
} from "../../../view/index.ts";
import { asButtons, duration, moveTo, sizeDiagram, textWidth } from "../../d3/d3util.ts";
import { linkHorizontal, linkVertical } from "../../d3/shapes.ts";
import { type Draw, useDiagram, useWidth } from "../../d3/useDiagram.ts";

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

/** Word-wraps a line to `chars` characters. */
function wrapTo(line: string, chars: number): string[] {
  if (line.length <= chars) return [line];
  const out: string[] = [];
  let cur = "";
  for (const word of line.split(" ")) {
    const next = cur === "" ? word : `${cur} ${word}`;
    if (next.length <= chars) cur = next;
    else {
      if (cur !== "") out.push(cur);
      cur = word.length > chars ? `${word.slice(0, chars - 1)}…` : word;
    }
  }
  if (cur !== "") out.push(cur);
  return out;
}

/** Word-wraps a line to the card's width. */
const wrap = (line: string): string[] => wrapTo(line, CHARS);

interface Placed {
  readonly n: TopoNode;
  readonly lines: string[];
  readonly x: number;
  readonly y: number;
  readonly h: number;
}

interface Box {
  readonly v: TopoVm;
  readonly lines: string[];
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

interface Layout {
  readonly placed: Placed[];
  readonly labels: { id: string; text: string; x: number; y: number }[];
  /** The VMs' boxes, each around its guest processes and its devices. */
  readonly boxes: Box[];
  readonly horizontal: boolean;
  readonly width: number;
  readonly height: number;
}

/** Inside a VM's box: the margin around its cards. */
const BOX_PAD = 8;

function layout(vm: TopologyVm, width: number): Layout {
  const cols = TOPO_COLUMNS.filter((c) => vm.nodes.some((n) => n.column === c));
  const groups = [...new Set(vm.nodes.map((n) => n.group).filter((g) => g !== ""))];
  const order = (n: TopoNode): number => (n.group === "" ? -1 : groups.indexOf(n.group));
  const inCol = (nodes: readonly TopoNode[], c: TopoColumn): TopoNode[] =>
    nodes.filter((n) => n.column === c).sort((a, b) => order(a) - order(b));
  const size = (n: TopoNode) => {
    const lines = n.lines.flatMap(wrap);
    return { lines, h: HEAD + lines.length * LINE + PAD };
  };
  const host = vm.nodes.filter((n) => n.vm === undefined);
  const guests = (v: TopoVm): TopoNode[] => vm.nodes.filter((n) => n.vm === v.name);
  const horizontal = width >= cols.length * W + (cols.length - 1) * HGAP + 4;
  const placed: Placed[] = [];
  const labels: Layout["labels"] = [];
  const boxes: Box[] = [];
  const colX = (c: TopoColumn): number => 2 + cols.indexOf(c) * (W + HGAP);
  /** A VM's header lines, wrapped to the box's width. */
  const boxHead = (v: TopoVm, w: number): string[] => {
    const chars = Math.floor((w - 2 * PAD) / textWidth("x", FONT));
    return v.lines.flatMap((l) => wrapTo(l, chars));
  };
  if (horizontal) {
    let maxY = 0;
    for (const c of cols) {
      const x = colX(c);
      labels.push({ id: c, text: COLUMN_TITLES[c], x, y: 11 });
      let y = LABEL_H + 2;
      for (const n of inCol(host, c)) {
        const s = size(n);
        placed.push({ n, ...s, x, y });
        y += s.h + SIB;
      }
      maxY = Math.max(maxY, y);
    }
    for (const v of vm.vms) {
      const mine = guests(v);
      const used = cols.filter((c) => mine.some((n) => n.column === c));
      const first = used.length > 0 ? colX(used[0]!) : 2;
      const last = used.length > 0 ? colX(used[used.length - 1]!) : 2;
      const x = Math.max(0, first - BOX_PAD + 2);
      const w = last + W + BOX_PAD - 2 - x;
      const lines = boxHead(v, w);
      const top = maxY + 2;
      let bottom = top + HEAD + lines.length * LINE + PAD;
      for (const c of used) {
        let y = top + HEAD + lines.length * LINE + PAD + 4;
        for (const n of inCol(mine, c)) {
          const s = size(n);
          placed.push({ n, ...s, x: colX(c), y });
          y += s.h + SIB;
        }
        bottom = Math.max(bottom, y - SIB + BOX_PAD);
      }
      boxes.push({ v, lines, x, y: top, w, h: bottom - top });
      maxY = bottom + SIB;
    }
    return { placed, labels, boxes, horizontal, width: cols.length * (W + HGAP) - HGAP + 4, height: maxY };
  }
  // Narrow: the cards flow left to right in reading order (processes, objects, bindings,
  // devices, SMMU), wrapping to the width; links go across a row or down to the next. A VM's
  // cards flow the same way inside its box, below the host's.
  const flow = (nodes: TopoNode[], left: number, room: number, top: number): { y: number; cols: number } => {
    const perRow = Math.max(1, Math.floor((Math.max(room, W + 4) - 2 + HGAP) / (W + HGAP)));
    let y = top;
    for (let i = 0; i < nodes.length; i += perRow) {
      const row = nodes.slice(i, i + perRow).map(size);
      row.forEach((s, k) => {
        placed.push({ n: nodes[i + k]!, ...s, x: left + 2 + k * (W + HGAP), y });
      });
      y += Math.max(...row.map((s) => s.h)) + VGAP;
    }
    return { y, cols: Math.min(perRow, nodes.length) };
  };
  const hostFlow = flow(
    cols.flatMap((c) => inCol(host, c)),
    0,
    width,
    0,
  );
  let y = hostFlow.y;
  let widest = hostFlow.cols * (W + HGAP) - HGAP + 4;
  for (const v of vm.vms) {
    const mine = cols.flatMap((c) => inCol(guests(v), c));
    const perRow = Math.max(1, Math.floor((Math.max(width - 2 * BOX_PAD, W + 4) - 2 + HGAP) / (W + HGAP)));
    const w = Math.max(
      W + 2 * BOX_PAD,
      Math.min(perRow, Math.max(1, mine.length)) * (W + HGAP) - HGAP + 2 * BOX_PAD,
    );
    const lines = boxHead(v, w);
    const top = y - VGAP + 8;
    const inner = flow(mine, BOX_PAD - 2, w - 2 * BOX_PAD, top + HEAD + lines.length * LINE + PAD + 4);
    const bottom = mine.length > 0 ? inner.y - VGAP + BOX_PAD : top + HEAD + lines.length * LINE + PAD;
    boxes.push({ v, lines, x: 0, y: top, w, h: bottom - top });
    widest = Math.max(widest, w);
    y = bottom + VGAP;
  }
  return { placed, labels, boxes, horizontal, width: widest, height: y - VGAP + 2 };
}

const STROKE: Record<TopoNode["tone"], string> = {
  live: "var(--line)",
  dying: "var(--warn)",
  freed: "var(--ink-muted)",
};

function draw(svg: SVGSVGElement, vm: TopologyVm, width: number, open: (term: string) => void): void {
  const L = layout(vm, width);
  const root = sizeDiagram(svg, L.width, Math.max(40, L.height));
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

  // The VMs' boxes, behind the cards and the links.
  const box = root
    .selectAll<SVGGElement, Box>("g.vmbox")
    .data(L.boxes, (b) => b.v.id)
    .join((enter) => {
      const g = enter.append("g").attr("class", "vmbox");
      g.append("rect").attr("class", "frame");
      g.append("text").attr("class", "title");
      return g;
    });
  box.lower();
  box
    .attr("data-testid", "topo-vm")
    .attr("data-vm", (b) => b.v.name)
    .attr("transform", (b) => `translate(${b.x},${b.y})`)
    .attr("aria-label", (b) => `${b.v.title}: ${b.v.lines.join(", ")}`);
  box
    .select("rect.frame")
    .attr("width", (b) => b.w)
    .attr("height", (b) => b.h)
    .attr("rx", 7)
    .attr("fill", "var(--card-head)")
    .attr("fill-opacity", 0.35)
    .attr("stroke", "var(--accent)")
    .attr("stroke-dasharray", "6 3");
  box
    .select("text.title")
    .attr("x", PAD)
    .attr("y", 13)
    .attr("font-weight", 600)
    .text((b) => b.v.title);
  box.each(function (b) {
    select(this)
      .selectAll<SVGTextElement, string>("text.line")
      .data(b.lines)
      .join("text")
      .attr("class", "line muted")
      .attr("font-size", FONT)
      .attr("x", PAD)
      .attr("y", (_d, i) => HEAD + (i + 1) * LINE - 1)
      .text((d) => d);
  });

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
    // Flowing, a link out of a VM's box would cross the cards below it: the box says it.
    if (!L.horizontal && a.n.vm !== b.n.vm) continue;
    // Across (columns, or one flow row) from side to side; otherwise from bottom to top.
    const across = L.horizontal || a.y === b.y;
    const leftToRight = a.x <= b.x;
    const s: [number, number] = across
      ? [leftToRight ? a.x + W : a.x, a.y + HEAD / 2]
      : [a.x + W / 2, a.y + a.h];
    const e: [number, number] = across ? [leftToRight ? b.x : b.x + W, b.y + HEAD / 2] : [b.x + W / 2, b.y];
    edges.push({ id: l.id, s, t: e, label: l.label, freed: l.freed, across });
  }
  const path = (d: Edge): string => (d.across ? linkHorizontal(d.s, d.t) : linkVertical(d.s, d.t));
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
  // Only a node that moved is animated, and only one whose drawing changed is drawn again
  // (most steps change a refcount or a state in one or two of them).
  moveTo(g, (p) => `translate(${p.x},${p.y})`, t);
  g.each(function (p) {
    const key = JSON.stringify([p.n.title, p.n.tone, p.lines, p.h]);
    if (nodeDrawn.get(this) === key) return;
    nodeDrawn.set(this, key);
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

/** What each node last drew. */
const nodeDrawn = new WeakMap<Element, string>();

/** Memoised: the view model is kept while a step leaves the topology as it was (perWorld's key). */
export const TopologyDiagram = memo(function TopologyDiagram(props: {
  vm: TopologyVm;
  onOpen: (term: string) => void;
  testId?: string;
}) {
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
});
