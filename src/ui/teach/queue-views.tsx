/**
 * The queue panel's event-queue and PRI-queue views (fetched when first shown).
 */

import { useLab } from "../../store/store.ts";
import { RecordQueueDiagram } from "../diagrams/RecordQueueDiagram.tsx";
import { shareEqual } from "../model/same.ts";
import { perWorld, useWorld } from "../useSnapshot.ts";
import { recordQueueVm } from "./queues-vm.ts";
import { useSelectedKey } from "./views.tsx";

const evtqOf = perWorld((w) => recordQueueVm(w, "evtq"), shareEqual);
const priqOf = perWorld((w) => recordQueueVm(w, "priq"), shareEqual);

export function RecordQueueView({ which }: { which: "evtq" | "priq" }) {
  const w = useWorld();
  const vm = which === "evtq" ? evtqOf(w) : priqOf(w);
  const select = useLab((s) => s.select);
  const selected = useSelectedKey();
  return <RecordQueueDiagram vm={vm} selectedId={selected} onSelect={select} />;
}
