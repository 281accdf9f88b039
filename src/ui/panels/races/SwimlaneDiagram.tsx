/**
 * The swimlane timeline: a lane per thread, the SMMU, SRCU and each device; each step a box
 * in its actor's lane, in step order along x, labelled with its kernel function (shortened
 * when narrow, in full in the tooltip); the spans a thread spent blocked hatched; violations
 * in red at their step; the cursor as a line at the boundary it sits on. Clicking a box moves
 * the cursor just after that step. d3-zoom scales and pans x only, so long traces stay usable.
 *
 * The static layer (lanes, boxes, spans, marks) is joined when the run changes; the overlay
 * (cursor line, current box) when the cursor moves; positions when the zoom changes. A long
 * run (more than ALL_BOXES boxes) joins only the boxes and spans in view, at each zoom or pan:
 * a 14,000-step run then costs what a screenful does.
 */

import { type Selection, select } from "d3-selection";
import { type ZoomBehavior, type ZoomTransform, zoom, zoomIdentity } from "d3-zoom";
import { type Ref, useEffect, useImperativeHandle, useRef, useState } from "react";
import {
  abbreviate,
  type BlockedSpan,
  type Lane,
  type LaneKind,
  type StepBox,
  type SwimlaneVm,
  type ViolationMark,
} from "../../../view/index.ts";
import "./races.css";
import { idle } from "../../../store/prefetch.ts";
import { type Linear, scaleLinear } from "../../d3/d3util.ts";

const LABEL_W = 58;
/** Step numbers, then a row for the violation and cursor marks, then the lanes. */
const AXIS_H = 20;
const LANE_H = 18;
/** Pixels per step the first view gives at least (room for a few characters of the name). */
const MIN_STEP = 44;
/** Pixels per step at the deepest zoom (or when the run is short). */
const MAX_STEP = 170;
/** Width of a character at the lanes' 10px monospace. */
const CHAR = 6.05;
/** What drawing a screenful of steps ahead may take, in ms (it waits for an idle period this long). */
const PLACE_MS = 10;
/** Up to this many boxes all are in the document (hidden when out of view); beyond, only those in view. */
const ALL_BOXES = 2000;

const FILL: Record<LaneKind, [string, string]> = {
  thread: ["var(--box-thread)", "var(--box-thread-line)"],
  smmu: ["var(--box-smmu)", "var(--box-smmu-line)"],
  srcu: ["var(--box-srcu)", "var(--box-srcu-line)"],
  kernel: ["var(--box-kernel)", "var(--box-kernel-line)"],
  device: ["var(--box-device)", "var(--box-device-line)"],
};

type G = Selection<SVGGElement, unknown, null, undefined>;

/** The boxes of steps from..to-1 (boxes are in step order): two binary searches. */
function boxesBetween(boxes: readonly StepBox[], from: number, to: number): readonly StepBox[] {
  const first = (step: number): number => {
    let a = 0;
    let b = boxes.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (boxes[m]!.step < step) a = m + 1;
      else b = m;
    }
    return a;
  };
  return boxes.slice(first(from), first(to));
}

let chartIds = 0;

export class SwimlaneChart {
  private readonly svg: Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly plot: G;
  private readonly zoomer: ZoomBehavior<SVGGElement, unknown>;
  private readonly uid = `swimlane-${++chartIds}`;
  private vm: SwimlaneVm | null = null;
  private laneKey = "";
  private laneY = new Map<string, number>();
  private pw = 0;
  private h = 0;
  private x0: Linear = scaleLinear();
  private t: ZoomTransform = zoomIdentity;
  private cursor = 0;
  /** Only the boxes and spans in view are in the document. */
  private windowed = false;
  /**
   * The layers that move when the chart is panned: placed at the zoom's scale, and panned by
   * one transform. A step that scrolls the view (once a screenful) then moves this group and
   * draws only the boxes that come into the steps drawn.
   */
  private pan!: G;
  /** The boxes in the document, by step (each step has one, or two with a DMA). */
  private boxAt = new Map<number, SVGGElement[]>();
  /** The boxes marked current or made the tab stop, to unmark without a search. */
  private marked: SVGGElement[] = [];
  /** The band of the step just taken, and the cursor's line with its mark. */
  private band!: Selection<SVGRectElement, unknown, null, undefined>;
  private cursorMark!: G;
  /** The scale and the steps (a screen behind the view, one and a half ahead) last laid out. */
  private drawn: { k: number; from: number; to: number } | null = null;
  /** Cancels the pending redraw of the steps ahead, if any. */
  private cancelIdle: (() => void) | null = null;
  /** Set while the view jumps to the cursor: `place` draws only the steps in view. */
  private tight = false;

