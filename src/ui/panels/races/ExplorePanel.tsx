/**
 * The explorer's panel: what is explored (from the scenario's schedule, the cursor or step 0;
 * the state limit), the progress while the worker runs (with Cancel), and the distinct
 * outcomes: their violations, how many interleavings end so, and "Open" to load one at the
 * step where it first broke.
 */

import { type KeyboardEvent, useId, useMemo } from "react";
import type { ExploreReport, Outcome } from "../../../explorer/explore.ts";
import {
  type ExploreFrom,
  type ExploreSearch,
  RANDOM_RUNS,
  RANDOM_SEED,
  STATE_LIMITS,
  useExplore,
} from "../../../store/explore.ts";
import { useLab } from "../../../store/store.ts";
import { type OutcomeSummary, summarizeOutcomes } from "../../../view/index.ts";

const small =
  "rounded-md border border-slate-300 bg-white px-2 py-0.5 text-xs hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-blue-500 disabled:cursor-not-allowed disabled:opacity-40 dark:border-slate-600 dark:bg-slate-800 dark:hover:bg-slate-700";

const fmt = (n: number | bigint): string => n.toLocaleString("en-US");
/** An exact count (a decimal string) with thousands separators. */
const exact = (n: string): string => fmt(BigInt(n));

const SEARCHES: { value: ExploreSearch; label: string }[] = [
  { value: "every", label: "every interleaving" },
  { value: "k1", label: "at most 1 preemption" },
  { value: "k2", label: "at most 2 preemptions" },
  { value: "k3", label: "at most 3 preemptions" },
  { value: "random", label: `${fmt(RANDOM_RUNS)} random interleavings (seed ${RANDOM_SEED})` },
];

/** What a finished search covered, in words. */
function covered(report: ExploreReport, max: number): string {
  const m = report.mode;
  if (m.kind === "random") return `Sampled ${fmt(m.runs)} random interleavings (seed ${m.seed})`;
  const within =
    m.kind === "preemptions" ? ` with at most ${m.bound} preemption${m.bound === 1 ? "" : "s"}` : "";
  if (report.complete) return within ? `Complete${within}` : "Complete";
  return `Stopped at the limit of ${fmt(max)} states${within} (outcomes met so far)`;
}

function Progress() {
  const status = useExplore((s) => s.status);
  const states = useExplore((s) => s.states);
  const max = useExplore((s) => s.maxStates);
  const elapsed = useExplore((s) => s.elapsedMs);
  const report = useExplore((s) => s.report);
  const error = useExplore((s) => s.error);
  const cancel = useExplore((s) => s.cancel);
  const depth = useExplore((s) => s.depth);
  const setSearch = useExplore((s) => s.setSearch);
  const start = useExplore((s) => s.start);
  if (status === "idle") return null;
  const running = status === "running";
  const pct = Math.min(100, (states / max) * 100);
  return (
    <div className="space-y-1" data-testid="explore-progress">
      <div className="flex items-center gap-2">
        <div
          role="progressbar"
          aria-label="Exploration progress"
          aria-valuemin={0}
          aria-valuemax={max}
          aria-valuenow={states}
          aria-valuetext={`${fmt(states)} states explored (limit ${fmt(max)})`}
          className="h-2.5 min-w-0 flex-1 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700"
        >
          <div
            className={`h-full rounded-full ${running ? "races-busy bg-blue-500 dark:bg-sky-500" : status === "done" ? "bg-emerald-500" : "bg-slate-400"}`}
            style={{
              width: running ? `${Math.max(12, pct)}%` : status === "done" ? "100%" : `${Math.max(2, pct)}%`,
            }}
          />
        </div>
        {running ? (
          <button type="button" className={small} onClick={cancel}>
            Cancel
          </button>
        ) : null}
      </div>
      <p
        className="text-xs text-slate-700 dark:text-slate-300"
        aria-live="polite"
        data-testid="explore-status"
      >
        {running
          ? `Exploring… ${fmt(states)} states so far, depth ${fmt(depth)}`
          : status === "done" && report
            ? `${covered(report, max)}: ${fmt(report.states)} states, ${exact(report.exactInterleavings)} interleavings, ${(elapsed / 1000).toFixed(1)} s.`
            : status === "cancelled"
              ? `Cancelled after ${fmt(states)} states.`
              : `The explorer failed: ${error ?? "unknown error"}`}
      </p>
      {status === "done" && report && report.stopped && report.mode.kind !== "random" ? (
        <p className="flex flex-wrap items-center gap-1 text-xs" data-testid="explore-suggest">
          The whole search does not fit in the limit. Cover instead
          <button
            type="button"
            className={small}
            onClick={() => {
              setSearch("k2");
              start();
            }}
          >
            every interleaving with at most 2 preemptions
          </button>
          or
          <button
            type="button"
            className={small}
            onClick={() => {
              setSearch("random");
              start();
            }}
          >
            {fmt(RANDOM_RUNS)} random interleavings
          </button>
        </p>
      ) : null}
    </div>
  );
}

