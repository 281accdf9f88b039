/**
 * The page-table tree as a panel body. Its own chunk, with d3-zoom and the forest's view model:
 * the page paints without them and fetches them at once (about 8 kB gzip of the initial
 * JavaScript budget).
 */

import { useCallback, useMemo } from "react";
import { useLab } from "../../../store/store.ts";
import {
  closedForestOf,
  fullForestOf,
  type MmForest,
  OPEN_ALL,
  type PathVm,
  pageForest,
  type World,
} from "../../../view/index.ts";
import { useWorld } from "../../app/useSnapshot.ts";
import { usePathVm, useSelectedKey } from "../shared.tsx";
import { PageTableTree, type TreeHighlight } from "./PageTableTree.tsx";

/** The forest of `w` with the mm rows `open` open (every one of them when there are few). */
export function forestOf(w: World, open: ReadonlySet<string>): MmForest {
  return w.mms.length <= OPEN_ALL
    ? fullForestOf(w)
    : open.size === 0
      ? closedForestOf(w)
      : pageForest(w, open);
}

/** The walk to mark: only a DMA the SMMU walked for has a path through the tables (not one the ATC or IOTLB served). */
export function treeHighlight(path: PathVm | null): TreeHighlight | null {
  return path && path.tables.length > 0 ? { va: path.va, process: path.process } : null;
}

export function PageTablesView() {
  const w = useWorld();
  const forest = useCallback((open: ReadonlySet<string>) => forestOf(w, open), [w]);
  const path = usePathVm();
  const select = useLab((s) => s.select);
  const selected = useSelectedKey();
  const highlight = useMemo(() => treeHighlight(path), [path]);
  return (
    <PageTableTree
      forestOf={forest}
      world={w}
      highlight={highlight}
      selectedId={selected}
      onSelect={select}
    />
  );
}