  constructor(
    el: SVGSVGElement,
    private readonly onPick: (cursor: number) => void,
  ) {
    this.svg = select(el);
    this.svg.selectAll("*").remove();
    const defs = this.svg.append("defs");
    defs.append("clipPath").attr("id", `${this.uid}-clip`).append("rect");
    const hatch = defs
      .append("pattern")
      .attr("id", `${this.uid}-hatch`)
      .attr("patternUnits", "userSpaceOnUse")
      .attr("width", 6)
      .attr("height", 6)
      .attr("patternTransform", "rotate(45)");
    hatch.append("rect").attr("width", 6).attr("height", 6).style("fill", "var(--blocked)");
    hatch
      .append("line")
      .attr("y2", 6)
      .style("stroke", "var(--blocked-line)")
      .style("stroke-width", 2)
      .style("opacity", 0.55);
    this.svg.append("g").attr("class", "labels");
    this.plot = this.svg.append("g").attr("class", "plot").attr("transform", `translate(${LABEL_W},0)`);
    this.plot.append("rect").attr("class", "bg").style("fill", "transparent");
    const clipped = this.plot.append("g").attr("clip-path", `url(#${this.uid}-clip)`);
    clipped.append("g").attr("class", "lanes");
    this.pan = clipped.append("g").attr("class", "pan");
    for (const layer of ["bands", "blocked", "current", "boxes", "axis", "marks", "cursor"]) {
      this.pan.append("g").attr("class", layer);
    }
    this.band = this.pan
      .select<SVGGElement>("g.current")
      .append("rect")
      .attr("y", AXIS_H)
      .style("fill", "var(--cursor-band)");
    this.cursorMark = this.pan
      .select<SVGGElement>("g.cursor")
      .append("g")
      .attr("data-testid", "swimlane-cursor");
    this.cursorMark
      .append("line")
      .attr("y1", AXIS_H - 2)
      .style("stroke", "var(--cursor)")
      .style("stroke-width", 2);
    this.cursorMark
      .append("path")
      .attr("d", "M-4,0h8l-4,6z")
      .attr("transform", `translate(0,${AXIS_H - 7})`)
      .style("fill", "var(--cursor)");
    this.zoomer = zoom<SVGGElement, unknown>()
      .filter((e: MouseEvent | WheelEvent) => {
        if (e.button) return false;
        if (e.type !== "wheel") return !e.ctrlKey;
        // With more lanes than fit, the wheel scrolls them; Ctrl+wheel (or a pinch) zooms.
        const box = el.parentElement;
        return e.ctrlKey || !box || box.scrollHeight <= box.clientHeight;
      })
      .on("zoom", (e: { transform: ZoomTransform }) => {
        this.t = e.transform;
        this.layout();
      });
    this.plot.call(this.zoomer).on("dblclick.zoom", null);
  }

  destroy(): void {
    this.cancelIdle?.();
    this.plot.on(".zoom", null);
    this.svg.selectAll("*").remove();
  }

