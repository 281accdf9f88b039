/**
 * A large run handed over by the page's worker changes every panel at once, and so does a far
 * jump in it (End, Home, a link's `step=`, a click on the timeline); React renders a store's
 * update in one go: the panels' renders, their DOM, their drawings and the browser's layout of
 * it all were one task of 150-450 ms. So on a large run each panel wrapped in `Staged` is drawn
 * in a task of its own, one per idle moment, in `order`:
 * - a new large run: until its turn the panel keeps its place, empty;
 * - a far jump (the cursor more than one step from the one the panel shows): until its turn the
 *   panel keeps showing the step it showed (`DrawnStepContext`: its hooks read that step's world
 *   and cursor, not the store's), marked `aria-busy`.
 * A step to a neighbour (→, ←, playing) and everything on a small run (every lesson) are drawn
 * at once, as before.
 */

import { type ReactNode, useEffect, useLayoutEffect, useRef, useState } from "react";
import { idle } from "../../../store/prefetch.ts";
import { useLab } from "../../../store/store.ts";
import type { RunResult } from "../../../view/index.ts";
import { type DrawnStep, DrawnStepContext } from "../useSnapshot.ts";

/** The panels waiting for their turn: their order and what draws them. */
const waiting: { order: number; release: () => void }[] = [];
let pumping = false;

/** Releases the first panel waiting, then the next in the next idle moment. */
function pump(): void {
  if (pumping) return;
  pumping = true;
  idle(function next() {
    waiting.sort((a, b) => a.order - b.order);
    const first = waiting.shift();
    // Its render is a store update of its own: React draws it in the task after this one.
    first?.release();
    if (waiting.length > 0) idle(next);
    else pumping = false;
  });
}

function enqueue(order: number, release: () => void): () => void {
  const entry = { order, release };
  waiting.push(entry);
  pump();
  return () => {
    const i = waiting.indexOf(entry);
    if (i >= 0) waiting.splice(i, 1);
  };
}

/** A run the page keeps checkpoints of: a large one (store.ts `isLarge`). */
const large = (r: RunResult): boolean => r.checkpointEvery > 1;

/** The store's step now. */
function storeStep(): DrawnStep {
  const { result, cursor, world } = useLab.getState();
  return { result, cursor, world };
}

export function Staged({ order, children }: { readonly order: number; readonly children: ReactNode }) {
  const result = useLab((s) => s.result);
  const cursor = useLab((s) => s.cursor);
  const world = useLab((s) => s.world);
  // The step this panel last drew (none yet when it mounts with a large run: the page opened
  // on a large link, or a panel shown again from the Panels menu).
  const drawn = useRef<DrawnStep | null>(large(result) ? null : { result, cursor, world });
  // The step its turn came for.
  const [turn, setTurn] = useState<DrawnStep | null>(null);
  const last = drawn.current;
  const near = last !== null && last.result === result && Math.abs(last.cursor - cursor) <= 1;
  const given = turn !== null && turn.result === result && turn.cursor === cursor;
  const behind = large(result) && !near && !given;
  useLayoutEffect(() => {
    if (!behind) drawn.current = { result, cursor, world };
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: a move while it waits queues it again (the turn it gets may be for a step already left)
  useEffect(() => {
    if (!behind) return;
    return enqueue(order, () => setTurn(storeStep()));
  }, [behind, order, result, cursor]);
  // A new run: nothing of the run before fits it.
  if (behind && (last === null || last.result !== result))
    return <div className="min-h-0 min-w-0 flex-1" aria-busy="true" data-testid="staged" />;
  // The same element either way, so the panel is not mounted again when its turn comes.
  return (
    <DrawnStepContext value={behind ? last : null}>
      <div className="contents" aria-busy={behind || undefined} data-staged={behind || undefined}>
        {children}
      </div>
    </DrawnStepContext>
  );
}
