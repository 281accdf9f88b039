/**
 * Which statecharts the page draws at the cursor: the mm of each process ("mm"), each driver
 * object (bond, io_mm, domain: "object"; notifier: "notifier"), each thread ("thread"), with
 * the state value the world keeps for it, its name and its counts.
 */

import type { KObject, World } from "../engine/index.ts";
import type { MachineName } from "../kernel/index.ts";
import type { Scenario } from "../scenario/index.ts";
import { byPart, sameItems } from "./by-part.ts";
import { perWorld } from "./per-world.ts";
import { tasksLine } from "./tasks.ts";

export interface ChartSpec {
  /** Stable across steps: "mm:app", "obj:3", "thread:T0". */
  readonly id: string;
  readonly machine: MachineName;
  readonly title: string;
  /** Counts and what the object is doing, in words. */
  readonly detail: string;
  readonly active: string;
  readonly kind: "mm" | KObject["kind"] | "thread";
}

// One card per mm, object and thread, made once per part (by-part.ts): a step copies only
// what it changes, so the cards it left alone are the objects drawn before.
const mmCard = byPart(
  (mm: World["mms"][number]): ChartSpec => ({
    id: `mm:${mm.process}`,
    machine: "mm",
    kind: "mm",
    title: `${mm.process}'s mm_struct`,
    detail: `mm_users ${mm.users} · mm_count ${mm.count}${mm.pasid === null ? "" : ` · PASID ${mm.pasid}`}${mm.tasks ? ` · ${tasksLine(mm)}` : ""}`,
    active: mm.state,
  }),
);

const objectCard = byPart(
  (o: KObject): ChartSpec => ({
    id: `obj:${o.id}`,
    machine: o.kind === "notifier" ? "notifier" : "object",
    kind: o.kind,
    title: `${o.label} #${o.id} (${o.process}${o.device ? ` ↔ ${o.device}` : ""})`,
    detail: `refcount ${o.refs}`,
    active: o.state,
  }),
);

const threadCard = byPart((t: World["threads"][number], scenario: Scenario): ChartSpec => {
  const ops = scenario.threads.find((x) => x.name === t.name)?.ops ?? [];
  const op = ops[t.opIndex];
  return {
    id: `thread:${t.name}`,
    machine: "thread",
    kind: "thread",
    title: `thread ${t.name}`,
    detail:
      t.status === "done"
        ? `all ${ops.length} op(s) done`
        : `op ${t.opIndex + 1}/${ops.length}${op ? ` ${op.op}` : ""}${t.status === "blocked" && t.blockedOn ? ` · ${t.blockedOn}` : ""}`,
    active: t.status,
  };
});

let last: readonly ChartSpec[] | undefined;

export function lifecyclesVm(w: World, scenario: Scenario): readonly ChartSpec[] {
  const out: ChartSpec[] = [];
  for (const mm of w.mms) out.push(mmCard(mm, undefined));
  for (const o of Object.values(w.kernel.objects)) out.push(objectCard(o, undefined));
  for (const t of w.threads) out.push(threadCard(t, scenario));
  last = sameItems(last, out);
  return last;
}

/** Cached per world, and warmed once the statecharts have been shown (warm.ts). */
export const lifecyclesOf = /* @__PURE__ */ perWorld(lifecyclesVm);
