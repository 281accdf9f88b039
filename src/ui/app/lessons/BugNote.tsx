/**
 * A museum lesson's line in the lesson bar: the bug, the fix that removed it (subject and hash,
 * or "found by the model, not confirmed upstream"), and a one-click switch between the release
 * before the fix and the release with it.
 */

import type { Lesson } from "../../../scenario/library/index.ts";
import { switchKernel } from "../../../store/kernel-switch.ts";
import { useLab } from "../../../store/store.ts";

const switchButton =
  "rounded border border-slate-300 bg-white px-1.5 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-blue-500 dark:border-slate-600 dark:bg-slate-800 dark:hover:bg-slate-700";

export function BugNote({ lesson }: { readonly lesson: Lesson }) {
  const kernel = useLab((s) => s.scenario.kernel);
  const bug = lesson.bug;
  if (!bug) return null;
  const buggy = lesson.scenario.kernel;
  const onFixed = kernel === bug.fixedIn;
  return (
    <span
      className="flex min-w-0 flex-1 basis-72 flex-wrap items-center gap-x-2 gap-y-0.5"
      data-testid="bug-note"
    >
      <span className="font-medium text-red-800 dark:text-red-300">
        {bug.upstream ? "A real bug" : "Found by the model, not confirmed upstream"}: {bug.breaks} on {buggy}
        {bug.fix ? (
          <>
            ; fixed in {bug.fixedIn} by “{bug.fix.subject}” (<code className="font-mono">{bug.fix.hash}</code>
            )
          </>
        ) : (
          <>; gone in {bug.fixedIn}</>
        )}
        .
      </span>
      <button
        type="button"
        className={switchButton}
        onClick={() => void switchKernel(onFixed ? buggy : bug.fixedIn)}
      >
        {onFixed ? `Back to ${buggy} (before the fix)` : `Run it on ${bug.fixedIn} (with the fix)`}
      </button>
    </span>
  );
}
