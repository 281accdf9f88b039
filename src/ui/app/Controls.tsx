/**
 * The step controls (CONTRACT §6): Reset, Step back, Play/Pause, Step forward, the speed, the
 * position `Step N / M`, and what the runner would print for the state at the cursor: the
 * state hash, the PASIDs and ASIDs of the run, its violations.
 */

import { useMemo } from "react";
import { useLayout } from "../../store/layout.ts";
import { SPEEDS, type Speed, useLab } from "../../store/store.ts";
import type { World } from "../../view/index.ts";
import { buttonClass } from "./button.ts";
import { COMMANDS, type Command, keyName, perform } from "./commands.ts";
import { TeachBar } from "./teach/TeachBar.tsx";
import { useStateHash, useWorld } from "./useSnapshot.ts";

/** Icon paths on a 16×16 grid (fonts may lack the media-control glyphs). */
const ICONS: Partial<Record<Command["name"], string>> = {
  reset: "M3 3h2v10H3zM13 3v10L6 8z",
  "step-back": "M12 3v10L5 8z",
  "play-pause": "M5 3v10l8-5z",
  "step-forward": "M4 3v10l7-5zM11 3h2v10h-2z",
};
const PAUSE = "M4 3h3v10H4zM9 3h3v10H9z";

function Icon({ d }: { d: string }) {
  return (
    <svg
      viewBox="0 0 16 16"
      width="12"
      height="12"
      aria-hidden="true"
      className="mr-1 inline-block fill-current align-[-1px]"
    >
      <path d={d} />
    </svg>
  );
}

/** The one filled button of the page: what a learner does first and most. */
const PRIMARY =
  "rounded-md border border-blue-700 bg-blue-600 px-2.5 py-1 text-sm font-semibold text-white hover:bg-blue-700 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-blue-500 dark:border-sky-400 dark:bg-sky-600 dark:hover:bg-sky-500";

function CommandButton({ c }: { c: Command }) {
  const label = useLab(c.label);
  const enabled = useLab((s) => c.enabled(s));
  return (
    <button
      type="button"
      data-primary={c.name === "step-forward" || undefined}
      className={`${c.name === "step-forward" ? PRIMARY : buttonClass} disabled:cursor-not-allowed disabled:opacity-40`}
      disabled={!enabled}
      onClick={() => perform(c.name)}
      title={`${label} (${c.keys.map(keyName).join(", ")})`}
    >
      <Icon d={c.name === "play-pause" && label === "Pause" ? PAUSE : (ICONS[c.name] ?? "")} />
      {label}
    </button>
  );
}

/** Beyond this many bound processes the list is cut short (all of them in its tooltip). */
const SHOWN_PASIDS = 3;

/**
 * The PASIDs bound in the world at the cursor, with their ASIDs: what the panels show now, not
 * what the run hands out later (the state hash and the violation count describe the cursor too).
 */
function boundAt(w: World): string[] {
  const out = new Map<string, string>();
  for (const o of Object.values(w.kernel.objects)) {
    if (o.state === "freed" || typeof o.fields.pasid !== "number" || out.has(o.process)) continue;
    const asid = typeof o.fields.asid === "number" ? `, ASID ${o.fields.asid}` : "";
    out.set(o.process, `${o.process}: PASID ${o.fields.pasid}${asid}`);
  }
  return [...out.values()];
}

function Summary() {
  const trace = useLab((s) => s.trace);
  const cursor = useLab((s) => s.cursor);
  const world = useWorld();
  const hash = useStateHash();
  const seen = trace.violations.filter((v) => v.step < cursor).length;
  const all = useMemo(() => boundAt(world), [world]);
  return (
    <dl className="flex flex-wrap items-baseline gap-x-4 gap-y-0.5 text-xs">
      <div className="flex gap-1">
        <dt className="text-slate-500 dark:text-slate-400">state hash</dt>
        {/* A contained box the size of a hash (16 hex digits; a block in the flex item, which
            Chromium could not lay out alone): a step lays out its text, not the bar. */}
        <dd className="font-mono" data-testid="state-hash" aria-busy={hash === null || undefined}>
          <span className="block h-4 w-[17ch] whitespace-nowrap [contain:strict]">
            {hash ?? "computing…"}
          </span>
        </dd>
      </div>
      <div className="flex gap-1" data-testid="pasids">
        <dt className="text-slate-500 dark:text-slate-400" title="Bound in the world at this step">
          PASIDs now
        </dt>
        <dd
          className="max-w-[28rem] truncate font-mono"
          title={all.length > SHOWN_PASIDS ? all.join("; ") : undefined}
        >
          {all.length === 0
            ? "none bound"
            : all.length > SHOWN_PASIDS
              ? `${all.slice(0, 2).join("; ")}; … ${all.length - 2} more`
              : all.join("; ")}
        </dd>
      </div>
      <div className="flex gap-1">
        <dt className="text-slate-500 dark:text-slate-400">violations</dt>
        <dd
          data-testid="violation-count"
          className={seen > 0 ? "font-semibold text-red-700 dark:text-red-400" : ""}
        >{`${seen} so far, ${trace.violations.length} in the run`}</dd>
      </div>
    </dl>
  );
}

/**
 * `Step N / M`, the one part of the bar that changes at every step: its own component, its text
 * in a contained box (a block inside the flex item: Chromium lays out a flex item with its
 * container) as wide as the longest position of the run, so a step lays out that text alone.
 * (Not the whole bar contained: that would put the breakpoints popup under the panels.)
 */
function Position() {
  const cursor = useLab((s) => s.cursor);
  const total = useLab((s) => s.result.steps.length);
  const digits = String(total).length;
  return (
    <output className="font-mono text-sm font-semibold tabular-nums" data-testid="position" aria-live="off">
      <span className="block h-5 whitespace-nowrap [contain:strict]" style={{ width: `${9 + 2 * digits}ch` }}>
        Step {cursor} / {total}
      </span>
    </output>
  );
}

export function Controls() {
  const speed = useLab((s) => s.speed);
  const setSpeed = useLab((s) => s.setSpeed);
  // Embedded in slides or a post: the step controls and the position only.
  const embed = useLayout((s) => s.embed);
  return (
    <nav
      aria-label="Step controls"
      className="flex flex-wrap items-center gap-x-3 gap-y-1 border-b border-slate-200 bg-slate-100 px-3 py-1.5 dark:border-slate-700 dark:bg-slate-900/60"
    >
      <div className="flex gap-1.5">
        {COMMANDS.filter((c) => c.toolbar !== false).map((c) => (
          <CommandButton key={c.name} c={c} />
        ))}
      </div>
      <label className="flex items-center gap-1 text-xs">
        Speed
        <select
          className="rounded border border-slate-300 bg-white px-1 py-0.5 dark:border-slate-600 dark:bg-slate-800"
          value={speed}
          onChange={(e) => setSpeed(Number(e.target.value) as Speed)}
        >
          {SPEEDS.map((s) => (
            <option key={s} value={s}>
              {s} step{s === 1 ? "" : "s"}/s
            </option>
          ))}
        </select>
      </label>
      <Position />
      {embed ? null : <Summary />}
      {embed ? null : <TeachBar />}
    </nav>
  );
}
