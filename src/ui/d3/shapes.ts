/**
 * The three SVG path shapes the diagrams draw: a ring segment and the two curved links between
 * boxes, as d3-shape's `arc` and `linkHorizontal` / `linkVertical` draw them. Written out here
 * because they are a few lines each and d3-shape's whole path and curve machinery would come
 * with them into the page's first download (about 5 kB gzip of the 200 kB budget).
 */

type Point = readonly [number, number];

const round = (v: number): number => Math.round(v * 1000) / 1000;

/**
 * An annular sector from angle `a0` to `a1` (radians, 0 at twelve o'clock, clockwise, as in
 * d3-shape), between radii `r0` < `r1`, with `pad` radians left empty at each end in total.
 */
export function ringSegment(r0: number, r1: number, a0: number, a1: number, pad = 0): string {
  const half = Math.min(pad / 2, (a1 - a0) / 2);
  const s = a0 + half;
  const e = a1 - half;
  const at = (r: number, a: number): string => `${round(r * Math.sin(a))},${round(-r * Math.cos(a))}`;
  const large = e - s > Math.PI ? 1 : 0;
  return `M${at(r1, s)}A${r1},${r1},0,${large},1,${at(r1, e)}L${at(r0, e)}A${r0},${r0},0,${large},0,${at(r0, s)}Z`;
}

/** A cubic curve leaving and entering horizontally (d3-shape's linkHorizontal). */
export function linkHorizontal(from: Point, to: Point): string {
  const mx = (from[0] + to[0]) / 2;
  return `M${from[0]},${from[1]}C${mx},${from[1]},${mx},${to[1]},${to[0]},${to[1]}`;
}

/** A cubic curve leaving and entering vertically (d3-shape's linkVertical). */
export function linkVertical(from: Point, to: Point): string {
  const my = (from[1] + to[1]) / 2;
  return `M${from[0]},${from[1]}C${from[0]},${my},${to[0]},${my},${to[0]},${to[1]}`;
}
