/**
 * The page-table tree as a panel body. Its own chunk, with d3-zoom and the forest's view model:
 * the page paints without them and fetches them at once (about 8 kB gzip of the initial
 * JavaScript budget).
 */

import { useCallback, useMemo } from "react";
import { useLab } from "../../../store/store.ts";
import { closedForestOf, fullForestOf, OPEN_ALL, pageForest } from "../../../view/index.ts";
import { useWorld } from "../../app/useSnapshot.ts";
import { usePathVm, useSelectedKey } from "../shared.tsx";
import { PageTableTree } from "./PageTableTree.tsx";

export function PageTablesView() {
  const w = useWorld();
  const forestOf = useCallback(
    (open: ReadonlySet<string>) =>
      w.mms.length <= OPEN_ALL ? fullForestOf(w) : open.size === 0 ? closedForestOf(w) : pageForest(w, open),
    [w],
  );
  const path = usePathVm();
  const select = useLab((s) => s.select);
  const selected = useSelectedKey();
  // Only a DMA the SMMU walked for has a path through the tables (not one the ATC or IOTLB served).
  const highlight = useMemo(
    () => (path && path.tables.length > 0 ? { va: path.va, process: path.process } : null),
    [path],
  );
  return (
    <PageTableTree
      forestOf={forestOf}
      world={w}
      highlight={highlight}
      selectedId={selected}
      onSelect={select}
    />
  );
}
