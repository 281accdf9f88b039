/**
 * The interleaving strip under the step controls: the swimlane timeline of the run (zoom
 * buttons beside its legend), the "Next step" chooser at the cursor, and the explorer's
 * buttons (its panel opens over the page, under the strip).
 */

import { lazy, memo, Suspense, useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import type { Scenario } from "../../../scenario/types.ts";
import { useExplore } from "../../../store/explore.ts";
import { useLayout } from "../../../store/layout.ts";
import { idle } from "../../../store/prefetch.ts";
import { useLab } from "../../../store/store.ts";
import { type RunResult, type SwimlaneVm, swimlaneSlices, swimlaneVm } from "../../../view/index.ts";
import { NextStep } from "../timeline/lazy-panels.tsx";
import type { SwimlaneHandle } from "./SwimlaneDiagram.tsx";

/** The explorer's panel is fetched the first time it opens, as its worker is. */
const ExplorePanel = lazy(() => import("./ExplorePanel.tsx").then((m) => ({ default: m.ExplorePanel })));
/** The timeline chart (d3 zoom and drawing), fetched just after the first paint. */
const SwimlaneDiagram = lazy(() =>
  import("./SwimlaneDiagram.tsx").then((m) => ({ default: m.SwimlaneDiagram })),
);

const tool =
  "rounded border border-slate-300 bg-white px-1.5 text-xs leading-5 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-blue-500 dark:border-slate-600 dark:bg-slate-800 dark:hover:bg-slate-700";

const Legend = memo(function Legend() {
  const swatch = "inline-block h-2.5 w-2.5 rounded-sm border align-[-1px]";
  return (
    <ul className="flex min-w-0 flex-wrap items-center gap-x-2.5 text-[11px] text-slate-600 dark:text-slate-300">
      <li>
        <span
          className={swatch}
          style={{ background: "var(--box-thread)", borderColor: "var(--box-thread-line)" }}
        />{" "}
        thread
      </li>
      <li>
        <span
          className={swatch}
          style={{ background: "var(--box-smmu)", borderColor: "var(--box-smmu-line)" }}
        />{" "}
        SMMU
      </li>
      <li>
        <span
          className={swatch}
          style={{ background: "var(--box-srcu)", borderColor: "var(--box-srcu-line)" }}
        />{" "}
        SRCU
      </li>
      <li>
        <span
          className={swatch}
          style={{ background: "var(--box-device)", borderColor: "var(--box-device-line)" }}
        />{" "}
        device DMA
      </li>
      <li>
        <span
          className={swatch}
          style={{ background: "var(--blocked)", borderColor: "var(--blocked-line)" }}
        />{" "}
        blocked
      </li>
      <li className="text-red-700 dark:text-red-400">▼ violation</li>
      <li className="text-blue-700 dark:text-sky-300">│ cursor</li>
    </ul>
  );
});

const ExploreButtons = memo(function ExploreButtons({ panelId }: { panelId: string }) {
  const status = useExplore((s) => s.status);
  const states = useExplore((s) => s.states);
  const report = useExplore((s) => s.report);
  const open = useExplore((s) => s.open);
  const start = useExplore((s) => s.start);
  const setOpen = useExplore((s) => s.setOpen);
  const bad = report?.outcomes.filter((o) => o.violations.length > 0).length ?? 0;
  return (
    <div className="mt-1 flex flex-wrap items-center gap-1.5">
      <button
        type="button"
        className="rounded-md border border-blue-600 bg-white px-2 py-0.5 text-xs font-medium text-blue-800 hover:bg-blue-50 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-blue-500 dark:border-sky-500 dark:bg-slate-800 dark:text-sky-200 dark:hover:bg-slate-700"
        onClick={start}
        title="Try every interleaving of the threads, the SMMU and SRCU (in a worker)"
      >
        Explore interleavings
      </button>
      <button
        type="button"
        className={tool}
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        onClick={() => setOpen(!open)}
      >
        Outcomes{" "}
        {status === "running"
          ? `(exploring, ${states})`
          : report
            ? `(${report.outcomes.length}${bad > 0 ? `, ${bad} bad` : ""})`
            : ""}
      </button>
    </div>
  );
});

/**
 * The chart at the cursor: the one part of the strip that reads the cursor, so a step
 * re-renders it alone (the chart then moves its cursor line, nothing else).
 */
function Chart({ vm, chart }: { vm: SwimlaneVm; chart: React.RefObject<SwimlaneHandle | null> }) {
  const cursor = useLab((s) => s.cursor);
  const goTo = useLab((s) => s.goTo);
  const pause = useLab((s) => s.pause);
  const pick = useCallback(
    (c: number) => {
      pause();
      goTo(c);
    },
    [goTo, pause],
  );
  const label = useMemo(
    () =>
      `Swimlane timeline of ${vm.total} steps: ${vm.lanes.map((l) => l.name).join(", ")}. Scroll or drag to zoom and pan.`,
    [vm],
  );
  // (While a large run's chart is drawn after the rest, the cursor may already be the new run's.)
  return (
    <SwimlaneDiagram ref={chart} vm={vm} cursor={Math.min(cursor, vm.total)} onPick={pick} label={label} />
  );
}

/** Steps in a run whose chart is drawn after the run is shown. */
const LARGE_CHART = 2000;
/** Steps `swimlaneSlices` makes between looks at the clock (a millisecond or so). */
const SLICE = 512;

/**
 * The chart's view model. A large run's (~16,000 steps: tens of milliseconds, more while the
 * page is busy) is made a slice at a time in idle moments after the run is shown, so opening
 * it is no long task; meanwhile the chart shows the run before (its cursor clamped to it).
 */
function useSwimlane(scenario: Scenario, result: RunResult): { vm: SwimlaneVm; making: boolean } {
  const large = result.steps.length > LARGE_CHART;
  const small = useMemo(() => (large ? null : swimlaneVm(scenario, result)), [large, scenario, result]);
  const [made, setMade] = useState<{ result: RunResult; vm: SwimlaneVm } | null>(null);
  useEffect(() => {
    if (!large) return;
    const slices = swimlaneSlices(scenario, result, SLICE);
    let stop = (): void => {};
    const slice = (d: { didTimeout?: boolean; timeRemaining(): number }): void => {
      const until = performance.now() + Math.min(8, d.timeRemaining());
      for (;;) {
        const r = slices.next();
        if (r.done) {
          setMade({ result, vm: r.value });
          return;
        }
        if (d.didTimeout || performance.now() > until) break;
      }
      stop = idle(slice);
    };
    stop = idle(slice);
    return () => stop();
  }, [large, scenario, result]);
  // What was shown last, until the large run's is made; nothing when the page opened on the
  // large run (`#large`): no run was shown before it.
  const last = useRef<SwimlaneVm | null>(null);
  const ready = small ?? (made?.result === result ? made.vm : null);
  const vm = ready ?? last.current ?? made?.vm ?? emptyChart(result);
  last.current = vm;
  return { vm, making: ready === null };
}

/** The chart of a run not made yet: its steps, no lane. */
const emptyChart = (result: RunResult): SwimlaneVm => ({
  lanes: [],
  boxes: [],
  blocked: [],
  violations: [],
  total: result.steps.length,
});

export function RacesStrip() {
  const scenario = useLab((s) => s.scenario);
  const result = useLab((s) => s.result);
  const open = useExplore((s) => s.open);
  const embed = useLayout((s) => s.embed);
  const { vm, making } = useSwimlane(scenario, result);
  const chart = useRef<SwimlaneHandle>(null);
  const panelId = useId();
  return (
    <section
      aria-label="Interleaving"
      aria-busy={making || undefined}
      data-testid="races-strip"
      className="relative mx-2 mt-2 flex shrink-0 flex-col rounded-lg border border-slate-200 bg-white shadow-sm lg:flex-row dark:border-slate-700 dark:bg-slate-900"
    >
      <div className="flex min-w-0 flex-1 flex-col px-2 py-1 [contain:layout_style]">
        <div className="mb-0.5 flex flex-wrap items-center gap-x-3 gap-y-0.5">
          <h2 className="text-sm font-semibold">Timeline</h2>
          <Legend />
          <div className="ml-auto flex gap-1">
            <button type="button" className={tool} onClick={() => chart.current?.zoomBy(1 / 1.6)}>
              <span aria-hidden="true">−</span>
              <span className="sr-only">Zoom the timeline out</span>
            </button>
            <button type="button" className={tool} onClick={() => chart.current?.zoomBy(1.6)}>
              <span aria-hidden="true">+</span>
              <span className="sr-only">Zoom the timeline in</span>
            </button>
            <button type="button" className={tool} onClick={() => chart.current?.fit()}>
              Whole run
            </button>
          </div>
        </div>
        <Suspense fallback={<div className="h-[var(--strip-h,10.5rem)]" />}>
          <Chart vm={vm} chart={chart} />
        </Suspense>
      </div>
      {embed ? null : (
        <div className="flex max-h-[calc(var(--strip-h,10.5rem)+3rem)] w-full shrink-0 flex-col [contain:layout_style] border-slate-200 px-2 py-1 max-lg:border-t lg:w-[21rem] lg:border-l dark:border-slate-700">
          <NextStep />
          <ExploreButtons panelId={panelId} />
        </div>
      )}
      {open && !embed ? (
        <Suspense fallback={null}>
          <ExplorePanel id={panelId} />
        </Suspense>
      ) : null}
    </section>
  );
}
