/**
 * The Detail panel with a second view: the statecharts of the kernel objects at the cursor.
 * Selecting an entry shows its fields; with nothing selected the statecharts show. Two
 * toggle buttons switch by hand (buttons, not tabs: ← and → belong to the step controls).
 * Both views are fetched when first shown (the field tables, the topology and the statechart
 * layout are not in the initial bundle).
 */

import { lazy, Suspense } from "react";
import { useLab } from "../../../store/store.ts";
import { useTabs } from "../../../store/tabs.ts";
import { Panel } from "../Panel.tsx";

const DetailView = lazy(() => import("./DetailView.tsx").then((m) => ({ default: m.DetailView })));
const TopologySection = lazy(() =>
  import("./topology-views.tsx").then((m) => ({ default: m.TopologySection })),
);
const Lifecycles = lazy(() => import("./Lifecycles.tsx").then((m) => ({ default: m.Lifecycles })));

const loading = <p className="text-xs text-slate-500 dark:text-slate-400">Loading…</p>;

type View = "detail" | "statecharts";

const toggle = (on: boolean): string =>
  `rounded px-1.5 leading-5 focus-visible:outline-2 focus-visible:outline-blue-500 ${
    on
      ? "bg-slate-700 text-white dark:bg-slate-200 dark:text-slate-900"
      : "text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
  }`;

export function DetailPanel() {
  const selected = useLab((s) => s.selection !== null);
  // A view picked by hand (or by the link's tab=) holds until the selection changes (store/tabs.ts).
  const picked = useTabs((s) => s.tabs.detail);
  const view: View =
    picked === null ? (selected ? "detail" : "statecharts") : picked === "entry" ? "detail" : "statecharts";
  const setView = (v: View): void =>
    useTabs.getState().set("detail", v === "detail" ? "entry" : "statecharts");

  const aside = (
    <span className="flex gap-0.5">
      <button
        type="button"
        aria-pressed={view === "detail"}
        className={toggle(view === "detail")}
        onClick={() => setView("detail")}
      >
        Entry
      </button>
      <button
        type="button"
        aria-pressed={view === "statecharts"}
        className={toggle(view === "statecharts")}
        onClick={() => setView("statecharts")}
      >
        Statecharts
      </button>
    </span>
  );
  return (
    <Panel
      title={view === "detail" ? "Detail" : "Statecharts"}
      testId="panel-detail"
      aside={aside}
      exportName={view === "detail" ? "detail" : "statecharts"}
    >
      <Suspense fallback={loading}>
        {view === "detail" ? (
          <DetailView />
        ) : (
          <>
            <TopologySection />
            <Lifecycles />
          </>
        )}
      </Suspense>
    </Panel>
  );
}
