/**
 * Physical memory: one cell per frame, coloured by its owner's kind. A freed frame is drawn
 * hollow, edged in the colour of what it was, so a stale translation landing on it shows.
 * The tooltip names the owner (describeOwner), the content and the previous owner.
 *
 * Up to SVG_LIMIT frames each cell is an SVG element (tooltips, transitions, SVG export).
 * Beyond, the grid is a canvas that draws only the rows its panel shows, redrawn on scroll:
 * 20,000 SVG elements would take longer to update than a step does to compute.
 */

import { type MouseEvent, memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useLab } from "../../../store/store.ts";
import {
  type FrameView,
  frameViews,
  type MemoryVm,
  NONE,
  OWNER_KINDS,
  type OwnerKind,
} from "../../../view/index.ts";
import { duration, moveTo, sizeDiagram, textWidth } from "../../d3/d3util.ts";
import { OWNER_LABELS, ownerColour } from "../../d3/palette.ts";
import { type Draw, useDiagram, useWidth } from "../../d3/useDiagram.ts";
import { useVisibleRange } from "../../d3/useVisibleRange.ts";
import { fullCanvas } from "../../export/full-canvas.ts";

/** Above this many frames the grid is a canvas. */
export const SVG_LIMIT = 2048;

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

interface Grid {
  readonly cell: number;
  readonly cols: number;
  readonly rows: number;
  /** Height of the legend above the cells. */
  readonly top: number;
  readonly width: number;
  readonly height: number;
  readonly keys: { kind: OwnerKind; x: number; y: number }[];
}

function grid(count: number, width: number): Grid {
  const usable = Math.max(160, width - 4);
  const cell = cellSize(count);
  const cols = Math.max(8, Math.floor(usable / (cell + GAP)));
  const keys = legend(usable);
  const top = (keys.at(-1)?.y ?? 0) + LEGEND_ROW + 8;
  const rows = Math.ceil(count / cols);
  return { cell, cols, rows, top, width: usable, height: top + rows * (cell + GAP) + 4, keys };
}

function drawSvg(svg: SVGSVGElement, vm: MemoryVm, width: number): void {
  const frames = frameViews(vm);
  const g = grid(frames.length, width);
  const { cell, cols, top } = g;
  const s = sizeDiagram(svg, g.width, g.height);
  const k = s
    .selectAll<SVGGElement, (typeof g.keys)[number]>("g.key")
    .data(g.keys, (d) => d.kind)
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

  const at = (d: FrameView): string =>
    `translate(${(d.index % cols) * (cell + GAP)},${top + Math.floor(d.index / cols) * (cell + GAP)})`;
  const cells = s
    .selectAll<SVGGElement, FrameView>("g.frame")
    .data(frames, (d) => d.id)
    .join((enter) => {
      const e = enter.append("g").attr("class", "frame").attr("transform", at);
      e.append("rect").attr("rx", 2);
      e.append("title");
      return e;
    });
  cells.attr("data-kind", (d) => d.kind);
  moveTo(cells, at, duration(150));
  cells
    .select("rect")
    .attr("width", cell)
    .attr("height", cell)
    .attr("fill", (d) => (d.kind === "free" ? "var(--free-cell)" : ownerColour(d.kind)))
    .attr("stroke", (d) => (d.kind === "free" ? (d.was ? ownerColour(d.was) : "var(--ink-muted)") : "none"))
    .attr("stroke-width", 1.5)
    .attr("stroke-dasharray", (d) => (d.kind === "free" ? "3 2" : null));
  cells.select("title").text((d) => vm.title(d.index));
}

function SvgMemory({ vm }: { vm: MemoryVm }) {
  const [box, width] = useWidth();
  const paint = useCallback<Draw<MemoryVm>>((svg, v, w) => drawSvg(svg, v, w), []);
  const ref = useDiagram(vm, paint, null, width);
  return (
    <div ref={box} className="min-w-0">
      <svg
        ref={ref}
        className="diagram"
        role="img"
        aria-label={`Physical memory: ${vm.count} frames, ${vm.free} free`}
      />
    </div>
  );
}

