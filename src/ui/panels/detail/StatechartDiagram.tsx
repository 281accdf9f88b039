/**
 * One statechart: the machine's states as nodes left to right, its transitions as labelled
 * edges, the active state filled, and the transitions it accepts drawn in the accent colour.
 * The layout depends only on the machine (static layer); the active state is the overlay,
 * keyed by state name so a transition moves the highlight instead of redrawing.
 */

import { select } from "d3-selection";
import { useEffect, useMemo, useRef } from "react";
import { type EdgeLayout, type GraphState, layoutStatechart, type NodeLayout } from "../../../view/index.ts";
import { duration } from "../../d3/d3util.ts";
import "./statechart.css";

let markerIds = 0;

function drawStatic(svg: SVGSVGElement, layout: ReturnType<typeof layoutStatechart>, marker: string): void {
  const s = select(svg)
    .attr("viewBox", `0 0 ${layout.width} ${layout.height}`)
    .attr("width", layout.width)
    .attr("height", layout.height)
    .style("max-width", "100%")
    .style("height", "auto");
  s.selectAll("defs")
    .data([null])
    .join((enter) => {
      const d = enter.append("defs");
      for (const [id, colour] of [
        [marker, "var(--ink-muted)"],
        [`${marker}-on`, "var(--state-active)"],
      ] as const) {
        d.append("marker")
          .attr("id", id)
          .attr("viewBox", "0 0 8 8")
          .attr("refX", 7)
          .attr("refY", 4)
          .attr("markerWidth", 6)
          .attr("markerHeight", 6)
          .attr("orient", "auto-start-reverse")
          .append("path")
          .attr("d", "M0,0 L8,4 L0,8 z")
          .style("fill", colour);
      }
      return d;
    });

  const edges = s
    .selectAll<SVGGElement, null>("g.edges")
    .data([null])
    .join("g")
    .attr("class", "edges")
    .selectAll<SVGGElement, EdgeLayout>("g.edge")
    .data(layout.edges, (d) => d.id)
    .join((enter) => {
      const e = enter.append("g").attr("class", "edge");
      e.append("path").style("fill", "none").style("stroke-width", 1.2);
      e.append("text").attr("text-anchor", "middle").style("font-size", "9px");
      e.append("title");
      return e;
    })
    .attr("data-edge", (d) => d.id);
  edges.select("path").attr("d", (d) => d.d);
  edges
    .select("text")
    .attr("x", (d) => d.lx)
    .attr("y", (d) => d.ly)
    .selectAll<SVGTSpanElement, string>("tspan")
    .data((d) => (d.self ? d.lines : [d.label]).map((l) => l))
    .join("tspan")
    .attr("x", function () {
      return (this.parentNode as SVGTextElement).getAttribute("x");
    })
    .attr("dy", (_l, i) => (i === 0 ? 0 : 10))
    .text((l) => l);
  edges.select("title").text((d) => `${d.events.join(", ")}: ${d.from} → ${d.to}${d.self ? " (stays)" : ""}`);

  const nodes = s
    .selectAll<SVGGElement, null>("g.nodes")
    .data([null])
    .join("g")
    .attr("class", "nodes")
    .selectAll<SVGGElement, NodeLayout>("g.state")
    .data(layout.nodes, (d) => d.id)
    .join((enter) => {
      const g = enter.append("g").attr("class", "state");
      g.append("rect").attr("class", "outer").attr("rx", 9);
      g.append("rect").attr("class", "inner").attr("rx", 7).style("fill", "none");
      g.append("text").attr("text-anchor", "middle").style("font-size", "10px");
      return g;
    })
    .attr("data-state", (d) => d.id)
    .attr("transform", (d) => `translate(${d.x},${d.y})`);
  nodes
    .select("rect.outer")
    .attr("width", (d) => d.w)
    .attr("height", (d) => d.h)
    .style("stroke", "var(--line)");
  nodes
    .select("rect.inner")
    .attr("x", 2)
    .attr("y", 2)
    .attr("width", (d) => d.w - 4)
    .attr("height", (d) => d.h - 4)
    .attr("display", (d) => (d.final ? null : "none"))
    .style("stroke", "var(--line)");
  nodes
    .select("text")
    .attr("x", (d) => d.w / 2)
    .attr("y", (d) => d.h / 2 + 3.5)
    .text((d) => d.id);

  // The initial pseudo-state: a dot and an arrow into the first state.
  const first = layout.nodes.find((n) => n.initial);
  s.selectAll<SVGGElement, NodeLayout>("g.initial")
    .data(first ? [first] : [])
    .join((enter) => {
      const g = enter.append("g").attr("class", "initial");
      g.append("circle").attr("r", 3).style("fill", "var(--ink-muted)");
      g.append("path").style("stroke", "var(--ink-muted)").style("stroke-width", 1.2);
      return g;
    })
    .call((g) => {
      g.select("circle")
        .attr("cx", (d) => d.x - 12)
        .attr("cy", (d) => d.y + d.h / 2);
      g.select("path")
        .attr("d", (d) => `M${d.x - 9},${d.y + d.h / 2} L${d.x - 1},${d.y + d.h / 2}`)
        .attr("marker-end", `url(#${marker})`);
    });
}

function drawActive(svg: SVGSVGElement, active: string, marker: string): void {
  const s = select(svg);
  const t = duration(250);
  // Only the states and transitions whose highlight changes are touched (two states and the
  // transitions out of them), not every one of the chart's.
  s.selectAll<SVGGElement, NodeLayout>("g.state")
    .filter(function (d) {
      return this.classList.contains("active") !== (d.id === active) || !this.dataset.drawn;
    })
    .attr("data-drawn", "1")
    .classed("active", (d) => d.id === active)
    .select("rect.outer")
    .transition()
    .duration(t)
    .style("fill", (d) => (d.id === active ? "var(--state-active)" : "var(--card)"));
  s.selectAll<SVGGElement, EdgeLayout>("g.edge")
    .filter(function (d) {
      return this.classList.contains("next") !== (d.from === active) || !this.dataset.drawn;
    })
    .attr("data-drawn", "1")
    .classed("next", (d) => d.from === active)
    .call((g) => {
      g.select("path")
        .attr("marker-end", (d) => `url(#${d.from === active ? `${marker}-on` : marker})`)
        .transition()
        .duration(t)
        .style("stroke", (d) => (d.from === active ? "var(--state-active)" : "var(--ink-muted)"))
        .style("opacity", (d) => (d.from === active ? 1 : 0.55));
      g.select("text")
        .attr("class", (d) => (d.from === active ? null : "muted"))
        .style("font-weight", (d) => (d.from === active ? 600 : 400));
    });
}

export function StatechartDiagram(props: {
  graph: readonly GraphState[];
  active: string;
  label: string;
  machine: string;
}) {
  const { graph, active, label, machine } = props;
  const ref = useRef<SVGSVGElement>(null);
  const marker = useMemo(() => `statechart-arrow-${++markerIds}`, []);
  const layout = useMemo(() => layoutStatechart(graph), [graph]);
  const activeNow = useRef(active);
  activeNow.current = active;
  useEffect(() => {
    if (!ref.current) return;
    drawStatic(ref.current, layout, marker);
    drawActive(ref.current, activeNow.current, marker);
  }, [layout, marker]);
  useEffect(() => {
    if (ref.current) drawActive(ref.current, active, marker);
  }, [active, marker]);
  return (
    <svg
      ref={ref}
      className="statechart block font-mono"
      role="img"
      aria-label={label}
      data-testid="statechart-svg"
      data-machine={machine}
      data-active={active}
    />
  );
}