function OutcomeRow({ o, shown, summary }: { o: Outcome; shown: boolean; summary?: OutcomeSummary }) {
  const openOutcome = useExplore((s) => s.openOutcome);
  const id = useId();
  const bad = o.violations.length > 0;
  return (
    <li
      data-testid="explore-outcome"
      data-violations={o.violations.join(" ")}
      data-step={o.step ?? ""}
      className={`flex items-center gap-2 rounded-md border px-2 py-1 ${
        bad
          ? "border-red-300 bg-red-50/60 dark:border-red-800 dark:bg-red-950/40"
          : "border-slate-200 dark:border-slate-700"
      }`}
    >
      <div id={id} className="min-w-0 flex-1 text-xs">
        <p className="flex flex-wrap items-baseline gap-1">
          {bad ? (
            o.violations.map((v) => (
              <span
                key={v}
                className="rounded bg-red-100 px-1 font-mono font-semibold text-red-800 dark:bg-red-900 dark:text-red-100"
              >
                {v}
              </span>
            ))
          ) : (
            <span className="rounded bg-emerald-100 px-1 font-mono text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">
              no violation
            </span>
          )}
          <span className="text-slate-600 dark:text-slate-300">
            × {exact(o.exactCount)} interleaving{o.exactCount === "1" ? "" : "s"}
          </span>
          {shown ? <span className="font-semibold text-blue-700 dark:text-sky-300">(shown)</span> : null}
        </p>
        <p className="text-[11px] text-slate-500 dark:text-slate-400">
          {o.step === null
            ? `runs to the end in ${o.schedule.length} steps`
            : `first broken at step ${o.step + 1} of ${o.schedule.length}`}
        </p>
        {summary ? (
          <p className="text-[11px] text-slate-600 dark:text-slate-300" data-testid="outcome-diff">
            {summary.decided
              ? `Decided at step ${summary.decided.step + 1}: ${summary.decided.here} here, ${summary.decided.there} in the other. `
              : ""}
            DMA: {summary.dmas.length > 0 ? summary.dmas.join("; ") : "none"} · final state{" "}
            <span className="font-mono">{summary.stateHash}</span>
          </p>
        ) : null}
      </div>
      <button
        type="button"
        className={small}
        aria-describedby={id}
        onClick={() => openOutcome(o)}
        title={o.step === null ? "Open this interleaving" : `Open this interleaving at step ${o.step + 1}`}
      >
        Open
      </button>
    </li>
  );
}

const FROM: { value: ExploreFrom; label: (n: number, cursor: number) => string }[] = [
  { value: "schedule", label: (n) => `after the scenario's schedule (${n} entr${n === 1 ? "y" : "ies"})` },
  { value: "cursor", label: (_n, cursor) => `after the steps up to the cursor (${cursor})` },
  { value: "start", label: () => "from step 0" },
];

