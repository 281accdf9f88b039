/**
 * A VM's two command queues side by side: on the left the guest's virtual SMMU queue (in
 * guest RAM, read through stage 2), on the right the host's CMDQ. Each is drawn as its ring
 * (ring.ts, as the command-queue diagram does) with PROD and CONS, then its slots around CONS.
 * A guest slot says what the host made of its command: the converted command and the host
 * slot it went to, or the refusal (-EIO, which the guest sees as CERROR_ILL). A host slot that
 * came from the guest says from which guest slot. Slots are buttons: the detail view decodes
 * the command in them.
 */

import { useEffect, useRef } from "react";
import type {
  NestedQueuesVm,
  QueueRow,
  QueueSide,
  SlotState,
  Selection as StoreSelection,
} from "../../../view/index.ts";
import { pointerMarks } from "../../../view/index.ts";
import { drawRing } from "../../d3/ring.ts";
import { TermText } from "../../glossary/Term.tsx";

const R = 20;

const FILL: Record<SlotState, string> = {
  pending: "var(--accent)",
  done: "var(--ink-muted)",
  empty: "var(--line)",
};

/** "PROD 7 w0": the register's index and wrap bit (its value is 0x… with the wrap bit above). */
const reg = (name: string, p: QueueSide["prod"]): string => `${name} ${p.index} w${p.wrap}`;

function Ring({ side }: { side: QueueSide }) {
  const ref = useRef<SVGSVGElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    drawRing(ref.current, {
      ring: side.ring,
      size: side.size,
      cons: side.cons.index,
      prod: side.prod.index,
      r: R,
      thickness: 7,
      top: R + 10,
      fill: FILL,
    });
  }, [side]);
  return (
    <svg ref={ref} width={2 * R + 10} height={2 * R + 20} className="diagram shrink-0" aria-hidden="true" />
  );
}

const NOTE: Record<QueueRow["tone"], string> = {
  ok: "text-emerald-700 dark:text-emerald-400",
  bad: "text-red-700 dark:text-red-400 font-semibold",
  muted: "text-slate-500 dark:text-slate-400",
};

function Slot(props: {
  row: QueueRow;
  side: QueueSide;
  name: string;
  testId: string;
  selected: boolean;
  onSelect: () => void;
}) {
  const { row, side, selected } = props;
  const marks = pointerMarks(row.slot, side.cons, side.prod);
  const bg =
    row.state === "pending"
      ? "bg-[var(--slot-pending)]"
      : row.state === "done"
        ? "bg-[var(--slot-done)]"
        : "border-dashed";
  return (
    <li>
      <button
        type="button"
        data-testid={props.testId}
        data-slot={row.slot}
        data-state={row.state}
        data-op={row.op}
        data-tone={row.tone}
        aria-pressed={selected}
        aria-label={`${props.name} slot ${row.slot}: ${row.state === "empty" ? "empty" : `${row.summary}, ${row.state}`}${row.note ? `; ${row.note}` : ""}`}
        title={`${props.name} slot ${row.slot} (${row.state}): ${row.summary || "empty"}${row.note ? `\n${row.note}` : ""}${row.why ? `\n${row.why}` : ""}`}
        onClick={props.onSelect}
        className={`flex w-full gap-1 rounded border px-1 py-px text-left font-mono text-[10px] leading-[13px] focus-visible:outline-2 focus-visible:outline-blue-500 ${bg} ${
          selected ? "border-blue-500 ring-1 ring-blue-500" : "border-[var(--line)]"
        }`}
      >
        <span className="w-5 shrink-0 text-right text-slate-500 dark:text-slate-400">{row.slot}</span>
        <span className="min-w-0 flex-1 break-words">
          <span
            className={row.state === "pending" ? "font-semibold" : row.state === "done" ? "opacity-75" : ""}
          >
            {row.summary}
          </span>
          {marks ? <span className="ml-1 font-bold text-[var(--accent)]">{marks}</span> : null}
          {row.note ? <span className={`block ${NOTE[row.tone]}`}>{row.note}</span> : null}
        </span>
      </button>
    </li>
  );
}

function Column(props: {
  side: QueueSide;
  name: string;
  testId: string;
  keyOf: (slot: number) => string;
  selectedId: string | null;
  pick: (slot: number) => void;
  extra?: string | null;
}) {
  const { side } = props;
  return (
    <div className="min-w-0" data-testid={`${props.testId}-column`}>
      <h4 className="text-[11px] font-semibold" title={`base ${side.base}`}>
        <TermText text={side.title} />
      </h4>
      <div className="flex items-start gap-1">
        <Ring side={side} />
        <div className="min-w-0 pt-1 font-mono text-[10px] leading-[13px] text-slate-700 dark:text-slate-300">
          <p data-testid={`${props.testId}-prod`} title={`PROD register 0x${side.prod.reg.toString(16)}`}>
            {reg("PROD", side.prod)}
          </p>
          <p data-testid={`${props.testId}-cons`} title={`CONS register 0x${side.cons.reg.toString(16)}`}>
            {reg("CONS", side.cons)}
          </p>
          <p title={`base ${side.base}`}>
            {side.pending}/{side.size} pending
          </p>
          {props.extra !== undefined ? (
            <p
              data-testid="vcmdq-cerror"
              className={props.extra === null ? "" : "font-semibold text-red-700 dark:text-red-400"}
            >
              <TermText text={props.extra ?? "ERR: none"} />
            </p>
          ) : null}
        </div>
      </div>
      <ol className="mt-1 space-y-px" aria-label={`${props.name} slots`}>
        {side.rows.map((row) => (
          <Slot
            key={row.id}
            row={row}
            side={side}
            name={props.name}
            testId={props.testId}
            selected={props.selectedId === props.keyOf(row.slot)}
            onSelect={() => props.pick(row.slot)}
          />
        ))}
      </ol>
    </div>
  );
}

export function NestedQueuesDiagram(props: {
  vm: NestedQueuesVm;
  selectedId: string | null;
  onSelect: (s: StoreSelection) => void;
}) {
  const { vm, selectedId, onSelect } = props;
  return (
    <section
      className="min-w-0"
      data-testid="nested-queues"
      data-vm={vm.vm}
      aria-label={`${vm.vm}: guest and host command queues`}
    >
      <p
        className="mb-1 text-[11px] text-slate-600 dark:text-slate-300"
        data-testid="nested-queues-head"
        title="The guest writes its vSMMU queue; the VMM forwards each batch with IOMMU_HWPT_INVALIDATE, and the host rewrites the VMID and the vSID into its own CMDQ, or refuses with -EIO."
      >
        <TermText text={`${vm.vm}, VMID ${vm.vmid}: guest commands → IOMMU_HWPT_INVALIDATE → host CMDQ`} />
      </p>
      <div className="grid grid-cols-2 gap-2">
        <Column
          side={vm.guest}
          name={`${vm.vm} vSMMU CMDQ`}
          testId="vcmdq-slot"
          keyOf={(slot) => `vcmd:${vm.vmIndex}:${slot}`}
          selectedId={selectedId}
          pick={(slot) => onSelect({ kind: "vcmd", vm: vm.vmIndex, slot })}
          extra={vm.cerror}
        />
        <Column
          side={vm.host}
          name="host CMDQ"
          testId="host-cmdq-slot"
          keyOf={(slot) => `cmd:${slot}`}
          selectedId={selectedId}
          pick={(slot) => onSelect({ kind: "cmd", slot })}
        />
      </div>
    </section>
  );
}
