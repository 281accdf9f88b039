/**
 * Physical memory: one cell per frame, coloured by its owner's kind. A freed frame is drawn
 * hollow, edged in the colour of what it was, so a stale translation landing on it shows.
 * The tooltip names the owner (describeOwner), the content and the previous owner.
 */

import { select } from "d3-selection";
import { useCallback } from "react";
import { type FrameView, OWNER_KINDS, type OwnerKind } from "../model/memory.ts";
import { duration, textWidth } from "./d3util.ts";
import { OWNER_LABELS, ownerColour } from "./palette.ts";
import { type Draw, useDiagram, useWidth } from "./useDiagram.ts";

/** Cells are larger while memory is small, so a handful of frames is not a smudge. */
const cellSize = (frames: number): number => (frames <= 256 ? 20 : frames <= 1024 ? 15 : 10);
const GAP = 3;
const LEGEND_ROW = 18;

function legend(width: number): { kind: OwnerKind; x: number; y: number }[] {
  const out: { kind: OwnerKind; x: number; y: number }[] = [];
  let x = 0;
  let y = 0;
  for (const kind of OWNER_KINDS) {
    const w = 16 + textWidth(OWNER_LABELS[kind], 10) + 12;
    if (x > 0 && x + w > width) {
      x = 0;
      y += LEGEND_ROW;
    }
    out.push({ kind, x, y });
    x += w;
  }
  return out;
}

function draw(svg: SVGSVGElement, vm: readonly FrameView[], width: number): void {
  const usable = Math.max(160, width - 4);
  const cell = cellSize(vm.length);
  const cols = Math.max(8, Math.floor(usable / (cell + GAP)));
  const keys = legend(usable);
  const top = (keys.at(-1)?.y ?? 0) + LEGEND_ROW + 8;
  const rows = Math.ceil(vm.length / cols);
  const s = select(svg)
    .attr("width", usable)
    .attr("height", top + rows * (cell + GAP) + 4);

  const k = s
    .selectAll<SVGGElement, (typeof keys)[number]>("g.key")
    .data(keys, (d) => d.kind)
    .join((enter) => {
      const e = enter.append("g").attr("class", "key");
      e.append("rect").attr("width", 11).attr("height", 11).attr("y", 2).attr("rx", 2);
      e.append("text").attr("x", 15).attr("y", 11).attr("font-size", 10);
      return e;
    })
    .attr("transform", (d) => `translate(${d.x},${d.y})`);
  k.select("rect")
    .attr("fill", (d) => (d.kind === "free" ? "var(--free-cell)" : ownerColour(d.kind)))
    .attr("stroke", (d) => (d.kind === "free" ? "var(--ink-muted)" : "none"))
    .attr("stroke-dasharray", "2 1.5");
  k.select("text").text((d) => OWNER_LABELS[d.kind]);

  const cells = s
    .selectAll<SVGGElement, FrameView>("g.frame")
    .data(vm, (d) => d.id)
    .join((enter) => {
      const e = enter
        .append("g")
        .attr("class", "frame")
        .attr(
          "transform",
          (d) =>
            `translate(${(d.index % cols) * (cell + GAP)},${top + Math.floor(d.index / cols) * (cell + GAP)})`,
        );
      e.append("rect").attr("rx", 2);
      e.append("title");
      return e;
    });
  cells
    .attr("data-kind", (d) => d.kind)
    .transition()
    .duration(duration(150))
    .attr(
      "transform",
      (d) =>
        `translate(${(d.index % cols) * (cell + GAP)},${top + Math.floor(d.index / cols) * (cell + GAP)})`,
    );
  cells
    .select("rect")
    .attr("width", cell)
    .attr("height", cell)
    .attr("fill", (d) => (d.kind === "free" ? "var(--free-cell)" : ownerColour(d.kind)))
    .attr("stroke", (d) => (d.kind === "free" ? (d.was ? ownerColour(d.was) : "var(--ink-muted)") : "none"))
    .attr("stroke-width", 1.5)
    .attr("stroke-dasharray", (d) => (d.kind === "free" ? "3 2" : null));
  cells.select("title").text((d) => d.title);
}

export function MemoryDiagram({ vm }: { vm: readonly FrameView[] }) {
  const [box, width] = useWidth();
  const paint = useCallback<Draw<readonly FrameView[]>>((svg, v, w) => draw(svg, v, w), []);
  const ref = useDiagram(vm, paint, null, width);
  return (
    <div ref={box} className="min-w-0">
      <svg
        ref={ref}
        className="diagram"
        role="img"
        aria-label={`Physical memory: ${vm.length} frames, ${vm.filter((f) => f.kind === "free").length} free`}
      />
    </div>
  );
}
