/**
 * The steps of the run: index, actor, kernel function and explanation; the step just taken
 * (the world shown is the one after it) highlighted and kept in view; violations in red.
 * Clicking a step moves the cursor to just after it. One row is in the tab order (the
 * current one); ↑ and ↓ move along the list. A long run draws only the rows in view
 * (useVirtualRows): 14,000 rows would cost more to diff than a step does to compute.
 */

import { type KeyboardEvent, memo, useEffect, useMemo, useRef } from "react";
import { useLab } from "../../../store/store.ts";
import type { StepRecord, Violation } from "../../../view/index.ts";
import { SourceLink } from "../../app/SourceLink.tsx";
import { useCursor } from "../../app/useSnapshot.ts";
import { TermText } from "../../glossary/Term.tsx";
import { useVirtualRows } from "../useVirtualRows.ts";
import { ViolationWhy } from "./ViolationWhy.tsx";

const ACTOR_STYLE: Record<string, string> = {
  smmu: "bg-cyan-100 text-cyan-900 dark:bg-cyan-950 dark:text-cyan-200",
  srcu: "bg-violet-100 text-violet-900 dark:bg-violet-950 dark:text-violet-200",
};
const THREAD_STYLE = "bg-slate-200 text-slate-800 dark:bg-slate-700 dark:text-slate-100";

interface RowProps {
  readonly step: StepRecord | null;
  readonly cursorAfter: number;
  readonly current: boolean;
  readonly violations: readonly Violation[];
  readonly onPick: (cursor: number) => void;
  /** The release modelled, for the function's source link. */
  readonly release: string;
}

const Row = memo(function Row({ step, cursorAfter, current, violations, onPick, release }: RowProps) {
  const bad = violations.length > 0;
  return (
    <li
      data-testid="timeline-step"
      data-row={cursorAfter}
      data-current={current || undefined}
      data-violation={bad || undefined}
      className="pb-0.5"
    >
      {/* The row's card: a click anywhere on it picks the step, as its button (the keyboard's way in) does;
          the text's glossary links are buttons of their own, so the text cannot sit inside that button. */}
      {/* biome-ignore lint/a11y/noStaticElementInteractions: a larger mouse target for the row's button */}
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: the row's button takes the keyboard */}
      <div
        onClick={() => onPick(cursorAfter)}
        className={`cursor-pointer rounded-md border px-2 py-1 text-xs has-[>button:focus-visible]:outline-2 has-[>button:focus-visible]:outline-blue-500 ${
          current
            ? "border-blue-500 bg-blue-50 dark:border-sky-400 dark:bg-sky-950"
            : bad
              ? "border-red-300 bg-red-50/60 hover:bg-red-50 dark:border-red-800 dark:bg-red-950/40"
              : "border-transparent hover:bg-slate-100 dark:hover:bg-slate-800"
        }`}
      >
        <button
          type="button"
          tabIndex={current ? 0 : -1}
          data-cursor={cursorAfter}
          aria-current={current ? "step" : undefined}
          onClick={(e) => {
            e.stopPropagation();
            onPick(cursorAfter);
          }}
          className="block w-full text-left focus-visible:outline-none"
        >
          {step === null ? (
            <span className="text-slate-600 dark:text-slate-300">Booted: the world before any step</span>
          ) : (
            <span className="flex items-baseline gap-1.5">
              <span className="w-7 shrink-0 text-right font-mono tabular-nums text-slate-500 dark:text-slate-400">
                {step.index + 1}
              </span>
              <span
                className={`shrink-0 rounded px-1 font-mono text-[10px] ${ACTOR_STYLE[step.actor] ?? THREAD_STYLE}`}
              >
                {step.actor}
              </span>
              <code className="min-w-0 font-mono text-[11px] font-semibold [overflow-wrap:anywhere]">
                {step.fn}
              </code>
            </span>
          )}
        </button>
        {step?.text ? (
          <span className="mt-0.5 block pl-8.5 text-slate-700 dark:text-slate-300">
            <TermText text={step.text} focusable={current} />
            <SourceLink release={release} actor={step.actor} fn={step.fn} focusable={current} />
          </span>
        ) : null}
        {violations.map((v) => (
          <span
            key={`${v.kind}:${v.text}`}
            className="mt-0.5 block pl-8.5 font-medium text-red-700 dark:text-red-400"
            data-testid="violation"
          >
            ⚠ <TermText text={`${v.kind}: ${v.text}`} focusable={current} />
            <ViolationWhy kind={v.kind} focusable={current} />
          </span>
        ))}
      </div>
    </li>
  );
});

const NO_VIOLATIONS: readonly Violation[] = [];

export function Timeline() {
  const steps = useLab((s) => s.result.steps);
  const release = useLab((s) => s.scenario.kernel);
  const violations = useLab((s) => s.result.violations);
  const cursor = useCursor();
  const goTo = useLab((s) => s.goTo);
  const pause = useLab((s) => s.pause);
  const list = useRef<HTMLOListElement>(null);
  const byStep = useMemo(() => {
    const m = new Map<number, Violation[]>();
    for (const v of violations) m.set(v.step, [...(m.get(v.step) ?? []), v]);
    return m;
  }, [violations]);
  const pick = useMemo(
    () => (c: number) => {
      pause();
      goTo(c);
    },
    [goTo, pause],
  );

  // Row r is the world after r steps: row 0 is the booted world, row i + 1 is step i.
  const rows = useVirtualRows(list, steps.length + 1, 44);
  const scrollTo = rows.scrollTo;
  useEffect(() => {
    // In the next frame, after every panel has drawn: reading the layout here (to scroll)
    // would compute it once now and again after the next panel's change.
    const frame = requestAnimationFrame(() => {
      scrollTo(cursor);
      const el = list.current?.querySelector<HTMLButtonElement>(`[data-cursor="${cursor}"]`);
      if (el && list.current?.contains(document.activeElement)) el.focus({ preventScroll: true });
    });
    return () => cancelAnimationFrame(frame);
  }, [cursor, scrollTo]);

  const onKey = (e: KeyboardEvent<HTMLOListElement>): void => {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    e.preventDefault();
    pick(cursor + (e.key === "ArrowDown" ? 1 : -1));
  };

  const drawn: ReturnType<typeof Row>[] = [];
  for (let r = rows.start; r < rows.end; r++) {
    const s = r === 0 ? null : steps[r - 1]!;
    drawn.push(
      <Row
        key={r}
        step={s}
        cursorAfter={r}
        current={cursor === r}
        violations={s === null ? NO_VIOLATIONS : (byStep.get(s.index) ?? NO_VIOLATIONS)}
        onPick={pick}
        release={release}
      />,
    );
  }
  return (
    <ol ref={list} aria-label="Steps" className="flex flex-col" onKeyDown={onKey}>
      {rows.before > 0 ? <li aria-hidden="true" style={{ height: rows.before }} /> : null}
      {drawn}
      {rows.after > 0 ? <li aria-hidden="true" style={{ height: rows.after }} /> : null}
    </ol>
  );
}
