/**
 * The kernel panel's text view as plain data: each thread's op or what blocks it, the locks
 * held, the driver's objects with their state and refcount, the pending SRCU callbacks (so a
 * step that leaves a line as it was is seen to, `shareEqual`).
 */

import type { World } from "../engine/index.ts";
import type { Scenario } from "../scenario/index.ts";

const fieldText = (fields: Record<string, unknown>): string =>
  Object.entries(fields)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(",")}]` : String(v)}`)
    .join(" ");

export interface KernelText {
  readonly threads: readonly { name: string; status: string; text: string }[];
  readonly locks: string;
  readonly objects: readonly {
    id: number | string;
    kind: string;
    freed: boolean;
    text: string;
    fields: string;
  }[];
  readonly srcu: string | null;
}

/** What the text view shows, as plain data (so a step that leaves it as it was is seen to). */
export function kernelText(w: World, scenario: Scenario): KernelText {
  const locks = Object.entries(w.kernel.locks).filter(([, holder]) => holder !== null);
  return {
    threads: w.threads.map((t) => {
      const ops = scenario.threads.find((x) => x.name === t.name)?.ops ?? [];
      const op = ops[t.opIndex];
      const text =
        t.status === "done"
          ? "done"
          : `${t.status}${t.blockedOn ? ` on ${t.blockedOn}` : ""} · op ${t.opIndex + 1}/${ops.length}${op ? ` ${op.op}` : ""}`;
      return { name: t.name, status: t.status, text };
    }),
    locks: locks.length === 0 ? "none" : locks.map(([l, h]) => `${l} (${h})`).join(", "),
    objects: Object.values(w.kernel.objects).map((o) => ({
      id: o.id,
      kind: o.kind,
      freed: o.state === "freed",
      text: `${o.process}${o.device ? ` ↔ ${o.device}` : ""} · ${o.state} · refs ${o.refs}`,
      fields: fieldText(o.fields),
    })),
    srcu:
      w.kernel.srcu.callbacks.length > 0
        ? w.kernel.srcu.callbacks
            .map((c) => `${c.fn}(#${c.object}) waits for ${c.waitFor.join(", ") || "nothing"}`)
            .join("; ")
        : null,
  };
}
