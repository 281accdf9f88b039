/**
 * Text lines in sections, as the IOTLB/ATC and the other caches' panels draw them: a section
 * starts at each "head" line (10 px below the section before), and its lines sit in the
 * section's group. A step that adds or drops an entry then moves the lines after it in that
 * section and the groups of the sections below, not every line below it (each moved SVG
 * element is a style change and a relayout).
 *
 * What it saves: the relayout of every line below an added or dropped entry (commit 20fee8d).
 */

import { type BaseType, type Selection, select } from "d3-selection";
import { duration, moveTo } from "./d3util.ts";

export interface Placed<L> {
  readonly line: L;
  /** From the top of the diagram, and from the top of its section. */
  readonly y: number;
  readonly dy: number;
  /** The id of its section's head line. */
  readonly section: string;
}

/** Where each line goes, `row` pixels apart; and the height of them all. */
export function placeLines<L extends { readonly id: string; readonly kind: string }>(
  lines: readonly L[],
  row: number,
): { placed: Placed<L>[]; height: number } {
  const placed: Placed<L>[] = [];
  let y = 0;
  let top = 0;
  let section = "";
  lines.forEach((line, i) => {
    if (line.kind === "head") {
      if (i > 0) y += 10;
      top = y;
      section = line.id;
    }
    placed.push({ line, y, dy: y - top, section });
    y += row;
  });
  return { placed, height: y + 4 };
}

/** Joins the lines (all, or those in view) into `svg`, each section a group; returns the lines. */
export function joinLines<L extends { readonly id: string }>(
  svg: SVGSVGElement,
  placed: readonly Placed<L>[],
): Selection<SVGGElement, Placed<L>, BaseType, unknown> {
  const sections: { id: string; y: number; lines: Placed<L>[] }[] = [];
  for (const p of placed) {
    const last = sections[sections.length - 1];
    if (last?.id === p.section) last.lines.push(p);
    else sections.push({ id: p.section, y: p.y - p.dy, lines: [p] });
  }
  const ms = duration();
  const root = select(svg);
  const secs = root
    .selectAll<SVGGElement, (typeof sections)[number]>("g.section")
    .data(sections, (d) => d.id)
    .join((enter) =>
      enter
        .append("g")
        .attr("class", "section")
        .attr("transform", (d) => `translate(0,${d.y})`),
    );
  moveTo(secs, (d) => `translate(0,${d.y})`, ms);
  const at = (p: Placed<L>): string => `translate(0,${p.dy})`;
  secs.each(function (sec) {
    const rows = select(this)
      .selectAll<SVGGElement, Placed<L>>("g.line")
      .data(sec.lines, (p) => p.line.id)
      .join((enter) => enter.append("g").attr("class", "line").attr("transform", at));
    moveTo(rows, at, ms);
  });
  return root.selectAll<SVGGElement, Placed<L>>("g.line");
}
