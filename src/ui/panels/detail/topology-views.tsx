/**
 * The topology (who is bound to whom): the kernel panel's second view, and the foldable
 * section above the statecharts. Fetched when first shown.
 */

import { useState } from "react";
import { isLarge, useLab } from "../../../store/store.ts";
import { topologyOf } from "../../../view/index.ts";
import { useWorld } from "../../app/useSnapshot.ts";
import { useGlossary } from "../../glossary/glossary-store.ts";
import { TopologyDiagram } from "./TopologyDiagram.tsx";

export function TopologyView() {
  const w = useWorld();
  const vm = topologyOf(w);
  const show = useGlossary((s) => s.show);
  return <TopologyDiagram vm={vm} onOpen={show} />;
}

/** More cards than this (a large scenario): the topology starts folded. */
const TOPOLOGY_OPEN = 14;

/** The topology as a foldable section above the statecharts: who is bound to whom, then each lifecycle. */
export function TopologySection() {
  const w = useWorld();
  const cards = w.mms.length + Object.keys(w.kernel.objects).length + w.devices.length + 1;
  // Folded or not is decided anew when the page moves between a large scenario and a lesson:
  // the page stays responsive while a large one runs, so the section is often there before it.
  const large = useLab((s) => isLarge(s.scenario));
  const [state, setState] = useState(() => ({ large, open: cards <= TOPOLOGY_OPEN }));
  let open = state.open;
  if (state.large !== large) {
    open = cards <= TOPOLOGY_OPEN;
    setState({ large, open });
  }
  return (
    <details
      open={open}
      onToggle={(e) => {
        const now = e.currentTarget.open;
        if (now !== open) setState({ large, open: now });
      }}
      className="mb-2 rounded-md border border-slate-200 px-1.5 py-1 dark:border-slate-700"
      data-testid="topology-section"
    >
      <summary className="cursor-pointer text-[11px] font-semibold">
        Topology: who is bound to whom{" "}
        <span className="font-normal text-slate-500 dark:text-slate-400">
          ({w.mms.length} process{w.mms.length === 1 ? "" : "es"}, {w.devices.length} device
          {w.devices.length === 1 ? "" : "s"})
        </span>
      </summary>
      {open ? <OpenTopology /> : null}
    </details>
  );
}

function OpenTopology() {
  const vm = topologyOf(useWorld());
  const show = useGlossary((s) => s.show);
  return (
    <div className="mt-1">
      <TopologyDiagram vm={vm} onOpen={show} testId="topology-detail" />
    </div>
  );
}