/** The theme's colours as the canvas needs them (strings, not var()), read once per theme. */
const themeColours = new Map<string, { free: string; muted: string }>();
function colours(el: Element): { free: string; muted: string } {
  const theme = document.documentElement.className;
  let c = themeColours.get(theme);
  if (!c) {
    const cs = getComputedStyle(el);
    c = {
      free: cs.getPropertyValue("--free-cell").trim() || "#f1f5f9",
      muted: cs.getPropertyValue("--ink-muted").trim() || "#64748b",
    };
    themeColours.set(theme, c);
  }
  return c;
}

/**
 * Draws rows [from, to) of the grid into `ctx`, whose origin is the top of row `from`'s line
 * in grid coordinates minus `offset` (the canvas may start above the first row).
 */
export function paintCells(
  ctx: CanvasRenderingContext2D,
  vm: MemoryVm,
  g: Grid,
  from: number,
  to: number,
  offset: number,
  theme: { free: string; muted: string },
  /** The frames drawn before: only the cells that differ from it are painted (and cleared). */
  before: MemoryVm | null = null,
): void {
  const { cell, cols } = g;
  const fills = OWNER_KINDS.map((k) => (k === "free" ? theme.free : ownerColour(k)));
  ctx.lineWidth = 1.5;
  for (let row = from; row < to; row++) {
    const y = g.top + row * (cell + GAP) - offset;
    for (let col = 0; col < cols; col++) {
      const i = row * cols + col;
      if (i >= vm.count) return;
      const k = vm.kind[i]!;
      if (before) {
        if (i < before.count && before.kind[i] === k && before.was[i] === vm.was[i]) continue;
        ctx.clearRect(col * (cell + GAP) - 1, y - 1, cell + 2, cell + 2);
      }
      ctx.fillStyle = fills[k]!;
      const x = col * (cell + GAP);
      ctx.fillRect(x, y, cell, cell);
      if (OWNER_KINDS[k] === "free") {
        const was = vm.was[i]!;
        ctx.strokeStyle = was === NONE ? theme.muted : ownerColour(OWNER_KINDS[was]!);
        ctx.setLineDash([3, 2]);
        ctx.strokeRect(x + 0.75, y + 0.75, cell - 1.5, cell - 1.5);
        ctx.setLineDash([]);
      }
    }
  }
}

/** The whole grid, legend included, on a canvas of its own (the PNG export of a large memory). */
export function paintAll(vm: MemoryVm, width: number, theme: Element): HTMLCanvasElement {
  const g = grid(vm.count, width);
  const c = document.createElement("canvas");
  c.width = g.width;
  c.height = g.height;
  const ctx = c.getContext("2d");
  if (!ctx) return c;
  const t = colours(theme);
  ctx.font = "10px ui-monospace, monospace";
  for (const key of g.keys) {
    ctx.fillStyle = key.kind === "free" ? t.free : ownerColour(key.kind);
    ctx.fillRect(key.x, key.y + 2, 11, 11);
    ctx.fillStyle = getComputedStyle(theme).color;
    ctx.fillText(OWNER_LABELS[key.kind], key.x + 15, key.y + 11);
  }
  paintCells(ctx, vm, g, 0, g.rows, 0, t);
  return c;
}

