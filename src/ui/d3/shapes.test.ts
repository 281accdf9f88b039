import { arc, linkHorizontal as d3Horizontal, linkVertical as d3Vertical } from "d3-shape";
import { describe, expect, it } from "vitest";
import { linkHorizontal, linkVertical, ringSegment } from "./shapes.ts";

/** The numbers of a path, rounded, in order: two paths are the same shape when these agree. */
const numbers = (d: string): number[] =>
  (d.match(/-?\d+(\.\d+)?(e-?\d+)?/g) ?? []).map((n) => Math.round(Number(n) * 100) / 100);

describe("the diagrams' shapes draw what d3-shape draws", () => {
  it("links, horizontal and vertical", () => {
    const h = d3Horizontal<{ s: [number, number]; t: [number, number] }, [number, number]>()
      .source((d) => d.s)
      .target((d) => d.t);
    const v = d3Vertical<{ s: [number, number]; t: [number, number] }, [number, number]>()
      .source((d) => d.s)
      .target((d) => d.t);
    const d = { s: [10, 20] as [number, number], t: [110, 75] as [number, number] };
    expect(numbers(linkHorizontal(d.s, d.t))).toEqual(numbers(h(d) ?? ""));
    expect(numbers(linkVertical(d.s, d.t))).toEqual(numbers(v(d) ?? ""));
  });

  it("ring segments without padding, at their corners", () => {
    const a = arc<number>().innerRadius(30).outerRadius(40).startAngle(0.5).endAngle(1.25);
    const ours = numbers(ringSegment(30, 40, 0.5, 1.25));
    const theirs = numbers(a(0) ?? "");
    // Both start at the outer radius at a0 and reach the inner radius at a1.
    expect(ours.slice(0, 2)).toEqual(theirs.slice(0, 2));
    expect(ours.slice(-9, -7)).toEqual(theirs.slice(-9, -7));
  });

  it("leaves the padding empty at both ends", () => {
    const d = ringSegment(30, 40, 0, Math.PI / 2, 0.2);
    const [x, y] = numbers(d);
    expect(Math.atan2(x!, -y!)).toBeCloseTo(0.1, 2);
  });
});
