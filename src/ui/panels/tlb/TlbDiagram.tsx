/**
 * The translation caches: the SMMU's IOTLB (ASID, VMID, VA → PA, writable) and each device's
 * ATC (PASID, VA → PA). An entry whose page table no longer maps that VA to that PA is drawn
 * in red as stale, with the reason in its tooltip. A line is redrawn only when what it says
 * changed; with many entries (over WINDOW_ABOVE lines) only the lines in view are drawn.
 */

import { select } from "d3-selection";
import { memo, useCallback, useMemo, useRef } from "react";
import type { CacheEntryView, TlbView } from "../../../view/index.ts";
import { sizeDiagram } from "../../d3/d3util.ts";
import { joinLines, type Placed as PlacedLine, placeLines } from "../../d3/sections.ts";
import { type Draw, useDiagram } from "../../d3/useDiagram.ts";
import { useVisibleRange, type VisibleRange } from "../../d3/useVisibleRange.ts";

/** More lines than this: only those in view are in the document. */
const WINDOW_ABOVE = 200;
/** What each line last drew. */
const drawn = new WeakMap<Element, string>();

const ROW = 18;
const COLS = { tag: 4, map: 72, w: 216, state: 238 };
const WIDTH = 276;

type Line =
  | { readonly id: string; readonly kind: "head"; readonly text: string }
  | { readonly id: string; readonly kind: "cols"; readonly tag: string }
  | { readonly id: string; readonly kind: "none"; readonly text: string }
  | { readonly id: string; readonly kind: "entry"; readonly e: CacheEntryView };

function lines(vm: TlbView): Line[] {
  const out: Line[] = [{ id: "h:iotlb", kind: "head", text: `SMMU IOTLB (${vm.iotlb.length})` }];
  out.push({ id: "c:iotlb", kind: "cols", tag: "ASID VMID" });
  if (vm.iotlb.length === 0) out.push({ id: "n:iotlb", kind: "none", text: "empty" });
  for (const e of vm.iotlb) out.push({ id: e.id, kind: "entry", e });
  for (const a of vm.atcs) {
    out.push({ id: `h:${a.device}`, kind: "head", text: `${a.device} ATC (${a.entries.length})` });
    out.push({ id: `c:${a.device}`, kind: "cols", tag: "PASID" });
    if (a.entries.length === 0) out.push({ id: `n:${a.device}`, kind: "none", text: "empty" });
    for (const e of a.entries) out.push({ id: e.id, kind: "entry", e });
  }
  return out;
}

const lineKey = (d: Line): string =>
  d.kind === "entry"
    ? `${d.e.tag}|${d.e.va}|${d.e.pa}|${d.e.writable}|${d.e.stale}|${d.e.owner}|${d.e.why}`
    : `${d.kind}|${"text" in d ? d.text : d.tag}`;

type Placed = PlacedLine<Line>;

function draw(
  svg: SVGSVGElement,
  vm: { placed: Placed[]; height: number; range: VisibleRange | null },
): void {
  // Not measured yet (just mounted): its top screenful, as the view then starts.
  const range = vm.range ?? { top: 0, bottom: 800 };
  const data =
    vm.placed.length > WINDOW_ABOVE
      ? vm.placed.filter((p) => p.y + ROW >= range.top - 200 && p.y <= range.bottom + 200)
      : vm.placed;
  sizeDiagram(svg, WIDTH, vm.height);
  const g = joinLines(svg, data);
  g.attr("data-testid", (p) => (p.line.kind === "entry" ? "cache-entry" : null)).attr("data-stale", (p) =>
    p.line.kind === "entry" ? String(p.line.e.stale) : null,
  );
  g.each(function (p) {
    const d = p.line;
    const key = lineKey(d);
    if (drawn.get(this) === key) return;
    drawn.set(this, key);
    const row = select(this);
    row.selectAll("*").remove();
    const text = (x: number, t: string, cls: string | null = null) =>
      row.append("text").attr("x", x).attr("y", 13).attr("class", cls).text(t);
    switch (d.kind) {
      case "head":
        text(COLS.tag, d.text).attr("font-weight", 700);
        break;
      case "cols":
        text(COLS.tag, d.tag, "muted").attr("font-size", 10);
        text(COLS.map, "VA → PA", "muted").attr("font-size", 10);
        text(COLS.w, "W", "muted").attr("font-size", 10);
        break;
      case "none":
        text(COLS.tag, d.text, "muted");
        break;
      case "entry": {
        const e = d.e;
        const cls = e.stale ? "bad" : null;
        row
          .append("rect")
          .attr("width", WIDTH - 2)
          .attr("height", ROW - 2)
          .attr("rx", 3)
          .attr("fill", e.stale ? "var(--bad-soft)" : "transparent");
        text(COLS.tag, e.tag.replace(/^ASID (\d+) VMID (\d+)$/, "$1  $2").replace(/^PASID /, ""), cls);
        text(COLS.map, `${e.va} → ${e.pa}`, cls);
        text(COLS.w, e.writable ? "rw" : "r", cls);
        text(COLS.state, e.stale ? "stale" : "ok", e.stale ? "bad" : "muted").attr(
          "font-weight",
          e.stale ? 700 : 400,
        );
        row
          .append("title")
          .text(`${e.tag}, ${e.owner}: ${e.va} → ${e.pa}${e.stale ? " — STALE: " : " — "}${e.why}`);
        break;
      }
      default: {
        const exhaustive: never = d;
        return exhaustive;
      }
    }
  });
}

export const TlbDiagram = memo(function TlbDiagram({ vm }: { vm: TlbView }) {
  const box = useRef<HTMLDivElement>(null);
  const laid = useMemo(() => placeLines(lines(vm), ROW), [vm]);
  const range = useVisibleRange(box, laid.placed.length > WINDOW_ABOVE, 64);
  const model = useMemo(() => ({ ...laid, range }), [laid, range]);
  const paint = useCallback<Draw<typeof model>>((svg, v) => draw(svg, v), []);
  const ref = useDiagram(model, paint, null, 0);
  return (
    <div ref={box}>
      <svg ref={ref} className="diagram" aria-label="IOTLB and ATC entries" />
    </div>
  );
});
