/**
 * The statecharts at the cursor: one small diagram per mm, driver object and thread, its
 * active state highlighted, with the object's name and counts. Each card re-renders only when
 * what it shows changes; with many of them (the large scenario has ~250), a card draws its
 * diagram only once scrolled into view, and nothing once scrolled out of it.
 */

import { memo, useEffect, useRef, useState } from "react";
import { useLab } from "../../../store/store.ts";
import {
  type ChartSpec,
  lifecyclesOf,
  MACHINES,
  type MachineName,
  machineGraph,
} from "../../../view/index.ts";
import { useWorld } from "../../app/useSnapshot.ts";
import { useLongList } from "../useLongList.ts";
import { StatechartDiagram } from "./StatechartDiagram.tsx";

/** The machines never change: their graphs are read once. */
const GRAPHS = Object.fromEntries(
  (Object.keys(MACHINES) as MachineName[]).map((name) => [name, machineGraph(name)]),
) as Record<MachineName, ReturnType<typeof machineGraph>>;

/** More charts than this: each draws its diagram only when in (or near) view. */
const DRAW_ALL = 24;

/**
 * Whether the element is in or near its scrolling panel's view (always true when `always`),
 * and its height when it last left the view.
 */
function useSeen(always: boolean): [React.RefObject<HTMLLIElement | null>, boolean, number | null] {
  const ref = useRef<HTMLLIElement>(null);
  const [seen, setSeen] = useState<{ seen: boolean; height: number | null }>({ seen: always, height: null });
  useEffect(() => {
    if (always) {
      setSeen({ seen: true, height: null });
      return;
    }
    const el = ref.current;
    if (!el) return;
    const io = new IntersectionObserver(
      (entries) => {
        const e = entries[entries.length - 1]!;
        setSeen(
          e.isIntersecting
            ? { seen: true, height: null }
            : { seen: false, height: e.boundingClientRect.height },
        );
      },
      { rootMargin: "150px 0px" },
    );
    io.observe(el);
    return () => io.disconnect();
  }, [always]);
  return [ref, seen.seen, seen.height];
}

const Chart = memo(function Chart({
  id,
  machine,
  title,
  detail,
  active,
  lazy,
}: Pick<ChartSpec, "id" | "machine" | "title" | "detail" | "active"> & { lazy: boolean }) {
  const [ref, seen, height] = useSeen(!lazy);
  const card = {
    ref,
    "data-testid": "statechart",
    "data-id": id,
    "data-machine": machine,
    "data-state": active,
    // Many cards: a card out of view is also left out of style and layout until it nears the
    // view (`content-visibility: auto`), so the hundreds End brings in at once cost nothing
    // before the observer below has told them apart.
    className: `min-w-0 rounded-md border px-1.5 py-1 ${
      active === "freed" || active === "done"
        ? "border-slate-200 opacity-75 dark:border-slate-700"
        : "border-slate-200 dark:border-slate-700"
    }${lazy ? " [content-visibility:auto] [contain-intrinsic-block-size:auto_105px]" : ""}`,
  };
  // Out of view, a card keeps its place and draws nothing: when a lock is taken, the 64
  // threads' cards all change their text, and laying it out where nobody sees it cost
  // milliseconds per step. It is drawn again as it nears the view.
  if (!seen && height !== null) return <li {...card} style={{ height }} />;
  return (
    <li {...card}>
      <p className="truncate text-[11px] font-semibold" title={title}>
        {title}
      </p>
      <p className="truncate text-[10px] text-slate-600 dark:text-slate-300" title={detail}>
        <span className="font-mono">{machine}</span> machine · {active} · {detail}
      </p>
      {seen ? (
        <StatechartDiagram
          graph={GRAPHS[machine]}
          active={active}
          machine={machine}
          label={`${title}: ${machine} statechart, in state ${active}`}
        />
      ) : (
        <div className="h-16" aria-hidden="true" />
      )}
    </li>
  );
});

/** The cards: rendered again only when one of them changes (a card is made once per mm, object or thread: view/lifecycles.ts). */
const Charts = memo(function Charts({ charts: now }: { charts: readonly ChartSpec[] }) {
  const [charts, lazy] = useLongList(now, DRAW_ALL);
  return (
    <ul className="mt-1 grid gap-1.5 [grid-template-columns:repeat(auto-fill,minmax(15.5rem,1fr))]">
      {charts.map((c) => (
        <Chart
          key={c.id}
          id={c.id}
          machine={c.machine}
          title={c.title}
          detail={c.detail}
          active={c.active}
          lazy={lazy}
        />
      ))}
    </ul>
  );
});

export function Lifecycles() {
  const w = useWorld();
  const scenario = useLab((s) => s.scenario);
  const charts = lifecyclesOf(w, scenario);
  return (
    <section aria-label="Statecharts">
      <p className="text-[11px] text-slate-500 dark:text-slate-400">
        The lifecycle of each mm, driver object and thread at the cursor: its state filled, the transitions it
        accepts now in blue.
      </p>
      <Charts charts={charts} />
    </section>
  );
}
