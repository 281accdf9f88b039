/**
 * The kernel side at the cursor: each thread (its op, or what blocks it), the locks held, the
 * driver's objects with their lifecycle state and refcount, and pending SRCU callbacks.
 */

import { useLab } from "../../store/store.ts";
import { useWorld } from "../useSnapshot.ts";

const fieldText = (fields: Record<string, unknown>): string =>
  Object.entries(fields)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(",")}]` : String(v)}`)
    .join(" ");

export function KernelState() {
  const w = useWorld();
  const scenario = useLab((s) => s.scenario);
  const locks = Object.entries(w.kernel.locks).filter(([, holder]) => holder !== null);
  const objects = Object.values(w.kernel.objects);
  return (
    <div className="space-y-1.5 text-xs">
      <ul aria-label="Threads" className="space-y-0.5">
        {w.threads.map((t) => {
          const ops = scenario.threads.find((x) => x.name === t.name)?.ops ?? [];
          const op = ops[t.opIndex];
          return (
            <li key={t.name} className="flex gap-1.5">
              <span className="font-mono font-semibold">{t.name}</span>
              <span
                className={
                  t.status === "blocked"
                    ? "text-amber-700 dark:text-amber-300"
                    : t.status === "done"
                      ? "text-slate-500 dark:text-slate-400"
                      : ""
                }
              >
                {t.status === "done"
                  ? "done"
                  : `${t.status}${t.blockedOn ? ` on ${t.blockedOn}` : ""} · op ${t.opIndex + 1}/${ops.length}${op ? ` ${op.op}` : ""}`}
              </span>
            </li>
          );
        })}
      </ul>
      <p>
        <span className="text-slate-500 dark:text-slate-400">locks held: </span>
        <span className="font-mono">
          {locks.length === 0 ? "none" : locks.map(([l, h]) => `${l} (${h})`).join(", ")}
        </span>
      </p>
      <ul aria-label="Kernel objects" className="space-y-0.5">
        {objects.length === 0 ? (
          <li className="text-slate-500 dark:text-slate-400">no driver objects</li>
        ) : null}
        {objects.map((o) => (
          <li key={o.id} className={o.state === "freed" ? "text-slate-400 dark:text-slate-500" : ""}>
            <span className="font-mono">
              {o.kind} #{o.id}
            </span>{" "}
            {o.process}
            {o.device ? ` ↔ ${o.device}` : ""} · {o.state} · refs {o.refs}
            <span className="block pl-3 font-mono text-[10px] text-slate-500 dark:text-slate-400">
              {fieldText(o.fields)}
            </span>
          </li>
        ))}
      </ul>
      {w.kernel.srcu.callbacks.length > 0 ? (
        <p>
          <span className="text-slate-500 dark:text-slate-400">SRCU callbacks: </span>
          {w.kernel.srcu.callbacks
            .map((c) => `${c.fn}(#${c.object}) waits for ${c.waitFor.join(", ") || "nothing"}`)
            .join("; ")}
        </p>
      ) : null}
    </div>
  );
}