  /** The run (or the width) changed: join the static layer, keep the zoom where it makes sense. */
  update(vm: SwimlaneVm, width: number): void {
    if (width <= LABEL_W + 40) return;
    const lanesChanged = vm.lanes.map((l) => l.id).join() !== this.laneKey || this.vm === null;
    this.vm = vm;
    this.laneKey = vm.lanes.map((l) => l.id).join();
    this.pw = width - LABEL_W - 4;
    this.h = AXIS_H + vm.lanes.length * LANE_H + 2;
    this.laneY = new Map(vm.lanes.map((l, i) => [l.id, AXIS_H + i * LANE_H]));
    const total = Math.max(1, vm.total);
    this.x0 = scaleLinear()
      .domain([0, total])
      .range([0, Math.min(this.pw, total * MAX_STEP)]);
    const span = this.x0.range()[1]!;
    const kMax = Math.max(1, (MAX_STEP * total) / span);
    this.svg.attr("width", width).attr("height", this.h);
    this.svg
      .select(`#${this.uid}-clip rect`)
      .attr("width", this.pw + 8)
      .attr("height", this.h)
      .attr("x", -4);
    this.plot.select("rect.bg").attr("width", this.pw).attr("height", this.h);
    this.zoomer
      .extent([
        [0, 0],
        [this.pw, this.h],
      ])
      .translateExtent([
        [0, 0],
        [span, this.h],
      ])
      .scaleExtent([1, kMax]);

    this.drawLabels(vm.lanes);
    this.drawLanes(vm.lanes, span);
    this.windowed = vm.boxes.length > ALL_BOXES;
    // A box's or span's attributes are set when it enters: a new run enters them all again.
    this.plot.select("g.boxes").selectAll("*").remove();
    this.plot.select("g.blocked").selectAll("*").remove();
    this.boxAt.clear();
    this.marked = [];
    this.drawn = null;
    if (!this.windowed) {
      this.joinBoxes(vm.boxes);
      this.joinBlocked(vm.blocked);
    }
    this.joinViolations(vm.violations);

    if (lanesChanged) {
      // A new scenario: a view where each step has room for a few characters, at the cursor.
      const k = Math.min(kMax, Math.max(1, (MIN_STEP * total) / span));
      this.apply(k, this.pw / 2 - this.x0(this.cursor) * k);
    } else {
      // Same lanes (a new schedule, a resize): keep the zoom, clamped to the new run.
      this.apply(Math.min(kMax, this.t.k), this.t.x);
    }
  }

  /** Sets the zoom (zoom.transform does not clamp as gestures do): within the run, x only. */
  private apply(k: number, x: number): void {
    const span = this.x0.range()[1]! * k;
    const tx = span <= this.pw ? 0 : Math.min(0, Math.max(this.pw - span, x));
    // Set where d3-zoom keeps it (the next gesture starts from it), without a zoom event:
    // following the cursor moves the view at every screenful of steps.
    this.t = zoomIdentity.translate(tx, 0).scale(k);
    this.plot.property("__zoom", this.t);
    this.layout();
  }

  /** A step's x in the panned layers: at the zoom's scale, before its pan. */
  private xs(step: number): number {
    return this.x0(step) * this.t.k;
  }

  /** The steps the view shows, from its left edge to its right (fractions of a step). */
  private inView(): [number, number] {
    const { k, x } = this.t;
    return [this.x0.invert(-x / k), this.x0.invert((this.pw - x) / k)];
  }

  setCursor(cursor: number, follow = true): void {
    this.cursor = cursor;
    if (!this.vm) return;
    if (follow) {
      const at = this.xs(cursor) + this.t.x;
      // Past an edge, the view jumps so the cursor has most of the width ahead of it (stepping
      // on redraws the chart once a screenful, not once half of one).
      const to = at > this.pw - 8 ? this.pw * 0.2 : at < 8 ? this.pw * 0.8 : null;
      if (to !== null) {
        // A jump of the view (End, a far step): only the steps in view now, the margin around
        // them when idle (on the large run a margin of 2.5 screens was 20-30 ms of the jump).
        this.tight = true;
        this.apply(this.t.k, to - this.xs(cursor));
        this.tight = false;
      }
    }
    const hadFocus = this.svg.node()?.contains(document.activeElement) ?? false;
    this.markCurrent();
    this.layoutCursor();
    if (hadFocus) this.plot.select<SVGGElement>("g.box[tabindex='0']").node()?.focus({ preventScroll: true });
  }

  /**
   * The box of the step just taken is "current" and the one tab stop of the chart. Only the
   * boxes that were marked and the ones to mark are touched, found by step (not searched for
   * among the thousand in the document).
   */
  private markCurrent(): void {
    if (!this.vm) return;
    const cursor = this.cursor;
    const current = Math.max(0, cursor - 1);
    const at = boxesBetween(this.vm.boxes, current, current + 1);
    const actor = at.find((b) => b.kind !== "device")?.lane;
    const now = this.boxAt.get(current) ?? [];
    for (const el of this.marked) {
      if (now.includes(el)) continue;
      el.classList.remove("current");
      el.setAttribute("tabindex", "-1");
    }
    for (const el of now) {
      const d = select<SVGGElement, StepBox>(el).datum();
      if (cursor > 0) el.classList.add("current");
      else el.classList.remove("current");
      const tab = d.lane === actor ? "0" : "-1";
      if (el.getAttribute("tabindex") !== tab) el.setAttribute("tabindex", tab);
    }
    this.marked = now;
  }

