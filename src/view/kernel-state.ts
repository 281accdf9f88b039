/**
 * The kernel panel's text view as plain data: each thread's op or what blocks it, the locks
 * held, the driver's objects with their state and refcount, the pending SRCU callbacks.
 *
 * A step copies only the thread or object it changes (engine/clone.ts), so each line is made
 * once per thread or object (`byPart`): a line the step left alone is the object the panel
 * has drawn, and a world that changed no line gets the view model of the world before.
 */

import type { World } from "../engine/index.ts";
import type { Scenario } from "../scenario/index.ts";
import { byPart, sameItems } from "./by-part.ts";

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

const threadLine = byPart(
  (t: World["threads"][number], scenario: Scenario): KernelText["threads"][number] => {
    const ops = scenario.threads.find((x) => x.name === t.name)?.ops ?? [];
    const op = ops[t.opIndex];
    const text =
      t.status === "done"
        ? "done"
        : `${t.status}${t.blockedOn ? ` on ${t.blockedOn}` : ""} · op ${t.opIndex + 1}/${ops.length}${op ? ` ${op.op}` : ""}`;
    return { name: t.name, status: t.status, text };
  },
);

const objectLine = byPart((o: World["kernel"]["objects"][number]): KernelText["objects"][number] => ({
  id: o.id,
  kind: o.kind,
  freed: o.state === "freed",
  text: `${o.process}${o.device ? ` ↔ ${o.device}` : ""} · ${o.state} · refs ${o.refs}`,
  fields: fieldText(o.fields),
}));

let last: KernelText | null = null;

/** What the text view shows, as plain data: `last`'s objects where the world left them alone. */
export function kernelText(w: World, scenario: Scenario): KernelText {
  const locks = Object.entries(w.kernel.locks).filter(([, holder]) => holder !== null);
  const next: KernelText = {
    threads: sameItems(
      last?.threads,
      w.threads.map((t) => threadLine(t, scenario)),
    ),
    locks: locks.length === 0 ? "none" : locks.map(([l, h]) => `${l} (${h})`).join(", "),
    objects: sameItems(
      last?.objects,
      Object.values(w.kernel.objects).map((o) => objectLine(o, undefined)),
    ),
    srcu:
      w.kernel.srcu.callbacks.length > 0
        ? w.kernel.srcu.callbacks
            .map((c) => `${c.fn}(#${c.object}) waits for ${c.waitFor.join(", ") || "nothing"}`)
            .join("; ")
        : null,
  };
  const same =
    last !== null &&
    last.threads === next.threads &&
    last.locks === next.locks &&
    last.objects === next.objects &&
    last.srcu === next.srcu;
  if (!same) last = next;
  return last as KernelText;
}