function CanvasMemory({ vm }: { vm: MemoryVm }) {
  const [box, width] = useWidth();
  // The canvas is repainted in the theme's colours when it changes.
  const theme = useLab((s) => s.theme);
  const canvas = useRef<HTMLCanvasElement>(null);
  const range = useVisibleRange(box, true, 24);
  const [tip, setTip] = useState<{ x: number; y: number; text: string } | null>(null);
  const g = useMemo(() => grid(vm.count, width), [vm.count, width]);
  // The canvas covers the rows in view and a margin, placed where they are in the grid.
  const span = useMemo(() => {
    const rowH = g.cell + GAP;
    const top = range?.top ?? 0;
    const bottom = range?.bottom ?? 600;
    const from = Math.max(0, Math.floor((top - g.top) / rowH) - 4);
    const to = Math.min(g.rows, Math.ceil((bottom - g.top) / rowH) + 4);
    return { from, to, y: from === 0 ? 0 : g.top + from * rowH };
  }, [g, range]);

  // What the canvas shows now: the next step repaints only the cells that changed.
  const painted = useRef<{ vm: MemoryVm; g: Grid; span: typeof span; theme: string } | null>(null);
  useEffect(() => {
    const c = canvas.current;
    if (!c || width === 0) return;
    const ctx = c.getContext("2d");
    if (!ctx) return;
    const last = painted.current;
    painted.current = { vm, g, span, theme };
    fullCanvas.set(c, () => paintAll(vm, width, c));
    if (last && last.g === g && last.span === span && last.theme === theme) {
      paintCells(ctx, vm, g, span.from, span.to, span.y, colours(c), last.vm);
      return;
    }
    const dpr = window.devicePixelRatio || 1;
    const rowH = g.cell + GAP;
    const h = Math.max(1, (span.from === 0 ? g.top : 0) + (span.to - span.from) * rowH + 4);
    c.width = Math.round(g.width * dpr);
    c.height = Math.round(h * dpr);
    c.style.width = `${g.width}px`;
    c.style.height = `${h}px`;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, g.width, h);
    paintCells(ctx, vm, g, span.from, span.to, span.y, colours(c));
  }, [vm, g, span, width, theme]);

  const onMove = (e: MouseEvent<HTMLCanvasElement>): void => {
    const r = e.currentTarget.getBoundingClientRect();
    const x = e.clientX - r.left;
    const y = e.clientY - r.top + span.y - g.top;
    const col = Math.floor(x / (g.cell + GAP));
    const row = Math.floor(y / (g.cell + GAP));
    const i = row * g.cols + col;
    if (y < 0 || col >= g.cols || i >= vm.count) setTip(null);
    else setTip({ x: x + 12, y: e.clientY - r.top + span.y + 12, text: vm.title(i) });
  };

  return (
    <div ref={box} className="relative min-w-0" style={{ height: g.height }} data-testid="memory-canvas">
      <ul
        className="absolute top-0 left-0 z-[1] flex flex-wrap gap-x-3 overflow-hidden font-mono text-[10px]"
        style={{ height: g.top - 4, width: g.width }}
        aria-hidden="true"
      >
        {OWNER_KINDS.map((k) => (
          <li key={k} className="flex items-center gap-1">
            <span
              className="inline-block h-[11px] w-[11px] rounded-sm border border-dashed"
              style={{
                background: k === "free" ? "var(--free-cell)" : ownerColour(k),
                borderColor: k === "free" ? "var(--ink-muted)" : "transparent",
              }}
            />
            {OWNER_LABELS[k]}
          </li>
        ))}
      </ul>
      <canvas
        ref={canvas}
        role="img"
        aria-label={`Physical memory: ${vm.count} frames, ${vm.free} free (drawn as a canvas; hover a cell for its owner)`}
        className="absolute left-0"
        style={{ top: span.y === 0 ? 0 : span.y }}
        onMouseMove={onMove}
        onMouseLeave={() => setTip(null)}
      />
      {tip ? (
        <div
          role="tooltip"
          className="pointer-events-none absolute z-10 max-w-72 rounded border border-slate-300 bg-white px-1.5 py-1 font-mono text-[10px] whitespace-pre-line text-slate-800 shadow dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100"
          style={{ left: Math.min(tip.x, Math.max(0, g.width - 250)), top: tip.y }}
        >
          {tip.text}
        </div>
      ) : null}
    </div>
  );
}

export const MemoryDiagram = memo(function MemoryDiagram({ vm }: { vm: MemoryVm }) {
  return vm.count <= SVG_LIMIT ? <SvgMemory vm={vm} /> : <CanvasMemory vm={vm} />;
});
