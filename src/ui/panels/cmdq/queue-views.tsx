/**
 * The queue panel's event-queue and PRI-queue views (fetched when first shown).
 */

import { useLab } from "../../../store/store.ts";
import { evtqOf, priqOf } from "../../../view/index.ts";
import { useWorld } from "../../app/useSnapshot.ts";
import { useSelectedKey } from "../shared.tsx";
import { RecordQueueDiagram } from "./RecordQueueDiagram.tsx";

export function RecordQueueView({ which }: { which: "evtq" | "priq" }) {
  const w = useWorld();
  const vm = which === "evtq" ? evtqOf(w) : priqOf(w);
  const select = useLab((s) => s.select);
  const selected = useSelectedKey();
  return <RecordQueueDiagram vm={vm} selectedId={selected} onSelect={select} />;
}
