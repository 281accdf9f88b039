/**
 * One process's page table as an indented tree (d3-hierarchy): pgd → L1 → L2 → L3 tables →
 * pages, each page with its VA and the frame it maps. Tables and pages are buttons that open
 * the descriptor pointing at them in the detail view. Frames that are free or belong to
 * someone else are drawn in red: a walk through them reads garbage.
 */

import { hierarchy } from "d3-hierarchy";
import { select } from "d3-selection";
import { useCallback } from "react";
import type { Selection as StoreSelection } from "../../store/selection.ts";
import type { PtNode } from "../model/pgtable.ts";
import { asButtons, duration, textWidth } from "./d3util.ts";
import { ownerColour } from "./palette.ts";
import { type Draw, useDiagram } from "./useDiagram.ts";

const ROW = 19;
const INDENT = 16;

interface Row {
  readonly node: PtNode;
  readonly x: number;
  readonly y: number;
  readonly parent: { x: number; y: number } | null;
}

function rows(root: PtNode): Row[] {
  const h = hierarchy<PtNode>(root, (d) => (d.children ? [...d.children] : undefined));
  const out: Row[] = [];
  const pos = new Map<PtNode, { x: number; y: number }>();
  h.eachBefore((n) => {
    const p = { x: 2 + n.depth * INDENT, y: out.length * ROW + 2 };
    pos.set(n.data, p);
    out.push({ node: n.data, ...p, parent: n.parent ? (pos.get(n.parent.data) ?? null) : null });
  });
  return out;
}

const colour = (n: PtNode): string =>
  n.bad
    ? "var(--bad)"
    : n.kind === "page"
      ? ownerColour("data")
      : n.kind === "table"
        ? ownerColour("pgtable")
        : "var(--ink-muted)";

function draw(svg: SVGSVGElement, root: PtNode, pick: (s: StoreSelection) => void): void {
  const data = rows(root);
  const width = Math.max(...data.map((r) => r.x + 18 + textWidth(r.node.label))) + 6;
  const s = select(svg)
    .attr("width", width)
    .attr("height", data.length * ROW + 4);
  const t = duration();
  s.selectAll<SVGPathElement, Row>("path.link")
    .data(
      data.filter((r) => r.parent),
      (r) => r.node.id,
    )
    .join("path")
    .attr("class", "link")
    .attr("fill", "none")
    .attr("stroke", "var(--line)")
    .transition()
    .duration(t)
    .attr("d", (r) => `M${r.parent!.x + 5},${r.parent!.y + ROW / 2 + 4}V${r.y + ROW / 2}H${r.x}`);

  const g = s
    .selectAll<SVGGElement, Row>("g.node")
    .data(data, (r) => r.node.id)
    .join((enter) => {
      const e = enter
        .append("g")
        .attr("class", "node")
        .attr("transform", (r) => `translate(${r.x},${r.y})`);
      e.append("rect").attr("class", "hit").attr("rx", 3).attr("fill", "transparent");
      e.append("rect")
        .attr("class", "mark")
        .attr("y", ROW / 2 - 4)
        .attr("width", 9)
        .attr("height", 9)
        .attr("rx", 2);
      e.append("text")
        .attr("x", 14)
        .attr("y", ROW / 2 + 4);
      return e;
    });
  g.transition()
    .duration(t)
    .attr("transform", (r) => `translate(${r.x},${r.y})`);
  g.attr("data-id", (r) => (r.node.descAddr === null ? null : `pte:0x${r.node.descAddr.toString(16)}`));
  g.attr("data-kind", (r) => r.node.kind);
  g.select("rect.hit")
    .attr("x", -3)
    .attr("y", 1)
    .attr("height", ROW - 2)
    .attr("width", (r) => 20 + textWidth(r.node.label))
    .attr("stroke", "none");
  g.select("rect.mark").attr("fill", (r) => colour(r.node));
  g.select("text")
    .attr("class", (r) => (r.node.bad ? "bad" : r.node.kind === "more" ? "muted" : null))
    .text((r) => r.node.label);
  g.selectAll("title").remove();
  g.append("title").text((r) => r.node.title);

  const clickable = g.filter((r) => r.node.descAddr !== null);
  asButtons(
    clickable,
    (r) => `${r.node.kind === "page" ? "PTE" : "Table descriptor"} ${r.node.label}`,
    (r) => r.node.title,
    (r) => pick({ kind: "pte", addr: r.node.descAddr! }),
  );
  g.filter((r) => r.node.descAddr === null)
    .attr("role", null)
    .attr("tabindex", null)
    .on("click", null)
    .on("keydown", null);
}

export function PageTableDiagram(props: {
  root: PtNode;
  label: string;
  selectedId: string | null;
  onSelect: (s: StoreSelection) => void;
}) {
  const { root, label, selectedId, onSelect } = props;
  const paint = useCallback<Draw<PtNode>>((svg, r) => draw(svg, r, onSelect), [onSelect]);
  const ref = useDiagram(root, paint, selectedId, 0);
  return <svg ref={ref} className="diagram" aria-label={label} />;
}
