/** The caches panel: the IOTLB and the ATCs, the SMMU's other caches, and the DMA log. */

import { lazy, Suspense } from "react";
import { useLab } from "../../../store/store.ts";
import { cachesOf } from "../../../view/index.ts";
import { useTlbVm, useWorld } from "../../app/useSnapshot.ts";
import { Panel } from "../Panel.tsx";
import { useSelectedKey } from "../shared.tsx";
import { TlbDiagram } from "./TlbDiagram.tsx";

/** The DMA log, under the caches (below the fold of the panel): after the first paint. */
const DmaLog = lazy(() => import("../logs/Logs.tsx").then((m) => ({ default: m.DmaLog })));

/** The caches' diagram is fetched just after the first paint (its view model is not: the count). */
const CachesDiagram = lazy(() => import("./CachesDiagram.tsx").then((m) => ({ default: m.CachesDiagram })));

function CachesView() {
  const w = useWorld();
  const vm = cachesOf(w);
  const select = useLab((s) => s.select);
  const selected = useSelectedKey();
  return (
    <Suspense fallback={<p className="p-2 text-xs text-slate-500">Loading the caches…</p>}>
      <CachesDiagram vm={vm} selectedId={selected} onSelect={select} />
    </Suspense>
  );
}

/** Stale entries in the walk cache and the configuration cache (the panel's count adds them). */
function useStaleCacheCount(): number {
  const w = useWorld();
  return cachesOf(w).reduce((n, s) => n + (s.stale ?? s.rows.filter((r) => r.stale).length), 0);
}

export function TlbPanel() {
  const vm = useTlbVm();
  const stale =
    vm.iotlb.filter((e) => e.stale).length +
    vm.atcs.reduce((n, a) => n + a.entries.filter((e) => e.stale).length, 0);
  const staleCaches = useStaleCacheCount();
  return (
    <Panel
      title="Caches"
      aside={stale + staleCaches > 0 ? `${stale + staleCaches} stale` : undefined}
      testId="panel-tlb"
      exportName="caches"
      terms={["iotlb", "atc", "config-cache"]}
    >
      <TlbDiagram vm={vm} />
      <CachesView />
      <Suspense fallback={null}>
        <DmaLog />
      </Suspense>
    </Panel>
  );
}
