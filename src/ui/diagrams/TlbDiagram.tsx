/**
 * The translation caches: the SMMU's IOTLB (ASID, VMID, VA → PA, writable) and each device's
 * ATC (PASID, VA → PA). An entry whose page table no longer maps that VA to that PA is drawn
 * in red as stale, with the reason in its tooltip.
 */

import { select } from "d3-selection";
import { useCallback } from "react";
import type { CacheEntryView, TlbView } from "../model/tlb.ts";
import { duration } from "./d3util.ts";
import { type Draw, useDiagram } from "./useDiagram.ts";

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

function draw(svg: SVGSVGElement, vm: TlbView): void {
  const data = lines(vm);
  const ys: number[] = [];
  let y = 0;
  data.forEach((d, i) => {
    if (d.kind === "head" && i > 0) y += 10;
    ys.push(y);
    y += ROW;
  });
  const s = select(svg)
    .attr("width", WIDTH)
    .attr("height", y + 4);
  const g = s
    .selectAll<SVGGElement, Line>("g.line")
    .data(data, (d) => d.id)
    .join((enter) =>
      enter
        .append("g")
        .attr("class", "line")
        .attr("transform", (_d, i) => `translate(0,${ys[i]})`),
    );
  g.transition()
    .duration(duration())
    .attr("transform", (_d, i) => `translate(0,${ys[i]})`);
  g.attr("data-testid", (d) => (d.kind === "entry" ? "cache-entry" : null)).attr("data-stale", (d) =>
    d.kind === "entry" ? String(d.e.stale) : null,
  );
  g.each(function (d) {
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

export function TlbDiagram({ vm }: { vm: TlbView }) {
  const paint = useCallback<Draw<TlbView>>((svg, v) => draw(svg, v), []);
  const ref = useDiagram(vm, paint, null, 0);
  return <svg ref={ref} className="diagram" aria-label="IOTLB and ATC entries" />;
}