  zoomBy(factor: number): void {
    this.plot.call(this.zoomer.scaleBy, factor);
  }

  fit(): void {
    this.apply(1, 0);
  }

  private drawLabels(lanes: readonly Lane[]): void {
    const g = this.svg.select<SVGGElement>("g.labels");
    g.selectAll<SVGTextElement, null>("text.head")
      .data([null])
      .join("text")
      .attr("class", "head muted")
      .attr("x", 4)
      .attr("y", 10)
      .text("step");
    const rows = g
      .selectAll<SVGGElement, Lane>("g.lane")
      .data(lanes, (d) => d.id)
      .join((enter) => {
        const e = enter.append("g").attr("class", "lane").attr("data-testid", "swimlane-lane");
        e.append("rect").attr("x", 2).attr("width", 4).attr("rx", 1);
        e.append("text").attr("x", 10);
        e.append("title");
        return e;
      })
      .attr("data-lane", (d) => d.name)
      .attr("data-kind", (d) => d.kind)
      .attr("transform", (d) => `translate(0,${this.laneY.get(d.id) ?? 0})`);
    rows
      .select("rect")
      .attr("y", 3)
      .attr("height", LANE_H - 6)
      .style("fill", (d) => FILL[d.kind][1]);
    rows
      .select("text")
      .attr("y", LANE_H / 2 + 3.5)
      .attr("font-weight", (d) => (d.kind === "thread" ? 700 : 400))
      .text((d) => abbreviate(d.name, Math.floor((LABEL_W - 12) / CHAR)));
    rows
      .select("title")
      .text((d) =>
        d.kind === "thread"
          ? `thread ${d.name}`
          : d.kind === "device"
            ? `device ${d.name}: its DMAs (issued by the threads)`
            : d.kind === "smmu"
              ? "the SMMU consuming commands"
              : "SRCU callbacks",
      );
  }

  private drawLanes(lanes: readonly Lane[], span: number): void {
    this.plot
      .select("g.lanes")
      .selectAll<SVGRectElement, Lane>("rect")
      .data(lanes, (d) => d.id)
      .join("rect")
      .attr("x", 0)
      .attr("y", (d) => this.laneY.get(d.id) ?? 0)
      .attr("width", Math.max(span, this.pw))
      .attr("height", LANE_H)
      .style("fill", (_d, i) => (i % 2 === 0 ? "var(--lane-bg)" : "var(--lane-bg-alt)"));
  }

  /** Joins the boxes; returns the ones that entered (each box's attributes are set then). */
  private joinBoxes(boxes: readonly StepBox[]): Selection<SVGGElement, StepBox, SVGGElement, unknown> {
    const all = this.plot
      .select<SVGGElement>("g.boxes")
      .selectAll<SVGGElement, StepBox>("g.box")
      .data(boxes, (d) => d.id);
    all
      .exit()
      .each((d, i, nodes) => this.forget((d as StepBox).step, nodes[i] as SVGGElement))
      .remove();
    const e = all
      .enter()
      .append("g")
      .attr("class", "box")
      .attr("role", "button")
      .attr("tabindex", -1)
      .attr("data-testid", "swimlane-step")
      .attr("data-step", (d) => d.step)
      .attr("data-lane", (d) => d.lane)
      .attr("data-actor", (d) => d.actor)
      .attr("aria-label", (d) =>
        d.kind === "device"
          ? `Step ${d.step + 1}: ${d.lane.slice(4)} ${d.fn} (DMA by ${d.actor})`
          : `Step ${d.step + 1}: ${d.actor} ${d.fn}${d.violation ? ", violation" : ""}`,
      )
      .classed("violation", (d) => d.violation)
      .on("click", (_e, d) => this.onPick(d.step + 1))
      .on("keydown", (e: KeyboardEvent, d) => {
        if (e.key !== "Enter") return;
        e.preventDefault();
        this.onPick(d.step + 1);
      });
    e.append("rect")
      .attr("rx", 2)
      .attr("height", LANE_H - 4)
      .style("fill", (d) => FILL[d.kind][0])
      .style("stroke", (d) => FILL[d.kind][1]);
    e.append("text")
      .attr("x", 3)
      .attr("y", LANE_H / 2 + 1.5);
    e.append("title").text((d) => d.title);
    e.each((d, i, nodes) => {
      const list = this.boxAt.get(d.step);
      if (list) list.push(nodes[i]!);
      else this.boxAt.set(d.step, [nodes[i]!]);
    });
    return e;
  }

