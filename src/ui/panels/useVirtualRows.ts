/**
 * Windowing for long lists whose rows have different heights (the step list: one line or
 * four): only the rows in view, and a margin, are in the document; spacers stand for the
 * others. Row heights start as an estimate and are measured once drawn. Lists up to `all` rows
 * are drawn whole (their rows then stay findable by tests and by the browser's find).
 *
 * The list scrolls with its nearest scrolling ancestor (a panel's body): no scroll box of its
 * own is needed.
 */

import { type RefObject, useCallback, useLayoutEffect, useMemo, useRef, useState } from "react";
import { scrollParent, useVisibleRange } from "../d3/useVisibleRange.ts";

export interface VirtualRows {
  /** Rows start..end-1 are drawn. */
  readonly start: number;
  readonly end: number;
  /** Heights of the spacers before and after them. */
  readonly before: number;
  readonly after: number;
  /** Brings row i into view (drawing it first if needed). */
  scrollTo(i: number): void;
}

/** Pixels of rows drawn beyond the view, on each side. */
const OVERSCAN = 600;

export function useVirtualRows(
  list: RefObject<HTMLElement | null>,
  count: number,
  estimate: number,
  all = 300,
  /** Every row is `estimate` pixels high: nothing to measure. */
  fixed = false,
): VirtualRows {
  const windowed = count > all;
  const range = useVisibleRange(list, windowed, 64);
  const heights = useRef<Float64Array>(new Float64Array(0));
  /** Rows measured since the list last changed length: each is measured once, when first drawn. */
  const measured = useRef<Set<number>>(new Set());
  const [version, setVersion] = useState(0);
  if (heights.current.length !== count) {
    const next = new Float64Array(count).fill(estimate);
    next.set(heights.current.subarray(0, Math.min(count, heights.current.length)));
    heights.current = next;
    measured.current = new Set();
  }
  // Offsets of each row's top: recomputed when a measurement changed a height.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` says the heights changed
  const offsets = useMemo(() => {
    const h = heights.current;
    const out = new Float64Array(h.length + 1);
    for (let i = 0; i < h.length; i++) out[i + 1] = out[i]! + h[i]!;
    return out;
  }, [count, version]);

  const find = (y: number): number => {
    let a = 0;
    let b = count;
    while (a < b) {
      const m = (a + b) >> 1;
      if (offsets[m + 1]! <= y) a = m + 1;
      else b = m;
    }
    return a;
  };
  const [pinned, setPinned] = useState<number | null>(null);
  let start = 0;
  let end = count;
  if (windowed) {
    const top = (range?.top ?? 0) - OVERSCAN;
    const bottom = (range?.bottom ?? 800) + OVERSCAN;
    start = find(Math.max(0, top));
    end = Math.min(count, find(bottom) + 1);
  }
  const reached = pinned === null || (start <= pinned && pinned < end);
  if (!reached && pinned !== null) {
    start = Math.max(0, pinned - 10);
    end = Math.min(count, pinned + 20);
  }

  // Measure the rows drawn for the first time, each once; a changed height moves the rows
  // after it. A ResizeObserver gives each row's height after the browser's own layout of the
  // frame: reading `offsetHeight` here, in React's commit, forced a layout of the whole page
  // with every panel's new DOM in it (30-40 ms of a far jump's task on the large run).
  const observer = useRef<ResizeObserver | null>(null);
  useLayoutEffect(() => () => observer.current?.disconnect(), []);
  useLayoutEffect(() => {
    const el = list.current;
    if (!el || !windowed || fixed) return;
    for (let i = start; i < end; i++) {
      if (measured.current.has(i)) continue;
      const row = el.querySelector<HTMLElement>(`:scope > [data-row="${i}"]`);
      if (!row) continue;
      measured.current.add(i);
      observer.current ??= new ResizeObserver((entries) => {
        let changed = false;
        for (const e of entries) {
          const row = e.target as HTMLElement;
          observer.current?.unobserve(row);
          const i = Number(row.dataset.row);
          const h = e.borderBoxSize?.[0]?.blockSize ?? row.offsetHeight;
          if (i < heights.current.length && h > 0 && Math.abs(heights.current[i]! - h) > 0.5) {
            heights.current[i] = h;
            changed = true;
          }
        }
        if (changed) setVersion((v) => v + 1);
      });
      observer.current.observe(row);
    }
  });

  const scrollTo = useCallback(
    (i: number) => {
      const el = list.current;
      if (!el) return;
      const row = el.querySelector<HTMLElement>(`:scope > [data-row="${i}"]`);
      if (row) {
        // The list's own scroll box only (scrollIntoView would scroll the page too, on a phone).
        const box = scrollParent(el);
        if (box) {
          const b = box.getBoundingClientRect();
          const r = row.getBoundingClientRect();
          if (r.top < b.top) box.scrollTop -= b.top - r.top;
          else if (r.bottom > b.bottom) box.scrollTop += Math.min(r.bottom - b.bottom, r.top - b.top);
        }
        return;
      }
      if (!windowed) return;
      // Not drawn: scroll its estimated place into view, and draw it there meanwhile.
      const parent = scrollParent(el);
      if (parent) {
        const listTop =
          el.getBoundingClientRect().top - parent.getBoundingClientRect().top + parent.scrollTop;
        parent.scrollTop = listTop + (offsets[i] ?? 0) - parent.clientHeight / 2;
      }
      setPinned(i);
    },
    [list, windowed, offsets],
  );
  // A pinned row is only needed until the scroll has moved the window onto it.
  useLayoutEffect(() => {
    if (pinned !== null && reached) setPinned(null);
  }, [pinned, reached]);

  return {
    start,
    end,
    before: windowed ? (offsets[start] ?? 0) : 0,
    after: windowed ? (offsets[count] ?? 0) - (offsets[end] ?? 0) : 0,
    scrollTo,
  };
}
