/**
 * A list of rows of one fixed height of which only those in view (and a margin) are in the
 * document, each placed at its own offset, so no row moves another. For lists whose lines all
 * change together: when a lock is taken, the 64 threads of the large scenario all change what
 * they wait for, and laying out 64 lines that nobody sees cost milliseconds per step.
 *
 * Rows that `keep` names are drawn wherever they are (the one with the focus, so scrolling the
 * list does not drop it). Short lists are drawn whole.
 */

import type { CSSProperties, ReactNode } from "react";
import { useRef } from "react";
import { useVisibleRange } from "../d3/useVisibleRange.ts";

/** Lists up to this many rows are drawn whole. */
const ALL = 24;
/** Pixels of rows drawn beyond the view, on each side. */
const OVERSCAN = 160;

/** Where row i sits: absolutely, at its offset. */
export const rowStyle = (i: number, height: number): CSSProperties => ({
  position: "absolute",
  top: i * height,
  left: 0,
  right: 0,
  height,
});

export function FixedRows(props: {
  count: number;
  rowHeight: number;
  /** Row i: an <li> placed with `rowStyle(i, rowHeight)`. */
  row: (i: number) => ReactNode;
  keep?: (i: number) => boolean;
  className?: string;
  label?: string;
}) {
  const { count, rowHeight, row, keep, className, label } = props;
  const list = useRef<HTMLUListElement>(null);
  const windowed = count > ALL;
  const range = useVisibleRange(list, windowed, rowHeight * 2);
  const first = windowed ? Math.floor(Math.max(0, (range?.top ?? 0) - OVERSCAN) / rowHeight) : 0;
  const last = windowed ? Math.ceil(((range?.bottom ?? 800) + OVERSCAN) / rowHeight) : count;
  const rows: ReactNode[] = [];
  for (let i = 0; i < count; i++) if ((i >= first && i < last) || keep?.(i)) rows.push(row(i));
  return (
    <ul
      ref={list}
      aria-label={label}
      className={className}
      style={{ position: "relative", height: count * rowHeight }}
    >
      {rows}
    </ul>
  );
}
