/**
 * What every D3 diagram shares: entries that act as buttons (focusable, named, Enter or click
 * selects), the selection overlay (a class toggled by id, apart from the static drawing), and
 * transition timing that respects reduced motion.
 */

import type { BaseType, Selection } from "d3-selection";
import { select } from "d3-selection";
import "d3-transition";
// Before any diagram draws: D3's writes skip values the DOM already holds.
import "./quiet-writes.ts";
import { useLab } from "../../store/store.ts";

/** When the cursor last moved, and the time before: stepping quickly shows each step at once. */
let lastMove = Number.NEGATIVE_INFINITY;
let moveGap = Number.POSITIVE_INFINITY;
useLab.subscribe((s, prev) => {
  if (s.cursor === prev.cursor && s.result === prev.result) return;
  const now = performance.now();
  moveGap = now - lastMove;
  lastMove = now;
});

/** Steps closer together than this (a held key, playing at 4 steps/s or more) are not animated. */
const RAPID_MS = 300;

const reducedMotion = globalThis.matchMedia?.("(prefers-reduced-motion: reduce)");

/**
 * Transition length in ms: none when the user asks for reduced motion, and none while the
 * cursor moves quickly (an animation that cannot finish before the next step only costs
 * frames and hides where things are).
 */
export function duration(ms = 220): number {
  if (reducedMotion?.matches) return 0;
  return moveGap < RAPID_MS ? 0 : ms;
}

/** Makes each `g` of a selection a keyboard-reachable button with a name and a title. */
export function asButtons<D>(
  sel: Selection<SVGGElement, D, BaseType, unknown>,
  label: (d: D) => string,
  title: (d: D) => string,
  activate: (d: D) => void,
): void {
  sel
    .attr("role", "button")
    .attr("tabindex", 0)
    .attr("aria-label", label)
    .on("click", (_e, d) => activate(d))
    .on("keydown", (e: KeyboardEvent, d) => {
      if (e.key === "Enter") {
        e.preventDefault();
        activate(d);
      }
    });
  sel
    .selectAll<SVGTitleElement, D>("title")
    .data((d) => [d])
    .join("title")
    .text(title);
}

/** The overlay: marks the entry whose `data-id` is `id` as selected, and no other. */
export function markSelected(svg: SVGSVGElement, id: string | null): void {
  select(svg)
    .selectAll<SVGGElement, unknown>("g[data-id]")
    .classed("selected", function () {
      return id !== null && this.getAttribute("data-id") === id;
    });
}

/** Rough width of monospace text at the diagrams' 11px font. */
export const textWidth = (s: string, px = 11): number => s.length * px * 0.62;

/**
 * Moves each element of `sel` to `transform(d)`, with a transition, but only those not there
 * already: a step that changes two entries of a 300-entry diagram starts two transitions.
 */
export function moveTo<E extends SVGElement, D>(
  sel: Selection<E, D, BaseType, unknown>,
  transform: (d: D) => string,
  ms = duration(),
): void {
  const moved = sel.filter(function (d) {
    return this.getAttribute("transform") !== transform(d);
  });
  // A transition ends on its interpolator's spelling ("translate(2, 0)"): the exact string is
  // set at the end, so the next draw finds the element in place and leaves it alone.
  if (ms > 0)
    moved
      .transition()
      .duration(ms)
      .attr("transform", transform)
      .on("end", function (d) {
        this.setAttribute("transform", transform(d));
      });
  else moved.interrupt().attr("transform", transform);
}

/**
 * A linear scale, as much of d3-scale's as the swimlane's x needs (call, invert, domain,
 * range); d3-scale itself would bring d3-format and d3-array along.
 */
export interface Linear {
  (x: number): number;
  invert(y: number): number;
  domain(): number[];
  domain(d: readonly number[]): Linear;
  range(): number[];
  range(r: readonly number[]): Linear;
}

export function scaleLinear(domain: readonly number[] = [0, 1], range: readonly number[] = [0, 1]): Linear {
  let [d0, d1] = [domain[0] ?? 0, domain[1] ?? 1];
  let [r0, r1] = [range[0] ?? 0, range[1] ?? 1];
  const s = ((x: number) => (d1 === d0 ? r0 : r0 + ((x - d0) * (r1 - r0)) / (d1 - d0))) as Linear;
  s.invert = (y) => (r1 === r0 ? d0 : d0 + ((y - r0) * (d1 - d0)) / (r1 - r0));
  s.domain = ((d?: readonly number[]) => {
    if (d === undefined) return [d0, d1];
    [d0, d1] = [d[0] ?? 0, d[1] ?? 1];
    return s;
  }) as Linear["domain"];
  s.range = ((r?: readonly number[]) => {
    if (r === undefined) return [r0, r1];
    [r0, r1] = [r[0] ?? 0, r[1] ?? 1];
    return s;
  }) as Linear["range"];
  return s;
}

let large: MediaQueryList | null | undefined;

/** The diagrams' zoom (index.css, --diagram-zoom), without reading styles (no forced recalc). */
export function diagramZoom(): number {
  large ??= globalThis.matchMedia?.("(min-width: 1800px) and (min-height: 1000px)") ?? null;
  return large?.matches ? 1.2 : 1;
}

/** An SVG diagram's height attribute grows and shrinks in steps of this many pixels. */
const HEIGHT_STEP = 512;
/** The height each diagram's box was last given (a style write parses the value again). */
const boxHeight = new WeakMap<Element, number>();

/**
 * Sizes a diagram whose height follows its content. Chromium lays out every text of an SVG
 * whose own size changed (2.5 ms for the stream table's 480), so the SVG's height changes only
 * in steps of HEIGHT_STEP; its box (the parent element, holding nothing else) takes the exact
 * height, and clips the blank rest. A step that adds a line then resizes an HTML box, which
 * costs nothing. `data-height` keeps the drawing's height (for the export).
 */
export function sizeDiagram(
  svg: SVGSVGElement,
  width: number,
  height: number,
): Selection<SVGSVGElement, unknown, null, undefined> {
  const box = svg.parentElement;
  if (box && boxHeight.get(box) !== height) {
    boxHeight.set(box, height);
    box.style.height = `calc(${height}px * var(--diagram-zoom, 1))`;
    box.style.overflowY = "clip";
  }
  return select(svg)
    .attr("width", width)
    .attr("height", Math.ceil(height / HEIGHT_STEP) * HEIGHT_STEP)
    .attr("data-height", height);
}
