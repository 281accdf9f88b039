/**
 * Manual interleaving: at the cursor, who may take the next step. Each runnable actor is a
 * button ("Run T1 next") with the kernel function it would run, numbered for the keys 1…9, and
 * a thread's "to op end" runs it to the end of its current op; the others are shown disabled
 * with the reason (the lock they wait for, the empty command queue). Picking one re-runs the
 * scenario with that choice in its schedule (the link follows) and moves onto the new step; the
 * run left behind stays as a branch (Branches, under the list), one click away.
 */

import { type KeyboardEvent, memo, useCallback, useId, useLayoutEffect, useRef, useState } from "react";
import { useBranches } from "../../../store/branches.ts";
import { useLab } from "../../../store/store.ts";
import { useActors } from "../../app/useSnapshot.ts";
import { FixedRows, rowStyle } from "../FixedRows.tsx";

/** One line: a button 18 px high and a pixel apart. */
const ROW_H = 19;

/** One actor's line; re-rendered only when what it says changes (the large scenario has 68). */
const ActorLine = memo(function ActorLine(props: {
  index: number;
  name: string;
  runnable: boolean;
  /** Its number for the keys 1…9 (0: none). */
  choice: number;
  text: string;
  inRun: boolean;
  why: string;
  onPick: (actor: string) => void;
  onFinish: (actor: string) => void;
}) {
  const { index, name, runnable, choice, text, inRun, why, onPick, onFinish } = props;
  const thread = name !== "smmu" && name !== "iopf" && name !== "srcu";
  return (
    <li className="flex items-center gap-1.5" style={rowStyle(index, ROW_H)} data-actor={name}>
      <span
        aria-hidden="true"
        className="w-3 shrink-0 text-right font-mono text-[10px] text-slate-500 dark:text-slate-400"
        data-testid="choice-number"
      >
        {choice > 0 ? choice : ""}
      </span>
      <button
        aria-keyshortcuts={choice > 0 ? String(choice) : undefined}
        type="button"
        disabled={!runnable}
        onClick={() => onPick(name)}
        aria-describedby={why}
        className={`shrink-0 rounded border px-1.5 font-mono text-[11px] leading-4 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-blue-500 disabled:cursor-not-allowed disabled:opacity-45 ${
          inRun
            ? "border-blue-500 bg-blue-50 hover:bg-blue-100 dark:border-sky-400 dark:bg-sky-950 dark:hover:bg-sky-900"
            : "border-slate-300 bg-white hover:bg-slate-100 dark:border-slate-600 dark:bg-slate-800 dark:hover:bg-slate-700"
        }`}
      >
        Run {name} next
      </button>
      {thread ? (
        <button
          type="button"
          disabled={!runnable}
          onClick={() => onFinish(name)}
          aria-label={`Run ${name} to the end of its op`}
          title={`Run ${name} to the end of its op (the SMMU consuming as needed)`}
          className="shrink-0 rounded border border-slate-300 px-1 text-[10px] leading-4 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-blue-500 disabled:cursor-not-allowed disabled:opacity-40 dark:border-slate-600 dark:hover:bg-slate-700"
        >
          ⇥ op end
        </button>
      ) : null}
      <span
        id={why}
        title={text}
        className={`min-w-0 truncate ${runnable ? "font-mono text-[11px]" : "text-slate-500 italic dark:text-slate-400"}`}
      >
        {inRun ? <span className="not-italic text-blue-700 dark:text-sky-300">▸ </span> : null}
        {text}
      </span>
    </li>
  );
});

