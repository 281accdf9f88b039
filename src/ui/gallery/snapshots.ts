/**
 * The gallery's cells as snapshot texts: what e2e/gallery.e2e.mjs reads through
 * `window.svaGallery.snapshots()` and compares with e2e/snapshots/<diagram>/<fixture>.svg.
 */

import { snapshotOf } from "./svg-snapshot.ts";

export interface CellSnapshot {
  readonly diagram: string;
  readonly fixture: string;
  readonly text: string;
}

/** The snapshot text of one cell (`figure[data-cell]`): its SVG drawings, or its whole markup. */
export function cellSnapshot(cell: HTMLElement): string {
  const root = cell.querySelector<HTMLElement>("[data-snapshot-root]");
  if (!root) return "";
  if (cell.dataset.snapshot === "markup") return snapshotOf([...root.children]);
  // The outermost SVG elements, in order (not the SVGs inside one, which their parent holds).
  const svgs = [...root.querySelectorAll("svg")].filter((s) => !s.parentElement?.closest("svg"));
  return snapshotOf(svgs);
}

/** Every cell that draws something, in page order. */
export function allSnapshots(doc: Document = document): CellSnapshot[] {
  return [...doc.querySelectorAll<HTMLElement>("figure[data-cell]")]
    .filter((c) => c.dataset.snapshot !== "none")
    .map((c) => ({
      diagram: c.dataset.diagram ?? "",
      fixture: c.dataset.fixture ?? "",
      text: cellSnapshot(c),
    }));
}
