import { describe, expect, it } from "vitest";
import { MACHINES, type MachineName, machineGraph } from "../kernel/index.ts";
import { layoutStatechart, shortEvent } from "./statechart-layout.ts";

describe.each(Object.keys(MACHINES) as MachineName[])("the %s statechart laid out", (name) => {
  const graph = machineGraph(name);
  const layout = layoutStatechart(graph);

  it("has a node per state, left to right, without overlap", () => {
    expect(layout.nodes.map((n) => n.id)).toEqual(graph.map((s) => s.state));
    for (let i = 1; i < layout.nodes.length; i++) {
      const a = layout.nodes[i - 1]!;
      const b = layout.nodes[i]!;
      expect(b.x).toBeGreaterThan(a.x + a.w);
    }
    expect(layout.nodes[0]!.initial).toBe(true);
    expect(layout.nodes.filter((n) => n.final).map((n) => n.id)).toEqual(
      graph.filter((s) => s.on.length === 0).map((s) => s.state),
    );
  });

  it("has an edge per (state, target) pair carrying every event", () => {
    const events = graph.flatMap((s) => s.on.map((t) => `${s.state}->${t.target}:${t.event}`)).sort();
    const drawn = layout.edges.flatMap((e) => e.events.map((ev) => `${e.id}:${ev}`)).sort();
    expect(drawn).toEqual(events);
    for (const e of layout.edges) {
      const text = e.self ? e.lines.join(" ") : e.label;
      expect(text).toBe(e.events.map(shortEvent).join(e.self ? " " : ", "));
    }
  });

  it("keeps the labels between neighbours apart and everything inside the drawing", () => {
    const ch = 5.45;
    const adjacent = layout.edges
      .filter(
        (e) =>
          !e.self &&
          Math.abs(graph.findIndex((s) => s.state === e.to) - graph.findIndex((s) => s.state === e.from)) ===
            1 &&
          e.ly < layout.nodes[0]!.y,
      )
      .sort((a, b) => a.lx - b.lx);
    for (let i = 1; i < adjacent.length; i++) {
      const a = adjacent[i - 1]!;
      const b = adjacent[i]!;
      expect(b.lx - (b.label.length * ch) / 2).toBeGreaterThanOrEqual(a.lx + (a.label.length * ch) / 2);
    }
    for (const e of layout.edges) {
      expect(e.ly).toBeGreaterThan(0);
      expect(e.ly).toBeLessThanOrEqual(layout.height);
      expect(e.lx).toBeLessThanOrEqual(layout.width);
    }
  });
});
