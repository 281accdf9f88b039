/**
 * Manual interleaving: at the cursor, who may take the next step. Each runnable actor is a
 * button ("Run T1 next") with the kernel function it would run; the others are shown disabled
 * with the reason (the lock they wait for, the empty command queue). Picking one re-runs the
 * scenario with that choice in its schedule (the link follows) and moves onto the new step.
 */

import { useId, useMemo } from "react";
import { actorsAt } from "../../kernel/index.ts";
import { useLab } from "../../store/store.ts";

export function NextStep() {
  const result = useLab((s) => s.result);
  const cursor = useLab((s) => s.cursor);
  const chooseNext = useLab((s) => s.chooseNext);
  const setError = useLab((s) => s.setError);
  const actors = useMemo(() => actorsAt(result, cursor), [result, cursor]);
  const inRun = result.steps[cursor]?.actor ?? null;
  const id = useId();
  const runnable = actors.filter((a) => a.runnable).length;

  const pick = (actor: string): void => {
    const error = chooseNext(actor);
    if (error !== null) setError(`${actor} could not take the next step: ${error}`);
  };

  return (
    <section aria-labelledby={`${id}-h`} className="flex min-h-0 flex-col" data-testid="next-step">
      <h2
        id={`${id}-h`}
        className="truncate text-sm font-semibold"
        title="▸ marks who goes next in this run; choosing another re-runs the scenario from here with that choice in its schedule (the link keeps it)."
      >
        Next step{" "}
        <span className="text-xs font-normal text-slate-500 dark:text-slate-400">
          {runnable === 0 ? "· nothing can step" : `· after step ${cursor}`}
        </span>
      </h2>
      <ul className="mt-0.5 min-h-0 space-y-px overflow-y-auto pr-1 text-xs">
        {actors.map((a) => {
          const why = `${id}-${a.name}`;
          const text = a.runnable ? (a.next ?? "") : (a.why ?? "cannot step");
          return (
            <li key={a.name} className="flex items-center gap-1.5" data-actor={a.name}>
              <button
                type="button"
                disabled={!a.runnable}
                onClick={() => pick(a.name)}
                aria-describedby={why}
                className={`shrink-0 rounded border px-1.5 font-mono text-[11px] leading-4 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-blue-500 disabled:cursor-not-allowed disabled:opacity-45 ${
                  a.name === inRun
                    ? "border-blue-500 bg-blue-50 hover:bg-blue-100 dark:border-sky-400 dark:bg-sky-950 dark:hover:bg-sky-900"
                    : "border-slate-300 bg-white hover:bg-slate-100 dark:border-slate-600 dark:bg-slate-800 dark:hover:bg-slate-700"
                }`}
              >
                Run {a.name} next
              </button>
              <span
                id={why}
                title={text}
                className={`min-w-0 truncate ${
                  a.runnable ? "font-mono text-[11px]" : "text-slate-500 italic dark:text-slate-400"
                }`}
              >
                {a.name === inRun ? (
                  <span className="not-italic text-blue-700 dark:text-sky-300">▸ </span>
                ) : null}
                {text}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
