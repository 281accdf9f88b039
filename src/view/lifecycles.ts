/**
 * Which statecharts the page draws at the cursor: the mm of each process ("mm"), each driver
 * object (bond, io_mm, domain: "object"; notifier: "notifier"), each thread ("thread"), with
 * the state value the world keeps for it, its name and its counts.
 */

import type { KObject, World } from "../engine/index.ts";
import type { MachineName } from "../kernel/index.ts";
import type { Scenario } from "../scenario/index.ts";
import { perWorld } from "./per-world.ts";
import { shareEqual } from "./same.ts";
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

export function lifecyclesVm(w: World, scenario: Scenario): ChartSpec[] {
  const out: ChartSpec[] = [];
  for (const mm of w.mms) {
    out.push({
      id: `mm:${mm.process}`,
      machine: "mm",
      kind: "mm",
      title: `${mm.process}'s mm_struct`,
      detail: `mm_users ${mm.users} · mm_count ${mm.count}${mm.pasid === null ? "" : ` · PASID ${mm.pasid}`}${mm.tasks ? ` · ${tasksLine(mm)}` : ""}`,
      active: mm.state,
    });
  }
  for (const o of Object.values(w.kernel.objects)) {
    out.push({
      id: `obj:${o.id}`,
      machine: o.kind === "notifier" ? "notifier" : "object",
      kind: o.kind,
      title: `${o.label} #${o.id} (${o.process}${o.device ? ` ↔ ${o.device}` : ""})`,
      detail: `refcount ${o.refs}`,
      active: o.state,
    });
  }
  for (const t of w.threads) {
    const ops = scenario.threads.find((x) => x.name === t.name)?.ops ?? [];
    const op = ops[t.opIndex];
    out.push({
      id: `thread:${t.name}`,
      machine: "thread",
      kind: "thread",
      title: `thread ${t.name}`,
      detail:
        t.status === "done"
          ? `all ${ops.length} op(s) done`
          : `op ${t.opIndex + 1}/${ops.length}${op ? ` ${op.op}` : ""}${t.status === "blocked" && t.blockedOn ? ` · ${t.blockedOn}` : ""}`,
      active: t.status,
    });
  }
  return out;
}

/** Cached per world, and warmed once the statecharts have been shown (warm.ts). */
export const lifecyclesOf = /* @__PURE__ */ perWorld(lifecyclesVm, shareEqual);
