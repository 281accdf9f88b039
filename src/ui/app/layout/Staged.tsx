/**
 * A large run handed over by the page's worker changes every panel at once, and React renders
 * a store's update in one go: the panels' renders, their DOM, their drawings and the browser's
 * layout of it all were one task of 150-350 ms. So when a new large run is shown, each panel
 * wrapped in `Staged` is drawn in a task of its own, one per idle moment, in `order`; until its
 * turn it keeps its place, empty. Small runs (every lesson) and every move of the cursor are
 * drawn at once, as before.
 */

import { type ReactNode, useEffect, useState } from "react";
import { idle } from "../../../store/prefetch.ts";
import { useLab } from "../../../store/store.ts";
import type { RunResult } from "../../../view/index.ts";

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

export function Staged({ order, children }: { readonly order: number; readonly children: ReactNode }) {
  const result = useLab((s) => s.result);
  // The run this panel was last drawn for.
  const [drawn, setDrawn] = useState(result);
  const wait = drawn !== result && large(result);
  useEffect(() => {
    if (drawn === result) return;
    if (!large(result)) {
      setDrawn(result);
      return;
    }
    return enqueue(order, () => setDrawn(result));
  }, [drawn, result, order]);
  if (wait) return <div className="min-h-0 min-w-0 flex-1" aria-busy="true" data-testid="staged" />;
  return children;
}
