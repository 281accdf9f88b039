/**
 * The breakpoints panel of the teaching bar: add one on a kernel function, a command opcode or
 * a fault, list and remove them, "Run to breakpoint". Fetched the first time it opens.
 */

import { type FormEvent, type KeyboardEvent, useEffect, useId, useMemo, useRef, useState } from "react";
import {
  ANY_VIOLATION,
  type Breakpoint,
  type BreakpointKind,
  breakpointKey,
  hitSteps,
  useBreakpoints,
} from "../../../store/breakpoints.ts";
import { useLab } from "../../../store/store.ts";
import { CMDQ_OP, EVENTS } from "../../../view/index.ts";
import { CmdButton, small } from "./TeachBar.tsx";

const VIOLATION_KINDS = [
  "stale-translation",
  "use-after-free",
  "pasid-reuse",
  "asid-conflict",
  "walk-freed-table",
  "refcount",
  "deadlock",
  "leak",
  "stale-cd",
  "foreign-cd-write",
  "livelock",
  "stale-config",
  "lost-binding",
];

const KINDS: readonly { id: BreakpointKind; label: string; hint: string }[] = [
  { id: "fn", label: "Kernel function", hint: "a step that runs it, e.g. arm_smmu_mm_release" },
  { id: "cmd", label: "Command queued", hint: "a step that queues one, e.g. ATC_INV" },
  { id: "fault", label: "Fault or violation", hint: "an event type or a violation kind, e.g. F_TRANSLATION" },
];

const describe = (b: Breakpoint): string =>
  b.kind === "fn" ? `function ${b.name}` : b.kind === "cmd" ? `command ${b.name}` : `fault ${b.name}`;

export function BreakpointsPanel({ id, onClose }: { id: string; onClose: () => void }) {
  const list = useBreakpoints((s) => s.list);
  const add = useBreakpoints((s) => s.add);
  const remove = useBreakpoints((s) => s.remove);
  const clear = useBreakpoints((s) => s.clear);
  const steps = useLab((s) => s.result.steps);
  const goTo = useLab((s) => s.goTo);
  const pause = useLab((s) => s.pause);
  const [kind, setKind] = useState<BreakpointKind>("cmd");
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const listId = useId();
  const kindId = useId();
  const nameId = useId();
  const errorId = useId();

  useEffect(() => {
    input.current?.focus();
  }, []);

  const suggestions = useMemo(() => {
    if (kind === "cmd") return Object.keys(CMDQ_OP);
    if (kind === "fault") return [ANY_VIOLATION, ...VIOLATION_KINDS, ...Object.keys(EVENTS)];
    const fns = new Set<string>();
    for (const s of steps) {
      fns.add(s.fn.split(/[ (]/, 1)[0] ?? s.fn);
      fns.add(s.fn);
    }
    return [...fns].sort();
  }, [kind, steps]);
  const hits = hitSteps(steps, list);

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const err = add({ kind, name });
    setError(err);
    if (err === null) setName("");
  };
  const onKey = (e: KeyboardEvent): void => {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      onClose();
    }
  };
  const hint = KINDS.find((k) => k.id === kind)!.hint;
  return (
    <section
      id={id}
      role="dialog"
      aria-label="Breakpoints"
      data-testid="breakpoints"
      onKeyDown={onKey}
      className="absolute top-full right-0 z-40 mt-1 w-[min(24rem,calc(100vw-1rem))] rounded-lg border border-slate-300 bg-white p-2.5 text-xs text-slate-900 shadow-xl dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100"
    >
      <div className="mb-1.5 flex items-center justify-between gap-2">
        <h2 className="text-sm font-semibold">Breakpoints</h2>
        <button type="button" className={small} onClick={onClose}>
          Close breakpoints
        </button>
      </div>
      <p className="mb-1.5 text-slate-600 dark:text-slate-300">
        Play stops just after a step that hits one; “Run to breakpoint” (c) jumps there. Kept in this browser.
      </p>
      <form onSubmit={submit} className="flex flex-wrap items-end gap-1.5">
        <label htmlFor={kindId} className="sr-only">
          Breakpoint on
        </label>
        <select
          id={kindId}
          value={kind}
          onChange={(e) => {
            setKind(e.target.value as BreakpointKind);
            setError(null);
          }}
          className="rounded border border-slate-300 bg-white px-1 py-0.5 dark:border-slate-600 dark:bg-slate-800"
        >
          {KINDS.map((k) => (
            <option key={k.id} value={k.id}>
              {k.label}
            </option>
          ))}
        </select>
        <label htmlFor={nameId} className="sr-only">
          Name
        </label>
        <input
          id={nameId}
          ref={input}
          list={listId}
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder={
            kind === "cmd" ? "ATC_INV" : kind === "fault" ? "F_TRANSLATION" : "arm_smmu_mm_release"
          }
          spellCheck={false}
          aria-describedby={error ? errorId : undefined}
          className="min-w-0 flex-1 rounded border border-slate-300 bg-white px-1 py-0.5 font-mono dark:border-slate-600 dark:bg-slate-800"
        />
        <datalist id={listId}>
          {suggestions.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
        <button type="submit" className={small}>
          Add breakpoint
        </button>
      </form>
      <p className="mt-0.5 text-[11px] text-slate-500 dark:text-slate-400">Stops at {hint}.</p>
      {error ? (
        <p id={errorId} role="alert" className="mt-1 text-red-700 dark:text-red-400">
          {error}
        </p>
      ) : null}
      <ul aria-label="Breakpoints set" className="mt-2 space-y-1" data-testid="breakpoint-list">
        {list.length === 0 ? <li className="text-slate-500 dark:text-slate-400">None yet.</li> : null}
        {list.map((b) => {
          const mine = hitSteps(steps, [b]);
          return (
            <li key={breakpointKey(b)} className="flex items-center gap-1.5" data-testid="breakpoint">
              <span className="min-w-0 flex-1 truncate font-mono" title={describe(b)}>
                {describe(b)}
              </span>
              <span className="shrink-0 text-slate-500 dark:text-slate-400">
                {mine.length === 0
                  ? "no hit in this run"
                  : `${mine.length} hit${mine.length === 1 ? "" : "s"}`}
              </span>
              <button
                type="button"
                className={small}
                aria-label={`Remove the breakpoint on ${describe(b)}`}
                onClick={() => remove(b)}
              >
                Remove
              </button>
            </li>
          );
        })}
      </ul>
      {list.length > 0 ? (
        <div className="mt-2 flex flex-wrap items-center gap-1.5">
          <CmdButton name="run-to-breakpoint">Run to breakpoint</CmdButton>
          <button type="button" className={small} onClick={clear}>
            Remove all
          </button>
          {hits.length > 0 ? (
            <span className="text-slate-500 dark:text-slate-400">
              steps{" "}
              {hits.slice(0, 8).map((i, k) => (
                <span key={i}>
                  {k > 0 ? ", " : ""}
                  <button
                    type="button"
                    className="underline decoration-dotted hover:text-blue-700 dark:hover:text-sky-300"
                    aria-label={`Go to step ${i + 1}`}
                    onClick={() => {
                      pause();
                      goTo(i + 1);
                    }}
                  >
                    {i + 1}
                  </button>
                </span>
              ))}
              {hits.length > 8 ? ", …" : ""}
            </span>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
