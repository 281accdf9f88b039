/**
 * What the run has done up to the cursor, as the runner's JSON lists it: every command queued
 * (in order, each a button opening it in the detail view), the event records, and the DMAs.
 * A long log (a large run queues thousands of commands) becomes a list in a box of its own
 * that draws only the rows in view.
 */

import { memo, useEffect, useRef } from "react";
import { useLab } from "../../../store/store.ts";
import type { TraceJson } from "../../../view/index.ts";
import { useCursor } from "../../app/useSnapshot.ts";
import { useVirtualRows } from "../useVirtualRows.ts";

/** More entries than this: the windowed list. */
const LONG = 300;

/** The entries before the cursor: the trace is in step order, so a binary search finds where. */
function before<T extends { readonly step: unknown }>(list: readonly T[], cursor: number): number {
  let a = 0;
  let b = list.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if (Number(list[m]!.step) < cursor) a = m + 1;
    else b = m;
  }
  return a;
}

type Cmd = TraceJson["commands"][number];

const pendingAt = (c: Cmd, cursor: number): boolean => c.consumedAt === null || c.consumedAt >= cursor;

/** The long form: one row per command, the rows in view only, the newest kept in view. */
function LongCommandLog({
  commands,
  count,
  cursor,
}: {
  commands: readonly Cmd[];
  count: number;
  cursor: number;
}) {
  const select = useLab((s) => s.select);
  const list = useRef<HTMLOListElement>(null);
  const rows = useVirtualRows(list, count, 18, 0, true);
  const scrollTo = rows.scrollTo;
  useEffect(() => {
    if (count === 0) return;
    // In the next frame, with the other panels' layout (reading it now would force one).
    const frame = requestAnimationFrame(() => scrollTo(count - 1));
    return () => cancelAnimationFrame(frame);
  }, [count, scrollTo]);
  const drawn = [];
  for (let i = rows.start; i < rows.end; i++) {
    const c = commands[i]!;
    drawn.push(
      <li key={i} data-row={i} data-testid="cmd-log-item" data-op={c.op} className="h-[18px]">
        <button
          type="button"
          onClick={() => select({ kind: "cmdlog", index: i })}
          className={`w-full truncate rounded px-1 text-left font-mono text-[10px] leading-[18px] hover:bg-slate-100 dark:hover:bg-slate-800 ${
            pendingAt(c, cursor) ? "text-blue-700 dark:text-sky-300" : ""
          }`}
          title={c.words.join(" ")}
        >
          {i} {c.op} · queued at step {c.step + 1}
          {pendingAt(c, cursor) ? ", pending" : `, consumed at ${c.consumedAt}`}
        </button>
      </li>,
    );
  }
  return (
    <div className="mt-1 max-h-48 overflow-y-auto rounded border border-slate-200 dark:border-slate-700">
      <ol ref={list} data-testid="cmd-log">
        {rows.before > 0 ? <li aria-hidden="true" style={{ height: rows.before }} /> : null}
        {drawn}
        {rows.after > 0 ? <li aria-hidden="true" style={{ height: rows.after }} /> : null}
      </ol>
    </div>
  );
}

export function CommandLog() {
  const commands = useLab((s) => s.trace.commands);
  const cursor = useCursor();
  const select = useLab((s) => s.select);
  const count = before(commands, cursor);
  if (count > LONG) {
    return (
      <section aria-label="Queued commands" className="mt-2">
        <h3 className="text-xs font-semibold">
          Commands queued so far ({count} of {commands.length})
        </h3>
        <LongCommandLog commands={commands} count={count} cursor={cursor} />
      </section>
    );
  }
  const queued = commands.slice(0, count);
  return (
    <section aria-label="Queued commands" className="mt-2">
      <h3 className="text-xs font-semibold">
        Commands queued so far ({queued.length} of {commands.length})
      </h3>
      {queued.length === 0 ? <p className="text-xs text-slate-500 dark:text-slate-400">none yet</p> : null}
      <ol className="mt-1 flex flex-wrap gap-1" data-testid="cmd-log">
        {queued.map((c, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: the log is append-only; i is the command's place in it
          <li key={i} data-testid="cmd-log-item" data-op={c.op}>
            <button
              type="button"
              onClick={() => select({ kind: "cmdlog", index: i })}
              title={`queued at step ${c.step + 1}${c.consumedAt === null || c.consumedAt >= cursor ? ", not consumed yet" : `, consumed at step ${c.consumedAt + 1}`}: ${c.words.join(" ")}`}
              className={`rounded border px-1 font-mono text-[10px] ${
                c.consumedAt === null || c.consumedAt >= cursor
                  ? "border-blue-400 bg-blue-50 dark:border-sky-500 dark:bg-sky-950"
                  : "border-slate-300 dark:border-slate-600"
              }`}
            >
              {c.op}
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}

export function EventLog() {
  const events = useLab((s) => s.trace.events);
  const cursor = useCursor();
  const seen = events.slice(0, before(events, cursor));
  return (
    <section aria-label="Event queue" className="mt-2">
      <h3 className="text-xs font-semibold">Event queue records ({seen.length})</h3>
      <ul className="font-mono text-[11px]">
        {seen.map((e, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: records are append-only
          <li key={i} className="text-amber-800 dark:text-amber-300">
            step {e.step + 1}: {e.type} (0x{e.code.toString(16)}) sid {e.sid}
            {e.ssid === undefined ? "" : ` ssid ${e.ssid}`} at {e.addr}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function DmaLog() {
  const dma = useLab((s) => s.trace.dma);
  const cursor = useCursor();
  let count = 0;
  for (const d of dma) if (typeof d.step === "number" && d.step < cursor) count++;
  return <DmaList dma={dma} count={count} />;
}

/** The DMAs so far: rendered again only when one more (or fewer) is before the cursor. */
const DmaList = memo(function DmaList({ dma, count }: { dma: TraceJson["dma"]; count: number }) {
  const seen = dma.filter((d) => typeof d.step === "number").slice(0, count);
  // A long log shows its newest entries (the whole list is the runner's `--json` output).
  const shown = seen.length > LONG ? seen.slice(-LONG) : seen;
  return (
    <section aria-label="DMA" className="mt-2">
      <h3 className="text-xs font-semibold">
        Device DMA so far ({seen.length}
        {shown.length < seen.length ? `, the last ${shown.length} shown` : ""})
      </h3>
      <ul className="font-mono text-[11px]">
        {shown.map((d, i) => {
          const stale = d.stale === true;
          const text = `step ${Number(d.step) + 1}: ${String(d.device)} ${String(d.access)} ${String(d.va)} pasid ${String(d.pasid)} → ${String(d.result)}${d.via ? ` via ${String(d.via)}` : ""}${d.pa ? ` ${String(d.pa)}` : ""}${d.fault ? ` ${String(d.fault)}` : ""}${stale ? " STALE" : ""}`;
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: DMAs are append-only
            <li key={i} className={stale ? "font-semibold text-red-700 dark:text-red-400" : ""}>
              {text}
            </li>
          );
        })}
      </ul>
    </section>
  );
});
