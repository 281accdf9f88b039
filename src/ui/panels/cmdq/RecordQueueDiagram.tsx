/**
 * The event queue or the PRI queue drawn like the command queue's ring: an overview of its
 * 2^n slots (pending between CONS and PROD, consumed, empty), the PROD and CONS registers
 * with their wrap bits, and the slots written so far, each record named. Here the SMMU is the
 * producer and the kernel the consumer. Slots are buttons: the detail view decodes the record.
 */

import { useCallback } from "react";
import type {
  RecordQueueVm,
  RecordSlot,
  RingPointer,
  SlotState,
  Selection as StoreSelection,
} from "../../../view/index.ts";
import { pointerMarks } from "../../../view/index.ts";
import { asButtons, sizeDiagram, textWidth } from "../../d3/d3util.ts";
import { addSlotRow, drawRing } from "../../d3/ring.ts";
import { type Draw, useDiagram, useWidth } from "../../d3/useDiagram.ts";

const R = 40;
const RING_H = 2 * R + 14;
const ROW = 18;
const IDX_W = 30;
const PTR_W = 104;

const FILL: Record<SlotState, string> = {
  pending: "var(--warn)",
  done: "var(--ink-muted)",
  empty: "var(--line)",
};

const reg = (name: string, p: RingPointer): string =>
  `${name} 0x${p.reg.toString(16)}: index ${p.index}, wrap ${p.wrap}`;

function drawQueueRing(svg: SVGSVGElement, vm: RecordQueueVm): void {
  drawRing(svg, {
    ring: vm.ring,
    size: vm.size,
    cons: vm.cons.index,
    prod: vm.prod.index,
    r: R,
    thickness: 12,
    top: R + 6,
    fill: FILL,
  });
}

function drawSlots(
  svg: SVGSVGElement,
  vm: RecordQueueVm,
  width: number,
  pick: (s: StoreSelection) => void,
): void {
  const boxW = Math.max(130, Math.min(360, width - PTR_W - IDX_W - 4));
  const maxChars = Math.floor(boxW / textWidth("x")) - 1;
  const top = RING_H + 6;
  const s = sizeDiagram(svg, IDX_W + boxW + PTR_W, top + vm.slots.length * ROW + 4);
  s.selectAll<SVGTextElement, string>("text.regs")
    .data([
      reg("PROD", vm.prod),
      reg("CONS", vm.cons),
      `${vm.size} slots × ${vm.entryBytes} B at ${vm.base}`,
      `${vm.pending} pending${vm.pending === 0 ? ": empty" : ""} · ${vm.produced} written`,
    ])
    .join("text")
    .attr("class", "regs")
    .attr("x", 2 * R + 22)
    .attr("y", (_d, i) => 20 + i * 17)
    .text((d) => d);

  const kind = vm.queue === "evtq" ? "evt" : "pri";
  const rows = s
    .selectAll<SVGGElement, RecordSlot>("g.slot")
    .data(vm.slots, (d) => String(d.slot))
    .join((enter) => addSlotRow(enter.append("g").attr("class", "slot"), IDX_W, ROW))
    .attr("transform", (_d, i) => `translate(0,${top + i * ROW})`)
    .attr("data-id", (d) => `${kind}:${d.slot}`)
    .attr("data-testid", `${vm.queue}-slot`)
    .attr("data-state", (d) => d.state)
    .attr("data-name", (d) => d.name);
  rows
    .select("text.ptrs")
    .attr("x", IDX_W + boxW + 6)
    .attr("font-size", 10)
    .attr("font-weight", 700)
    .style("fill", "var(--accent)")
    .text((d) => pointerMarks(d.slot, vm.cons, vm.prod));
  rows.select("text.idx").text((d) => String(d.slot));
  rows
    .select("rect.hit")
    .attr("width", boxW)
    .attr("fill", (d) =>
      d.state === "pending" ? "var(--slot-warn)" : d.state === "done" ? "var(--slot-done)" : "none",
    )
    .attr("stroke", "var(--line)")
    .attr("stroke-dasharray", (d) => (d.state === "empty" ? "2 2" : null));
  rows
    .select("text.op")
    .attr("class", (d) => (d.state === "pending" ? "op" : "op muted"))
    .attr("font-weight", (d) => (d.state === "pending" ? 600 : 400))
    .text((d) =>
      d.state === "empty"
        ? ""
        : d.summary.length > maxChars
          ? `${d.summary.slice(0, maxChars - 1)}…`
          : d.summary,
    );
  const written = rows.filter((d) => d.state !== "empty");
  asButtons(
    written,
    (d) => `${vm.queue.toUpperCase()} slot ${d.slot}: ${d.name}, ${d.state}`,
    (d) => `slot ${d.slot} (${d.state}): ${d.summary}`,
    (d) => pick(vm.queue === "evtq" ? { kind: "evt", slot: d.slot } : { kind: "pri", slot: d.slot }),
  );
  rows
    .filter((d) => d.state === "empty")
    .attr("role", null)
    .attr("tabindex", null)
    .attr("aria-label", null)
    .on("click", null)
    .on("keydown", null)
    .selectAll("title")
    .remove();
}

export function RecordQueueDiagram(props: {
  vm: RecordQueueVm;
  selectedId: string | null;
  onSelect: (s: StoreSelection) => void;
}) {
  const { vm, selectedId, onSelect } = props;
  const [box, width] = useWidth();
  const paint = useCallback<Draw<RecordQueueVm>>(
    (svg, v, w) => {
      drawQueueRing(svg, v);
      drawSlots(svg, v, w, onSelect);
    },
    [onSelect],
  );
  const ref = useDiagram(vm, paint, selectedId, width);
  return (
    <div ref={box} className="min-w-0">
      <svg ref={ref} className="diagram" aria-label={`${vm.title} ring`} data-testid={`${vm.queue}-ring`} />
    </div>
  );
}