  private forget(step: number, el: SVGGElement): void {
    const list = this.boxAt.get(step)?.filter((x) => x !== el) ?? [];
    if (list.length > 0) this.boxAt.set(step, list);
    else this.boxAt.delete(step);
  }

  /** Joins the blocked spans; returns the ones that entered (their attributes are set then). */
  private joinBlocked(
    spans: readonly BlockedSpan[],
  ): Selection<SVGGElement, BlockedSpan, SVGGElement, unknown> {
    const all = this.plot
      .select<SVGGElement>("g.blocked")
      .selectAll<SVGGElement, BlockedSpan>("g.span")
      .data(spans, (d) => d.id);
    all.exit().remove();
    const e = all
      .enter()
      .append("g")
      .attr("class", "span")
      .attr("data-testid", "swimlane-blocked")
      .attr("data-lane", (d) => d.lane)
      .attr("data-from", (d) => d.from)
      .attr("data-to", (d) => d.to);
    e.append("rect")
      .attr("y", 4)
      .attr("height", LANE_H - 8)
      .attr("rx", 2)
      .style("fill", `url(#${this.uid}-hatch)`)
      .style("stroke", "var(--blocked-line)")
      .style("stroke-width", 0.75);
    e.append("text")
      .attr("y", LANE_H / 2 + 3)
      .attr("x", 4)
      .style("font-size", "9px")
      .style("paint-order", "stroke")
      .style("stroke", "var(--lane-bg)")
      .style("stroke-width", "3px")
      .style("stroke-linejoin", "round");
    e.append("title").text((d) => `${d.lane} blocked during steps ${d.from}–${d.to - 1}: ${d.why}`);
    return e;
  }

  private joinViolations(marks: readonly ViolationMark[]): void {
    const sel = this.plot
      .select("g.marks")
      .selectAll<SVGGElement, ViolationMark>("g.mark")
      .data(marks, (d) => String(d.step))
      .join((enter) => {
        const e = enter.append("g").attr("class", "mark").attr("data-testid", "swimlane-violation");
        e.append("path").attr("d", "M-5,0h10l-5,7z").style("fill", "var(--violation)");
        e.append("title");
        return e;
      })
      .attr("data-step", (d) => d.step)
      .attr("data-kinds", (d) => d.kinds.join(" "));
    sel.select("title").text((d) => `Step ${d.step + 1}: ${d.text}`);
    this.plot
      .select("g.bands")
      .selectAll<SVGRectElement, ViolationMark>("rect.violation")
      .data(marks, (d) => String(d.step))
      .join("rect")
      .attr("class", "violation")
      .attr("y", AXIS_H)
      .attr("height", this.h - AXIS_H)
      .style("fill", "var(--violation-band)");
  }

  /**
   * Lays the chart out for the current zoom. The moving layers are placed at the zoom's scale
   * for the steps in view, a screen behind and one and a half ahead, and panned by one
   * transform: a pan that stays within those steps moves the group and nothing else (and, on a
   * long run, draws the steps ahead when idle), one that leaves them draws the boxes coming in
   * (the others keep their place), and a new scale places them all.
   */
  private layout(): void {
    const vm = this.vm;
    if (!vm) return;
    this.pan.attr("transform", `translate(${this.t.x},0)`);
    const [d0, d1] = this.inView();
    const drawn = this.drawn;
    if (drawn !== null && drawn.k === this.t.k && drawn.from <= d0 && d1 <= drawn.to) {
      this.drawTicks(d0, d1);
      // Stepping on moves the view a screenful at a time: the steps ahead are drawn in an
      // idle moment before the view reaches them, not in the step that scrolls to them.
      const screen = d1 - d0;
      if (this.windowed && Math.min(drawn.to - d1, d0 - drawn.from) < 0.9 * screen) this.drawAheadSoon();
      return;
    }
    this.place(d0, d1);
  }

  /** Redraws, when idle, the steps around the view (if the zoom has not changed meanwhile). */
  private drawAheadSoon(since = performance.now()): void {
    if (this.cancelIdle) return;
    this.cancelIdle = idle((d) => {
      this.cancelIdle = null;
      // A screenful of boxes takes a few milliseconds: not in the last moments before a frame
      // (unless no idle period has been that long for a quarter of a second).
      if (!d.didTimeout && d.timeRemaining() < PLACE_MS && performance.now() - since < 250) {
        this.drawAheadSoon(since);
        return;
      }
      if (this.vm && this.drawn?.k === this.t.k) this.place(...this.inView());
    });
  }

