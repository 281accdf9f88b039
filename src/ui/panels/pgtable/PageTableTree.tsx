/**
 * Every process's page table as one indented tree (mm → pgd → L1 → L2 → L3 → pages) in a
 * viewport that pans and zooms (d3-zoom: drag or the wheel pans, Ctrl+wheel or the buttons
 * zoom). Runs of consecutive pages and over-long tables are range rows that open on click or
 * Enter. Tables and pages open their descriptor in the detail view. Two overlays: the last
 * DMA's walk (violet) and the path "Find VA" found (amber), which opens the rows on the way.
 */

import { type Selection as D3Selection, select } from "d3-selection";
import { zoom as d3zoom, type ZoomBehavior, type ZoomTransform, zoomIdentity } from "d3-zoom";
import { type FormEvent, useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import type { Selection as StoreSelection, World } from "../../../view/index.ts";
import {
  findVa,
  type MmForest,
  parseVa,
  type TreeNode,
  type TreeRow,
  visibleRows,
} from "../../../view/index.ts";
import { asButtons, markSelected, textWidth } from "../../d3/d3util.ts";
import { ownerColour } from "../../d3/palette.ts";
import "../shared.css";

const ROW = 19;
const INDENT = 16;
const MARGIN = 8;

const colour = (n: TreeNode): string =>
  n.bad
    ? "var(--bad)"
    : n.kind === "page" || n.kind === "run"
      ? ownerColour("data")
      : n.kind === "table"
        ? ownerColour("pgtable")
        : "var(--ink-muted)";

const diagramZoom = (el: Element): number =>
  Number.parseFloat(getComputedStyle(el).getPropertyValue("--diagram-zoom")) || 1;

interface Drawn {
  readonly rows: TreeRow[];
  readonly width: number;
  readonly height: number;
}

function labelOf(r: TreeRow): string {
  const chevron = r.node.collapsible ? (r.open ? "▾ " : "▸ ") : "";
  return `${chevron}${r.node.label}`;
}

/** What each row and link last drew: a step changes a few rows of thousands, and only those are touched. */
const rowDrawn = new WeakMap<Element, string>();

function draw(
  layer: D3Selection<SVGGElement, unknown, null, undefined>,
  rows: TreeRow[],
  marks: { path: ReadonlySet<string>; found: ReadonlySet<string>; target: string | null },
  act: { pick: (s: StoreSelection) => void; toggle: (id: string) => void },
): Drawn {
  const pos = new Map<string, { x: number; y: number }>();
  rows.forEach((r, i) => {
    pos.set(r.node.id, { x: MARGIN + r.depth * INDENT, y: MARGIN + i * ROW });
  });
  const width = Math.max(100, ...rows.map((r) => MARGIN + r.depth * INDENT + 22 + textWidth(labelOf(r))));
  layer
    .selectAll<SVGPathElement, TreeRow>("path.link")
    .data(
      rows.filter((r) => r.parent !== null),
      (r) => r.node.id,
    )
    .join((enter) =>
      enter.append("path").attr("class", "link").attr("fill", "none").attr("stroke", "var(--line)"),
    )
    .each(function (r) {
      const p = pos.get(r.parent!.id)!;
      const me = pos.get(r.node.id)!;
      const d = `M${p.x + 5},${p.y + ROW / 2 + 4}V${me.y + ROW / 2}H${me.x}`;
      if (rowDrawn.get(this) !== d) {
        rowDrawn.set(this, d);
        this.setAttribute("d", d);
      }
    });
  const g = layer
    .selectAll<SVGGElement, TreeRow>("g.pt-row")
    .data(rows, (r) => r.node.id)
    .join((enter) => {
      const e = enter.append("g").attr("class", "pt-row");
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
    })
    .filter(function (r) {
      const p = pos.get(r.node.id)!;
      const n = r.node;
      const key = [
        p.x,
        p.y,
        labelOf(r),
        n.kind,
        n.bad,
        n.title,
        n.descAddr,
        n.collapsible,
        marks.path.has(n.id),
        marks.found.has(n.id),
        marks.target === n.id,
      ].join("|");
      if (rowDrawn.get(this) === key) return false;
      rowDrawn.set(this, key);
      return true;
    })
    .attr("transform", (r) => {
      const p = pos.get(r.node.id)!;
      return `translate(${p.x},${p.y})`;
    });
  g.attr("data-id", (r) => (r.node.descAddr === null ? null : `pte:0x${r.node.descAddr.toString(16)}`))
    .attr("data-node", (r) => r.node.id)
    .attr("data-kind", (r) => r.node.kind)
    .attr("data-testid", "pt-row")
    .attr("aria-expanded", (r) => (r.node.collapsible ? String(r.open) : null))
    .classed("on-path", (r) => marks.path.has(r.node.id))
    .classed("found", (r) => marks.found.has(r.node.id))
    .classed("target", (r) => marks.target === r.node.id);
  g.select("rect.hit")
    .attr("x", -3)
    .attr("y", 1)
    .attr("height", ROW - 2)
    .attr("width", (r) => 22 + textWidth(labelOf(r)))
    .attr("stroke", "none");
  g.select("rect.mark")
    .attr("fill", (r) => colour(r.node))
    .attr("display", (r) => (r.node.kind === "mm" ? "none" : null));
  g.select("text")
    .attr("x", (r) => (r.node.kind === "mm" ? 0 : 14))
    .attr("font-weight", (r) => (r.node.kind === "mm" ? 700 : r.node.collapsible ? 600 : null))
    .attr("class", (r) => (r.node.bad ? "bad" : r.node.kind === "chunk" ? "muted" : null))
    .text(labelOf);

  const selectable = g.filter((r) => r.node.descAddr !== null);
  asButtons(
    selectable,
    (r) => `${r.node.kind === "page" ? "PTE" : "Table descriptor"} ${r.node.label}`,
    (r) => r.node.title,
    (r) => act.pick({ kind: "pte", addr: r.node.descAddr! }),
  );
  const toggles = g.filter((r) => r.node.collapsible);
  asButtons(
    toggles,
    (r) => `${r.open ? "Collapse" : "Expand"} ${r.node.label}`,
    (r) => r.node.title,
    (r) => act.toggle(r.node.id),
  );
  g.filter((r) => r.node.descAddr === null && !r.node.collapsible)
    .attr("role", null)
    .attr("tabindex", null)
    .attr("aria-label", null)
    .on("click", null)
    .on("keydown", null)
    .each(function (r) {
      select(this).selectAll("title").data([r]).join("title").text(r.node.title);
    });
  return { rows, width: width + MARGIN, height: rows.length * ROW + 2 * MARGIN };
}

export interface TreeHighlight {
  readonly va: number;
  readonly process: string | null;
}

export function PageTableTree(props: {
  /** The forest, given which mm rows are open (their process names; all when few). */
  forestOf: (open: ReadonlySet<string>) => MmForest;
  world: World;
  /** The last DMA's VA and process: its walk is drawn in violet. */
  highlight: TreeHighlight | null;
  selectedId: string | null;
  onSelect: (s: StoreSelection) => void;
}) {
  const { forestOf, world, highlight, selectedId, onSelect } = props;
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const openKey = [...expanded].filter((id) => id.startsWith("mm:")).join(" ");
  const forest = useMemo(
    () => forestOf(new Set(openKey === "" ? [] : openKey.split(" ").map((id) => id.slice(3)))),
    [forestOf, openKey],
  );
  const [query, setQuery] = useState("");
  const [findVaOf, setFindVa] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const svgRef = useRef<SVGSVGElement>(null);
  const layerRef = useRef<SVGGElement>(null);
  const zoomRef = useRef<ZoomBehavior<SVGSVGElement, unknown> | null>(null);
  const size = useRef({ w: 100, h: 100 });
  /** The SVG's box, followed by a ResizeObserver: d3-zoom's default extent reads it, a layout. */
  const view = useRef<{ w: number; h: number } | null>(null);
  const drawn = useRef<Drawn | null>(null);
  const k0 = useRef(1);
  const statusId = useId();
  const inputId = useId();

  const found = useMemo(
    () => (findVaOf === null ? null : findVa(world, forest, findVaOf)),
    [world, forest, findVaOf],
  );
  // The rows the DMA's walk passes, among those drawn: they change only with the rows (the
  // forest, shared while a step leaves it as it was) or the DMA, not at every step.
  // biome-ignore lint/correctness/useExhaustiveDependencies: world: an equal forest has the same walk
  const dmaPath = useMemo(() => {
    if (!highlight) return new Set<string>();
    // Only the process the DMA used (a walk of every process's table at each DMA cost 0.4 ms).
    const root = highlight.process === null ? null : `mm:${highlight.process}`;
    return new Set(findVa(world, forest, highlight.va, root).path);
  }, [forest, highlight]);

  const toggle = useCallback((id: string) => {
    setExpanded((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);

  // The zoom behaviour, once: drag pans, the wheel pans, Ctrl+wheel zooms.
  // biome-ignore lint/correctness/useExhaustiveDependencies: installed once; reveal reads refs only
  useEffect(() => {
    const svg = svgRef.current;
    const layer = layerRef.current;
    if (!svg || !layer) return;
    k0.current = diagramZoom(svg);
    const ro = new ResizeObserver(([e]) => {
      if (e) view.current = { w: e.contentRect.width, h: e.contentRect.height };
    });
    ro.observe(svg);
    const z = d3zoom<SVGSVGElement, unknown>()
      .extent((): [[number, number], [number, number]] => {
        const v = view.current ?? { w: svg.clientWidth, h: svg.clientHeight };
        return [
          [0, 0],
          [v.w, v.h],
        ];
      })
      .scaleExtent([0.25, 4])
      .clickDistance(4)
      .filter((e: Event) => (e.type === "wheel" ? (e as WheelEvent).ctrlKey : !(e as MouseEvent).button))
      .constrain((t, extent) => {
        const [[x0, y0], [x1, y1]] = extent;
        const cw = size.current.w * t.k;
        const ch = size.current.h * t.k;
        const x = Math.max(Math.min(0, x1 - x0 - cw), Math.min(0, t.x));
        const y = Math.max(Math.min(0, y1 - y0 - ch), Math.min(0, t.y));
        return x === t.x && y === t.y ? t : zoomIdentity.translate(x, y).scale(t.k);
      })
      .on("zoom", (e: { transform: ZoomTransform }) => {
        layer.setAttribute("transform", e.transform.toString());
      });
    const s = select(svg);
    s.call(z).on("dblclick.zoom", null);
    z.transform(s, zoomIdentity.scale(k0.current));
    zoomRef.current = z;
    const onWheel = (e: WheelEvent): void => {
      if (e.ctrlKey) return;
      e.preventDefault();
      const k = (svg as unknown as { __zoom?: ZoomTransform }).__zoom?.k ?? 1;
      z.translateBy(s, -e.deltaX / k, -e.deltaY / k);
    };
    svg.addEventListener("wheel", onWheel, { passive: false });
    // Keyboard focus on a row off screen: bring it into view.
    const onFocus = (e: FocusEvent): void => {
      const id = (e.target as Element | null)?.getAttribute?.("data-node");
      if (id) reveal(id, false);
    };
    svg.addEventListener("focusin", onFocus);
    return () => {
      ro.disconnect();
      svg.removeEventListener("wheel", onWheel);
      svg.removeEventListener("focusin", onFocus);
      s.on(".zoom", null);
    };
  }, []);

  /** Pans so the row `id` shows (centred when `centre`, else just inside the viewport). */
  const reveal = (id: string, centre: boolean): void => {
    const svg = svgRef.current;
    const z = zoomRef.current;
    const d = drawn.current;
    if (!svg || !z || !d) return;
    const i = d.rows.findIndex((r) => r.node.id === id);
    if (i < 0) return;
    const t = (svg as unknown as { __zoom?: ZoomTransform }).__zoom ?? zoomIdentity;
    // The tree's SVG is not CSS-zoomed (style zoom: 1): its own transform carries the scale.
    const rect = svg.getBoundingClientRect();
    const vh = rect.height;
    const vw = rect.width;
    const rowY = MARGIN + i * ROW;
    const rowX = MARGIN + d.rows[i]!.depth * INDENT;
    const top = t.y + rowY * t.k;
    const visible = top >= 0 && top + ROW * t.k <= vh;
    if (visible && !centre) return;
    const y = centre ? vh / 2 - rowY * t.k : top < 0 ? -rowY * t.k + 4 : vh - (rowY + ROW) * t.k - 4;
    const x = rowX * t.k > vw * 0.6 ? vw * 0.2 - rowX * t.k : t.x;
    z.transform(select(svg), zoomIdentity.translate(x, y).scale(t.k));
  };

  // Draw whenever what the rows show, the open rows or the overlays change (a step that leaves
  // the tables alone draws nothing).
  const drawnKey = useRef("");
  useEffect(() => {
    const layer = layerRef.current;
    if (!layer) return;
    const rows = visibleRows(forest, expanded);
    const marks = {
      path: dmaPath,
      found: new Set(found?.path ?? []),
      target: found?.target ?? null,
    };
    const key = [
      rows.map((r) => `${r.node.id}/${r.node.label}/${r.node.bad}/${r.open}/${r.node.title}`).join(","),
      [...marks.path].join(","),
      [...marks.found].join(","),
      marks.target,
    ].join("|");
    if (key === drawnKey.current && drawn.current) {
      if (svgRef.current) markSelected(svgRef.current, selectedId);
      return;
    }
    drawnKey.current = key;
    const d = draw(select(layer), rows, marks, { pick: onSelect, toggle });
    drawn.current = d;
    const resized = size.current.w !== d.width || size.current.h !== d.height;
    size.current = { w: d.width, h: d.height };
    if (svgRef.current) markSelected(svgRef.current, selectedId);
    // Re-apply the constraint to the new content size (the viewport's size as last observed).
    const svg = svgRef.current;
    const z = zoomRef.current;
    if (svg && z && resized) z.translateBy(select(svg), 0, 0);
  }, [forest, expanded, dmaPath, found, onSelect, toggle, selectedId]);

  const find = (e: FormEvent): void => {
    e.preventDefault();
    const va = parseVa(query);
    if (va === null || va >= 2 ** 48) {
      setError(
        `“${query.trim().slice(0, 40)}” is not a 48-bit virtual address (write it in hex, like 0x10000).`,
      );
      setFindVa(null);
      return;
    }
    setError(null);
    setFindVa(va);
    // Against every table: a closed mm row opens when its process maps the VA.
    const r = findVa(world, forestOf(new Set(world.mms.map((m) => m.process))), va);
    setExpanded((prev) => new Set([...prev, ...r.expand]));
    if (r.target) {
      const target = r.target;
      setTimeout(() => reveal(target, true), 0);
    }
  };
  const clear = (): void => {
    setFindVa(null);
    setError(null);
    setQuery("");
  };
  const zoomBy = (f: number): void => {
    const svg = svgRef.current;
    const z = zoomRef.current;
    if (svg && z) z.scaleBy(select(svg), f);
  };
  /** The whole tree in view, as far as it stays legible (60 %), from its top-left corner. */
  const fit = (): void => {
    const svg = svgRef.current;
    const z = zoomRef.current;
    if (!svg || !z) return;
    const r = svg.getBoundingClientRect();
    const k = Math.max(0.6, Math.min(k0.current, r.width / size.current.w, r.height / size.current.h));
    z.transform(select(svg), zoomIdentity.scale(k));
  };

  const tool =
    "rounded border border-slate-300 bg-white px-1.5 text-xs leading-5 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-blue-500 dark:border-slate-600 dark:bg-slate-800 dark:hover:bg-slate-700";
  const status = error ?? (found ? found.messages.join(" ") : null);
  return (
    <div className="flex h-full min-h-[13rem] flex-col gap-1">
      <form onSubmit={find} className="flex flex-wrap items-center gap-1" aria-label="Find a virtual address">
        <input
          id={inputId}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="Find VA: 0x10000"
          aria-label="Find VA"
          spellCheck={false}
          aria-describedby={status ? statusId : undefined}
          className="w-32 min-w-0 flex-1 rounded border border-slate-300 bg-white px-1 font-mono text-xs leading-5 dark:border-slate-600 dark:bg-slate-800"
        />
        <button type="submit" className={tool} aria-label="Find VA in the page tables">
          Find
        </button>
        {findVaOf !== null || error ? (
          <button type="button" className={tool} onClick={clear}>
            Clear
          </button>
        ) : null}
        <span className="flex gap-1">
          <button
            type="button"
            className={tool}
            onClick={() => zoomBy(1 / 1.25)}
            aria-label="Zoom the page tables out"
          >
            −
          </button>
          <button
            type="button"
            className={tool}
            onClick={() => zoomBy(1.25)}
            aria-label="Zoom the page tables in"
          >
            +
          </button>
          <button type="button" className={tool} onClick={fit} aria-label="Fit the page tables">
            Fit
          </button>
        </span>
      </form>
      <p
        id={statusId}
        aria-live="polite"
        data-testid="find-va-status"
        className={`text-[11px] ${error ? "text-red-700 dark:text-red-400" : "text-slate-600 dark:text-slate-300"} ${status ? "" : "sr-only"}`}
      >
        {status ?? ""}
      </p>
      <div className="relative min-h-0 flex-1 overflow-hidden rounded border border-slate-100 dark:border-slate-800">
        <svg
          ref={svgRef}
          className="diagram pt-tree absolute inset-0 h-full w-full"
          style={{ zoom: 1 }}
          data-testid="pt-tree"
          aria-label={`Page tables of ${forest.roots.length} process${forest.roots.length === 1 ? "" : "es"}, ${forest.pages} pages mapped. Drag or scroll to pan, Ctrl+scroll to zoom.`}
        >
          <g ref={layerRef} className="layer" />
        </svg>
      </div>
    </div>
  );
}
