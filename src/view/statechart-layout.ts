/**
 * A fixed left-to-right layout of a small statechart (machineGraph's states in declaration
 * order, the first being the initial one): forward transitions between neighbours as arrows
 * with their event above; longer forward ones as arcs over them; backward ones as arcs under
 * the states; an event that keeps the state (a self-loop) as a small loop under the state,
 * with its events written below it. Events are shown without their `domain.` prefix (the
 * card names the machine); the full name is in each edge's tooltip.
 */

export interface GraphState {
  readonly state: string;
  readonly on: readonly { readonly event: string; readonly target: string }[];
}

export interface NodeLayout {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  readonly initial: boolean;
  /** No transition leaves it (a final state). */
  readonly final: boolean;
}

export interface EdgeLayout {
  /** "from->to". */
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly events: readonly string[];
  readonly d: string;
  readonly label: string;
  readonly lx: number;
  readonly ly: number;
  readonly self: boolean;
  /** A self-loop's events, one line each. */
  readonly lines: readonly string[];
}

export interface StatechartLayout {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly NodeLayout[];
  readonly edges: readonly EdgeLayout[];
}

/** Character widths of the diagram's monospace fonts: 10px states, 9px events. */
const STATE_CH = 6.05;
const EVENT_CH = 5.45;
const NODE_H = 20;
const GAP = 16;
const LOOP_CHARS = 15;
const LINE_H = 10;
const START = 16;

export const shortEvent = (e: string): string => e.slice(e.indexOf(".") + 1);

function wrap(words: readonly string[], chars: number): string[] {
  const lines: string[] = [];
  for (const w of words) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + w.length <= chars) lines[lines.length - 1] = `${last} ${w}`;
    else lines.push(w);
  }
  return lines;
}

const textW = (s: string, ch: number): number => s.length * ch;

export function layoutStatechart(graph: readonly GraphState[]): StatechartLayout {
  const index = new Map(graph.map((s, i) => [s.state, i]));
  const pairs = new Map<string, { from: number; to: number; events: string[] }>();
  for (const [i, s] of graph.entries()) {
    for (const t of s.on) {
      const j = index.get(t.target);
      if (j === undefined) continue;
      const key = `${s.state}->${t.target}`;
      const p = pairs.get(key) ?? { from: i, to: j, events: [] };
      p.events.push(t.event);
      pairs.set(key, p);
    }
  }
  const loops = graph.map((s) =>
    wrap(pairs.get(`${s.state}->${s.state}`)?.events.map(shortEvent) ?? [], LOOP_CHARS),
  );
  const loopW = loops.map((ls) => Math.max(0, ...ls.map((l) => textW(l, EVENT_CH))));
  const widths = graph.map((s) => textW(s.state, STATE_CH) + 14);
  const adjacent = graph.map((s, i) => {
    const next = graph[i + 1];
    const p = next ? pairs.get(`${s.state}->${next.state}`) : undefined;
    return p ? p.events.map(shortEvent).join(", ") : "";
  });

  // Centres, left to right, far enough apart for the states, the loop texts and the labels.
  const cx: number[] = [];
  let labelRight = Number.NEGATIVE_INFINITY;
  graph.forEach((_s, i) => {
    if (i === 0) {
      cx.push(START + widths[0]! / 2);
      return;
    }
    const prev = cx[i - 1]!;
    let c = prev + Math.max((widths[i - 1]! + widths[i]!) / 2 + GAP, (loopW[i - 1]! + loopW[i]!) / 2 + 8);
    const lw = textW(adjacent[i - 1]!, EVENT_CH);
    if (lw > 0) {
      // The label is centred between the two states and must clear the previous label.
      c = Math.max(c, 2 * (labelRight + 6 + lw / 2) - prev);
      labelRight = (prev + c) / 2 + lw / 2;
    }
    cx.push(c);
  });

  const forward = [...pairs.values()].filter((p) => p.to > p.from + 1);
  const backward = [...pairs.values()].filter((p) => p.to < p.from);
  const maxSpan = Math.max(1, ...forward.map((p) => p.to - p.from));
  const top = 16 + (forward.length > 0 ? 16 + 12 * (maxSpan - 1) : 0);
  const bottom = top + NODE_H;
  const loopLines = Math.max(0, ...loops.map((l) => l.length));
  const loopsEnd = bottom + (loopLines > 0 ? 12 + loopLines * LINE_H : 0);
  const arcBase = loopsEnd + 2;
  const height = arcBase + (backward.length > 0 ? 14 + 12 * backward.length : 4);

  const nodes: NodeLayout[] = graph.map((s, i) => ({
    id: s.state,
    x: cx[i]! - widths[i]! / 2,
    y: top,
    w: widths[i]!,
    h: NODE_H,
    initial: i === 0,
    final: s.on.length === 0,
  }));

  const edges: EdgeLayout[] = [];
  let back = 0;
  for (const [id, p] of pairs) {
    const from = graph[p.from]!.state;
    const to = graph[p.to]!.state;
    const label = p.events.map(shortEvent).join(", ");
    const a = nodes[p.from]!;
    const b = nodes[p.to]!;
    if (p.from === p.to) {
      const c = cx[p.from]!;
      edges.push({
        id,
        from,
        to,
        events: p.events,
        d: `M${c - 5},${bottom} C${c - 12},${bottom + 12} ${c + 12},${bottom + 12} ${c + 5},${bottom + 1}`,
        label,
        lx: c,
        ly: bottom + 12 + LINE_H - 1,
        self: true,
        lines: loops[p.from]!,
      });
    } else if (p.to === p.from + 1) {
      const y = top + NODE_H / 2;
      edges.push({
        id,
        from,
        to,
        events: p.events,
        d: `M${a.x + a.w},${y} L${b.x - 1},${y}`,
        label,
        lx: (cx[p.from]! + cx[p.to]!) / 2,
        ly: top - 4,
        self: false,
        lines: [],
      });
    } else if (p.to > p.from) {
      // Up from the state, over the labels between neighbours, down into the target.
      const x1 = cx[p.from]!;
      const x2 = cx[p.to]! - 4;
      const apex = top - 26 - 12 * (p.to - p.from - 2);
      edges.push({
        id,
        from,
        to,
        events: p.events,
        d: `M${x1},${top} V${apex + 5} Q${x1},${apex} ${x1 + 5},${apex} H${x2 - 5} Q${x2},${apex} ${x2},${apex + 5} V${top - 1}`,
        label,
        lx: (x1 + x2) / 2,
        ly: apex - 3,
        self: false,
        lines: [],
      });
    } else {
      back += 1;
      const x1 = cx[p.from]! - 4;
      const x2 = cx[p.to]! + 4;
      const low = arcBase + 12 * back;
      // Down from the state, under any loop text, back up into the earlier state.
      edges.push({
        id,
        from,
        to,
        events: p.events,
        d: `M${x1},${bottom} V${low - 5} Q${x1},${low} ${x1 - 5},${low} H${x2 + 5} Q${x2},${low} ${x2},${low - 5} V${bottom + 1}`,
        label,
        lx: (x1 + x2) / 2,
        ly: low + 10,
        self: false,
        lines: [],
      });
    }
  }
  const right = Math.max(
    ...nodes.map((n) => n.x + n.w),
    ...edges.map((e) => {
      const chars = e.self ? Math.max(...e.lines.map((l) => l.length)) : e.label.length;
      return e.lx + (chars * EVENT_CH) / 2;
    }),
  );
  return { width: Math.ceil(right + 4), height: Math.ceil(height), nodes, edges };
}
