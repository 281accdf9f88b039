/**
 * Panel bodies fetched just after the first paint rather than with it, to keep the page's first
 * download under its 200 kB budget (`npm run bench -- size`): the page paints its frame and
 * controls, then these fill in a moment later.
 */

import { lazy, Suspense } from "react";

const NextStepBody = lazy(() => import("./NextStep.tsx").then((m) => ({ default: m.NextStep })));

/** The timeline's "Next step": who can step now, as numbered choices. */
export function NextStep() {
  return (
    <Suspense fallback={<p className="p-2 text-xs text-slate-500">Loading the choices…</p>}>
      <NextStepBody />
    </Suspense>
  );
}
