/**
 * A drag handle between two neighbouring boxes (its previous and next siblings): dragging it,
 * or pressing ←/→ (↑/↓) while it has focus, moves the boundary. It reports the share of the
 * two boxes' total size that the first one should get, and that total in pixels; the layout
 * turns that into its own sizes. Only shown where the page is laid out in columns (xl).
 */

import { type KeyboardEvent, type PointerEvent, useRef } from "react";

export interface SplitterProps {
  /** "vertical": a bar between two columns (drag sideways); "horizontal": between two rows. */
  readonly orientation: "vertical" | "horizontal";
  readonly label: string;
  /** The first box's share now (0..1), for the keyboard and screen readers. */
  readonly share: number;
  readonly onShare: (share: number, totalPx: number) => void;
  readonly min?: number;
  readonly max?: number;
  readonly className?: string;
}

const STEP = 0.02;

function sizes(el: HTMLElement, vertical: boolean): { a: number; b: number } {
  const size = (e: Element | null): number => {
    if (!e) return 0;
    const r = e.getBoundingClientRect();
    return vertical ? r.width : r.height;
  };
  return { a: size(el.previousElementSibling), b: size(el.nextElementSibling) };
}

export function Splitter(props: SplitterProps) {
  const { orientation, label, share, onShare, min = 0.1, max = 0.9 } = props;
  const vertical = orientation === "vertical";
  const drag = useRef<{ start: number; a: number; total: number } | null>(null);
  const clamp = (v: number): number => Math.min(max, Math.max(min, v));

  const onPointerDown = (e: PointerEvent<HTMLDivElement>): void => {
    if (e.button !== 0) return;
    const { a, b } = sizes(e.currentTarget, vertical);
    if (a + b <= 0) return;
    drag.current = { start: vertical ? e.clientX : e.clientY, a, total: a + b };
    e.currentTarget.setPointerCapture(e.pointerId);
    e.preventDefault();
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>): void => {
    const d = drag.current;
    if (!d) return;
    const delta = (vertical ? e.clientX : e.clientY) - d.start;
    onShare(clamp((d.a + delta) / d.total), d.total);
  };
  const onPointerUp = (e: PointerEvent<HTMLDivElement>): void => {
    drag.current = null;
    if (e.currentTarget.hasPointerCapture(e.pointerId)) e.currentTarget.releasePointerCapture(e.pointerId);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const less = vertical ? "ArrowLeft" : "ArrowUp";
    const more = vertical ? "ArrowRight" : "ArrowDown";
    if (e.key !== less && e.key !== more) return;
    // The arrows move the boundary here, not the step cursor.
    e.preventDefault();
    e.stopPropagation();
    const { a, b } = sizes(e.currentTarget, vertical);
    if (a + b <= 0) return;
    onShare(clamp(a / (a + b) + (e.key === more ? STEP : -STEP)), a + b);
  };

  return (
    // biome-ignore lint/a11y/useSemanticElements: a focusable, draggable separator has no HTML element (<hr> cannot take focus or be dragged)
    <div
      role="separator"
      tabIndex={0}
      aria-orientation={vertical ? "vertical" : "horizontal"}
      aria-label={label}
      aria-valuemin={Math.round(min * 100)}
      aria-valuemax={Math.round(max * 100)}
      aria-valuenow={Math.round(share * 100)}
      data-testid="splitter"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onKeyDown={onKeyDown}
      className={`group relative shrink-0 touch-none select-none focus-visible:outline-none max-xl:hidden ${
        vertical ? "w-2 cursor-col-resize" : "h-2 cursor-row-resize"
      } ${props.className ?? ""}`}
    >
      <span
        aria-hidden="true"
        className={`absolute rounded-full bg-slate-300 opacity-0 transition-opacity group-hover:opacity-100 group-focus-visible:bg-blue-500 group-focus-visible:opacity-100 dark:bg-slate-600 ${
          vertical ? "inset-y-2 left-[3px] w-0.5" : "inset-x-2 top-[3px] h-0.5"
        }`}
      />
    </div>
  );
}