  /** Places the moving layers over the steps d0..d1 in view, and the drawn margin around them. */
  private place(d0: number, d1: number): void {
    const vm = this.vm;
    if (!vm) return;
    const k = this.t.k;
    const sameScale = this.drawn?.k === k;
    // Room for a jump of the view either way (0.8 of a screen), more ahead than behind; after
    // a jump of the view, that room is drawn in an idle moment.
    const tight = this.tight && this.windowed;
    const from = Math.floor(d0 - (tight ? 0 : d1 - d0));
    const to = Math.ceil(d1 + (tight ? 0 : 1.5 * (d1 - d0)));
    this.drawn = { k, from, to };
    const sw = this.xs(1) - this.xs(0);
    const inRange = (a: number, b: number): boolean => b >= from && a <= to;

    let boxes = this.plot.select("g.boxes").selectAll<SVGGElement, StepBox>("g.box");
    let spans = this.plot.select("g.blocked").selectAll<SVGGElement, BlockedSpan>("g.span");
    if (this.windowed) {
      // Zoomed out over thousands of steps, a box is under a pixel wide: one step in `every`
      // is drawn (about one per two pixels), and only the spans at least that wide.
      const every = Math.max(1, Math.ceil(2 / Math.max(1e-6, sw)));
      const inView = boxesBetween(vm.boxes, from, to + 1);
      const newBoxes = this.joinBoxes(every === 1 ? inView : inView.filter((b) => b.step % every === 0));
      const newSpans = this.joinBlocked(
        vm.blocked.filter((b) => inRange(b.from, b.to) && b.to - b.from >= every),
      );
      this.markCurrent();
      if (sameScale) {
        boxes = newBoxes;
        spans = newSpans;
      } else {
        boxes = this.plot.select("g.boxes").selectAll<SVGGElement, StepBox>("g.box");
        spans = this.plot.select("g.blocked").selectAll<SVGGElement, BlockedSpan>("g.span");
      }
    } else {
      boxes.attr("display", (d) => (inRange(d.step, d.step + 1) ? null : "none"));
      spans.attr("display", (d) => (inRange(d.from, d.to) ? null : "none"));
      if (sameScale) {
        // All are placed already: only which are shown changed.
        boxes = boxes.filter(() => false);
        spans = spans.filter(() => false);
      }
    }

    boxes.attr("transform", (d) => `translate(${this.xs(d.step) + 1},${(this.laneY.get(d.lane) ?? 0) + 2})`);
    const w = Math.max(1, sw - 2);
    boxes.select("rect").attr("width", w);
    const chars = Math.floor((w - 4) / CHAR);
    boxes.select("text").text((d) => (chars >= 2 ? abbreviate(d.label, chars) : ""));

    spans.attr("transform", (d) => `translate(${this.xs(d.from) + 1},${this.laneY.get(d.lane) ?? 0})`);
    spans.select("rect").attr("width", (d) => Math.max(1, this.xs(d.to) - this.xs(d.from) - 2));
    spans.select("text").text((d) => {
      const room = Math.floor((this.xs(d.to) - this.xs(d.from) - 8) / 5.5);
      // The hatching says "blocked"; the text says on what.
      return room >= 4 ? abbreviate(d.why.replace(/^waiting for (the )?/, ""), room) : "";
    });

    this.plot
      .select("g.marks")
      .selectAll<SVGGElement, ViolationMark>("g.mark")
      .attr("transform", (d) => `translate(${this.xs(d.step + 0.5)},${AXIS_H - 8})`);
    this.plot
      .select("g.bands")
      .selectAll<SVGRectElement, ViolationMark>("rect.violation")
      .attr("x", (d) => this.xs(d.step))
      .attr("width", Math.max(2, sw));

    this.drawTicks(d0, d1);
    this.layoutCursor();
    if (tight) this.drawAheadSoon();
  }

