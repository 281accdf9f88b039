/**
 * What every D3 diagram shares: entries that act as buttons (focusable, named, Enter or click
 * selects), the selection overlay (a class toggled by id, apart from the static drawing), and
 * transition timing that respects reduced motion.
 */

import type { BaseType, Selection } from "d3-selection";
import { select } from "d3-selection";
import "d3-transition";

/** Transition length in ms; none when the user asks for reduced motion. */
export function duration(ms = 220): number {
  return globalThis.matchMedia?.("(prefers-reduced-motion: reduce)").matches ? 0 : ms;
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