export function ExplorePanel({ id }: { id: string }) {
  const report = useExplore((s) => s.report);
  const explored = useExplore((s) => s.explored);
  const status = useExplore((s) => s.status);
  const from = useExplore((s) => s.from);
  const max = useExplore((s) => s.maxStates);
  const setFrom = useExplore((s) => s.setFrom);
  const setMax = useExplore((s) => s.setMaxStates);
  const search = useExplore((s) => s.search);
  const setSearch = useExplore((s) => s.setSearch);
  const workers = useExplore((s) => s.workers);
  const setWorkers = useExplore((s) => s.setWorkers);
  const start = useExplore((s) => s.start);
  const setOpen = useExplore((s) => s.setOpen);
  const scheduleLength = useLab((s) => s.scenario.schedule?.length ?? 0);
  const cursor = useLab((s) => s.cursor);
  const shownSchedule = useLab((s) => (s.scenario.schedule ?? []).join(" "));
  const heading = useId();
  // Replays of each outcome's witness (a few short runs; none for a run that takes seconds).
  const summaries = useMemo(
    () =>
      explored &&
      report &&
      report.outcomes.length <= 12 &&
      report.outcomes.every((o) => o.schedule.length <= 2000)
        ? summarizeOutcomes(explored, report.outcomes)
        : null,
    [explored, report],
  );

  const onKey = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.key === "Escape") {
      e.stopPropagation();
      setOpen(false);
    }
  };

  return (
    <div
      id={id}
      role="dialog"
      aria-modal="false"
      aria-labelledby={heading}
      onKeyDown={onKey}
      data-testid="explore-panel"
      className="absolute top-full right-2 z-30 mt-1 flex max-h-[min(34rem,72vh)] w-[min(30rem,calc(100vw-1rem))] flex-col gap-2 overflow-y-auto rounded-lg border border-slate-300 bg-white p-3 text-sm shadow-xl dark:border-slate-600 dark:bg-slate-900"
    >
      <header className="flex items-baseline justify-between gap-2">
        <h2 id={heading} className="text-sm font-semibold">
          Explorer: every interleaving
        </h2>
        <button type="button" className={small} onClick={() => setOpen(false)}>
          Close
        </button>
      </header>
      <p className="text-xs text-slate-600 dark:text-slate-300">
        Tries every order in which the threads, the SMMU and the SRCU callbacks can step, with states
        deduplicated, and lists the distinct outcomes, as <code className="font-mono">sva-lab explore</code>{" "}
        does. It runs in a worker: the page stays usable.
      </p>
      <fieldset className="text-xs">
        <legend className="font-semibold">Branch</legend>
        {FROM.map((f) => (
          <label key={f.value} className="mr-3 inline-flex items-center gap-1">
            <input
              type="radio"
              name={`${heading}-from`}
              value={f.value}
              checked={from === f.value}
              onChange={() => setFrom(f.value)}
            />
            {f.label(scheduleLength, cursor)}
          </label>
        ))}
      </fieldset>
      <div className="flex flex-wrap items-center gap-2 text-xs">
        <label className="flex items-center gap-1">
          Search
          <select
            className="rounded border border-slate-300 bg-white px-1 py-0.5 dark:border-slate-600 dark:bg-slate-800"
            aria-label="Search mode"
            value={search}
            onChange={(e) => setSearch(e.target.value as ExploreSearch)}
          >
            {SEARCHES.map((x) => (
              <option key={x.value} value={x.value}>
                {x.label}
              </option>
            ))}
          </select>
        </label>
        <label className="flex items-center gap-1">
          State limit
          <select
            className="rounded border border-slate-300 bg-white px-1 py-0.5 dark:border-slate-600 dark:bg-slate-800"
            value={max}
            onChange={(e) => setMax(Number(e.target.value))}
          >
            {STATE_LIMITS.map((n) => (
              <option key={n} value={n}>
                {fmt(n)}
              </option>
            ))}
          </select>
        </label>
        <label
          className="flex items-center gap-1"
          title="Past 20,000 states, split the search across this many workers (the same outcomes; each worker keeps its own visited states, so they repeat some of each other's work)"
        >
          Workers
          <select
            aria-label="Workers"
            className="rounded border border-slate-300 bg-white px-1 py-0.5 dark:border-slate-600 dark:bg-slate-800"
            value={workers}
            onChange={(e) => setWorkers(Number(e.target.value))}
          >
            {[1, 2, 4].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className={small} onClick={start}>
          {status === "running" ? "Restart" : "Explore again"}
        </button>
      </div>
      <Progress />
      {explored && report ? (
        <section aria-label="Outcomes" className="space-y-1">
          <h3 className="text-xs font-semibold">
            {report.outcomes.length} distinct outcome{report.outcomes.length === 1 ? "" : "s"}
            <span className="font-normal text-slate-500 dark:text-slate-400">
              {" "}
              · explored “{explored.title}”
              {explored.schedule?.length
                ? ` after ${explored.schedule.length} fixed entries`
                : " from step 0"}
            </span>
          </h3>
          <ul className="space-y-1" data-testid="explore-outcomes">
            {report.outcomes.map((o, i) => (
              <OutcomeRow
                key={o.violations.join() || "ok"}
                o={o}
                shown={o.schedule.join(" ") === shownSchedule}
                summary={summaries?.[i]}
              />
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