  /**
   * Step numbers over the columns in view (a number half out of view would be cut), as dense
   * as they stay readable; broken steps in red.
   */
  private drawTicks(d0: number, d1: number): void {
    const vm = this.vm;
    if (!vm) return;
    const sw = this.xs(1) - this.xs(0);
    const bad = new Set(vm.violations.map((v) => v.step));
    // Room for the widest number (five digits in a long run) and a gap.
    const room = Math.max(30, String(vm.total).length * 6.5 + 12);
    const every =
      [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000].find((n) => n * sw >= room) ?? 20000;
    // Steps are numbered from 1 in the page (step n takes the cursor from n−1 to n): a tick at
    // every multiple of `every` of those numbers, and at step 1.
    const ticks: number[] = [];
    if (d0 < 1 && vm.total > 0) ticks.push(0);
    for (
      let n = Math.max(every, Math.ceil((d0 + 1) / every) * every);
      n - 1 < Math.min(vm.total, d1);
      n += every
    )
      if (n > 1) ticks.push(n - 1);
    this.plot
      .select("g.axis")
      .selectAll<SVGTextElement, number>("text")
      .data(ticks, (d) => String(d))
      .join("text")
      .attr("class", "muted")
      .attr("text-anchor", "middle")
      .attr("y", 10)
      .attr("x", (d) => this.xs(d + 0.5))
      .attr("font-weight", (d) => (bad.has(d) ? 700 : null))
      .style("fill", (d) => (bad.has(d) ? "var(--violation)" : null))
      .text((d) => String(d + 1));
  }

  /** The cursor's line and the band of the step just taken, in the panned layers. */
  private layoutCursor(): void {
    if (!this.vm) return;
    const c = this.cursor;
    this.band
      .attr("display", c > 0 ? null : "none")
      .attr("height", this.h - AXIS_H)
      .attr("x", this.xs(c - 1))
      .attr("width", Math.max(2, this.xs(c) - this.xs(c - 1)));
    this.cursorMark.attr("data-cursor", c).attr("transform", `translate(${this.xs(c)},0)`);
    this.cursorMark.select("line").attr("y2", this.h);
  }
}

export interface SwimlaneHandle {
  zoomBy(factor: number): void;
  fit(): void;
}

/** The React side: measures the width, owns the chart, passes the run and the cursor on. */
export function SwimlaneDiagram(props: {
  vm: SwimlaneVm;
  cursor: number;
  onPick: (cursor: number) => void;
  label: string;
  ref?: Ref<SwimlaneHandle>;
}) {
  const { vm, cursor, onPick, label, ref } = props;
  const box = useRef<HTMLDivElement>(null);
  const svg = useRef<SVGSVGElement>(null);
  const chart = useRef<SwimlaneChart | null>(null);
  const pick = useRef(onPick);
  const [width, setWidth] = useState(0);

  useEffect(() => {
    pick.current = onPick;
  }, [onPick]);

  useEffect(() => {
    if (!svg.current) return;
    const c = new SwimlaneChart(svg.current, (n) => pick.current(n));
    chart.current = c;
    return () => {
      c.destroy();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = (): void => setWidth(Math.floor(el.clientWidth));
    // In the observer's callbacks only (the first once the box is laid out): measuring here
    // forced style and layout mid-commit, 25 ms when a large run's strip mounts (useWidth).
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Read through a ref: a new run is drawn at the cursor it comes with, without waiting for
  // the cursor effect below.
  const cursorNow = useRef(cursor);
  cursorNow.current = cursor;
  useEffect(() => {
    const c = chart.current;
    if (!c || width === 0) return;
    c.setCursor(cursorNow.current, false);
    c.update(vm, width);
    c.setCursor(cursorNow.current);
  }, [vm, width]);

  useEffect(() => {
    chart.current?.setCursor(cursor);
  }, [cursor]);

  useImperativeHandle(
    ref,
    () => ({
      zoomBy: (f: number) => chart.current?.zoomBy(f),
      fit: () => chart.current?.fit(),
    }),
    [],
  );

  return (
    // The box's height is known from the lanes, so it can be size-contained: a relayout
    // boundary (a block inside the flex item: Chromium lays a flex item out with its
    // container), and a step that moves the chart's spans lays out the chart alone.
    <div className="min-w-0">
      <div
        ref={box}
        className="overflow-x-hidden overflow-y-auto [contain:strict]"
        style={{ height: `min(${AXIS_H + vm.lanes.length * LANE_H + 2}px, var(--strip-h, 10.5rem))` }}
        data-testid="swimlane-box"
      >
        {/* biome-ignore lint/a11y/useSemanticElements: an SVG of buttons has no fieldset equivalent */}
        <svg ref={svg} className="swimlane" role="group" aria-label={label} data-testid="swimlane" />
      </div>
    </div>
  );
}
