/**
 * What the run has done up to the cursor, as the runner's JSON lists it: every command queued
 * (in order, each a button opening it in the detail view), the event records, and the DMAs.
 */

import { useLab } from "../../store/store.ts";

export function CommandLog() {
  const commands = useLab((s) => s.trace.commands);
  const cursor = useLab((s) => s.cursor);
  const select = useLab((s) => s.select);
  const queued = commands.filter((c) => c.step < cursor);
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
              title={`queued at step ${c.step}${c.consumedAt === null || c.consumedAt >= cursor ? ", not consumed yet" : `, consumed at step ${c.consumedAt}`}: ${c.words.join(" ")}`}
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
  const cursor = useLab((s) => s.cursor);
  const seen = events.filter((e) => e.step < cursor);
  return (
    <section aria-label="Event queue" className="mt-2">
      <h3 className="text-xs font-semibold">Event queue records ({seen.length})</h3>
      <ul className="font-mono text-[11px]">
        {seen.map((e, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: records are append-only
          <li key={i} className="text-amber-800 dark:text-amber-300">
            step {e.step}: {e.type} (0x{e.code.toString(16)}) sid {e.sid}
            {e.ssid === undefined ? "" : ` ssid ${e.ssid}`} at {e.addr}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function DmaLog() {
  const dma = useLab((s) => s.trace.dma);
  const cursor = useLab((s) => s.cursor);
  const seen = dma.filter((d) => typeof d.step === "number" && d.step < cursor);
  return (
    <section aria-label="DMA" className="mt-2">
      <h3 className="text-xs font-semibold">Device DMA so far ({seen.length})</h3>
      <ul className="font-mono text-[11px]">
        {seen.map((d, i) => {
          const stale = d.stale === true;
          const text = `step ${String(d.step)}: ${String(d.device)} ${String(d.access)} ${String(d.va)} pasid ${String(d.pasid)} → ${String(d.result)}${d.via ? ` via ${String(d.via)}` : ""}${d.pa ? ` ${String(d.pa)}` : ""}${d.fault ? ` ${String(d.fault)}` : ""}${stale ? " STALE" : ""}`;
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
}
