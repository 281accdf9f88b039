/**
 * Stream table → CD tables: each device's STE (StreamID, V, Config, S1CDMax, EATS,
 * S1ContextPtr) linked to the CDs of its table that hold something (SSID, V, EPD0, ASID,
 * ASET, TTB0), each with the configuration cache's state. Side by side when the panel is wide
 * enough, CDs under their STE otherwise. Cards are redrawn only when their content changes; a
 * large table (16 devices, 256 CDs: a column 30,000 px tall) draws only the cards in view.
 */

import { select } from "d3-selection";
import { memo, useCallback, useMemo } from "react";
import type { CacheState, CdRow, SteRow, Selection as StoreSelection } from "../../../view/index.ts";
import { type CardRow, cardHeight, drawCard } from "../../d3/card.ts";
import { asButtons, diagramZoom, duration, moveTo, sizeDiagram } from "../../d3/d3util.ts";
import { linkHorizontal } from "../../d3/shapes.ts";
import { type Draw, useDiagram, useWidth } from "../../d3/useDiagram.ts";
import { useVisibleRange, type VisibleRange } from "../../d3/useVisibleRange.ts";

/** More cards than this: only those in (or near) view are in the document. */
const WINDOW_ABOVE = 40;
/** Pixels drawn beyond the view on each side. */
const MARGIN = 400;

const STE_W = 160;
const CD_W = 168;
const GAP = 30;
const STE_ROWS = 7;
/** A nested STE shows S1CtxPtr's PA through stage 2, S2VMID and S2TTB too. */
const steRows = (s: SteRow): number => STE_ROWS + (s.nested ? 3 : 0);
const CD_ROWS = 7;
const VGAP = 10;

interface Placed<T> {
  readonly d: T;
  readonly x: number;
  readonly y: number;
}

interface Layout {
  readonly stes: Placed<SteRow>[];
  readonly cds: Placed<CdRow>[];
  readonly links: { id: string; from: [number, number]; to: [number, number]; wide: boolean }[];
  readonly width: number;
  readonly height: number;
}

function layout(vm: readonly SteRow[], width: number): Layout {
  const wide = width >= STE_W + GAP + CD_W + 4;
  const cdH = cardHeight(CD_ROWS);
  const out = { stes: [] as Placed<SteRow>[], cds: [] as Placed<CdRow>[], links: [] as Layout["links"] };
  let y = 2;
  for (const ste of vm) {
    const steH = cardHeight(steRows(ste));
    out.stes.push({ d: ste, x: 2, y });
    const ptrY = y + 20 + 6 * 15 - 7; // the S1CtxPtr row
    let cy = wide ? y : y + steH + VGAP;
    const cx = wide ? 2 + STE_W + GAP : 26;
    for (const cd of ste.cds) {
      out.cds.push({ d: cd, x: cx, y: cy });
      out.links.push({
        id: `${ste.id}>${cd.id}`,
        from: wide ? [2 + STE_W, ptrY] : [14, y + steH],
        to: [cx, cy + 10],
        wide,
      });
      cy += cdH + VGAP;
    }
    y = Math.max(y + steH + VGAP, cy) + 8;
  }
  return { ...out, height: y, width: wide ? 2 + STE_W + GAP + CD_W + 4 : 26 + CD_W + 4 };
}

const cacheRow = (c: CacheState): CardRow =>
  c === "cached"
    ? { label: "cache", value: "cached", tone: "good" }
    : c === "differs"
      ? { label: "cache", value: "stale copy", tone: "warn" }
      : { label: "cache", value: "not cached", tone: "muted" };

const CACHE_WORDS: Record<CacheState, string> = {
  cached: "the configuration cache holds it",
  differs: "the configuration cache holds an older copy",
  none: "not in the configuration cache",
};

const yesNo = (b: boolean): string => (b ? "1" : "0");

interface Model {
  readonly rows: readonly SteRow[];
  readonly range: VisibleRange | null;
}

/** Before the view is measured (it is, after the browser's layout): its top screenful. */
const FIRST_VIEW: VisibleRange = { top: 0, bottom: 800 };

/** The part of the layout in view (all of it for a small table). */
function windowed(L: Layout, range: VisibleRange | null, zoom: number): Layout {
  if (L.stes.length + L.cds.length <= WINDOW_ABOVE) return L;
  // Not measured yet (the panel just mounted): drawing every card of the large run's table
  // (272) was 50-80 ms of its first task; the view is measured in the next frame.
  const { top: t, bottom: b } = range ?? FIRST_VIEW;
  const top = t / zoom - MARGIN;
  const bottom = b / zoom + MARGIN;
  const h = cardHeight(STE_ROWS);
  const inView = (y: number): boolean => y + h >= top && y <= bottom;
  return {
    ...L,
    stes: L.stes.filter((p) => inView(p.y)),
    cds: L.cds.filter((p) => inView(p.y)),
    links: L.links.filter((l) => inView(l.from[1]) || inView(l.to[1])),
  };
}

