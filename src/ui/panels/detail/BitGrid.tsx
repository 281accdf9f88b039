/**
 * The bits of an entry, word by word (bit 63 on the left), each field a band in alternating
 * shades with its set bits marked: the layout's bit ranges made visible.
 */

import { select } from "d3-selection";
import { useCallback, useMemo } from "react";
import type { FieldRow } from "../../../view/index.ts";
import { type Draw, useDiagram, useWidth } from "../../d3/useDiagram.ts";

interface Vm {
  readonly words: readonly bigint[];
  readonly fields: readonly FieldRow[];
}

const ROW = 16;
const LABEL = 28;

function draw(svg: SVGSVGElement, vm: Vm, width: number): void {
  const bit = Math.max(3, Math.min(8, Math.floor((width - LABEL - 4) / 64)));
  const s = select(svg)
    .attr("width", LABEL + 64 * bit + 2)
    .attr("height", vm.words.length * ROW + 2);
  const x = (b: number): number => LABEL + (63 - b) * bit;
  const rows = s
    .selectAll<SVGGElement, number>("g.word")
    .data(vm.words.map((_, i) => i))
    .join("g")
    .attr("class", "word")
    .attr("transform", (i) => `translate(0,${i * ROW})`);
  rows.each(function (i) {
    const g = select(this);
    g.selectAll("*").remove();
    g.append("text").attr("class", "muted").attr("x", 0).attr("y", 11).attr("font-size", 10).text(`w${i}`);
    vm.fields
      .filter((f) => f.word === i)
      .forEach((f, k) => {
        const band = g
          .append("rect")
          .attr("x", x(f.hi))
          .attr("y", 1)
          .attr("width", (f.hi - f.lo + 1) * bit)
          .attr("height", ROW - 3)
          .attr("fill", k % 2 === 0 ? "var(--slot-pending)" : "var(--slot-done)")
          .attr("stroke", "var(--line)")
          .attr("stroke-width", 0.5);
        band.append("title").text(`${f.name} [${f.bits}] = ${f.text}`);
      });
    const word = vm.words[i] ?? 0n;
    for (let b = 0; b < 64; b++) {
      if (((word >> BigInt(b)) & 1n) === 0n) continue;
      g.append("rect")
        .attr("x", x(b) + bit * 0.2)
        .attr("y", 4)
        .attr("width", Math.max(1, bit * 0.6))
        .attr("height", ROW - 9)
        .attr("fill", "var(--ink)")
        .attr("pointer-events", "none");
    }
  });
}

export function BitGrid(props: Vm) {
  const { words, fields } = props;
  const vm = useMemo(() => ({ words, fields }), [words, fields]);
  const [box, width] = useWidth();
  const paint = useCallback<Draw<Vm>>((svg, v, w) => draw(svg, v, w), []);
  const ref = useDiagram(vm, paint, null, width);
  return (
    <div ref={box} className="min-w-0">
      <svg ref={ref} className="diagram" role="img" aria-label="Bit layout of the entry" />
    </div>
  );
}
