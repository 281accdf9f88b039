/**
 * The stream-table panel's second view: the translation path of the last DMA (fetched when
 * first shown).
 */

import { useLab } from "../../../store/store.ts";
import { TermText } from "../../glossary/Term.tsx";
import { usePathVm } from "../shared.tsx";
import { TranslationPathDiagram } from "./TranslationPathDiagram.tsx";

export function TranslationPathView() {
  const vm = usePathVm();
  const select = useLab((s) => s.select);
  if (vm === null) {
    return (
      <p className="text-sm text-slate-600 dark:text-slate-300">
        <TermText text="No DMA yet. Step to a device DMA to see the path the SMMU took: STE → CD → TTB0 → the page-table levels → the frame, or the IOTLB or ATC that served it." />
      </p>
    );
  }
  return (
    <div className="space-y-1.5" data-testid="path-view" data-step={vm.step}>
      <p className="text-xs text-slate-700 dark:text-slate-300">
        <TermText text={vm.headline} />
      </p>
      <TranslationPathDiagram vm={vm} onSelect={select} />
    </div>
  );
}