function draw(svg: SVGSVGElement, model: Model, width: number, pick: (s: StoreSelection) => void): void {
  const zoom = diagramZoom();
  const full = layout(model.rows, width);
  const L = windowed(full, model.range, zoom);
  const root = sizeDiagram(svg, full.width, Math.max(full.height, 40));
  const t = duration();
  root
    .selectAll<SVGPathElement, Layout["links"][number]>("path.link")
    .data(L.links, (d) => d.id)
    .join("path")
    .attr("class", "link")
    .attr("fill", "none")
    .attr("stroke", "var(--ink-muted)")
    .attr("stroke-width", 1.2)
    .attr("d", (d) =>
      d.wide ? linkHorizontal(d.from, d.to) : `M${d.from[0]},${d.from[1]}V${d.to[1]}H${d.to[0]}`,
    );

  const stes = root
    .selectAll<SVGGElement, Placed<SteRow>>("g.ste")
    .data(L.stes, (p) => p.d.id)
    .join((enter) =>
      enter
        .append("g")
        .attr("class", "ste")
        .attr("transform", (p) => `translate(${p.x},${p.y})`),
    );
  stes.attr("data-id", (p) => p.d.id).attr("data-testid", (p) => `ste-${p.d.sid}`);
  moveTo(stes, (p) => `translate(${p.x},${p.y})`, t);
  stes.each(function (p) {
    const s = p.d;
    drawCard(select(this), {
      title: `STE ${s.sid} · ${s.device}`,
      width: STE_W,
      dim: !s.v,
      rows: [
        { label: "StreamID", value: String(s.sid) },
        { label: "V", value: yesNo(s.v), tone: s.v ? undefined : "bad" },
        { label: "Config", value: s.config },
        { label: "S1CDMax", value: String(s.s1cdmax) },
        { label: "EATS", value: s.eats },
        ...(s.nested
          ? [
              { label: "S1CtxPtr", value: s.s1ctxptr },
              { label: "IPA → PA", value: s.nested.ctxPa, tone: "muted" as const },
              { label: "S2VMID", value: String(s.nested.vmid) },
              { label: "S2TTB", value: s.nested.s2ttb },
            ]
          : [{ label: "S1CtxPtr", value: s.s1ctxptr }]),
        cacheRow(s.cache),
      ],
    });
  });
  asButtons(
    stes,
    (p) => `STE ${p.d.sid} of ${p.d.device}: Config ${p.d.config}`,
    (p) =>
      `STE ${p.d.sid} at ${p.d.addr}: V=${yesNo(p.d.v)} Config=${p.d.config}${p.d.nested ? ` (${p.d.nested.vm}: S1ContextPtr IPA ${p.d.s1ctxptr} → PA ${p.d.nested.ctxPa} through stage 2, S2VMID ${p.d.nested.vmid}, S2TTB ${p.d.nested.s2ttb})` : ""}; ${CACHE_WORDS[p.d.cache]}`,
    (p) => pick({ kind: "ste", sid: p.d.sid }),
  );

  const cds = root
    .selectAll<SVGGElement, Placed<CdRow>>("g.cd")
    .data(L.cds, (p) => p.d.id)
    .join((enter) =>
      enter
        .append("g")
        .attr("class", "cd")
        .attr("transform", (p) => `translate(${p.x},${p.y})`),
    );
  cds
    .attr("data-id", (p) => p.d.id)
    .attr("data-testid", (p) => `cd-${p.d.sid}-${p.d.ssid}`)
    .attr("data-asid", (p) => p.d.asid)
    .attr("data-valid", (p) => yesNo(p.d.v));
  moveTo(cds, (p) => `translate(${p.x},${p.y})`, t);
  cds.each(function (p) {
    const c = p.d;
    drawCard(select(this), {
      title: `CD ${c.ssid}${c.owner ? ` · ${c.owner}` : ""}`,
      width: CD_W,
      dim: !c.v,
      rows: [
        { label: "SSID", value: String(c.ssid) },
        { label: "V", value: yesNo(c.v), tone: c.v ? undefined : "bad" },
        { label: "EPD0", value: yesNo(c.epd0), tone: c.epd0 ? "bad" : undefined },
        { label: "ASID", value: String(c.asid) },
        { label: "ASET", value: c.aset ? "1 private" : "0 shared" },
        { label: "TTB0", value: c.ttb0 },
        cacheRow(c.cache),
      ],
    });
  });
  asButtons(
    cds,
    (p) => `CD ${p.d.ssid} of StreamID ${p.d.sid}: ASID ${p.d.asid}${p.d.v ? "" : ", invalid"}`,
    (p) =>
      `SSID ${p.d.ssid}: V=${yesNo(p.d.v)} ASID=${p.d.asid} TTB0=${p.d.ttb0}${p.d.owner ? ` (${p.d.owner})` : ""}; ${CACHE_WORDS[p.d.cache]}`,
    (p) => pick({ kind: "cd", sid: p.d.sid, ssid: p.d.ssid }),
  );
}

export const StreamTableDiagram = memo(function StreamTableDiagram(props: {
  vm: readonly SteRow[];
  selectedId: string | null;
  onSelect: (s: StoreSelection) => void;
}) {
  const { vm, selectedId, onSelect } = props;
  const [box, width] = useWidth();
  const cards = vm.length + vm.reduce((n, s) => n + s.cds.length, 0);
  const range = useVisibleRange(box, cards > WINDOW_ABOVE, 120);
  const model = useMemo(() => ({ rows: vm, range }), [vm, range]);
  const paint = useCallback<Draw<Model>>((svg, v, w) => draw(svg, v, w, onSelect), [onSelect]);
  const ref = useDiagram(model, paint, selectedId, width);
  return (
    <div ref={box} className="min-w-0">
      <svg ref={ref} className="diagram" aria-label="Stream table entries and their CD tables" />
    </div>
  );
});
