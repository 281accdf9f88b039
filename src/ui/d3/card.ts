/** A small titled card of label/value rows, drawn into an SVG group (STE and CD cards). */

import type { Selection } from "d3-selection";

export type Tone = "good" | "warn" | "bad" | "muted";

export interface CardRow {
  readonly label: string;
  readonly value: string;
  readonly tone?: Tone;
}

export interface CardSpec {
  readonly title: string;
  readonly rows: readonly CardRow[];
  readonly width: number;
  /** Greyed out: an invalid entry. */
  readonly dim: boolean;
}

export const ROW_H = 15;
export const HEAD_H = 20;
const PAD = 6;
const LABEL_W = 62;

export const cardHeight = (rows: number): number => HEAD_H + rows * ROW_H + PAD;

const TONES: Record<Tone, string> = {
  good: "var(--good)",
  warn: "var(--warn)",
  bad: "var(--bad)",
  muted: "var(--ink-muted)",
};

/** What each group last drew: a card that has not changed is left alone (no DOM churn). */
const drawn = new WeakMap<Element, string>();

const cardKey = (c: CardSpec): string =>
  `${c.title}\u0000${c.width}\u0000${c.dim}\u0000${c.rows.map((r) => `${r.label}=${r.value}:${r.tone ?? ""}`).join("\u0000")}`;

/** Replaces the group's content with the card, unless it already shows it; returns its height. */
export function drawCard(g: Selection<SVGGElement, unknown, null, undefined>, c: CardSpec): number {
  const h = cardHeight(c.rows.length);
  const node = g.node();
  const key = cardKey(c);
  if (node && drawn.get(node) === key) return h;
  if (node) drawn.set(node, key);
  g.selectAll("*").remove();
  g.attr("opacity", c.dim ? 0.6 : 1);
  g.append("rect")
    .attr("class", "hit")
    .attr("width", c.width)
    .attr("height", h)
    .attr("rx", 5)
    .attr("fill", "var(--card)")
    .attr("stroke", "var(--line)");
  g.append("rect")
    .attr("width", c.width)
    .attr("height", HEAD_H)
    .attr("rx", 5)
    .attr("fill", "var(--card-head)");
  const maxChars = Math.floor((c.width - 2 * PAD) / 6.9);
  const title = c.title.length > maxChars ? `${c.title.slice(0, maxChars - 1)}…` : c.title;
  g.append("text").attr("x", PAD).attr("y", 14).attr("font-weight", 600).text(title);
  c.rows.forEach((r, i) => {
    const y = HEAD_H + (i + 1) * ROW_H - 3;
    g.append("text").attr("class", "muted").attr("x", PAD).attr("y", y).text(r.label);
    const value = g
      .append("text")
      .attr("x", PAD + LABEL_W)
      .attr("y", y)
      .text(r.value);
    if (r.tone) value.style("fill", TONES[r.tone]);
  });
  return h;
}