export function NextStep() {
  const result = useLab((s) => s.result);
  const cursor = useLab((s) => s.cursor);
  const chooseNext = useLab((s) => s.chooseNext);
  const finishOp = useLab((s) => s.finishOp);
  const setError = useLab((s) => s.setError);
  const actors = useActors();
  const inRun = result.steps[cursor]?.actor ?? null;
  const id = useId();
  const runnable = actors.filter((a) => a.runnable).length;

  // The list draws the lines in view and the one with the focus; ↑/↓ on a button moves to the
  // previous or next thread that can step (scrolling it into view), beyond the lines drawn that
  // Tab goes through.
  const box = useRef<HTMLDivElement>(null);
  const [focusAt, setFocusAt] = useState<number | null>(null);
  const [moveTo, setMoveTo] = useState<number | null>(null);
  const indexOf = (el: EventTarget): number => {
    const name = (el as Element).closest?.<HTMLElement>("[data-actor]")?.dataset.actor;
    return actors.findIndex((a) => a.name === name);
  };
  const onKeyDown = (e: KeyboardEvent): void => {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    const from = indexOf(e.target);
    if (from < 0) return;
    const step = e.key === "ArrowDown" ? 1 : -1;
    let j = from + step;
    while (j >= 0 && j < actors.length && !actors[j]!.runnable) j += step;
    e.preventDefault();
    if (j < 0 || j >= actors.length) return;
    const el = box.current;
    if (el) {
      if (j * ROW_H < el.scrollTop) el.scrollTop = j * ROW_H;
      else if ((j + 1) * ROW_H > el.scrollTop + el.clientHeight)
        el.scrollTop = (j + 1) * ROW_H - el.clientHeight;
    }
    setMoveTo(j);
  };
  useLayoutEffect(() => {
    if (moveTo === null) return;
    box.current?.querySelector<HTMLButtonElement>(`[data-actor="${actors[moveTo]?.name}"] button`)?.focus();
    setMoveTo(null);
  }, [moveTo, actors]);

  const pick = useCallback(
    (actor: string): void => {
      const error = chooseNext(actor);
      if (error !== null) setError(`${actor} could not take the next step: ${error}`);
    },
    [chooseNext, setError],
  );
  const finish = useCallback(
    (actor: string): void => {
      const error = finishOp(actor);
      if (error !== null) setError(`${actor} could not run to the end of its op: ${error}`);
    },
    [finishOp, setError],
  );
  // The keys 1…9 pick the runnable actors in the order listed.
  const choices = new Map<string, number>();
  for (const a of actors) if (a.runnable && choices.size < 9) choices.set(a.name, choices.size + 1);

  return (
    <section aria-labelledby={`${id}-h`} className="flex min-h-0 flex-col" data-testid="next-step">
      {/* Chromium lays a flex item out with its container, so the text that changes at every
          step sits in a size-contained block inside the heading: a relayout boundary. */}
      <h2
        id={`${id}-h`}
        className="shrink-0 text-sm font-semibold"
        title="▸ marks who goes next in this run; choosing another re-runs the scenario from here with that choice in its schedule (the link keeps it)."
      >
        <span className="block h-5 truncate [contain:strict]">
          Next step{" "}
          <span className="text-xs font-normal text-slate-500 dark:text-slate-400">
            {runnable === 0 ? "· nothing can step" : `· after step ${cursor}`}
          </span>
        </span>
      </h2>
      {/* The list's box is size-contained (its height is the rows', capped by the strip) and
          placed absolutely: a relayout boundary. Only the lines in view are drawn. */}
      <div className="relative mt-0.5 min-h-0" style={{ flexBasis: `${actors.length * ROW_H}px` }}>
        {/* biome-ignore lint/a11y/noStaticElementInteractions: ↑/↓ between the buttons inside */}
        <div
          ref={box}
          className="absolute inset-0 overflow-y-auto pr-1 text-xs [contain:strict]"
          onKeyDown={onKeyDown}
          onFocus={(e) => setFocusAt(indexOf(e.target))}
        >
          <FixedRows
            count={actors.length}
            rowHeight={ROW_H}
            keep={(i) => i === focusAt || i === moveTo}
            row={(i) => {
              const a = actors[i]!;
              return (
                <ActorLine
                  key={a.name}
                  index={i}
                  name={a.name}
                  runnable={a.runnable}
                  choice={choices.get(a.name) ?? 0}
                  text={a.runnable ? (a.next ?? "") : (a.why ?? "cannot step")}
                  inRun={a.name === inRun}
                  why={`${id}-${a.name}`}
                  onPick={pick}
                  onFinish={finish}
                />
              );
            }}
          />
        </div>
      </div>
      <BranchList />
    </section>
  );
}

/** The runs left behind by a choice: each one click away (its link is then the page's). */
function BranchList() {
  const list = useBranches((s) => s.list);
  const setError = useLab((s) => s.setError);
  if (list.length === 0) return null;
  return (
    <div className="mt-0.5 flex shrink-0 flex-wrap items-center gap-1 text-[11px]" data-testid="branches">
      <span className="text-slate-500 dark:text-slate-400">Branches:</span>
      {list.map((b, i) => (
        <button
          key={b.schedule.join(" ")}
          type="button"
          data-testid="branch"
          title={`The run in which ${b.actor} took step ${b.from + 1}, at step ${b.cursor} (${b.schedule.length} steps)`}
          className="rounded border border-slate-300 px-1 font-mono leading-4 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-blue-500 dark:border-slate-600 dark:hover:bg-slate-700"
          onClick={() => {
            const error = useBranches.getState().open(i);
            if (error !== null) setError(`the branch could not be opened: ${error}`);
          }}
        >
          ↩ {b.actor} at step {b.from + 1}
        </button>
      ))}
    </div>
  );
}
