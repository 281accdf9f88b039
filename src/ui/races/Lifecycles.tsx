/**
 * The statecharts at the cursor: one small diagram per mm, driver object and thread, its
 * active state highlighted, with the object's name and counts.
 */

import { useMemo } from "react";
import { MACHINES, type MachineName, machineGraph } from "../../kernel/index.ts";
import { useLab } from "../../store/store.ts";
import { StatechartDiagram } from "../diagrams/StatechartDiagram.tsx";
import { useWorld } from "../useSnapshot.ts";
import { lifecyclesVm } from "./lifecycles-vm.ts";

/** The machines never change: their graphs are read once. */
const GRAPHS = Object.fromEntries(
  (Object.keys(MACHINES) as MachineName[]).map((name) => [name, machineGraph(name)]),
) as Record<MachineName, ReturnType<typeof machineGraph>>;

export function Lifecycles() {
  const w = useWorld();
  const scenario = useLab((s) => s.scenario);
  const charts = useMemo(() => lifecyclesVm(w, scenario), [w, scenario]);
  return (
    <section aria-label="Statecharts">
      <p className="text-[11px] text-slate-500 dark:text-slate-400">
        The lifecycle of each mm, driver object and thread at the cursor: its state filled, the transitions it
        accepts now in blue.
      </p>
      <ul className="mt-1 grid gap-1.5 [grid-template-columns:repeat(auto-fill,minmax(15.5rem,1fr))]">
        {charts.map((c) => (
          <li
            key={c.id}
            data-testid="statechart"
            data-id={c.id}
            data-machine={c.machine}
            data-state={c.active}
            className={`min-w-0 rounded-md border px-1.5 py-1 ${
              c.active === "freed" || c.active === "done"
                ? "border-slate-200 opacity-75 dark:border-slate-700"
                : "border-slate-200 dark:border-slate-700"
            }`}
          >
            <p className="truncate text-[11px] font-semibold" title={c.title}>
              {c.title}
            </p>
            <p className="truncate text-[10px] text-slate-600 dark:text-slate-300" title={c.detail}>
              <span className="font-mono">{c.machine}</span> machine · {c.active} · {c.detail}
            </p>
            <StatechartDiagram
              graph={GRAPHS[c.machine]}
              active={c.active}
              machine={c.machine}
              label={`${c.title}: ${c.machine} statechart, in state ${c.active}`}
            />
          </li>
        ))}
      </ul>
    </section>
  );
}
