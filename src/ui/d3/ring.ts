/**
 * A queue drawn as the ring it is (CMDQ, EVTQ, PRIQ): an overview of its 2^n slots — pending
 * between CONS and PROD, consumed, empty — bucketed into at most 256 segments, with the CONS
 * and PROD pointers, from the ring model of view/ring.ts. Shared by the command-queue,
 * record-queue and nested-queue diagrams.
 *
 * What it saves: each draw touches only the segments whose state changed and the pointers that
 * moved (commits 7d1507d, 3dd71d5), not every one of up to 256 paths at every step.
 */

import { type Selection, select } from "d3-selection";
import { ringSegments, type SlotState } from "../../view/index.ts";
import { duration } from "./d3util.ts";
import { ringSegment } from "./shapes.ts";

export interface RingSpec {
  readonly ring: readonly SlotState[];
  readonly size: number;
  readonly cons: number;
  readonly prod: number;
  /** Outer radius, ring thickness, and where the ring's centre sits below the top. */
  readonly r: number;
  readonly thickness: number;
  readonly top: number;
  readonly fill: Readonly<Record<SlotState, string>>;
}

/** What each ring last drew: its shape, and each segment's state (most steps change one or two). */
const ringDrawn = new WeakMap<Element, { shape: string; states: SlotState[]; paths: SVGPathElement[] }>();

export function drawRing(svg: SVGSVGElement, spec: RingSpec): void {
  const { r: R } = spec;
  const g = select(svg).selectAll<SVGGElement, null>("g.ring").data([null]).join("g").attr("class", "ring");
  g.attr("transform", `translate(${R + 4},${spec.top})`);
  const segs = ringSegments(spec.ring);
  const node = g.node();
  const shape = `${segs.length}/${R}/${spec.thickness}`;
  let drawn = node ? ringDrawn.get(node) : undefined;
  if (node && drawn?.shape !== shape) {
    // A new ring (or size): every segment's shape, and no state drawn yet.
    const step = (2 * Math.PI) / segs.length;
    const pad = segs.length > 64 ? 0 : 0.01;
    const a = (i: number): string => ringSegment(R - spec.thickness, R, i * step, (i + 1) * step, pad);
    const paths = g
      .selectAll<SVGPathElement, number>("path.seg")
      .data(segs.map((_, i) => i))
      .join((enter) => enter.append("path").attr("class", "seg"))
      .attr("d", a)
      .nodes();
    drawn = { shape, states: [], paths };
    ringDrawn.set(node, drawn);
  }
  if (drawn) {
    for (let i = 0; i < segs.length; i++) {
      const state = segs[i]!;
      if (drawn.states[i] === state) continue;
      drawn.states[i] = state;
      const path = drawn.paths[i]!;
      path.setAttribute("data-state", state);
      path.setAttribute("fill", spec.fill[state]);
      path.setAttribute("opacity", state === "done" ? "0.45" : "1");
    }
  }
  const ptr = (index: number) => {
    const angle = ((index + 0.5) / spec.size) * 2 * Math.PI;
    return [Math.sin(angle), -Math.cos(angle)] as const;
  };
  const marks = [
    { id: "cons", label: "C", index: spec.cons, r: R - spec.thickness - 8 },
    { id: "prod", label: "P", index: spec.prod, r: R + 8 },
  ];
  const ptrs = g
    .selectAll<SVGTextElement, (typeof marks)[number]>("text.ptr")
    .data(marks, (m) => m.id)
    .join((enter) =>
      enter
        .append("text")
        .attr("class", "ptr")
        .attr("text-anchor", "middle")
        .attr("font-weight", 700)
        .attr("font-size", 10)
        .text((m) => m.label),
    )
    // Only a pointer that moved is touched; at once while stepping quickly.
    .filter(function (m) {
      return this.getAttribute("x") !== String(ptr(m.index)[0] * m.r);
    });
  const ms = duration();
  const x = (m: (typeof marks)[number]): number => ptr(m.index)[0] * m.r;
  const y = (m: (typeof marks)[number]): number => ptr(m.index)[1] * m.r + 4;
  if (ms > 0) ptrs.transition().duration(ms).attr("x", x).attr("y", y);
  else ptrs.interrupt().attr("x", x).attr("y", y);
}

/**
 * The elements of a slot row, added once when the row enters: its index, the slot box (a
 * button), the entry's name, and the CONS/PROD marks after it.
 */
export function addSlotRow<D>(
  e: Selection<SVGGElement, D, SVGSVGElement, unknown>,
  indexWidth: number,
  row: number,
): Selection<SVGGElement, D, SVGSVGElement, unknown> {
  e.append("text")
    .attr("class", "muted idx")
    .attr("x", indexWidth - 6)
    .attr("y", 13)
    .attr("text-anchor", "end");
  e.append("rect")
    .attr("class", "hit")
    .attr("x", indexWidth)
    .attr("y", 1)
    .attr("height", row - 2)
    .attr("rx", 3);
  e.append("text")
    .attr("class", "op")
    .attr("x", indexWidth + 6)
    .attr("y", 13);
  e.append("text").attr("class", "ptrs").attr("y", 13);
  return e;
}
