/**
 * Manual interleaving: at the cursor, who may take the next step. Each runnable actor is a
 * button ("Run T1 next") with the kernel function it would run; the others are shown disabled
 * with the reason (the lock they wait for, the empty command queue). Picking one re-runs the
 * scenario with that choice in its schedule (the link follows) and moves onto the new step.
 */

import { memo, useCallback, useId } from "react";
import { useLab } from "../../store/store.ts";
import { useActors } from "../useSnapshot.ts";

/** One actor's line; re-rendered only when what it says changes (the large scenario has 68). */
const ActorLine = memo(function ActorLine(props: {
  name: string;
  runnable: boolean;
  text: string;
  inRun: boolean;
  why: string;
  onPick: (actor: string) => void;
}) {
  const { name, runnable, text, inRun, why, onPick } = props;
  return (
    <li className="flex items-center gap-1.5" data-actor={name}>
      <button
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
  const setError = useLab((s) => s.setError);
  const actors = useActors();
  const inRun = result.steps[cursor]?.actor ?? null;
  const id = useId();
  const runnable = actors.filter((a) => a.runnable).length;

  const pick = useCallback(
    (actor: string): void => {
      const error = chooseNext(actor);
      if (error !== null) setError(`${actor} could not take the next step: ${error}`);
    },
    [chooseNext, setError],
  );

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
        {actors.map((a) => (
          <ActorLine
            key={a.name}
            name={a.name}
            runnable={a.runnable}
            text={a.runnable ? (a.next ?? "") : (a.why ?? "cannot step")}
            inRun={a.name === inRun}
            why={`${id}-${a.name}`}
            onPick={pick}
          />
        ))}
      </ul>
    </section>
  );
}
