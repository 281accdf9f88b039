/**
 * The command queue as the ring it is: an overview of all 2^n slots (pending between CONS and
 * PROD, consumed slots that still hold their command, empty), the PROD and CONS registers with
 * their wrap bits, and a window of slots around CONS with each command's name. Slots are
 * buttons: the detail view decodes the command in them.
 */

import { memo, useCallback } from "react";
import type { CmdqView, SlotState, SlotView, Selection as StoreSelection } from "../../../view/index.ts";
import { pointerMarks } from "../../../view/index.ts";
import { asButtons, sizeDiagram, textWidth } from "../../d3/d3util.ts";
import { addSlotRow, drawRing } from "../../d3/ring.ts";
import { type Draw, useDiagram, useWidth } from "../../d3/useDiagram.ts";

const R = 46;
const RING_H = 2 * R + 12;
const ROW = 18;
const IDX_W = 32;
/** Room after the slot box for "◀ CONS w0 PROD w0". */
const PTR_W = 104;

const FILL: Record<SlotState, string> = {
  pending: "var(--accent)",
  done: "var(--ink-muted)",
  empty: "var(--line)",
};

const reg = (name: string, p: CmdqView["prod"]): string =>
  `${name} 0x${p.reg.toString(16)}: index ${p.index}, wrap ${p.wrap}`;

/** What each slot row last drew. */
const slotDrawn = new WeakMap<Element, string>();

function drawQueueRing(svg: SVGSVGElement, vm: CmdqView): void {
  drawRing(svg, {
    ring: vm.ring,
    size: vm.size,
    cons: vm.cons.index,
    prod: vm.prod.index,
    r: R,
    thickness: 14,
    top: R + 4,
    fill: FILL,
  });
}

function drawSlots(svg: SVGSVGElement, vm: CmdqView, width: number, pick: (s: StoreSelection) => void): void {
  const boxW = Math.max(120, Math.min(340, width - PTR_W - IDX_W - 4));
  const maxChars = Math.floor(boxW / textWidth("x")) - 1;
  const top = RING_H + 8;
  const s = sizeDiagram(svg, IDX_W + boxW + PTR_W, top + vm.slots.length * ROW + 4);
  const head = s
    .selectAll<SVGTextElement, string>("text.regs")
    .data([
      reg("PROD", vm.prod),
      reg("CONS", vm.cons),
      `${vm.size} slots`,
      `${vm.pending} pending${vm.full ? ": full" : vm.pending === 0 ? ": empty" : ""}`,
      ...(vm.error ? [vm.error] : []),
    ]);
  head
    .join("text")
    .attr("class", "regs")
    .attr("x", 2 * R + 20)
    .attr("y", (_d, i) => 22 + i * 17)
    .text((d) => d);

  const all = s
    .selectAll<SVGGElement, SlotView>("g.slot")
    .data(vm.slots, (d) => d.id)
    .join((enter) => addSlotRow(enter.append("g").attr("class", "slot"), IDX_W, ROW));
  const ptrText = (d: SlotView): string => pointerMarks(d.slot, vm.cons, vm.prod);
  // Only the rows whose place or content changed are touched (a step changes one or two).
  const y = new Map<Element, number>();
  const rows = all.filter(function (d, i) {
    y.set(this, top + i * ROW);
    const key = `${top + i * ROW}|${d.state}|${d.summary}|${ptrText(d)}|${boxW}`;
    if (slotDrawn.get(this) === key) return false;
    slotDrawn.set(this, key);
    return true;
  });
  rows
    .attr("transform", function () {
      return `translate(0,${y.get(this) ?? 0})`;
    })
    .attr("data-id", (d) => `cmd:${d.slot}`)
    .attr("data-state", (d) => d.state);
  rows
    .select("text.ptrs")
    .attr("x", IDX_W + boxW + 6)
    .attr("font-size", 10)
    .attr("font-weight", 700)
    .style("fill", "var(--accent)")
    .text(ptrText);
  rows.select("text.idx").text((d) => String(d.slot));
  rows
    .select("rect.hit")
    .attr("width", boxW)
    .attr("fill", (d) =>
      d.state === "pending" ? "var(--slot-pending)" : d.state === "done" ? "var(--slot-done)" : "none",
    )
    .attr("stroke", "var(--line)")
    .attr("stroke-dasharray", (d) => (d.state === "empty" ? "2 2" : null));
  rows
    .select("text.op")
    .attr("class", (d) => (d.state === "pending" ? "op" : "op muted"))
    .attr("font-weight", (d) => (d.state === "pending" ? 600 : 400))
    .text((d) =>
      d.summary.length > maxChars
        ? `${d.summary.slice(0, maxChars - 1)}…`
        : d.state === "empty"
          ? ""
          : d.summary,
    );
  asButtons(
    rows,
    (d) => `CMDQ slot ${d.slot}: ${d.state === "empty" ? "empty" : `${d.op}, ${d.state}`}`,
    (d) => `slot ${d.slot} (${d.state}): ${d.summary}`,
    (d) => pick({ kind: "cmd", slot: d.slot }),
  );
}

export const CmdqDiagram = memo(function CmdqDiagram(props: {
  vm: CmdqView;
  selectedId: string | null;
  onSelect: (s: StoreSelection) => void;
}) {
  const { vm, selectedId, onSelect } = props;
  const [box, width] = useWidth();
  const paint = useCallback<Draw<CmdqView>>(
    (svg, v, w) => {
      drawQueueRing(svg, v);
      drawSlots(svg, v, w, onSelect);
    },
    [onSelect],
  );
  const ref = useDiagram(vm, paint, selectedId, width);
  return (
    <div ref={box} className="min-w-0">
      <svg ref={ref} className="diagram" aria-label="Command queue ring" data-testid="cmdq-ring" />
    </div>
  );
});
